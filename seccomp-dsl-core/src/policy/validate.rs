//! The semantic checks a policy must pass so that every emitter gives it the
//! same meaning.
//!
//! libseccomp (and so runc, crun and Docker) silently changes or rejects some
//! policies: it drops conditional rules shadowed by an unconditional one, it
//! cannot compare one argument twice in a rule, it refuses rules whose action
//! is the default, it ANDs masked values with the mask, and it does not
//! define which of two overlapping rules with different actions wins. A
//! policy that passes [`validate`] has none of these, so it means exactly
//! what [`Resolved::decide`](crate::model::Resolved::decide) says.

use std::collections::BTreeMap;
use std::fmt;

use crate::constants::CAPABILITIES;
use crate::model::{
    Action, ArgCondition, ArgWidth, CmpOp, Filter, Policy, Rule, ARG_COUNT, DOCKER_ARCHES,
    MAX_ERRNO, MAX_ERRNO_REASON,
};
use crate::{suggest, syscalls};

/// One problem found in a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Index of the rule at fault in [`Policy::rules`].
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
    /// The syscall name at this index of [`Rule::syscalls`].
    Syscall(usize),
    /// The condition at this index of [`Rule::conditions`].
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
    /// runs past every filter (see [`syscalls::UNFILTERABLE`]).
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

/// Every problem in `policy`, in rule order.
pub fn validate(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    // A policy that covers an ABI whose syscalls take 32-bit arguments.
    let narrow_abi = (policy.architectures.named().iter()).any(|abi| abi.has_32_bit_arguments());
    for (index, rule) in policy.rules.iter().enumerate() {
        check_rule(
            index,
            rule,
            policy.default_action,
            narrow_abi,
            &mut problems,
        );
    }
    check_rules_per_syscall(policy, narrow_abi, &mut problems);
    problems.sort_by_key(|problem| problem.rule);
    problems
}

/// The most Docker entries one rule may take (see [`crate::exact`]).
pub const MAX_EXACT_ENTRIES: usize = 256;

fn check_rule(
    rule_index: usize,
    rule: &Rule,
    default: Action,
    narrow_abi: bool,
    problems: &mut Vec<Problem>,
) {
    let mut report = |part, kind| {
        problems.push(Problem {
            rule: rule_index,
            part,
            kind,
        })
    };
    check_names(rule, &mut report);
    check_action(rule, default, &mut report);
    check_filter(rule, &mut report);
    // The rule as a whole, once each comparison is sound on its own.
    if check_conditions(rule, narrow_abi, &mut report) {
        check_together(rule, &mut report);
    }
}

/// Where a rule's problems go: the part of the rule, and what is wrong.
type Report<'a> = dyn FnMut(Part, ProblemKind) + 'a;

/// The syscalls a rule names: known, and filterable where it decides them.
fn check_names(rule: &Rule, report: &mut Report<'_>) {
    if rule.syscalls.is_empty() {
        report(Part::Rule, ProblemKind::NoSyscalls);
    }
    for (index, name) in rule.syscalls.iter().enumerate() {
        let decides = !rule.action.may_run_call() || !rule.conditions.is_empty();
        if decides && syscalls::UNFILTERABLE.contains(&name.as_ref()) {
            report(
                Part::Syscall(index),
                ProblemKind::Unfilterable {
                    syscall: name.to_string(),
                },
            );
        }
        if syscalls::lookup(name).is_none() {
            let suggestion = suggest::closest(name, syscalls::all().iter().map(|s| s.name()));
            report(
                Part::Syscall(index),
                ProblemKind::UnknownSyscall {
                    name: name.to_string(),
                    suggestion,
                },
            );
        }
    }
}

/// The rule's action: an errno in range, and not the default.
fn check_action(rule: &Rule, default: Action, report: &mut Report<'_>) {
    if let Action::Errno(errno) = rule.action {
        if !(1..=MAX_ERRNO).contains(&errno) {
            report(Part::Action, ProblemKind::ErrnoOutOfRange(errno));
        }
    }
    if rule.action == default {
        report(Part::Action, ProblemKind::ActionIsDefault(default));
    }
}

