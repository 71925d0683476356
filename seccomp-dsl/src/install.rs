//! The installer: loads a policy into the running process with libseccomp.

use std::fmt;

use libseccomp::error::SeccompError;
use libseccomp::{ScmpAction, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall};
use seccomp_dsl_core::model::{Action, ArgCondition, CmpOp, Policy};
use seccomp_dsl_core::syscalls::{self, Arch};

/// Why a policy could not be installed. When `install` returns one, no
/// filter was loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// This program's architecture is not in libseccomp's syscall table.
    UnsupportedArchitecture,
    /// libseccomp refused to build the filter.
    Build {
        /// What was being done, e.g. "adding the rule for `openat`".
        step: String,
        /// libseccomp's error.
        source: SeccompError,
    },
    /// The kernel refused the filter, or could not apply it to every thread
    /// (for example a thread already runs under an incompatible filter).
    Load(SeccompError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnsupportedArchitecture => {
                f.write_str("seccomp policy not installed: this architecture is not supported")
            }
            Error::Build { step, source } => {
                write!(f, "seccomp policy not installed: failed {step}: {source}")
            }
            Error::Load(source) => write!(
                f,
                "seccomp policy not installed: the kernel refused to load it on every thread: {source}"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::UnsupportedArchitecture => None,
            Error::Build { source, .. } | Error::Load(source) => Some(source),
        }
    }
}

/// Syscalls of `policy` that do not exist on the native architecture, in
/// order of appearance. The installer skips them; the Docker profile keeps them.
pub(crate) fn skipped_syscalls(policy: &Policy) -> Vec<&str> {
    let Some(native) = Arch::native() else {
        return policy.syscall_names();
    };
    policy
        .syscall_names()
        .into_iter()
        .filter(|name| {
            syscalls::lookup(name)
                .and_then(|entry| entry.number(native))
                .is_none()
        })
        .collect()
}

/// Builds the whole filter first, then loads it in one step: with
/// no_new_privs set and TSYNC, so that every thread of the process gets it,
/// or none does.
pub(crate) fn install(policy: &Policy) -> Result<(), Error> {
    let native = Arch::native().ok_or(Error::UnsupportedArchitecture)?;
    let build = |step: &str| {
        let step = step.to_string();
        move |source| Error::Build { step, source }
    };
    let mut filter = ScmpFilterContext::new(scmp_action(policy.default_action))
        .map_err(build("creating the filter"))?;
    filter
        .set_ctl_nnp(true)
        .map_err(build("setting no_new_privs"))?;
    filter
        .set_ctl_tsync(true)
        .map_err(build("enabling thread synchronization"))?;
    for rule in policy.rules.iter() {
        let comparisons: Vec<ScmpArgCompare> =
            rule.conditions.iter().map(scmp_comparison).collect();
        for name in rule.syscalls.iter() {
            let Some(number) = syscalls::lookup(name).and_then(|entry| entry.number(native)) else {
                continue; // absent on this architecture: see `skipped_syscalls`
            };
            let number = i32::try_from(number).expect("syscall numbers fit in i32");
            filter
                .add_rule_conditional(
                    scmp_action(rule.action),
                    ScmpSyscall::from(number),
                    &comparisons,
                )
                .map_err(build(&format!("adding the rule for `{name}`")))?;
        }
    }
    filter.load().map_err(Error::Load)
}

fn scmp_action(action: Action) -> ScmpAction {
    match action {
        Action::Allow => ScmpAction::Allow,
        Action::Errno(errno) => ScmpAction::Errno(i32::from(errno)),
        Action::KillThread => ScmpAction::KillThread,
        Action::KillProcess => ScmpAction::KillProcess,
        Action::Trap => ScmpAction::Trap,
        Action::Trace(message) => ScmpAction::Trace(message),
        Action::Log => ScmpAction::Log,
    }
}

fn scmp_comparison(condition: &ArgCondition) -> ScmpArgCompare {
    let op = match condition.op {
        CmpOp::Eq => ScmpCompareOp::Equal,
        CmpOp::Ne => ScmpCompareOp::NotEqual,
        CmpOp::Lt => ScmpCompareOp::Less,
        CmpOp::Le => ScmpCompareOp::LessOrEqual,
        CmpOp::Gt => ScmpCompareOp::Greater,
        CmpOp::Ge => ScmpCompareOp::GreaterEqual,
        CmpOp::MaskedEq(mask) => ScmpCompareOp::MaskedEqual(mask),
    };
    ScmpArgCompare::new(u32::from(condition.index), op, condition.value)
}
