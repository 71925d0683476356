//! The policy model: one data structure that every emitter (installer,
//! Docker JSON, ...) reads.
//!
//! The types use [`Cow`] so that the `seccomp_profile!` macro can build a
//! policy in a `static` (borrowed, no allocation), while tools can build or
//! load one at run time (owned).
//!
//! A policy means: for a syscall, the action of the rule that names it and
//! whose conditions all hold, else the default action. [`crate::validate`]
//! rejects policies in which two rules with different actions could match
//! the same call, so the order of rules never matters.

use std::borrow::Cow;
use std::fmt;

/// The highest errno a filter can return (the kernel's `MAX_ERRNO`).
pub const MAX_ERRNO: u16 = 4095;

/// Syscalls take six arguments, `arg0` to `arg5`.
pub const ARG_COUNT: u8 = 6;

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
    /// An errno action, if `errno` is in `1..=4095`.
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

/// How an argument is compared with a rule's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `argN == value`
    Eq,
    /// `argN != value`
    Ne,
    /// `argN < value`
    Lt,
    /// `argN <= value`
    Le,
    /// `argN > value`
    Gt,
    /// `argN >= value`
    Ge,
    /// `argN & mask == value`
    MaskedEq(u64),
}

impl CmpOp {
    /// The operator as the DSL spells it (`==`, `!=`, ...; `&` for a mask).
    pub const fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq | CmpOp::MaskedEq(_) => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// One comparison of a syscall argument with a constant. All 64 bits of the
/// argument are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArgCondition {
    /// Which argument, `0..=5`.
    pub index: u8,
    /// The comparison.
    pub op: CmpOp,
    /// The value compared with.
    pub value: u64,
}

impl ArgCondition {
    /// Whether `arg` satisfies the comparison.
    ///
    /// A masked comparison is `arg & mask == value & mask`, as libseccomp
    /// evaluates it (the validator rejects values with bits outside the mask).
    ///
    /// ```
    /// use seccomp_dsl_core::model::{ArgCondition, CmpOp};
    /// let flags = ArgCondition { index: 0, op: CmpOp::MaskedEq(0xf0), value: 0x10 };
    /// assert!(flags.holds_for(0x1f));
    /// assert!(!flags.holds_for(0x2f));
    /// ```
    pub const fn holds_for(&self, arg: u64) -> bool {
        let value = self.value;
        match self.op {
            CmpOp::Eq => arg == value,
            CmpOp::Ne => arg != value,
            CmpOp::Lt => arg < value,
            CmpOp::Le => arg <= value,
            CmpOp::Gt => arg > value,
            CmpOp::Ge => arg >= value,
            CmpOp::MaskedEq(mask) => arg & mask == value & mask,
        }
    }
}

impl fmt::Display for ArgCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.op {
            CmpOp::MaskedEq(mask) => {
                write!(f, "arg{} & {:#x} == {:#x}", self.index, mask, self.value)
            }
            op => write!(f, "arg{} {} {:#x}", self.index, op.symbol(), self.value),
        }
    }
}

/// One rule: an action for some syscalls, taken when every condition holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// The syscalls the rule applies to, by name.
    pub syscalls: Cow<'static, [Cow<'static, str>]>,
    /// Conditions that must all hold; none means the rule always applies.
    pub conditions: Cow<'static, [ArgCondition]>,
    /// What happens when the rule applies.
    pub action: Action,
}

impl Rule {
    /// Whether the rule has no conditions.
    pub fn is_unconditional(&self) -> bool {
        self.conditions.is_empty()
    }

    /// Whether the rule names `syscall`.
    pub fn names(&self, syscall: &str) -> bool {
        self.syscalls.iter().any(|name| name == syscall)
    }

    /// Whether the rule applies to `syscall` called with `args`.
    pub fn applies_to(&self, syscall: &str, args: &[u64; 6]) -> bool {
        self.names(syscall)
            && self
                .conditions
                .iter()
                .all(|condition| condition.holds_for(args[usize::from(condition.index)]))
    }
}

/// A whole seccomp policy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    /// The action for every call no rule applies to.
    pub default_action: Action,
    /// The rules, in source order.
    pub rules: Cow<'static, [Rule]>,
}

/// How a syscall can get to run under a policy; see [`Policy::first_permit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permit {
    /// The rule at this index lets it run (perhaps only for some arguments).
    Rule(usize),
    /// The default action lets it run for calls no rule covers.
    Default,
}

impl Policy {
    /// The action the policy takes for `syscall` called with `args`.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use seccomp_dsl_core::model::*;
    /// let policy = Policy {
    ///     default_action: Action::Errno(1),
    ///     rules: Cow::Owned(vec![Rule {
    ///         syscalls: Cow::Owned(vec!["personality".into()]),
    ///         conditions: Cow::Owned(vec![ArgCondition { index: 0, op: CmpOp::Eq, value: 0 }]),
    ///         action: Action::Allow,
    ///     }]),
    /// };
    /// assert_eq!(policy.decide("personality", &[0; 6]), Action::Allow);
    /// assert_eq!(policy.decide("personality", &[8, 0, 0, 0, 0, 0]), Action::Errno(1));
    /// ```
    pub fn decide(&self, syscall: &str, args: &[u64; 6]) -> Action {
        self.rules
            .iter()
            .find(|rule| rule.applies_to(syscall, args))
            .map_or(self.default_action, |rule| rule.action)
    }

    /// The first way `syscall` can get to run (by `allow`, `log` or
    /// `trace`), for some arguments at least; `None` if it never can.
    pub fn first_permit(&self, syscall: &str) -> Option<Permit> {
        let mut rules = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.names(syscall));
        if let Some((index, _)) = rules.clone().find(|(_, rule)| rule.action.may_run_call()) {
            return Some(Permit::Rule(index));
        }
        let fully_covered = rules.any(|(_, rule)| rule.is_unconditional());
        (!fully_covered && self.default_action.may_run_call()).then_some(Permit::Default)
    }

    /// Every syscall name the policy mentions, once each, in order of appearance.
    pub fn syscall_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for name in self.rules.iter().flat_map(|rule| rule.syscalls.iter()) {
            if !names.contains(&name.as_ref()) {
                names.push(name);
            }
        }
        names
    }
}
