//! A syscall's rules that overlap with different actions, which
//! libseccomp answers by the order of its argument tree: written apart as
//! it answers them ([`write_overlaps_apart`]), or, where that cannot be
//! written exactly, refused with what it answers ([`engine_answer`]).

use super::grid::{boxes, Grid, Spelling};
use crate::engines::libseccomp_db::SyscallRules;
use crate::model::{
    Action, ArgCondition, CmpOp, Context, KernelVersion, Policy, Rule, SeccompArch,
};

/// What the target engine answers where rule `index` of `policy` and an
/// earlier rule for `syscall` with another action overlap: the first call
/// of a grid over their values that both match, and the answer libseccomp
/// 2.5.4's tree gives it ([`SyscallRules`]), in a container where rule
/// `index` applies, on x86_64.
pub(super) fn engine_answer(policy: &Policy, index: usize, syscall: &str) -> Option<String> {
    let this = &policy.rules[index];
    let context = Context {
        arch: this
            .includes
            .arches
            .first()
            .cloned()
            .unwrap_or("amd64".into()),
        capabilities: this.includes.caps.to_vec(),
        kernel: (this.includes.min_kernel).unwrap_or(KernelVersion { major: 6, minor: 1 }),
    };
    let applying: Vec<(usize, &crate::model::Rule)> = (policy.rules.iter().enumerate())
        .filter(|(_, rule)| rule.names(syscall) && rule.applies_in(&context))
        .collect();
    let rules: Vec<(Vec<ArgCondition>, Action)> = (applying.iter())
        .map(|(_, rule)| (rule.conditions.to_vec(), rule.action))
        .collect();
    let tree = match SyscallRules::build(&rules, true) {
        Ok(tree) => tree,
        Err(refused) => {
            let (_, rule) = applying[refused.rule];
            return Some(format!(
                "{} cannot load these rules: for `{}`, {}",
                crate::engines::TARGET.describe(),
                crate::formats::dsl_text::rule_source(rule),
                refused.why
            ));
        }
    };
    let values: Vec<u64> = (rules.iter())
        .flat_map(|(conditions, _)| conditions.iter().map(|c| c.value))
        .chain([0])
        .collect();
    let (compared, args) = (applying.iter())
        .filter(|(at, rule)| *at < index && rule.action != this.action)
        .find_map(|(_, other)| {
            let mut compared: Vec<u8> = (this.conditions.iter().chain(other.conditions.iter()))
                .map(|c| c.index)
                .collect();
            compared.sort_unstable();
            compared.dedup();
            let both =
                |args: &[u64; 6]| this.matches(syscall, args) && other.matches(syscall, args);
            Some((
                compared.clone(),
                first_call(&compared, &values, [0; 6], &both)?,
            ))
        })?;
    let answer = tree.decide(&args, true).unwrap_or(policy.default_action);
    let shown: Vec<String> = (args.iter().take(usize::from(*compared.last()?) + 1))
        .map(|value| format!("{value:#x}"))
        .collect();
    Some(format!(
        "{} answers `{syscall}({})`, which both match, with {answer}, by the order of \
         libseccomp's argument tree rather than of the entries; write the conditions apart so \
         that each call has one answer",
        crate::engines::TARGET.describe(),
        shown.join(", ")
    ))
}

/// The first arguments, each of `compared` taking each of `values` (the
/// others 0), for which `wanted` holds.
fn first_call(
    compared: &[u8],
    values: &[u64],
    args: [u64; 6],
    wanted: &dyn Fn(&[u64; 6]) -> bool,
) -> Option<[u64; 6]> {
    let Some((&index, rest)) = compared.split_first() else {
        return wanted(&args).then_some(args);
    };
    values.iter().find_map(|&value| {
        let mut args = args;
        args[usize::from(index)] = value;
        first_call(rest, values, args, wanted)
    })
}

/// The most capabilities whose sets the rewrite visits for one syscall;
/// past them the overlap is refused as before.
const MOST_CAPABILITIES: usize = 3;

/// Rewrites the rules of each syscall whose rules overlap with different
/// actions (in some context) into exclusive rules that give, in every
/// context, the answers libseccomp 2.5.4's tree gives ([`SyscallRules`]),
/// checked on every cell of the grid the rules' values make, on x86_64 and
/// (where the policy covers it) x86. `entries` follows the rules. Returns
/// a note for each syscall rewritten; a syscall whose rules compare under
/// a mask, filter by architecture or kernel, or whose rewrite the DSL
/// could not state exactly, is left as it is (and refused with the
/// engine's answer).
pub(super) fn write_overlaps_apart(policy: &mut Policy, entries: &mut Vec<usize>) -> Vec<String> {
    let mut overlapping: Vec<String> = (crate::validate::validate(policy).iter())
        .filter_map(|problem| match &problem.kind {
            crate::validate::ProblemKind::Overlap { syscall, .. } => Some(syscall.clone()),
            _ => None,
        })
        .collect();
    overlapping.sort();
    overlapping.dedup();
    let mut notes = Vec::new();
    for syscall in overlapping {
        // Blocks under masks read shorter; single values, where the
        // blocks make a shape libseccomp may miscompile, may not.
        let Some((candidate, candidate_entries, rewritten, entries_named)) =
            [Spelling::Blocks, Spelling::Values]
                .into_iter()
                .find_map(|spelling| written_apart(policy, entries, &syscall, spelling))
        else {
            continue;
        };
        let written: Vec<String> = rewritten
            .iter()
            .map(crate::formats::dsl_text::rule_source)
            .collect();
        notes.push(format!(
            "{} overlap for `{syscall}` with different actions: {} answers each call by the order \
             of libseccomp's argument tree, not of the entries, and the policy states those \
             answers with exclusive conditions: {}",
            entries_named.join(", "),
            crate::engines::TARGET.describe(),
            written.join(" ")
        ));
        *policy = candidate;
        *entries = candidate_entries;
    }
    notes
}

