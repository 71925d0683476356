//! The grid of the values a syscall's rules compare, and the rules that
//! state an answer on a set of its cells.

use crate::model::{Action, ArgCondition, CmpOp, Rule};

/// The most cells a grid has; past it the overlap is refused as before.
const MOST_CELLS: usize = 200_000;

/// The most values [`Spelling::Values`] writes one by one for a range.
const MOST_VALUES: u64 = 64;

/// How a range of an argument's values, compared once per rule, is
/// written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Spelling {
    /// Aligned blocks, each a comparison under a mask.
    Blocks,
    /// Each value of a range of at most [`MOST_VALUES`] (`==`), else
    /// blocks: libseccomp's tree for values has no nodes of masks beside
    /// those of equality, which can stand where its program is built with
    /// the accumulator of another word.
    Values,
}

/// The cells of the values a syscall's rules compare: per compared
/// argument, the values where some comparison can change its answer.
pub(super) struct Grid {
    /// The compared arguments.
    pub(super) indices: Vec<u8>,
    /// Per compared argument, the first value of each cell, ascending.
    pub(super) starts: Vec<Vec<u64>>,
}

impl Grid {
    /// The grid of `rules`' comparisons on all 64 bits, or (`low`) on the
    /// low halves, as a 32-bit ABI compares them.
    pub(super) fn of(rules: &[(Vec<ArgCondition>, Action)], low: bool) -> Option<Grid> {
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
    pub(super) fn cells(&self) -> impl Iterator<Item = Vec<usize>> + '_ {
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
    pub(super) fn args(&self, cell: &[usize]) -> [u64; 6] {
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
    pub(super) fn rules_of(
        &self,
        found: &[Vec<usize>],
        syscall: &str,
        action: Action,
        narrow: bool,
        spelling: Spelling,
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
                    .flat_map(|&range| compared_once(index, range, spelling))
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
/// one value, or aligned blocks under a mask (or, spelt as values, each
/// value of a short range).
fn compared_once(index: u8, (low, high): (u64, u64), spelling: Spelling) -> Vec<ArgCondition> {
    if low == high
        || (spelling == Spelling::Values && low > 0 && high < u64::MAX && high - low < MOST_VALUES)
    {
        return (low..=high)
            .map(|value| ArgCondition::new(index, CmpOp::Eq, value))
            .collect();
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
pub(super) fn boxes(cells: &[Vec<usize>], dimensions: usize) -> Vec<Vec<Vec<usize>>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The comparisons written for a range on a 32-bit ABI hold on exactly
    /// its values (the grid's check reads one value per cell, so blocks
    /// under a mask must be right by themselves).
    #[test]
    fn a_range_compared_once_holds_exactly_on_it() {
        for low in 0..70u64 {
            for high in low..70 {
                let conditions = compared_once(0, (low, high), Spelling::Blocks);
                let values = compared_once(0, (low, high), Spelling::Values);
                for value in 0..140u64 {
                    let wanted = (low..=high).contains(&value);
                    let held = conditions.iter().any(|c| c.holds_for(value));
                    assert_eq!(held, wanted, "{low}..={high}: {value}");
                    let held = values.iter().any(|c| c.holds_for(value));
                    assert_eq!(held, wanted, "{low}..={high} as values: {value}");
                }
            }
        }
        let top = compared_once(1, (5, u64::MAX), Spelling::Values);
        assert_eq!(top, [ArgCondition::new(1, CmpOp::Ge, 5)]);
    }
}