/// The capabilities and architectures a rule applies with: known, and
/// able to hold together.
fn check_filter(rule: &Rule, report: &mut Report<'_>) {
    for filter in [&rule.includes, &rule.excludes] {
        for cap in filter.caps.iter() {
            if CAPABILITIES.get(cap).is_none() {
                let suggestion =
                    suggest::closest(cap, CAPABILITIES.constants.iter().map(|(name, _)| *name));
                report(
                    Part::Filter,
                    ProblemKind::UnknownCapability {
                        name: cap.to_string(),
                        suggestion,
                    },
                );
            }
        }
        for arch in filter.arches.iter() {
            if !DOCKER_ARCHES.contains(&arch.as_ref()) {
                let suggestion = suggest::closest(arch, DOCKER_ARCHES);
                report(
                    Part::Filter,
                    ProblemKind::UnknownArch {
                        name: arch.to_string(),
                        suggestion,
                    },
                );
            }
        }
    }
    if !can_apply_together(rule, rule) {
        report(Part::Filter, ProblemKind::NeverApplies);
    }
}

/// Each comparison on its own; whether all are sound.
fn check_conditions(rule: &Rule, narrow_abi: bool, report: &mut Report<'_>) -> bool {
    let mut compared_on_64_bits = [false; ARG_COUNT as usize];
    let mut condition_problem = false;
    for (index, condition) in rule.conditions.iter().enumerate() {
        if condition.index >= ARG_COUNT {
            report(
                Part::Condition(index),
                ProblemKind::ArgIndexOutOfRange(condition.index),
            );
            condition_problem = true;
            continue;
        }
        for syscall in rule.syscalls.iter() {
            if let Some(kind) = ProblemKind::argument_not_taken(syscall, condition.index) {
                report(Part::Condition(index), kind);
                condition_problem = true;
            }
        }
        let wide = condition.width == ArgWidth::U64;
        if wide
            && std::mem::replace(&mut compared_on_64_bits[usize::from(condition.index)], true)
            && narrow_abi
        {
            report(
                Part::Condition(index),
                ProblemKind::ComparedTwiceOn64Bits {
                    index: condition.index,
                },
            );
        }
        if let CmpOp::MaskedEq(mask) = condition.op {
            if mask & condition.width.mask() == 0 {
                report(Part::Mask(index), ProblemKind::ZeroMask);
                condition_problem = true;
            } else if condition.value & !mask != 0 {
                report(
                    Part::Value(index),
                    ProblemKind::ValueOutsideMask {
                        value: condition.value,
                        mask,
                    },
                );
                condition_problem = true;
            }
        } else if crate::exact::patterns(condition).is_empty() {
            report(Part::Condition(index), ProblemKind::NeverTrue);
            condition_problem = true;
        }
    }
    !condition_problem
}

/// The comparisons together: some call meets them all, and Docker's
/// format states them in few enough entries.
fn check_together(rule: &Rule, report: &mut Report<'_>) {
    let never = (0..ARG_COUNT).find(|&index| {
        crate::exact::argument_choices(rule, index).is_some_and(|choices| choices.is_empty())
    });
    if let Some(index) = never {
        report(Part::Rule, ProblemKind::NeverHoldTogether { index });
    } else {
        let count = crate::exact::count(rule);
        if count > MAX_EXACT_ENTRIES {
            report(Part::Rule, ProblemKind::TooManyEntries { count });
        }
    }
}

fn check_rules_per_syscall(policy: &Policy, narrow_abi: bool, problems: &mut Vec<Problem>) {
    // syscall name -> (rule index, position of the name in that rule), in rule order
    let mut by_syscall: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (rule_index, rule) in policy.rules.iter().enumerate() {
        for (position, name) in rule.syscalls.iter().enumerate() {
            by_syscall
                .entry(name)
                .or_default()
                .push((rule_index, position));
        }
    }
    let rules = &policy.rules;
    // Rules that do not overlap on 64 bits may on their low halves, which
    // are what 32-bit ABIs compare.
    let overlap = |a: &Rule, b: &Rule| {
        conditions_overlap(a, b, false) || narrow_abi && conditions_overlap(a, b, true)
    };
    for (syscall, uses) in by_syscall {
        let mut reported = Vec::new();
        for (nth, &(later_index, later_position)) in uses.iter().enumerate() {
            for &(earlier_index, earlier_position) in &uses[..nth] {
                let (earlier, later) = (&rules[earlier_index], &rules[later_index]);
                if !can_apply_together(earlier, later) {
                    continue;
                }
                // The same action in different contexts is how a policy says
                // "allowed with CAP_A or with CAP_B": no conflict.
                let same = earlier.action == later.action;
                let same_context =
                    earlier.includes == later.includes && earlier.excludes == later.excludes;
                let found = match (earlier.is_unconditional(), later.is_unconditional()) {
                    (true, true) if !same || same_context => Some((
                        later_index,
                        later_position,
                        ProblemKind::DuplicateUnconditional {
                            syscall: syscall.to_string(),
                            earlier: earlier.action,
                        },
                    )),
                    (true, false) | (false, true) if !same || same_context => {
                        let (conditional, position, unconditional) = if later.is_unconditional() {
                            (earlier_index, earlier_position, later.action)
                        } else {
                            (later_index, later_position, earlier.action)
                        };
                        let kind = ProblemKind::ShadowedByUnconditional {
                            syscall: syscall.to_string(),
                            unconditional,
                        };
                        Some((conditional, position, kind))
                    }
                    (false, false) if !same && overlap(earlier, later) => Some((
                        later_index,
                        later_position,
                        ProblemKind::Overlap {
                            syscall: syscall.to_string(),
                            earlier: earlier.action,
                            this: later.action,
                        },
                    )),
                    _ => None,
                };
                if let Some((rule, position, kind)) = found {
                    if !reported.contains(&rule) {
                        reported.push(rule);
                        problems.push(Problem {
                            rule,
                            part: Part::Syscall(position),
                            kind,
                        });
                    }
                }
            }
        }
    }
}

