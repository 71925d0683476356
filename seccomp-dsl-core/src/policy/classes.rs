//! Argument values at the boundaries a set of conditions draws: each
//! compared value and its neighbours, on 64 bits and on the low halves
//! 32-bit ABIs compare, and a few patterns of each mask. Tests use them as
//! calls worth trying; they are a sample, not every way the conditions can
//! hold (two masks over the same bits can leave a combination out), so
//! nothing is proven on them: [`crate::decide`] decides every input.

use std::collections::BTreeSet;

use crate::model::{ArgCondition, CmpOp, SeccompArch};

/// Values on both sides of every boundary a comparison of one 32-bit half
/// draws, and the patterns a mask tells apart.
fn half_candidates(conditions: &[ArgCondition], high: bool) -> BTreeSet<u32> {
    let half = |value: u64| {
        if high {
            (value >> 32) as u32
        } else {
            value as u32
        }
    };
    let mut candidates: BTreeSet<u32> = [0, 1, u32::MAX, u32::MAX - 1, 0x8000_0000].into();
    for condition in conditions {
        let value = half(condition.value);
        candidates.extend([value.wrapping_sub(1), value, value.wrapping_add(1)]);
        if let CmpOp::MaskedEq(mask) = condition.op {
            let (mask, value) = (half(mask), half(condition.value & mask));
            // The block of values a prefix mask accepts ends at `value |
            // !mask`; the compiler searches high words by such blocks.
            candidates.extend([
                value,
                value | !mask,
                (value | !mask).wrapping_add(1),
                value ^ (mask & mask.wrapping_neg()),
                !value & mask,
            ]);
        }
    }
    candidates
}

/// Values of an argument at the boundaries `conditions` (all on that
/// argument) draw, one for each distinct set of them it satisfies among
/// the values tried, on 64 bits and on the low halves 32-bit ABIs compare.
///
/// ```
/// use seccomp_dsl_core::classes::argument_classes;
/// use seccomp_dsl_core::model::{ArgCondition, CmpOp};
/// let classes = argument_classes(&[ArgCondition::new(0, CmpOp::Eq, 8)]);
/// assert!(classes.contains(&8) && classes.iter().any(|&value| value != 8));
/// ```
pub fn argument_classes(conditions: &[ArgCondition]) -> Vec<u64> {
    let highs = half_candidates(conditions, true);
    let lows = half_candidates(conditions, false);
    let mut seen = BTreeSet::new();
    let mut representatives = Vec::new();
    for &high in &highs {
        for &low in &lows {
            let value = (u64::from(high) << 32) | u64::from(low);
            let truth: Vec<(bool, bool)> = conditions
                .iter()
                .map(|c| (c.holds_for(value), c.holds_on(SeccompArch::X86, value)))
                .collect();
            if seen.insert(truth) {
                representatives.push(value);
            }
        }
    }
    representatives
}

/// Argument vectors near the boundaries of `conditions`: the product of
/// each compared argument's values from [`argument_classes`]. An argument `fixed`
/// holds a value keeps it in every vector.
pub fn argument_vectors<'a>(
    conditions: impl IntoIterator<Item = &'a ArgCondition>,
    fixed: &[Option<u64>; 6],
) -> Vec<[u64; 6]> {
    let conditions: Vec<ArgCondition> = conditions.into_iter().copied().collect();
    let mut first = [0u64; 6];
    for (value, fixed) in first.iter_mut().zip(fixed) {
        *value = fixed.unwrap_or(0);
    }
    let mut vectors = vec![first];
    for index in 0..6u8 {
        if fixed[usize::from(index)].is_some() {
            continue;
        }
        let on_this: Vec<ArgCondition> = (conditions.iter().copied())
            .filter(|condition| condition.index == index)
            .collect();
        if on_this.is_empty() {
            continue;
        }
        let classes = argument_classes(&on_this);
        vectors = vectors
            .iter()
            .flat_map(|vector| {
                classes.iter().map(move |&value| {
                    let mut vector = *vector;
                    vector[usize::from(index)] = value;
                    vector
                })
            })
            .collect();
    }
    vectors
}
