//! The Docker (moby) seccomp profile format, as read by
//! `docker run --security-opt seccomp=profile.json` and podman, both ways.
//!
//! Reading is strict: a field this crate does not know, a value of the
//! wrong type, an unknown action, operator, architecture or capability is
//! an [`Error`] naming the field, never a silently weaker policy.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::model::{Action, Architectures, ArgCondition, CmpOp, Filter, Policy, Resolved, Rule};

mod read;

pub use read::{from_json, from_profile};

/// Docker's default seccomp profile, moby's `profiles/seccomp/default.json`
/// as vendored in `seccomp-dsl-core/data/docker-default.json`:
/// `seccomp_dsl::profiles::DOCKER_DEFAULT` states it in the DSL, and
/// `assert no_more_than DOCKER_DEFAULT;` compares a policy with it.
pub const MOBY_DEFAULT: &str = include_str!("../../../data/docker-default.json");

/// A Docker seccomp profile, field for field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Profile {
    /// The action for calls no entry matches (`SCMP_ACT_*`).
    pub default_action: String,
    /// The errno (or trace message) of the default action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_errno_ret: Option<u32>,
    /// The default action's errno by name (containers/common's dialect,
    /// which podman, buildah and CRI-O read): it must agree with
    /// `defaultErrnoRet`, which older readers take alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_errno: Option<String>,
    /// The ABIs the filter covers (`SCMP_ARCH_*`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub architectures: Vec<String>,
    /// ABIs to add per native ABI.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub arch_map: Vec<ArchMap>,
    /// Filter flags (`SECCOMP_FILTER_FLAG_*`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub flags: Vec<String>,
    /// The entries.
    #[serde(default, deserialize_with = "nullable")]
    pub syscalls: Vec<Entry>,
}

/// One entry of a profile's `archMap`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchMap {
    /// A native ABI (`SCMP_ARCH_*`).
    pub architecture: String,
    /// ABIs added to it.
    #[serde(default)]
    pub sub_architectures: Option<Vec<String>>,
}

/// One entry of a profile's `syscalls` list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Entry {
    /// One syscall (the older form of `names`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The syscalls the entry applies to.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub names: Vec<String>,
    /// The action (`SCMP_ACT_*`).
    pub action: String,
    /// The errno (or trace message) of the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno_ret: Option<u32>,
    /// The action's errno by name (containers/common's dialect), which
    /// must agree with `errnoRet`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno: Option<String>,
    /// Argument comparisons, all of which must hold.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub args: Vec<Arg>,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Where the entry applies.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "FilterJson::is_empty"
    )]
    pub includes: FilterJson,
    /// Where the entry does not apply.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "FilterJson::is_empty"
    )]
    pub excludes: FilterJson,
}

/// An entry's `includes` or `excludes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterJson {
    /// Capabilities (`CAP_*`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub caps: Vec<String>,
    /// Architectures in Docker's spelling (`amd64`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub arches: Vec<String>,
    /// A kernel version (`4.8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_kernel: Option<String>,
}

impl FilterJson {
    fn is_empty(&self) -> bool {
        self.caps.is_empty() && self.arches.is_empty() && self.min_kernel.is_none()
    }
}

/// One argument comparison of an [`Entry`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Arg {
    /// The argument index, 0 to 5.
    pub index: u32,
    /// The value compared with; the mask for `SCMP_CMP_MASKED_EQ`.
    pub value: u64,
    /// The value compared with for `SCMP_CMP_MASKED_EQ`; otherwise 0.
    #[serde(default)]
    pub value_two: u64,
    /// The operator (`SCMP_CMP_*`).
    pub op: String,
}

