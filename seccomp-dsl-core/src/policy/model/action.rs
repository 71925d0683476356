//! What a rule or the default does with a call, and the ranges its
//! numbers must fall in.

use std::fmt;

use super::*;

/// What the kernel does with a syscall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Let the call run.
    Allow,
    /// Fail the call with this errno, without running it.
    Errno(u16),
    /// Kill the calling thread with SIGSYS (Docker's `SCMP_ACT_KILL`).
    /// Other threads go on running: [`Action::KillProcess`] is usually what
    /// a policy wants.
    KillThread,
    /// Kill the whole process with SIGSYS.
    KillProcess,
    /// Deliver SIGSYS to the calling thread, which may handle it.
    Trap,
    /// Notify a ptrace tracer with this message; without a tracer the call
    /// fails with ENOSYS. The tracer may let the call run.
    Trace(u16),
    /// Let the call run and log it to the audit log.
    Log,
}

impl Action {
    /// An errno action, if `errno` is in `1..=4094` (see [`MAX_ERRNO`]).
    ///
    /// ```
    /// use seccomp_dsl_core::model::Action;
    /// assert_eq!(Action::errno(13), Ok(Action::Errno(13)));
    /// assert!(Action::errno(0).is_err());
    /// assert!(Action::errno(4096).is_err());
    /// ```
    pub fn errno(errno: u64) -> Result<Action, RangeError> {
        RangeError::check("errno", errno, 1, u64::from(MAX_ERRNO)).map(|v| Action::Errno(v as u16))
    }

    /// A trace action, if `message` fits the 16 bits the kernel passes on.
    pub fn trace(message: u64) -> Result<Action, RangeError> {
        RangeError::check("trace message", message, 0, u64::from(u16::MAX))
            .map(|v| Action::Trace(v as u16))
    }

    /// Whether a call meeting this action may run: `allow` and `log` do, and
    /// so may `trace`, since the tracer decides.
    pub const fn may_run_call(self) -> bool {
        matches!(self, Action::Allow | Action::Log | Action::Trace(_))
    }
}

impl fmt::Display for Action {
    /// The action as the DSL spells it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Allow => f.write_str("allow"),
            Action::Errno(errno) => write!(f, "errno({errno})"),
            Action::KillThread => f.write_str("kill_thread"),
            Action::KillProcess => f.write_str("kill_process"),
            Action::Trap => f.write_str("trap"),
            Action::Trace(message) => write!(f, "trace({message})"),
            Action::Log => f.write_str("log"),
        }
    }
}

/// A number outside the range a field accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeError {
    /// What the number is for.
    pub what: &'static str,
    /// The number given.
    pub value: u64,
    /// The smallest accepted value.
    pub min: u64,
    /// The largest accepted value.
    pub max: u64,
}

impl RangeError {
    fn check(what: &'static str, value: u64, min: u64, max: u64) -> Result<u64, RangeError> {
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(RangeError {
                what,
                value,
                min,
                max,
            })
        }
    }
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} is out of range: it must be between {} and {}",
            self.what, self.value, self.min, self.max
        )
    }
}

impl std::error::Error for RangeError {}
