//! Whether two rules for one syscall can decide one call: in some context
//! both apply ([`can_apply_together`]), and one call satisfies both rules'
//! conditions ([`conditions_overlap`]).

use crate::model::{ArgCondition, CmpOp, Filter, Rule, ARG_COUNT, DOCKER_ARCHES};

/// Whether some context (capabilities, architecture, kernel) has both rules
/// in the filter.
pub(super) fn can_apply_together(a: &Rule, b: &Rule) -> bool {
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
pub(super) fn conditions_overlap(a: &Rule, b: &Rule, narrow: bool) -> bool {
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
}