/// Go writes empty lists as `null`; read those as empty.
fn nullable<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A profile that does not describe a policy this crate can represent.
#[derive(Debug)]
pub enum Error {
    /// Not JSON, or not of the profile's shape.
    Json {
        /// Where: `syscalls[3].args[0].index`, or `.` or `?` for the whole document.
        path: String,
        /// serde_json's description, with line and column.
        source: serde_json::Error,
    },
    /// A field with a value the format does not define.
    Field {
        /// Where: `defaultAction`, `syscalls[3].args[0].op`, ...
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Json { path, source } if path == "." || path == "?" => {
                write!(f, "invalid Docker seccomp profile: {source}")
            }
            Error::Json { path, source } => {
                write!(f, "invalid Docker seccomp profile: `{path}`: {source}")
            }
            Error::Field { path, message } => {
                write!(f, "invalid Docker seccomp profile: `{path}`: {message}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Json { source, .. } => Some(source),
            Error::Field { .. } => None,
        }
    }
}

fn field_error(path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Field {
        path: path.into(),
        message: message.into(),
    }
}

/// The Docker profile for `policy`: one entry per rule of its exact form
/// (see [`crate::exact`]), in rule order.
pub fn to_profile(policy: &Policy) -> Profile {
    let (default_action, default_errno_ret) = action_to_docker(policy.default_action);
    let (architectures, arch_map) = match &policy.architectures {
        Architectures::Native => (Vec::new(), Vec::new()),
        Architectures::List(arches) => {
            (arches.iter().map(|a| a.docker_name()).collect(), Vec::new())
        }
        Architectures::Map(entries) => (
            Vec::new(),
            entries
                .iter()
                .map(|entry| ArchMap {
                    architecture: entry.arch.docker_name(),
                    sub_architectures: entry
                        .sub_arches
                        .as_ref()
                        .map(|subs| subs.iter().map(|a| a.docker_name()).collect()),
                })
                .collect(),
        ),
    };
    let syscalls = exact_entries(policy.rules.iter());
    Profile {
        default_action,
        default_errno_ret,
        default_errno: None,
        architectures,
        arch_map,
        flags: policy.flags.iter().map(|flag| flag.docker_name()).collect(),
        syscalls,
    }
}

/// One entry per rule of the rules' exact form.
fn exact_entries<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> Vec<Entry> {
    rules
        .into_iter()
        .flat_map(|rule| {
            crate::exact::rules(rule)
                .iter()
                .map(entry_to_docker)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn entry_to_docker(rule: &Rule) -> Entry {
    let (action, errno_ret) = action_to_docker(rule.action);
    Entry {
        name: None,
        names: rule.syscalls.iter().map(|name| name.to_string()).collect(),
        action,
        errno_ret,
        errno: None,
        args: rule.conditions.iter().map(condition_to_docker).collect(),
        comment: entry_comment(rule),
        includes: filter_to_docker(&rule.includes),
        excludes: filter_to_docker(&rule.excludes),
    }
}

/// An entry's comment: the rule's, after what the container's profile
/// has that `install()` does not (a `startup` rule) where it is one.
fn entry_comment(rule: &Rule) -> Option<String> {
    const STARTUP: &str = "startup: for what runs before install(), which leaves it out";
    match (&rule.comment, rule.startup) {
        (Some(comment), true) => Some(format!("{STARTUP}. {comment}")),
        (None, true) => Some(STARTUP.to_string()),
        (comment, false) => comment.as_ref().map(|c| c.to_string()),
    }
}

/// The OCI runtime-spec `linux.seccomp` object (the seccomp part of a
/// runc or crun `config.json`) for a policy resolved in one context, as
/// Docker hands it to the runtime: conditions decided, the covered ABIs
/// listed if the policy lists them (without a list runc filters the native
/// ABI alone, with no ENOSYS stub before it), no comments. Pretty-printed
/// and deterministic.
///
/// ```
/// use seccomp_dsl_core::{docker, model::*};
/// let mut rule = Rule::new(["mount"], [], Action::Allow);
/// rule.includes.caps = vec!["CAP_SYS_ADMIN".into()].into();
/// let mut policy = Policy::new(Action::Errno(1), vec![rule]);
/// let context = Context { arch: "amd64".into(), capabilities: vec![], kernel: KernelVersion { major: 6, minor: 1 } };
/// let oci = docker::to_oci_json(&policy.resolve(&context, SeccompArch::X86_64));
/// let value: serde_json::Value = serde_json::from_str(&oci).unwrap();
/// assert!(value.get("architectures").is_none());
/// assert!(value.get("syscalls").is_none());
/// policy.architectures = Architectures::List(vec![SeccompArch::X86_64, SeccompArch::X86].into());
/// let oci = docker::to_oci_json(&policy.resolve(&context, SeccompArch::X86_64));
/// let value: serde_json::Value = serde_json::from_str(&oci).unwrap();
/// assert_eq!(value["architectures"], serde_json::json!(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]));
/// ```
pub fn to_oci_json(resolved: &Resolved<'_>) -> String {
    let (default_action, default_errno_ret) = action_to_docker(resolved.default_action);
    let profile = OciSeccomp {
        default_action,
        default_errno_ret,
        // A list makes runc filter exactly those ABIs and put its ENOSYS
        // stub before the filter; a policy without one is the native ABI
        // alone, with no stub, as `install()` applies it.
        architectures: match resolved.listed {
            true => (resolved.architectures.iter())
                .map(|arch| arch.docker_name())
                .collect(),
            false => Vec::new(),
        },
        flags: resolved
            .flags
            .iter()
            .map(|flag| flag.docker_name())
            .collect(),
        syscalls: exact_entries(resolved.rules.iter().copied())
            .into_iter()
            .map(|entry| Entry {
                comment: None,
                includes: FilterJson::default(),
                excludes: FilterJson::default(),
                ..entry
            })
            .collect(),
    };
    let mut json = serde_json::to_string_pretty(&profile)
        .expect("a profile of strings and integers always serializes");
    json.push('\n');
    json
}

/// The runtime-spec's `LinuxSeccomp`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OciSeccomp {
    default_action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_errno_ret: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    architectures: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    flags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    syscalls: Vec<Entry>,
}

/// The Docker profile for `policy` as pretty-printed JSON, byte for byte the
/// same for the same policy.
///
/// ```
/// use seccomp_dsl_core::{docker, model::{Action, Policy}};
/// let policy = Policy::new(Action::Errno(1), vec![]);
/// let json = docker::to_json(&policy);
/// assert!(json.contains(r#""defaultAction": "SCMP_ACT_ERRNO""#));
/// assert_eq!(docker::from_json(&json).unwrap(), policy);
/// ```
pub fn to_json(policy: &Policy) -> String {
    let mut json = serde_json::to_string_pretty(&to_profile(policy))
        .expect("a profile of strings and integers always serializes");
    json.push('\n');
    json
}

fn filter_to_docker(filter: &Filter) -> FilterJson {
    FilterJson {
        caps: filter.caps.iter().map(|c| c.to_string()).collect(),
        arches: filter.arches.iter().map(|a| a.to_string()).collect(),
        min_kernel: filter.min_kernel.map(|v| v.to_string()),
    }
}

const ACTION_NAMES: [&str; 8] = [
    "SCMP_ACT_ALLOW",
    "SCMP_ACT_ERRNO",
    "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_TRAP",
    "SCMP_ACT_TRACE",
    "SCMP_ACT_LOG",
];

fn action_to_docker(action: Action) -> (String, Option<u32>) {
    let (name, data) = match action {
        Action::Allow => ("SCMP_ACT_ALLOW", None),
        Action::Errno(errno) => ("SCMP_ACT_ERRNO", Some(errno)),
        Action::KillThread => ("SCMP_ACT_KILL", None),
        Action::KillProcess => ("SCMP_ACT_KILL_PROCESS", None),
        Action::Trap => ("SCMP_ACT_TRAP", None),
        Action::Trace(message) => ("SCMP_ACT_TRACE", Some(message)),
        Action::Log => ("SCMP_ACT_LOG", None),
    };
    (name.to_string(), data.map(u32::from))
}

/// Makes the operator from the `value` field (the mask, for a masked comparison).
type MakeOp = fn(u64) -> CmpOp;

const OPERATORS: [(&str, MakeOp); 7] = [
    ("SCMP_CMP_EQ", |_| CmpOp::Eq),
    ("SCMP_CMP_NE", |_| CmpOp::Ne),
    ("SCMP_CMP_LT", |_| CmpOp::Lt),
    ("SCMP_CMP_LE", |_| CmpOp::Le),
    ("SCMP_CMP_GT", |_| CmpOp::Gt),
    ("SCMP_CMP_GE", |_| CmpOp::Ge),
    ("SCMP_CMP_MASKED_EQ", CmpOp::MaskedEq),
];

fn condition_to_docker(condition: &ArgCondition) -> Arg {
    let (value, value_two) = match condition.op {
        CmpOp::MaskedEq(mask) => (mask, condition.value),
        _ => (condition.value, 0),
    };
    let op = OPERATORS
        .iter()
        .find(|(_, make)| make(value) == condition.op)
        .map(|(name, _)| name.to_string())
        .expect("every operator has a name");
    Arg {
        index: u32::from(condition.index),
        value,
        value_two,
        op,
    }
}
