//! What [`super::validate`] reports: each problem, where it is, and its
//! message.

use std::fmt;

use crate::model::{Action, MAX_ERRNO, MAX_ERRNO_REASON};

use super::MAX_EXACT_ENTRIES;

/// One problem found in a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Index of the rule at fault in [`Policy::rules`](crate::model::Policy::rules).
    pub rule: usize,
    /// The part of that rule at fault.
    pub part: Part,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// The part of a rule a [`Problem`] points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The rule as a whole.
    Rule,
    /// The syscall name at this index of [`Rule::syscalls`](crate::model::Rule::syscalls).
    Syscall(usize),
    /// The condition at this index of [`Rule::conditions`](crate::model::Rule::conditions).
    Condition(usize),
    /// The mask of the condition at this index.
    Mask(usize),
    /// The value of the condition at this index.
    Value(usize),
    /// The rule's action.
    Action,
    /// The rule's `includes` or `excludes`.
    Filter,
}

/// What is wrong, with what it takes to say so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The rule names no syscall.
    NoSyscalls,
    /// No architecture has a syscall of this name.
    UnknownSyscall {
        /// The name given.
        name: String,
        /// A known name it is likely a typo of.
        suggestion: Option<&'static str>,
    },
    /// A capability name Linux does not have.
    UnknownCapability {
        /// The name given.
        name: String,
        /// A known name it is likely a typo of.
        suggestion: Option<&'static str>,
    },
    /// An architecture name Docker does not know.
    UnknownArch {
        /// The name given.
        name: String,
        /// A known name it is likely a typo of.
        suggestion: Option<&'static str>,
    },
    /// The rule's includes and excludes contradict each other: no context
    /// has the rule in the filter.
    NeverApplies,
    /// An argument index above 5.
    ArgIndexOutOfRange(u8),
    /// An errno outside `1..=4094` (see [`MAX_ERRNO`]).
    ErrnoOutOfRange(u16),
    /// A masked comparison with a mask of 0, which matches every value.
    ZeroMask,
    /// A masked comparison whose value has bits the mask clears, so it would
    /// be compared as `value & mask`.
    ValueOutsideMask {
        /// The value given.
        value: u64,
        /// The mask given.
        mask: u64,
    },
    /// A condition no argument value satisfies.
    NeverTrue,
    /// A condition on an argument the syscall does not take.
    ArgumentNotTaken {
        /// The syscall.
        syscall: String,
        /// Its arguments as the kernel declares them.
        signature: String,
        /// How many it takes.
        count: usize,
    },
    /// The same argument compared twice on all 64 bits in a policy that
    /// covers a 32-bit ABI: engines compare each comparison's low half
    /// apart there, which no one set of Docker entries states for both.
    ComparedTwiceOn64Bits {
        /// The argument index.
        index: u8,
    },
    /// The comparisons of one argument never hold together.
    NeverHoldTogether {
        /// The argument index.
        index: u8,
    },
    /// Stated exactly in Docker's format (see [`crate::exact`]), the rule
    /// takes more entries than [`MAX_EXACT_ENTRIES`].
    TooManyEntries {
        /// How many it takes.
        count: usize,
    },
    /// A rule that would deny, or decide by argument, a syscall the kernel
    /// runs past every filter (see [`syscalls::UNFILTERABLE`](crate::syscalls::UNFILTERABLE)).
    Unfilterable {
        /// The syscall.
        syscall: String,
    },
    /// The rule's action is the default action.
    ActionIsDefault(Action),
    /// A syscall given an unconditional action twice.
    DuplicateUnconditional {
        /// The syscall.
        syscall: String,
        /// The earlier rule's action.
        earlier: Action,
    },
    /// A conditional rule for a syscall that also has an unconditional
    /// action, which always takes precedence.
    ShadowedByUnconditional {
        /// The syscall.
        syscall: String,
        /// The unconditional action.
        unconditional: Action,
    },
    /// Two conditional rules with different actions that one call can match.
    Overlap {
        /// The syscall.
        syscall: String,
        /// The earlier rule's action.
        earlier: Action,
        /// This rule's action.
        this: Action,
    },
}

impl ProblemKind {
    /// [`ProblemKind::ArgumentNotTaken`], if `syscall`'s declaration is known
    /// and has no argument `index`.
    ///
    /// ```
    /// use seccomp_dsl_core::validate::ProblemKind;
    /// let kind = ProblemKind::argument_not_taken("close", 3).unwrap();
    /// assert_eq!(kind.to_string(), "`close` takes 1 argument (unsigned int fd)");
    /// assert!(ProblemKind::argument_not_taken("close", 0).is_none());
    /// ```
    pub fn argument_not_taken(syscall: &str, index: u8) -> Option<ProblemKind> {
        let signature = crate::signatures::lookup(syscall)?;
        let count = signature.arguments().len();
        (usize::from(index) >= count).then(|| ProblemKind::ArgumentNotTaken {
            syscall: syscall.to_string(),
            signature: signature.to_string(),
            count,
        })
    }

