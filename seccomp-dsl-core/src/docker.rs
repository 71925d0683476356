//! The Docker (moby) seccomp profile format, as read by
//! `docker run --security-opt seccomp=profile.json` and podman.
//!
//! A profile states no architectures, so engines filter the native ABI only
//! and kill calls from any other ABI, as the installer does.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{Action, ArgCondition, CmpOp, Policy, Rule};

/// A Docker seccomp profile, field for field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// The action for calls no entry matches (`SCMP_ACT_*`).
    pub default_action: String,
    /// The errno (or trace message) of the default action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_errno_ret: Option<u32>,
    /// The entries.
    #[serde(default)]
    pub syscalls: Vec<Entry>,
}

/// One entry of a Docker profile's `syscalls` list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The syscalls the entry applies to.
    pub names: Vec<String>,
    /// The action (`SCMP_ACT_*`).
    pub action: String,
    /// The errno (or trace message) of the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno_ret: Option<u32>,
    /// Argument comparisons, all of which must hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Arg>,
}

/// One argument comparison of an [`Entry`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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

/// A profile that does not describe a policy this crate can represent.
#[derive(Debug)]
pub enum Error {
    /// Not valid JSON, or not of the profile's shape.
    Json(serde_json::Error),
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
            Error::Json(error) => write!(f, "invalid Docker seccomp profile: {error}"),
            Error::Field { path, message } => write!(f, "`{path}`: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Json(error) => Some(error),
            Error::Field { .. } => None,
        }
    }
}

/// The Docker profile for `policy`: one entry per rule, in rule order.
pub fn to_profile(policy: &Policy) -> Profile {
    let (default_action, default_errno_ret) = action_to_docker(policy.default_action);
    let syscalls = policy
        .rules
        .iter()
        .map(|rule| {
            let (action, errno_ret) = action_to_docker(rule.action);
            Entry {
                names: rule.syscalls.iter().map(|name| name.to_string()).collect(),
                action,
                errno_ret,
                args: rule.conditions.iter().map(condition_to_docker).collect(),
            }
        })
        .collect();
    Profile {
        default_action,
        default_errno_ret,
        syscalls,
    }
}

/// The Docker profile for `policy` as pretty-printed JSON, byte for byte the
/// same for the same policy.
///
/// ```
/// use std::borrow::Cow;
/// use seccomp_dsl_core::{docker, model::{Action, Policy}};
/// let policy = Policy { default_action: Action::Errno(1), rules: Cow::Borrowed(&[]) };
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

/// Reads a Docker profile back into a policy.
pub fn from_json(json: &str) -> Result<Policy, Error> {
    let profile: Profile = serde_json::from_str(json).map_err(Error::Json)?;
    from_profile(&profile)
}

/// Converts a Docker profile into a policy.
pub fn from_profile(profile: &Profile) -> Result<Policy, Error> {
    let default_action = action_from_docker(
        &profile.default_action,
        profile.default_errno_ret,
        "defaultAction",
    )?;
    let rules = profile
        .syscalls
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let path = format!("syscalls[{i}]");
            let action =
                action_from_docker(&entry.action, entry.errno_ret, &format!("{path}.action"))?;
            let conditions = entry
                .args
                .iter()
                .enumerate()
                .map(|(j, arg)| condition_from_docker(arg, &format!("{path}.args[{j}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Rule {
                syscalls: entry
                    .names
                    .iter()
                    .map(|name| Cow::Owned(name.clone()))
                    .collect(),
                conditions: Cow::Owned(conditions),
                action,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Policy {
        default_action,
        rules: Cow::Owned(rules),
    })
}

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

fn action_from_docker(name: &str, data: Option<u32>, path: &str) -> Result<Action, Error> {
    let field = |message: String| Error::Field {
        path: path.to_string(),
        message,
    };
    // Engines (runc, crun) return EPERM when errnoRet is absent.
    const EPERM: u32 = 1;
    let data = |what: fn(u64) -> Result<Action, crate::model::RangeError>| {
        what(u64::from(data.unwrap_or(EPERM))).map_err(|e| field(e.to_string()))
    };
    match name {
        "SCMP_ACT_ALLOW" => Ok(Action::Allow),
        "SCMP_ACT_ERRNO" => data(Action::errno),
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => Ok(Action::KillThread),
        "SCMP_ACT_KILL_PROCESS" => Ok(Action::KillProcess),
        "SCMP_ACT_TRAP" => Ok(Action::Trap),
        "SCMP_ACT_TRACE" => data(Action::trace),
        "SCMP_ACT_LOG" => Ok(Action::Log),
        other => Err(field(format!("unknown action `{other}`"))),
    }
}

fn condition_to_docker(condition: &ArgCondition) -> Arg {
    let (op, value, value_two) = match condition.op {
        CmpOp::Eq => ("SCMP_CMP_EQ", condition.value, 0),
        CmpOp::Ne => ("SCMP_CMP_NE", condition.value, 0),
        CmpOp::Lt => ("SCMP_CMP_LT", condition.value, 0),
        CmpOp::Le => ("SCMP_CMP_LE", condition.value, 0),
        CmpOp::Gt => ("SCMP_CMP_GT", condition.value, 0),
        CmpOp::Ge => ("SCMP_CMP_GE", condition.value, 0),
        CmpOp::MaskedEq(mask) => ("SCMP_CMP_MASKED_EQ", mask, condition.value),
    };
    Arg {
        index: u32::from(condition.index),
        value,
        value_two,
        op: op.to_string(),
    }
}

fn condition_from_docker(arg: &Arg, path: &str) -> Result<ArgCondition, Error> {
    let field = |name: &str, message: String| Error::Field {
        path: format!("{path}.{name}"),
        message,
    };
    let index = u8::try_from(arg.index)
        .ok()
        .filter(|&index| index < crate::model::ARG_COUNT)
        .ok_or_else(|| {
            field(
                "index",
                format!("argument index {} is not 0 to 5", arg.index),
            )
        })?;
    let (op, value) = match arg.op.as_str() {
        "SCMP_CMP_EQ" => (CmpOp::Eq, arg.value),
        "SCMP_CMP_NE" => (CmpOp::Ne, arg.value),
        "SCMP_CMP_LT" => (CmpOp::Lt, arg.value),
        "SCMP_CMP_LE" => (CmpOp::Le, arg.value),
        "SCMP_CMP_GT" => (CmpOp::Gt, arg.value),
        "SCMP_CMP_GE" => (CmpOp::Ge, arg.value),
        "SCMP_CMP_MASKED_EQ" => (CmpOp::MaskedEq(arg.value), arg.value_two),
        other => return Err(field("op", format!("unknown operator `{other}`"))),
    };
    Ok(ArgCondition { index, op, value })
}