/// Whether some context (capabilities, architecture, kernel) has both rules
/// in the filter.
fn can_apply_together(a: &Rule, b: &Rule) -> bool {
    let needed_caps = a.includes.caps.iter().chain(b.includes.caps.iter());
    let caps_possible = needed_caps
        .clone()
        .all(|cap| !a.excludes.caps.contains(cap) && !b.excludes.caps.contains(cap));
    let arch_possible = DOCKER_ARCHES.iter().any(|arch| {
        let listed = |filter: &Filter| filter.arches.iter().any(|a| a == arch);
        let included = |filter: &Filter| filter.arches.is_empty() || listed(filter);
        included(&a.includes)
            && included(&b.includes)
            && !listed(&a.excludes)
            && !listed(&b.excludes)
    });
    let lowest = a.includes.min_kernel.max(b.includes.min_kernel);
    let below = match (a.excludes.min_kernel, b.excludes.min_kernel) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    let kernel_possible = match (lowest, below) {
        (Some(lowest), Some(below)) => lowest < below,
        (None, Some(below)) => below > crate::model::KernelVersion { major: 0, minor: 0 },
        _ => true,
    };
    caps_possible && arch_possible && kernel_possible
}

/// Whether one call can satisfy both rules' conditions (`narrow`: through
/// an ABI whose syscalls take 32-bit arguments), each rule taken in its
/// exact form (one 64-bit comparison per argument, see [`crate::exact`]).
fn conditions_overlap(a: &Rule, b: &Rule, narrow: bool) -> bool {
    let (a, b) = (crate::exact::rules(a), crate::exact::rules(b));
    a.iter()
        .any(|a| b.iter().any(|b| exact_conditions_overlap(a, b, narrow)))
}

/// [`conditions_overlap`] of two rules in the exact form. Arguments are
/// independent, so one call can satisfy both exactly when, for each
/// argument, the two rules' comparisons of it can both hold.
fn exact_conditions_overlap(a: &Rule, b: &Rule, narrow: bool) -> bool {
    let set = |condition: ArgCondition| {
        if narrow {
            ValueSet::of(&condition.low_half()).and_then(ValueSet::within_32_bits)
        } else {
            ValueSet::of(&condition)
        }
    };
    (0..ARG_COUNT).all(|index| {
        let of = |rule: &Rule| rule.conditions.iter().find(|c| c.index == index).copied();
        match (of(a), of(b)) {
            (Some(x), Some(y)) => match (set(x), set(y)) {
                (Some(x), Some(y)) => x.intersects(y),
                _ => false,
            },
            (Some(only), None) | (None, Some(only)) => set(only).is_some(),
            (None, None) => true,
        }
    })
}

/// The set of 64-bit values a comparison accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueSet {
    /// `low..=high`, never empty.
    Range(u64, u64),
    /// `{ x | x & mask == value }`, with `value` inside `mask`.
    Masked { mask: u64, value: u64 },
    /// Every value but this one.
    AllBut(u64),
}

impl ValueSet {
    /// The set, or `None` when it is empty.
    fn of(condition: &ArgCondition) -> Option<ValueSet> {
        let v = condition.value;
        Some(match condition.op {
            CmpOp::Eq => ValueSet::Range(v, v),
            CmpOp::Ne => ValueSet::AllBut(v),
            CmpOp::Lt => ValueSet::Range(0, v.checked_sub(1)?),
            CmpOp::Le => ValueSet::Range(0, v),
            CmpOp::Gt => ValueSet::Range(v.checked_add(1)?, u64::MAX),
            CmpOp::Ge => ValueSet::Range(v, u64::MAX),
            CmpOp::MaskedEq(mask) => ValueSet::Masked {
                mask,
                value: v & mask,
            },
        })
    }