    /// A hint on how to fix the problem, where there is one.
    pub fn help(&self) -> Option<String> {
        match self {
            ProblemKind::UnknownSyscall { suggestion, .. }
            | ProblemKind::UnknownCapability { suggestion, .. }
            | ProblemKind::UnknownArch { suggestion, .. } => {
                suggestion.map(|name| format!("did you mean `{name}`?"))
            }
            ProblemKind::NeverApplies => Some(
                "a capability, architecture or kernel version is both required and excluded".into(),
            ),
            ProblemKind::ArgIndexOutOfRange(_) => {
                Some("syscalls take six arguments: `arg0` to `arg5`".into())
            }
            ProblemKind::ErrnoOutOfRange(errno) if *errno == MAX_ERRNO + 1 => {
                Some(MAX_ERRNO_REASON.into())
            }
            ProblemKind::ZeroMask => {
                Some("a mask of 0 matches every value; drop the comparison".into())
            }
            ProblemKind::ValueOutsideMask { value, mask } => Some(format!(
                "libseccomp compares `value & mask`, so this would mean `== {:#x}`; \
                 clear the bits {:#x} or widen the mask",
                value & mask,
                value & !mask
            )),
            ProblemKind::ComparedTwiceOn64Bits { .. } => Some(
                "on 32-bit ABIs engines compare the low half of each comparison on its own, \
                 which no one set of entries states exactly; write the values as alternatives \
                 (`||`) or a mask, or compare the argument as the kernel reads it (no `as u64`)"
                    .into(),
            ),
            ProblemKind::ArgumentNotTaken { syscall, count, .. } => Some(match count {
                0 => format!("remove the condition: write `rule {syscall} => ACTION;`"),
                1 => "its only argument is `arg0`".to_string(),
                _ => format!("its arguments are `arg0` to `arg{}`", count - 1),
            }),
            ProblemKind::Unfilterable { .. } => Some(
                "no rule can deny it, in-process or in a container; remove it from the rule".into(),
            ),
            ProblemKind::TooManyEntries { .. } => Some(format!(
                "a rule may take at most {MAX_EXACT_ENTRIES} entries; split it, or narrow its \
                 ranges to aligned blocks (a mask)"
            )),
            ProblemKind::ActionIsDefault(_) => Some(
                "libseccomp rejects such a rule and runc drops it; remove it, it changes nothing"
                    .into(),
            ),
            ProblemKind::DuplicateUnconditional { .. } => Some(
                "give each syscall one unconditional action; rules in `when`/`unless` blocks \
                     count wherever their conditions can hold together"
                    .into(),
            ),
            ProblemKind::ShadowedByUnconditional { .. } => Some(
                "libseccomp drops conditional rules for a syscall that has an unconditional \
                 action; remove one of them"
                    .into(),
            ),
            ProblemKind::Overlap { .. } => Some(
                "libseccomp does not define which of two matching rules wins; make their \
                 conditions exclusive"
                    .into(),
            ),
            _ => None,
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::NoSyscalls => f.write_str("rule names no syscall"),
            ProblemKind::UnknownSyscall { name, .. } => write!(f, "unknown syscall `{name}`"),
            ProblemKind::UnknownCapability { name, .. } => write!(f, "unknown capability `{name}`"),
            ProblemKind::UnknownArch { name, .. } => write!(f, "unknown architecture `{name}`"),
            ProblemKind::NeverApplies => f.write_str("these conditions exclude each other: the rules never apply"),
            ProblemKind::ArgIndexOutOfRange(index) => {
                write!(f, "argument index {index} is out of range")
            }
            ProblemKind::ErrnoOutOfRange(errno) => {
                write!(f, "errno {errno} is out of range: it must be between 1 and {MAX_ERRNO}")
            }
            ProblemKind::ZeroMask => f.write_str("mask is 0"),
            ProblemKind::ValueOutsideMask { value, mask } => {
                write!(f, "value {value:#x} has bits outside the mask {mask:#x}")
            }
            ProblemKind::NeverTrue => f.write_str("no argument value satisfies this comparison"),
            ProblemKind::Unfilterable { syscall } => write!(
                f,
                "seccomp cannot filter `{syscall}`: every kernel that has it runs it without consulting any filter"
            ),
            ProblemKind::ArgumentNotTaken {
                syscall,
                signature,
                count,
            } => match count {
                0 => write!(f, "`{syscall}` takes no arguments"),
                1 => write!(f, "`{syscall}` takes 1 argument ({signature})"),
                _ => write!(f, "`{syscall}` takes {count} arguments ({signature})"),
            },
            ProblemKind::ComparedTwiceOn64Bits { index } => write!(
                f,
                "`arg{index}` is compared twice on all 64 bits in a policy that covers a 32-bit ABI"
            ),
            ProblemKind::NeverHoldTogether { index } => {
                write!(f, "the comparisons of `arg{index}` never hold together")
            }
            ProblemKind::TooManyEntries { count } => write!(
                f,
                "this rule takes {count} entries to state exactly in a Docker profile"
            ),
            ProblemKind::ActionIsDefault(action) => {
                write!(f, "rule action `{action}` is the default action")
            }
            ProblemKind::DuplicateUnconditional { syscall, earlier } => write!(
                f,
                "`{syscall}` already has an unconditional action (`{earlier}`) earlier in this policy"
            ),
            ProblemKind::ShadowedByUnconditional { syscall, unconditional } => write!(
                f,
                "conditional rule for `{syscall}` can never apply: `{syscall}` also has the \
                 unconditional action `{unconditional}`"
            ),
            ProblemKind::Overlap { syscall, earlier, this } => write!(
                f,
                "conflicting rules for `{syscall}`: a call can match both this rule (`{this}`) \
                 and an earlier one (`{earlier}`)"
            ),
        }
    }
}
