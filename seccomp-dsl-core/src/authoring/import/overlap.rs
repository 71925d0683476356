//! What the target engine answers where two of a syscall's rules with
//! different actions overlap, for the refusal to say.

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
    let tree = SyscallRules::build(&rules, true).ok()?;
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

/// The most contexts (capability sets) and grid cells the rewrite visits
/// for one syscall; past them the overlap is refused as before.
const MOST_CAPABILITIES: usize = 3;
const MOST_CELLS: usize = 200_000;

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
        let Some(rewritten) = rewrite(policy, &syscall) else {
            continue;
        };
        let from: Vec<usize> = (policy.rules.iter().zip(entries.iter()))
            .filter(|(rule, _)| rule.names(&syscall))
            .map(|(_, &entry)| entry)
            .collect();
        let mut candidate = policy.clone();
        let mut candidate_entries = entries.clone();
        for rule in candidate.rules.to_mut().iter_mut() {
            rule.syscalls.to_mut().retain(|name| name != &syscall);
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
        // Rules left without names go (their entries with them).
        let kept: Vec<bool> = candidate
            .rules
            .iter()
            .map(|r| !r.syscalls.is_empty())
            .collect();
        candidate
            .rules
            .to_mut()
            .retain(|rule| !rule.syscalls.is_empty());
        let mut keep = kept.iter();
        candidate_entries.retain(|_| *keep.next().unwrap_or(&false));
        // Refused still, or a shape libseccomp may miscompile where the
        // profile had none: the overlap stays refused.
        let still = (crate::validate::validate(&candidate).iter())
            .any(|problem| candidate.rules[problem.rule].names(&syscall));
        let miscompiled = |policy: &Policy| {
            (crate::engines::miscompiled_by_libseccomp(policy).iter())
                .any(|&(rule, _)| policy.rules[rule].names(&syscall))
        };
        if still || (miscompiled(&candidate) && !miscompiled(policy)) {
            continue;
        }
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

/// The exclusive rules for `syscall` that answer as libseccomp's tree does
/// in every context, or `None` where this rewrite does not apply.
fn rewrite(policy: &Policy, syscall: &str) -> Option<Vec<Rule>> {
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
        let answers = answers_in(&applying, policy.default_action, syscall, narrow)?;
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
            rules.extend(grid.rules_of(&found, syscall, action, narrow));
        }
    }
    // Checked: every cell on x86_64, and on x86 each low half's cell.
    let decided = |abi: SeccompArch, args: &[u64; 6]| {
        (rules
            .iter()
            .find(|rule: &&Rule| rule.matches_on(abi, syscall, args)))
        .map_or(default, |rule| rule.action)
    };
    let wide_ok = (grid.cells()).all(|cell| {
        let args = grid.args(&cell);
        decided(SeccompArch::X86_64, &args) == wide_tree.decide(&args, true).unwrap_or(default)
    });
    let narrow_ok = !narrow || {
        let narrow_tree = SyscallRules::build(&given, false).ok()?;
        let low = Grid::of(&given, true)?;
        let ok = (low.cells()).all(|cell| {
            let args = low.args(&cell);
            decided(SeccompArch::X86, &args) == narrow_tree.decide(&args, false).unwrap_or(default)
        });
        ok
    };
    (wide_ok && narrow_ok).then_some(rules)
}

/// The cells of the values a syscall's rules compare: per compared
/// argument, the values where some comparison can change its answer.
struct Grid {
    /// The compared arguments.
    indices: Vec<u8>,
    /// Per compared argument, the first value of each cell, ascending.
    starts: Vec<Vec<u64>>,
}

