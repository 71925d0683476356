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

use crate::constants::CAPABILITIES;
use crate::model::{Action, ArgWidth, CmpOp, Policy, Rule, ARG_COUNT, DOCKER_ARCHES, MAX_ERRNO};
use crate::{suggest, syscalls};

mod overlap;
mod problem;

use overlap::{can_apply_together, conditions_overlap};
pub use problem::{Part, Problem, ProblemKind};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ArgCondition;
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