    /// The values of the set below 2^32; `None` when there are none. An
    /// `AllBut` stays as it is: it is only ever intersected with sets
    /// already within 32 bits, or with another `AllBut`.
    fn within_32_bits(self) -> Option<ValueSet> {
        const LOW_HALF: u64 = 0xffff_ffff;
        Some(match self {
            ValueSet::Range(low, _) if low > LOW_HALF => return None,
            ValueSet::Range(low, high) => ValueSet::Range(low, high.min(LOW_HALF)),
            ValueSet::Masked { mask, value } => ValueSet::Masked {
                mask: mask | !LOW_HALF,
                value,
            },
            all_but @ ValueSet::AllBut(_) => all_but,
        })
    }

    fn single_value(self) -> Option<u64> {
        match self {
            ValueSet::Range(low, high) if low == high => Some(low),
            ValueSet::Masked {
                mask: u64::MAX,
                value,
            } => Some(value),
            _ => None,
        }
    }

    fn intersects(self, other: ValueSet) -> bool {
        use ValueSet::*;
        match (self, other) {
            (AllBut(excluded), set) | (set, AllBut(excluded)) => {
                set.single_value() != Some(excluded)
            }
            (Range(low_a, high_a), Range(low_b, high_b)) => low_a.max(low_b) <= high_a.min(high_b),
            (
                Masked {
                    mask: mask_a,
                    value: value_a,
                },
                Masked {
                    mask: mask_b,
                    value: value_b,
                },
            ) => (value_a ^ value_b) & mask_a & mask_b == 0,
            (Range(low, high), Masked { mask, value })
            | (Masked { mask, value }, Range(low, high)) => {
                smallest_masked_at_least(low, mask, value).is_some_and(|x| x <= high)
            }
        }
    }
}