impl Grid {
    /// The grid of `rules`' comparisons on all 64 bits, or (`low`) on the
    /// low halves, as a 32-bit ABI compares them.
    fn of(rules: &[(Vec<ArgCondition>, Action)], low: bool) -> Option<Grid> {
        let mut indices: Vec<u8> = (rules.iter())
            .flat_map(|(conditions, _)| conditions.iter().map(|c| c.index))
            .collect();
        indices.sort_unstable();
        indices.dedup();
        let starts: Vec<Vec<u64>> = (indices.iter())
            .map(|&index| {
                let mut starts = vec![0u64];
                for (conditions, _) in rules {
                    for c in conditions.iter().filter(|c| c.index == index) {
                        let value = if low { c.value & 0xffff_ffff } else { c.value };
                        let upper = value >> 32 << 32;
                        starts.extend([value, value.saturating_add(1), upper]);
                        if !low {
                            starts.extend(upper.checked_add(1 << 32));
                        }
                    }
                }
                if low {
                    starts.retain(|&v| v <= 0xffff_ffff);
                }
                starts.sort_unstable();
                starts.dedup();
                starts
            })
            .collect();
        let count = starts
            .iter()
            .try_fold(1usize, |n, s| n.checked_mul(s.len()))?;
        (count <= MOST_CELLS).then_some(Grid { indices, starts })
    }

    /// Every cell, as one cell index per compared argument.
    fn cells(&self) -> impl Iterator<Item = Vec<usize>> + '_ {
        let total: usize = self.starts.iter().map(Vec::len).product();
        (0..total).map(move |mut n| {
            (self.starts.iter())
                .map(|starts| {
                    let at = n % starts.len();
                    n /= starts.len();
                    at
                })
                .collect()
        })
    }

    /// The call at the start of `cell`.
    fn args(&self, cell: &[usize]) -> [u64; 6] {
        let mut args = [0; 6];
        for ((&index, starts), &at) in self.indices.iter().zip(&self.starts).zip(cell) {
            args[usize::from(index)] = starts[at];
        }
        args
    }

    /// The last value of cell `at` of compared argument `dimension`.
    fn end(&self, dimension: usize, at: usize) -> u64 {
        let starts = &self.starts[dimension];
        starts.get(at + 1).map_or(u64::MAX, |next| next - 1)
    }

    /// Rules for a box (a set of cells per compared argument): one rule
    /// where each argument's values are a range with single values left
    /// out, else one per range of the argument that is not.
    ///
    /// Where the policy covers a 32-bit ABI (`narrow`), each rule compares
    /// an argument once, as the language requires there: each range is
    /// written by a comparison of its own (`<=`, `>=`, `==`) or as aligned
    /// blocks under a mask, rules that may overlap with the same action.
    fn rules_of(
        &self,
        found: &[Vec<usize>],
        syscall: &str,
        action: Action,
        narrow: bool,
    ) -> Vec<Rule> {
        let mut alternatives: Vec<Vec<ArgCondition>> = vec![Vec::new()];
        for (dimension, cells) in found.iter().enumerate() {
            if cells.len() == self.starts[dimension].len() {
                continue;
            }
            let index = self.indices[dimension];
            let ranges = self.ranges(dimension, cells);
            let choices: Vec<Vec<ArgCondition>> = match (narrow, described(index, &ranges)) {
                (false, Some(conditions)) => vec![conditions],
                (false, None) => (ranges.iter())
                    .map(|&range| described(index, &[range]).unwrap_or_default())
                    .collect(),
                (true, _) => (ranges.iter())
                    .flat_map(|&range| compared_once(index, range))
                    .map(|condition| vec![condition])
                    .collect(),
            };
            alternatives = (alternatives.iter())
                .flat_map(|so_far| {
                    choices
                        .iter()
                        .map(move |more| so_far.iter().chain(more).copied().collect())
                })
                .collect();
        }
        (alternatives.into_iter())
            .map(|conditions| Rule::new([syscall], conditions, action))
            .collect()
    }

    /// The values of `cells` of argument `dimension`, as ranges.
    fn ranges(&self, dimension: usize, cells: &[usize]) -> Vec<(u64, u64)> {
        let mut ranges: Vec<(u64, u64)> = Vec::new();
        for &at in cells {
            let (start, end) = (self.starts[dimension][at], self.end(dimension, at));
            match ranges.last_mut() {
                Some(last) if last.1.checked_add(1) == Some(start) => last.1 = end,
                _ => ranges.push((start, end)),
            }
        }
        ranges
    }
}