/// A policy with one syscall's rules written apart: the policy, its rules'
/// entries, the rules written, and the entries they come from (as
/// messages name them).
type WrittenApart = (Policy, Vec<usize>, Vec<Rule>, Vec<String>);

/// `policy` (and its `entries`) with the rules of `syscall` written apart
/// ([`rewrite`]), the rules written and the entries they come from; `None`
/// where the rewrite does not apply, leaves the overlap refused, or makes a
/// shape libseccomp may miscompile where the profile had none.
fn written_apart(
    policy: &Policy,
    entries: &[usize],
    syscall: &str,
    spelling: Spelling,
) -> Option<WrittenApart> {
    let rewritten = rewrite(policy, syscall, spelling)?;
    let from: Vec<usize> = (policy.rules.iter().zip(entries.iter()))
        .filter(|(rule, _)| rule.names(syscall))
        .map(|(_, &entry)| entry)
        .collect();
    let mut candidate = policy.clone();
    let mut candidate_entries = entries.to_vec();
    for rule in candidate.rules.to_mut().iter_mut() {
        rule.syscalls.to_mut().retain(|name| name != syscall);
    }
    let first = from[0];
    let entries_named: Vec<String> = from
        .iter()
        .map(|entry| format!("syscalls[{entry}]"))
        .collect();
    let comment = format!(
        "Written apart from {}, which overlap: as libseccomp 2.5.4 answers them.",
        entries_named.join(", ")
    );
    let rewritten: Vec<Rule> = (rewritten.into_iter())
        .map(|mut rule| {
            rule.comment = Some(comment.clone().into());
            rule
        })
        .collect();
    candidate.rules.to_mut().extend(rewritten.iter().cloned());
    candidate_entries.extend(rewritten.iter().map(|_| first));
    super::drop_unnamed(&mut candidate, &mut candidate_entries);
    let still = (crate::validate::validate(&candidate).iter())
        .any(|problem| candidate.rules[problem.rule].names(syscall));
    let miscompiled = |policy: &Policy| {
        (crate::engines::miscompiled_by_libseccomp(policy).iter())
            .any(|&(rule, _)| policy.rules[rule].names(syscall))
    };
    if still || (miscompiled(&candidate) && !miscompiled(policy)) {
        return None;
    }
    Some((candidate, candidate_entries, rewritten, entries_named))
}

/// The exclusive rules for `syscall` that answer as libseccomp's tree does
/// in every context, or `None` where this rewrite does not apply.
fn rewrite(policy: &Policy, syscall: &str, spelling: Spelling) -> Option<Vec<Rule>> {
    let rules: Vec<&Rule> = policy
        .rules
        .iter()
        .filter(|rule| rule.names(syscall))
        .collect();
    let simple = rules.iter().all(|rule| {
        let filters = [&rule.includes, &rule.excludes];
        filters
            .iter()
            .all(|f| f.arches.is_empty() && f.min_kernel.is_none())
            && (rule.conditions.iter())
                .all(|c| !matches!(c.op, CmpOp::MaskedEq(_)) && c.compares_64_bits())
    });
    let mut caps: Vec<String> = (rules.iter())
        .flat_map(|rule| rule.includes.caps.iter().chain(rule.excludes.caps.iter()))
        .map(|cap| cap.to_string())
        .collect();
    caps.sort();
    caps.dedup();
    if !simple || caps.len() > MOST_CAPABILITIES {
        return None;
    }
    let narrow = (policy.architectures.named().iter()).any(|abi| abi.has_32_bit_arguments());
    let mut written: Vec<(Vec<Rule>, Vec<String>)> = Vec::new();
    for held in 0..1usize << caps.len() {
        let holding: Vec<String> = (caps.iter().enumerate())
            .filter(|(i, _)| held & 1 << i != 0)
            .map(|(_, cap)| cap.clone())
            .collect();
        let context = Context {
            arch: "amd64".into(),
            capabilities: holding.iter().map(|c| c.clone().into()).collect(),
            kernel: KernelVersion { major: 6, minor: 1 },
        };
        let applying: Vec<&Rule> = rules
            .iter()
            .copied()
            .filter(|r| r.applies_in(&context))
            .collect();
        let answers = answers_in(&applying, policy.default_action, syscall, narrow, spelling)?;
        written.push((answers, holding));
    }
    // Alike in every context: no capability filter.
    if written.windows(2).all(|pair| pair[0].0 == pair[1].0) {
        return written.pop().map(|(rules, _)| rules);
    }
    // A rule every context has needs no filter.
    let everywhere: Vec<Rule> = (written[0].0.iter())
        .filter(|rule| written.iter().all(|(rules, _)| rules.contains(rule)))
        .cloned()
        .collect();
    let mut all = everywhere.clone();
    for (rules, holding) in written {
        for mut rule in rules.into_iter().filter(|rule| !everywhere.contains(rule)) {
            rule.includes.caps = holding.iter().map(|c| c.clone().into()).collect();
            rule.excludes.caps = (caps.iter())
                .filter(|cap| !holding.contains(cap))
                .map(|c| c.clone().into())
                .collect();
            all.push(rule);
        }
    }
    Some(all)
}

