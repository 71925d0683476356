//! Whether libseccomp's program for a syscall's rules answers every call
//! as the rules say, decided over every call rather than sampled.
//!
//! Each comparison libseccomp's program makes (of the word it means, or of
//! a stale one its accumulator holds, see [`SyscallRules::programmed`]),
//! and each the rules make, reads one 32-bit half of an argument and holds
//! on an interval of it (an equality, an order, or a mask of aligned
//! blocks: high bits set, low bits clear). The values where some comparison
//! can change its answer cut each half into intervals on which every
//! comparison answers alike, so one call per cell of the grid they make
//! stands for every call of the cell, and checking each cell checks every
//! call. A mask of another shape would hold on scattered values: such rules
//! are left undecided.

use super::{Refused, SyscallRules};
use crate::model::{Action, ArgCondition, CmpOp};

/// The most cells checked; past it the rules are left undecided.
const MOST_CELLS: usize = 200_000;

/// Why [`misanswered`] cannot say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undecided {
    /// libseccomp cannot add the rules.
    Refused(Refused),
    /// A comparison under a mask that is not a block of high bits holds on
    /// scattered values, which the grid does not cut exactly.
    ScatteredMask,
    /// The grid has more than 200,000 cells.
    TooManyCells,
}

/// The first call (of the grid described in the module comment) that the
/// program libseccomp 2.5.4 builds from `rules` (added in order, each
/// comparing an argument at most once) can answer otherwise than the rules
/// say, or `None` where it answers every call as they do, whichever way
/// the rest of the filter lays its blocks out. The rules say
/// the action of a rule that matches (the first), or `None` (the filter's
/// default) where none does. `wide`: the ABI's arguments are 64 bits, else
/// only their low halves are read, by the rules as by libseccomp.
///
/// ```
/// use seccomp_dsl_core::engines::libseccomp_db::answers::misanswered;
/// use seccomp_dsl_core::model::{Action, ArgCondition, CmpOp};
/// let errno = Action::Errno(1);
/// // Both `errno`, one of them by order on all 64 bits: libseccomp 2.5.4
/// // lets `arg2 == 8` through.
/// let ordered = [
///     (vec![ArgCondition::new(2, CmpOp::Lt, 8)], errno),
///     (vec![ArgCondition::new(2, CmpOp::Le, 0x1_0000_0000)], errno),
/// ];
/// let call = misanswered(&ordered, true).unwrap().expect("a call answered otherwise");
/// assert!(call[2] < 0x1_0000_0000 && call[2] >= 8);
/// let apart = [(vec![ArgCondition::new(2, CmpOp::Eq, 8)], errno)];
/// assert_eq!(misanswered(&apart, true), Ok(None));
/// ```
pub fn misanswered(
    rules: &[(Vec<ArgCondition>, Action)],
    wide: bool,
) -> Result<Option<[u64; 6]>, Undecided> {
    let program = SyscallRules::build(rules, wide).map_err(Undecided::Refused)?;
    let grid = Grid::of(rules, &program, wide)?;
    let said = |args: &[u64; 6]| {
        (rules.iter())
            .find(|(conditions, _)| {
                (conditions.iter()).all(|c| holds(c, args[usize::from(c.index)], wide))
            })
            .map(|(_, action)| *action)
    };
    Ok((0..grid.cells)
        .map(|n| grid.call(n))
        .find(|args| program.programmed(args, wide) != [said(args)]))
}

/// Whether `condition` holds for `arg`: on all 64 bits where `wide`, else
/// on the low halves, as libseccomp compares on a 32-bit ABI.
fn holds(condition: &ArgCondition, arg: u64, wide: bool) -> bool {
    match wide {
        true => condition.holds_for(arg),
        false => condition.low_half().holds_for(arg & 0xffff_ffff),
    }
}

/// Per compared argument, the first values of the intervals of each half.
struct Grid {
    /// Per compared argument: its index, the starts of the intervals of its
    /// high half and of its low half.
    arguments: Vec<(u8, Vec<u32>, Vec<u32>)>,
    cells: usize,
}

impl Grid {
    fn of(
        rules: &[(Vec<ArgCondition>, Action)],
        program: &SyscallRules,
        wide: bool,
    ) -> Result<Grid, Undecided> {
        let compared = program.comparisons(wide);
        let mut indices: Vec<u8> = (rules.iter())
            .flat_map(|(conditions, _)| conditions.iter().map(|c| c.index))
            .collect();
        indices.sort_unstable();
        indices.dedup();
        let mut arguments = Vec::new();
        let mut cells = 1usize;
        for index in indices {
            let (mut high, mut low) = (vec![0u32], vec![0u32]);
            for (conditions, _) in rules {
                for c in conditions.iter().filter(|c| c.index == index) {
                    let mask = match c.op {
                        CmpOp::MaskedEq(mask) => mask,
                        _ => u64::MAX,
                    };
                    let value = c.value & mask;
                    if wide {
                        cut(&mut high, (value >> 32) as u32, (mask >> 32) as u32)?;
                    }
                    cut(&mut low, value as u32, mask as u32)?;
                }
            }
            // The program's comparisons of this argument's words, stale
            // ones included.
            for (held, node) in &compared {
                let Some((_, upper)) = held.word.filter(|(arg, _)| *arg == index) else {
                    continue;
                };
                let datum = program.nodes[*node].datum;
                cut(if upper { &mut high } else { &mut low }, datum, held.mask)?;
            }
            for starts in [&mut high, &mut low] {
                starts.sort_unstable();
                starts.dedup();
            }
            cells = (cells.checked_mul(high.len() * low.len()))
                .filter(|&n| n <= MOST_CELLS)
                .ok_or(Undecided::TooManyCells)?;
            arguments.push((index, high, low));
        }
        Ok(Grid { arguments, cells })
    }