/// `ranges` (ascending, apart) as comparisons of argument `index` that
/// all hold exactly on them: a range, with single values left out.
fn described(index: u8, ranges: &[(u64, u64)]) -> Option<Vec<ArgCondition>> {
    let (low, high) = (ranges.first()?.0, ranges.last()?.1);
    if low == high {
        return Some(vec![ArgCondition::new(index, CmpOp::Eq, low)]);
    }
    let mut conditions = Vec::new();
    if low > 0 {
        conditions.push(ArgCondition::new(index, CmpOp::Ge, low));
    }
    if high < u64::MAX {
        conditions.push(ArgCondition::new(index, CmpOp::Le, high));
    }
    for pair in ranges.windows(2) {
        let gap = (pair[0].1 + 1, pair[1].0 - 1);
        if gap.0 != gap.1 {
            return None;
        }
        conditions.push(ArgCondition::new(index, CmpOp::Ne, gap.0));
    }
    Some(conditions)
}

/// The values `low..=high` of argument `index` as comparisons that each
/// compare it once and together hold exactly on them: a ray (`<=`, `>=`),
/// one value, or aligned blocks under a mask.
fn compared_once(index: u8, (low, high): (u64, u64)) -> Vec<ArgCondition> {
    if low == high {
        return vec![ArgCondition::new(index, CmpOp::Eq, low)];
    }
    if low == 0 {
        return vec![ArgCondition::new(index, CmpOp::Le, high)];
    }
    if high == u64::MAX {
        return vec![ArgCondition::new(index, CmpOp::Ge, low)];
    }
    let mut blocks = Vec::new();
    let mut at = low;
    loop {
        // The largest block aligned at `at` that ends by `high`.
        let mut bits = at.trailing_zeros().min(63);
        while bits > 0
            && at
                .checked_add((1u64 << bits) - 1)
                .is_none_or(|end| end > high)
        {
            bits -= 1;
        }
        let size_less_one = (1u64 << bits) - 1;
        blocks.push(match size_less_one {
            0 => ArgCondition::new(index, CmpOp::Eq, at),
            _ => ArgCondition::new(index, CmpOp::MaskedEq(!size_less_one), at),
        });
        let end = at + size_less_one;
        if end >= high {
            return blocks;
        }
        at = end + 1;
    }
}

/// The cells as boxes, apart and covering them exactly: each box a set of
/// cell indices per dimension.
fn boxes(cells: &[Vec<usize>], dimensions: usize) -> Vec<Vec<Vec<usize>>> {
    if dimensions == 0 {
        return if cells.is_empty() {
            Vec::new()
        } else {
            vec![Vec::new()]
        };
    }
    // The rest of each cell, by its first index; then the first indices
    // with the same rests together.
    let mut rests: std::collections::BTreeMap<usize, Vec<Vec<usize>>> = Default::default();
    for cell in cells {
        rests.entry(cell[0]).or_default().push(cell[1..].to_vec());
    }
    let mut groups: Vec<(Vec<usize>, Vec<Vec<usize>>)> = Vec::new();
    for (first, mut rest) in rests {
        rest.sort();
        match groups.iter_mut().find(|(_, r)| *r == rest) {
            Some((firsts, _)) => firsts.push(first),
            None => groups.push((vec![first], rest)),
        }
    }
    (groups.into_iter())
        .flat_map(|(firsts, rest)| {
            boxes(&rest, dimensions - 1)
                .into_iter()
                .map(move |mut found| {
                    found.insert(0, firsts.clone());
                    found
                })
        })
        .collect()
}
