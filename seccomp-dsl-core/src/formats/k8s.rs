//! Kubernetes: the Security Profiles Operator's `SeccompProfile` object
//! (security-profiles-operator.x-k8s.io/v1, cluster-scoped), which the
//! operator writes to each node as `operator/NAME.json`, and the Pod
//! `securityContext` that uses it.
//!
//! The object is the OCI export of the policy decided for one node context
//! (conditions and ABI map decided, as [`crate::docker::to_oci_json`]
//! does). What the operator's format cannot state is refused, never
//! dropped: a default errno other than EPERM (it has no `defaultErrnoRet`),
//! values at or above 2^63 (its values are int64), and ABIs or flags
//! outside its lists. The schema it is checked against is vendored in
//! `seccomp-dsl-core/data/spo/`.

use std::fmt;

use serde_json::{json, Value};

use crate::docker;
use crate::model::Resolved;

/// ABIs the operator's `architectures` list admits.
const ARCHITECTURES: [&str; 20] = [
    "SCMP_ARCH_NATIVE",
    "SCMP_ARCH_X86",
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X32",
    "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",
    "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",
    "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",
    "SCMP_ARCH_PARISC64",
    "SCMP_ARCH_RISCV64",
];

/// Flags the operator's `flags` list admits.
const FLAGS: [&str; 4] = [
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
];

/// What the operator's format cannot carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct K8sError(pub String);

impl fmt::Display for K8sError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a SeccompProfile cannot state this policy: {}", self.0)
    }
}

impl std::error::Error for K8sError {}

/// Whether `name` is a Kubernetes object name (a DNS subdomain).
fn valid_name(name: &str) -> bool {
    let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| alphanumeric(c) || c == '-' || c == '.')
        && name.starts_with(alphanumeric)
        && name.ends_with(alphanumeric)
}

/// The `SeccompProfile` named `name` for `resolved` (a policy decided for
/// the node's context).
///
/// ```
/// use seccomp_dsl_core::{k8s, model::*};
/// let policy = Policy::new(Action::Errno(1), vec![Rule::new(["read"], [], Action::Allow)]);
/// let context = Context { arch: "amd64".into(), capabilities: vec![], kernel: KernelVersion { major: 6, minor: 1 } };
/// let object = k8s::seccomp_profile(&policy.resolve(&context, SeccompArch::X86_64), "reader").unwrap();
/// assert_eq!(object["kind"], "SeccompProfile");
/// assert_eq!(object["spec"]["syscalls"][0]["names"][0], "read");
/// let denied = Policy::new(Action::Errno(13), vec![]);
/// assert!(k8s::seccomp_profile(&denied.resolve(&context, SeccompArch::X86_64), "x").is_err());
/// ```
pub fn seccomp_profile(resolved: &Resolved<'_>, name: &str) -> Result<Value, K8sError> {
    if !valid_name(name) {
        return Err(K8sError(format!(
            "`{name}` is no object name: lower-case letters, digits, `-` and `.`, at most 253"
        )));
    }
    let oci: Value =
        serde_json::from_str(&docker::to_oci_json(resolved)).expect("the OCI export is JSON");
    let mut spec = serde_json::Map::new();
    spec.insert("defaultAction".into(), oci["defaultAction"].clone());
    match oci["defaultErrnoRet"].as_u64() {
        None | Some(1) if oci["defaultAction"] == "SCMP_ACT_ERRNO" => {}
        None => {}
        Some(errno) => {
            return Err(K8sError(format!(
                "the default action's errno {errno}: the format has no `defaultErrnoRet`, so a default \
                 `errno` is EPERM there; deny by default with `errno` (EPERM), or give the other \
                 errno by rules"
            )))
        }
    }
    let architectures = oci["architectures"].as_array().cloned().unwrap_or_default();
    if let Some(outside) = architectures
        .iter()
        .filter_map(Value::as_str)
        .find(|arch| !ARCHITECTURES.contains(arch))
    {
        return Err(K8sError(format!("the ABI `{outside}` is not in its list")));
    }
    if !architectures.is_empty() {
        spec.insert("architectures".into(), Value::Array(architectures));
    }
    if let Some(flags) = oci["flags"].as_array() {
        if let Some(outside) = flags
            .iter()
            .filter_map(Value::as_str)
            .find(|flag| !FLAGS.contains(flag))
        {
            return Err(K8sError(format!("the flag `{outside}` is not in its list")));
        }
        spec.insert("flags".into(), Value::Array(flags.clone()));
    }
    let mut syscalls = Vec::new();
    for (index, entry) in oci["syscalls"].as_array().into_iter().flatten().enumerate() {
        for arg in entry["args"].as_array().into_iter().flatten() {
            for field in ["value", "valueTwo"] {
                if arg[field]
                    .as_u64()
                    .is_some_and(|value| value > i64::MAX as u64)
                {
                    return Err(K8sError(format!(
                        "syscalls[{index}] (`{}`) compares with {:#x}, at or above 2^63: its values \
                         are int64",
                        entry["names"][0].as_str().unwrap_or_default(),
                        arg[field].as_u64().unwrap_or_default()
                    )));
                }
            }
        }
        let mut syscall = serde_json::Map::new();
        for field in ["names", "action", "errnoRet", "args"] {
            if !entry[field].is_null() {
                syscall.insert(field.into(), entry[field].clone());
            }
        }
        syscalls.push(Value::Object(syscall));
    }
    if !syscalls.is_empty() {
        spec.insert("syscalls".into(), Value::Array(syscalls));
    }
    Ok(json!({
        "apiVersion": "security-profiles-operator.x-k8s.io/v1",
        "kind": "SeccompProfile",
        "metadata": { "name": name },
        "spec": spec,
    }))
}

/// The Pod (or container) `securityContext` that uses a profile at
/// `localhost_profile`, relative to the kubelet's seccomp directory:
/// `operator/NAME.json` for the operator's, any file path otherwise.
pub fn security_context(localhost_profile: &str) -> Value {
    json!({
        "securityContext": {
            "seccompProfile": { "type": "Localhost", "localhostProfile": localhost_profile }
        }
    })
}

/// [`security_context`] for a policy checked for containers run with
/// `settings`: with no-new-privileges, the container's own
/// `securityContext`, which says `allowPrivilegeEscalation: false` (a
/// Pod's cannot).
///
/// ```
/// use seccomp_dsl_core::container_start::Settings;
/// let context = seccomp_dsl_core::k8s::security_context_for(
///     "operator/web.json",
///     Settings { no_new_privileges: true },
/// );
/// assert_eq!(context["securityContext"]["allowPrivilegeEscalation"], false);
/// ```
pub fn security_context_for(
    localhost_profile: &str,
    settings: crate::model::ContainerSettings,
) -> Value {
    let mut context = security_context(localhost_profile);
    if settings.no_new_privileges {
        context["securityContext"]["allowPrivilegeEscalation"] = Value::Bool(false);
    }
    context
}