/// Exclusive rules for `syscall` answering as libseccomp builds
/// `applying` (in order), checked on every cell of the values' grid on
/// x86_64 and, where `narrow`, on x86.
fn answers_in(
    applying: &[&Rule],
    default: Action,
    syscall: &str,
    narrow: bool,
    spelling: Spelling,
) -> Option<Vec<Rule>> {
    let given: Vec<(Vec<ArgCondition>, Action)> = (applying.iter())
        .map(|rule| (rule.conditions.to_vec(), rule.action))
        .collect();
    let wide_tree = SyscallRules::build(&given, true).ok()?;
    let grid = Grid::of(&given, false)?;
    let mut by_action: Vec<(Action, Vec<Vec<usize>>)> = Vec::new();
    for cell in grid.cells() {
        let answer = wide_tree.decide(&grid.args(&cell), true).unwrap_or(default);
        if answer == default {
            continue;
        }
        match by_action.iter_mut().find(|(action, _)| *action == answer) {
            Some((_, cells)) => cells.push(cell),
            None => by_action.push((answer, vec![cell])),
        }
    }
    let mut rules = Vec::new();
    for (action, cells) in by_action {
        for found in boxes(&cells, grid.starts.len()) {
            rules.extend(grid.rules_of(&found, syscall, action, narrow, spelling));
        }
    }
    agrees(&rules, &given, default, syscall, narrow)?.then_some(rules)
}

/// Whether `rules` answer every cell of the grid of `given` as libseccomp
/// builds `given` (in order): on x86_64, and, where `narrow`, on x86 for
/// each cell of the low halves; `None` where libseccomp refuses `given` or
/// a grid is too large. Exact where the rules compare without a mask: each
/// of their comparisons then holds on whole cells.
fn agrees(
    rules: &[Rule],
    given: &[(Vec<ArgCondition>, Action)],
    default: Action,
    syscall: &str,
    narrow: bool,
) -> Option<bool> {
    let abis: &[(SeccompArch, bool)] = match narrow {
        true => &[(SeccompArch::X86_64, true), (SeccompArch::X86, false)],
        false => &[(SeccompArch::X86_64, true)],
    };
    for &(abi, wide) in abis {
        let tree = SyscallRules::build(given, wide).ok()?;
        let grid = Grid::of(given, !wide)?;
        let agreed = (grid.cells()).all(|cell| {
            let args = grid.args(&cell);
            let ours = (rules
                .iter()
                .find(|rule| rule.matches_on(abi, syscall, &args)))
            .map_or(default, |rule| rule.action);
            ours == tree.decide(&args, wide).unwrap_or(default)
        });
        if !agreed {
            return Some(false);
        }
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check refuses rules that answer one cell otherwise than
    /// libseccomp: here, an `allow` that leaves out `arg0 == 40`, which
    /// libseccomp answers with errno for `!= 16` beside `== 40`.
    #[test]
    fn the_check_refuses_rules_that_answer_a_cell_otherwise() {
        let given = vec![
            (vec![ArgCondition::new(0, CmpOp::Eq, 40)], Action::Errno(1)),
            (vec![ArgCondition::new(0, CmpOp::Ne, 16)], Action::Allow),
        ];
        let rule =
            |conditions: Vec<ArgCondition>, action| Rule::new(["socket"], conditions, action);
        let right = vec![
            rule(vec![ArgCondition::new(0, CmpOp::Eq, 40)], Action::Errno(1)),
            rule(
                vec![
                    ArgCondition::new(0, CmpOp::Ne, 16),
                    ArgCondition::new(0, CmpOp::Ne, 40),
                ],
                Action::Allow,
            ),
        ];
        let default = Action::Errno(38);
        assert_eq!(agrees(&right, &given, default, "socket", false), Some(true));
        let as_written = vec![
            rule(vec![ArgCondition::new(0, CmpOp::Eq, 40)], Action::Allow),
            rule(vec![ArgCondition::new(0, CmpOp::Ne, 16)], Action::Allow),
        ];
        assert_eq!(
            agrees(&as_written, &given, default, "socket", false),
            Some(false)
        );
        assert_eq!(
            agrees(&right[..1], &given, default, "socket", false),
            Some(false)
        );
    }
}
