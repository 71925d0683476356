//! Every rule in the one form every engine reads exactly: at most one
//! comparison per argument, each of all 64 bits.
//!
//! That is the form of a Docker profile entry, of a libseccomp rule and of
//! the BPF compiler's input. A rule of the model may say more: it may
//! compare an argument as the kernel reads it (the low 32 bits of an `int`,
//! see [`ArgWidth`]), and compare one argument twice (`arg1 >= 1 && arg1 <=
//! 4`). Both are stated here in other words with the same meaning: the set
//! of values a rule accepts for an argument becomes a union of aligned
//! blocks, each one masked comparison (`arg & mask == value`) whose mask
//! leaves out the bits the kernel does not read, and the rule becomes one
//! rule per combination of blocks. A masked comparison of the low bits
//! decides the same whatever the upper half holds, and so does each engine.
//!
//! ```
//! use seccomp_dsl_core::{exact, model::*};
//! // `arg0 > 40` on an `int`: 41 up to i32::MAX, as the kernel reads it.
//! let above = ArgCondition { width: ArgWidth::I32, ..ArgCondition::new(0, CmpOp::Gt, 40) };
//! let rule = Rule::new(["socket"], [above], Action::Allow);
//! let blocks = exact::rules(&rule);
//! assert!(blocks.iter().all(|b| b.conditions.iter().all(|c| matches!(c.op, CmpOp::MaskedEq(m) if m <= 0xffff_ffff))));
//! for arg in [40, 41, 0x7fff_ffff, 0x8000_0000, 0x1_0000_0029, 0xffff_ffff_ffff_fff0] {
//!     let args = [arg, 0, 0, 0, 0, 0];
//!     assert_eq!(blocks.iter().any(|b| b.matches("socket", &args)), rule.matches("socket", &args));
//! }
//! ```

use std::borrow::Cow;

use crate::model::{ArgCondition, ArgWidth, CmpOp, Policy, Rule, ARG_COUNT};

/// A set of 64-bit values `{ x | x & mask == value }` (`value` within
/// `mask`): a block of an argument's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// The bits tested.
    pub mask: u64,
    /// Their values.
    pub value: u64,
}

impl Pattern {
    /// Every value.
    pub const ANY: Pattern = Pattern { mask: 0, value: 0 };

    /// The values in both, if any.
    pub fn intersect(self, other: Pattern) -> Option<Pattern> {
        ((self.value ^ other.value) & self.mask & other.mask == 0).then_some(Pattern {
            mask: self.mask | other.mask,
            value: self.value | other.value,
        })
    }

    /// Whether every value of `other` is in `self`.
    pub fn contains(self, other: Pattern) -> bool {
        self.mask & other.mask == self.mask && other.value & self.mask == self.value
    }

    /// The comparison that holds exactly on this block: `==` where every bit
    /// is tested, else a masked comparison; `None` for [`Pattern::ANY`].
    pub fn condition(self, index: u8) -> Option<ArgCondition> {
        match self.mask {
            0 => None,
            u64::MAX => Some(ArgCondition::new(index, CmpOp::Eq, self.value)),
            mask => Some(ArgCondition::new(index, CmpOp::MaskedEq(mask), self.value)),
        }
    }
}