/// The smallest `x >= low` with `x & mask == value` (`value` inside `mask`).
fn smallest_masked_at_least(low: u64, mask: u64, value: u64) -> Option<u64> {
    if low & mask == value {
        return Some(low);
    }
    // Any larger match keeps low's bits above some bit `i`, turns bit `i` of
    // low from 0 to 1 and takes the fewest bits below it; the lowest
    // workable `i` gives the smallest match.
    (0..64).find_map(|i| {
        let bit = 1u64 << i;
        let above = if i == 63 { 0 } else { u64::MAX << (i + 1) };
        let can_set = low & bit == 0 && (mask & bit == 0 || value & bit != 0);
        let prefix_fits = (low ^ value) & mask & above == 0;
        (can_set && prefix_fits).then(|| (low & above) | bit | (value & (bit - 1)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Architectures, SeccompArch};
    use std::borrow::Cow;

    fn cond(index: u8, op: CmpOp, value: u64) -> ArgCondition {
        ArgCondition::new(index, op, value)
    }

    fn rule(name: &str, conditions: &[ArgCondition], action: Action) -> Rule {
        Rule::new([name], conditions.iter().copied(), action)
    }

    fn kinds(rules: Vec<Rule>) -> Vec<ProblemKind> {
        let policy = Policy::new(Action::Errno(1), rules);
        validate(&policy).into_iter().map(|p| p.kind).collect()
    }

    #[test]
    fn smallest_masked_matches_brute_force() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let (low, mask) = (next() % 256, next() % 256);
            let value = (next() % 256) & mask;
            let expected = (low..1024).find(|x| x & mask == value);
            assert_eq!(
                smallest_masked_at_least(low, mask, value),
                expected,
                "{low} {mask} {value}"
            );
        }
        assert_eq!(smallest_masked_at_least(u64::MAX, 1, 0), None);
        assert_eq!(smallest_masked_at_least(u64::MAX - 1, 1, 1), Some(u64::MAX));
    }

    #[test]
    fn disjoint_conditions_do_not_conflict() {
        let rules = vec![
            rule("socket", &[cond(0, CmpOp::Lt, 38)], Action::Allow),
            rule("socket", &[cond(0, CmpOp::Eq, 40)], Action::Errno(22)),
            rule(
                "socket",
                &[cond(0, CmpOp::MaskedEq(0xff), 0x27)],
                Action::Log,
            ),
        ];
        assert_eq!(kinds(rules), vec![]);
    }

    #[test]
    fn overlapping_conditions_with_different_actions_conflict() {
        let rules = vec![
            rule("socket", &[cond(0, CmpOp::Ne, 40)], Action::Allow),
            rule("socket", &[cond(1, CmpOp::Eq, 1)], Action::Errno(22)),
        ];
        assert!(matches!(kinds(rules)[..], [ProblemKind::Overlap { .. }]));
    }

    #[test]
    fn same_action_may_overlap() {
        let rules = vec![
            rule("socket", &[cond(0, CmpOp::Ne, 40)], Action::Allow),
            rule("socket", &[cond(1, CmpOp::Eq, 1)], Action::Allow),
        ];
        assert_eq!(kinds(rules), vec![]);
    }

    #[test]
    fn masked_against_range_overlap_is_exact() {
        let masked = cond(0, CmpOp::MaskedEq(0xf0), 0x30);
        let in_range = rule("ioctl", &[cond(0, CmpOp::Ge, 0x35)], Action::Allow);
        let out_of_range = rule("ioctl", &[cond(0, CmpOp::Lt, 0x30)], Action::Allow);
        let masked_rule = rule("ioctl", &[masked], Action::Errno(1));
        assert!(conditions_overlap(&masked_rule, &in_range, false));
        assert!(!conditions_overlap(&masked_rule, &out_of_range, false));
    }

    #[test]
    fn not_equal_only_misses_its_own_point() {
        let ne = rule("kill", &[cond(1, CmpOp::Ne, 9)], Action::Allow);
        assert!(!conditions_overlap(
            &ne,
            &rule("kill", &[cond(1, CmpOp::Eq, 9)], Action::Log),
            false
        ));
        assert!(conditions_overlap(
            &ne,
            &rule("kill", &[cond(1, CmpOp::Le, 9)], Action::Log),
            false
        ));
    }

    #[test]
    fn never_true_comparisons_are_reported() {
        let rules = vec![rule("read", &[cond(0, CmpOp::Lt, 0)], Action::Allow)];
        assert_eq!(kinds(rules), vec![ProblemKind::NeverTrue]);
    }

    fn with_caps(mut rule: Rule, includes: &[&'static str], excludes: &[&'static str]) -> Rule {
        rule.includes.caps = includes.iter().map(|c| Cow::Borrowed(*c)).collect();
        rule.excludes.caps = excludes.iter().map(|c| Cow::Borrowed(*c)).collect();
        rule
    }

    #[test]
    fn rules_of_exclusive_contexts_never_conflict() {
        let rules = vec![
            with_caps(
                rule("clone3", &[], Action::Errno(38)),
                &[],
                &["CAP_SYS_ADMIN"],
            ),
            with_caps(rule("clone3", &[], Action::Allow), &["CAP_SYS_ADMIN"], &[]),
            with_caps(rule("bpf", &[], Action::Allow), &["CAP_SYS_ADMIN"], &[]),
            with_caps(rule("bpf", &[], Action::Allow), &["CAP_BPF"], &[]),
        ];
        assert_eq!(kinds(rules), vec![]);
    }

    #[test]
    fn rules_apart_only_in_their_high_halves_conflict_on_a_32_bit_abi() {
        let rules = vec![
            rule(
                "personality",
                &[cond(0, CmpOp::Eq, 0x1_0000_0008)],
                Action::Allow,
            ),
            rule("personality", &[cond(0, CmpOp::Eq, 8)], Action::Errno(1)),
        ];
        let mut policy = Policy::new(Action::Errno(38), rules);
        assert_eq!(validate(&policy), [], "apart on 64 bits");
        policy.architectures = Architectures::List(Cow::Borrowed(&[SeccompArch::X86]));
        assert!(matches!(
            validate(&policy)[..],
            [Problem {
                kind: ProblemKind::Overlap { .. },
                ..
            }]
        ));
    }

    #[test]
    fn rules_of_overlapping_contexts_conflict() {
        let rules = vec![
            with_caps(rule("clone3", &[], Action::Errno(38)), &["CAP_BPF"], &[]),
            with_caps(rule("clone3", &[], Action::Allow), &["CAP_SYS_ADMIN"], &[]),
        ];
        assert!(matches!(
            kinds(rules)[..],
            [ProblemKind::DuplicateUnconditional { .. }]
        ));
    }

    #[test]
    fn contradictory_filters_and_unknown_names_are_reported() {
        let mut contradictory =
            with_caps(rule("read", &[], Action::Allow), &["CAP_BPF"], &["CAP_BPF"]);
        contradictory.includes.arches = Cow::Owned(vec![Cow::Borrowed("amd46")]);
        let kinds = kinds(vec![contradictory]);
        assert!(kinds.contains(&ProblemKind::NeverApplies), "{kinds:?}");
        assert!(kinds.contains(&ProblemKind::UnknownArch {
            name: "amd46".into(),
            suggestion: Some("amd64")
        }));
    }
}