    /// The call at the start of cell `n`.
    fn call(&self, mut n: usize) -> [u64; 6] {
        let mut args = [0u64; 6];
        for (index, high, low) in &self.arguments {
            let (h, l) = (n % high.len(), n / high.len() % low.len());
            n /= high.len() * low.len();
            args[usize::from(*index)] = u64::from(high[h]) << 32 | u64::from(low[l]);
        }
        args
    }
}

/// Adds to `starts` where a comparison of one half under `mask` with
/// `value` (`==`, `>`, `>=`) can change its answer. Under a mask of high
/// bits the half counts in blocks of the cleared bits' size: the block
/// that holds the value and the next one start where it can; with no
/// mask (blocks of one), the value and the one after it.
fn cut(starts: &mut Vec<u32>, value: u32, mask: u32) -> Result<(), Undecided> {
    if mask.leading_ones() + mask.trailing_zeros() != 32 {
        return Err(Undecided::ScatteredMask);
    }
    let bits = mask.trailing_zeros();
    let block_start = u64::from(value) >> bits << bits;
    starts.push(block_start as u32);
    starts.extend(u32::try_from(block_start + (1u64 << bits)).ok());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(index: u8, op: CmpOp, value: u64) -> ArgCondition {
        ArgCondition::new(index, op, value)
    }

    /// containers/common's `socket` rules, overlapping, are answered by
    /// the tree's order and not the rules': found. Written apart (as the
    /// import writes them for a container with CAP_AUDIT_WRITE), every
    /// call is answered as they say, on 64-bit and 32-bit ABIs.
    #[test]
    fn overlapping_rules_are_found_answered_otherwise_and_exclusive_ones_alike() {
        let (errno, allow) = (Action::Errno(1), Action::Allow);
        let overlapping = vec![
            (vec![condition(0, CmpOp::Ne, 16)], allow),
            (vec![condition(0, CmpOp::Eq, 40)], errno),
        ];
        let found = misanswered(&overlapping, true).unwrap().unwrap();
        assert_eq!(found[0], 40);
        let apart = vec![
            (vec![condition(0, CmpOp::Ge, 41)], allow),
            (vec![condition(0, CmpOp::Eq, 40)], errno),
            (vec![condition(0, CmpOp::Le, 39)], allow),
        ];
        for wide in [true, false] {
            assert_eq!(misanswered(&apart, wide), Ok(None), "wide {wide}");
        }
    }

    /// A block of the upper half that loads nothing, entered from the
    /// level below holding the lower half: whether the layout prepends a
    /// load depends on the whole filter, so a call the stale comparison
    /// answers otherwise is reported.
    #[test]
    fn a_call_a_stale_accumulator_can_answer_otherwise_is_reported() {
        let (errno, allow) = (Action::Errno(1), Action::Allow);
        let rules = vec![
            (vec![condition(0, CmpOp::Eq, 40)], errno),
            (vec![condition(0, CmpOp::Le, 15)], allow),
            (vec![condition(0, CmpOp::Ge, 41)], allow),
            (vec![condition(0, CmpOp::MaskedEq(!0xf), 0x10)], allow),
        ];
        let call = misanswered(&rules, true).unwrap().expect("a stale run");
        let program = SyscallRules::build(&rules, true).unwrap();
        assert!(program.programmed(&call, true).len() > 1, "{call:x?}");
        // On a 32-bit ABI there is one word per argument: nothing stale.
        assert_eq!(misanswered(&rules, false), Ok(None));
    }

    /// The grid's cells stand for every call: a brute force over small
    /// values of two arguments finds no difference where the grid finds
    /// none, for rules of every operator.
    #[test]
    fn no_difference_the_grid_misses_among_small_values() {
        let ops = [
            CmpOp::Eq,
            CmpOp::Ne,
            CmpOp::Lt,
            CmpOp::Le,
            CmpOp::Gt,
            CmpOp::Ge,
        ];
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..400 {
            let rules: Vec<(Vec<ArgCondition>, Action)> = (0..1 + next(3))
                .map(|_| {
                    let index = next(2) as u8;
                    let op = match next(7) {
                        6 => CmpOp::MaskedEq(!((1u64 << next(4)) - 1)),
                        n => ops[n as usize],
                    };
                    let value = next(12) & if let CmpOp::MaskedEq(m) = op { m } else { !0 };
                    let action = [Action::Allow, Action::Errno(1)][next(2) as usize];
                    (vec![condition(index, op, value)], action)
                })
                .collect();
            let Ok(found) = misanswered(&rules, true) else {
                continue;
            };
            let program = SyscallRules::build(&rules, true).unwrap();
            let brute = (0..16u64).flat_map(|a| (0..16u64).map(move |b| [a, b, 0, 0, 0, 0]));
            let differs = brute.clone().any(|args| {
                let said = (rules.iter())
                    .find(|(cs, _)| cs.iter().all(|c| c.holds_for(args[usize::from(c.index)])))
                    .map(|(_, action)| *action);
                program.decide(&args, true) != said
            });
            // Values past 15 can differ where small ones do not; a
            // difference among small ones must be found.
            assert!(!differs || found.is_some(), "{rules:?}");
        }
    }
}