/// The values a comparison accepts, as disjoint blocks (none if it never
/// holds). Only the bits its width reads are tested.
pub fn patterns(condition: &ArgCondition) -> Vec<Pattern> {
    let width = condition.width;
    let (mask, key) = (width.mask(), width.key(condition.value));
    let intervals: Vec<(u64, u64)> = match condition.op {
        CmpOp::MaskedEq(tested) => {
            let tested = tested & mask;
            return vec![Pattern {
                mask: tested,
                value: condition.value & tested,
            }];
        }
        CmpOp::Eq => vec![(key, key)],
        CmpOp::Ne => [
            key.checked_sub(1).map(|below| (0, below)),
            (key < mask).then(|| (key + 1, mask)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        CmpOp::Lt => key
            .checked_sub(1)
            .map(|below| (0, below))
            .into_iter()
            .collect(),
        CmpOp::Le => vec![(0, key)],
        CmpOp::Gt => (key < mask).then(|| (key + 1, mask)).into_iter().collect(),
        CmpOp::Ge => vec![(key, mask)],
    };
    // Blocks of keys are blocks of values: a signed width only flips the
    // sign bit, which a block either tests or leaves free.
    let flip = width.sign_bit();
    intervals
        .into_iter()
        .flat_map(|(low, high)| blocks(low, high, mask))
        .map(|block| Pattern {
            mask: block.mask,
            value: block.value ^ (flip & block.mask),
        })
        .collect()
}

/// `low..=high` (within `domain`, a mask of low bits) as the fewest
/// aligned blocks, in order.
fn blocks(low: u64, high: u64, domain: u64) -> Vec<Pattern> {
    let mut out = Vec::new();
    let mut start = low;
    loop {
        // The largest aligned block that starts at `start` and ends by `high`.
        let mut size_bits = start.trailing_zeros().min(domain.count_ones());
        while size_bits > 0 && (start | low_bits(size_bits)) > high {
            size_bits -= 1;
        }
        let span = low_bits(size_bits);
        out.push(Pattern {
            mask: domain & !span,
            value: start,
        });
        let end = start | span;
        if end >= high {
            return out;
        }
        start = end + 1;
    }
}

/// A mask of the `bits` lowest bits.
fn low_bits(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The values an argument may take for every one of `conditions` (all of
/// one argument) to hold, as blocks; none if they never hold together.
pub fn argument_patterns<'a>(
    conditions: impl IntoIterator<Item = &'a ArgCondition>,
) -> Vec<Pattern> {
    let mut set = vec![Pattern::ANY];
    for condition in conditions {
        let accepted = patterns(condition);
        let mut next: Vec<Pattern> = Vec::new();
        for a in &set {
            for b in &accepted {
                if let Some(both) = a.intersect(*b) {
                    if !next.iter().any(|known| known.contains(both)) {
                        next.retain(|known| !both.contains(*known));
                        next.push(both);
                    }
                }
            }
        }
        set = next;
    }
    set
}

/// Whether the rule is already in the exact form: each argument compared
/// at most once, on all 64 bits.
pub fn is_exact(rule: &Rule) -> bool {
    let mut seen = 0u64;
    rule.conditions.iter().all(|condition| {
        let bit = 1u64 << (condition.index % 64);
        let first = seen & bit == 0;
        seen |= bit;
        condition.width == ArgWidth::U64 && first
    })
}

/// The comparisons that state exactly what `rule` asks of argument `index`,
/// one per alternative block: `None` where the rule leaves it free (does
/// not compare it, or accepts every value), and an empty list where its
/// comparisons of it never hold together.
pub fn argument_choices(rule: &Rule, index: u8) -> Option<Vec<ArgCondition>> {
    let on_index: Vec<&ArgCondition> = rule
        .conditions
        .iter()
        .filter(|condition| condition.index == index)
        .collect();
    match on_index[..] {
        [] => None,
        [single] if single.width == ArgWidth::U64 => Some(vec![*single]),
        _ => argument_patterns(on_index)
            .into_iter()
            .map(|pattern| pattern.condition(index))
            .collect(),
    }
}

/// `rule` in the exact form: itself if it already is, else one rule per
/// combination of its arguments' blocks, in order, each with the rule's
/// action, filters and comment. None if its conditions never hold together.
pub fn rules(rule: &Rule) -> Cow<'_, [Rule]> {
    if is_exact(rule) {
        return Cow::Borrowed(std::slice::from_ref(rule));
    }
    let mut combinations: Vec<Vec<ArgCondition>> = vec![Vec::new()];
    for index in 0..ARG_COUNT {
        let Some(choices) = argument_choices(rule, index) else {
            continue;
        };
        combinations = combinations
            .iter()
            .flat_map(|prefix| {
                choices.iter().map(move |choice| {
                    let mut conditions = prefix.clone();
                    conditions.push(*choice);
                    conditions
                })
            })
            .collect();
    }
    combinations
        .into_iter()
        .map(|conditions| Rule {
            conditions: Cow::Owned(conditions),
            ..rule.clone()
        })
        .collect::<Vec<_>>()
        .into()
}

/// `policy` with every rule in the exact form: what its Docker profile
/// states, and what reading that profile back gives.
pub fn policy(policy: &Policy) -> Policy {
    Policy {
        rules: policy
            .rules
            .iter()
            .flat_map(|rule| rules(rule).into_owned())
            .collect::<Vec<_>>()
            .into(),
        ..policy.clone()
    }
}

/// How many rules [`rules`] makes of `rule`, without making them.
pub fn count(rule: &Rule) -> usize {
    if is_exact(rule) {
        return 1;
    }
    (0..ARG_COUNT)
        .filter_map(|index| argument_choices(rule, index))
        .map(|choices| choices.len())
        .fold(1usize, usize::saturating_mul)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Action;

    fn cond(op: CmpOp, value: u64, width: ArgWidth) -> ArgCondition {
        ArgCondition {
            width,
            ..ArgCondition::new(0, op, value)
        }
    }

    /// Values around every boundary a 32-bit or 16-bit comparison with
    /// these constants can have, with upper halves zero, sign-extended and
    /// arbitrary.
    fn probes(constants: &[u64]) -> Vec<u64> {
        let mut lows = vec![
            0u64,
            1,
            0x7fff,
            0x8000,
            0xffff,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
        ];
        for &c in constants {
            for delta in [-2i64, -1, 0, 1, 2] {
                lows.push(c.wrapping_add(delta as u64) & 0xffff_ffff);
            }
        }
        lows.iter()
            .flat_map(|&low| {
                let sign = if low & 0x8000_0000 != 0 {
                    0xffff_ffff_0000_0000
                } else {
                    0
                };
                [
                    low,
                    low | sign,
                    low | 0x1_0000_0000,
                    low | 0xdead_beef_0000_0000,
                    low | 0xffff_0000,
                ]
            })
            .collect()
    }

    #[test]
    fn blocks_of_every_comparison_accept_exactly_its_values() {
        let constants = [
            0u64,
            1,
            5,
            37,
            38,
            40,
            41,
            0x7fff,
            0xffff,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ff9c,
            0xffff_ffff,
        ];
        let ops = [
            CmpOp::Eq,
            CmpOp::Ne,
            CmpOp::Lt,
            CmpOp::Le,
            CmpOp::Gt,
            CmpOp::Ge,
            CmpOp::MaskedEq(0xf0),
        ];
        for width in [ArgWidth::U32, ArgWidth::I32, ArgWidth::U16] {
            for &value in &constants {
                for op in ops {
                    let value = if let CmpOp::MaskedEq(mask) = op {
                        value & mask
                    } else {
                        value & width.mask()
                    };
                    let condition = cond(op, value, width);
                    let blocks = patterns(&condition);
                    assert!(
                        blocks.len() <= 2 * width.bits() as usize,
                        "{condition}: {}",
                        blocks.len()
                    );
                    for arg in probes(&constants) {
                        let by_blocks = blocks.iter().any(|p| arg & p.mask == p.value);
                        assert_eq!(
                            by_blocks,
                            condition.holds_for(arg),
                            "{width:?} {condition} on {arg:#x}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn two_comparisons_of_one_argument_become_the_blocks_of_their_intersection() {
        let rule = Rule::new(
            ["fcntl"],
            [
                ArgCondition {
                    index: 1,
                    ..cond(CmpOp::Ge, 1, ArgWidth::U32)
                },
                ArgCondition {
                    index: 1,
                    ..cond(CmpOp::Le, 4, ArgWidth::U32)
                },
            ],
            Action::Allow,
        );
        let exact = rules(&rule);
        assert_eq!(exact.len(), 3); // {1}, {2, 3}, {4}
        assert_eq!(count(&rule), 3);
        for low in 0..8u64 {
            for high in [0, 1u64 << 32, 0xffff_ffff_0000_0000] {
                let args = [0, low | high, 0, 0, 0, 0];
                assert_eq!(
                    exact.iter().any(|r| r.matches("fcntl", &args)),
                    (1..=4).contains(&low)
                );
            }
        }
        let never = Rule::new(
            ["fcntl"],
            [
                ArgCondition {
                    index: 1,
                    ..cond(CmpOp::Gt, 4, ArgWidth::U32)
                },
                ArgCondition {
                    index: 1,
                    ..cond(CmpOp::Lt, 2, ArgWidth::U32)
                },
            ],
            Action::Allow,
        );
        assert!(rules(&never).is_empty());
    }

    #[test]
    fn rules_already_exact_are_borrowed() {
        let rule = Rule::new(
            ["personality"],
            [ArgCondition::new(0, CmpOp::Eq, 8)],
            Action::Allow,
        );
        assert!(matches!(rules(&rule), Cow::Borrowed(_)));
    }
}
