//! What a call gets once its ABI and number are known ([`Outcome`]), and
//! the decision over its arguments when that depends on them: searches on
//! the words of one argument at a time, with the rules specialized to what
//! each search learns, and rules tested in turn where no search helps.

use super::assemble::Target;
use super::condition::condition_code;
use super::search;
use crate::model::{ArgCondition, CmpOp};

/// What a call gets, once its ABI and number are known.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Outcome {
    /// This return value, whatever the arguments.
    Return(u32),
    /// The first rule whose conditions all hold, else `otherwise`.
    Arguments {
        rules: Vec<(Vec<ArgCondition>, u32)>,
        otherwise: Box<Outcome>,
    },
    /// Binary search on the high word of `arg`.
    HighWord {
        arg: u8,
        ranges: Vec<(u32, Outcome)>,
    },
    /// Binary search on the low word of `arg` (the high word is known).
    LowWord {
        arg: u8,
        ranges: Vec<(u32, Outcome)>,
    },
}

/// The outcome of conditional rules (first match wins, else `default`) as
/// a decision tree: a search on the argument most rules compare without a
/// mask (its high word, then its low word), whose every piece holds the
/// rules left once that comparison is known, decided the same way in turn.
/// Rules whose comparisons are all masked are tested one by one. Docker's
/// `socket` and `personality` rules become one search each; rules that
/// share a first test (`arg0 == 1 && ...`, `arg0 == 2 && ...`) test it once.
/// Where the high word of the searched argument is known (one value, or a
/// range over which every comparison of the argument is decided), the rules
/// are specialized to it, so that no test of that word is repeated.
///
/// `narrow`: bit `i` is set when the comparisons of argument `i` are of
/// low halves (their constants fit in 32 bits), so only its low word is
/// searched.
pub(super) fn arguments_outcome(
    rules: &[(Vec<ArgCondition>, u32)],
    default: u32,
    narrow: u8,
) -> Outcome {
    let searched = searched_outcome(rules, default, narrow);
    // A rule of cheap masked tests (of low words) may go first, if that
    // cannot change which rule matches: every rule before it has its action.
    let cheap = |condition: &ArgCondition| match condition.op {
        CmpOp::MaskedEq(mask) => mask >> 32 == 0 || narrow & 1 << condition.index != 0,
        _ => false,
    };
    let Some(position) = rules
        .iter()
        .position(|(conditions, _)| !conditions.is_empty() && conditions.iter().all(cheap))
    else {
        return searched;
    };
    let (conditions, value) = &rules[position];
    if !matches!(searched, Outcome::HighWord { .. } | Outcome::LowWord { .. })
        || rules.len() > 16
        || rules[..position]
            .iter()
            .any(|(_, earlier)| earlier != value)
    {
        return searched;
    }
    let mut rest = rules.to_vec();
    rest.remove(position);
    let first = Outcome::Arguments {
        rules: vec![(conditions.clone(), *value)],
        otherwise: Box::new(arguments_outcome(&rest, default, narrow)),
    };
    // The shorter longest path, then the shorter paths in all.
    let measure = |outcome: &Outcome| {
        let lengths = path_lengths(outcome);
        (lengths.iter().max().copied(), lengths.iter().sum::<u32>())
    };
    if measure(&first) < measure(&searched) {
        first
    } else {
        searched
    }
}

/// Instructions run to reach each outcome of `outcome` (approximately: a
/// failed comparison counts whole), to choose between two layouts.
fn path_lengths(outcome: &Outcome) -> Vec<u32> {
    match outcome {
        Outcome::Return(_) => vec![0],
        Outcome::HighWord { ranges, .. } | Outcome::LowWord { ranges, .. } => {
            let leaves = search_leaves(ranges, None);
            let depths = search::depths(&search::balanced(&leaves), leaves.len());
            ranges
                .iter()
                .zip(depths)
                .flat_map(|((_, outcome), depth)| {
                    path_lengths(outcome)
                        .into_iter()
                        .map(move |length| length + depth + 1)
                })
                .collect()
        }
        Outcome::Arguments { rules, otherwise } => {
            let mut lengths = Vec::new();
            let mut before = 0;
            for (conditions, _) in rules {
                before += conditions.iter().map(condition_length).sum::<u32>();
                lengths.push(before);
            }
            lengths.extend(
                path_lengths(otherwise)
                    .into_iter()
                    .map(|length| length + before),
            );
            lengths
        }
    }
}

/// Instructions in the code of `condition`.
fn condition_length(condition: &ArgCondition) -> u32 {
    let code = condition_code(condition, Target::Label(0), Target::Label(1));
    code.len() as u32
}

/// [`arguments_outcome`] without the choice of a rule to test first.
fn searched_outcome(rules: &[(Vec<ArgCondition>, u32)], default: u32, narrow: u8) -> Outcome {
    match rules.first() {
        None => return Outcome::Return(default),
        Some((conditions, value)) if conditions.is_empty() => return Outcome::Return(*value),
        Some(_) => {}
    }
    let unmasked = |condition: &&ArgCondition| !matches!(condition.op, CmpOp::MaskedEq(_));
    let mut counts = [0usize; 6];
    for condition in rules
        .iter()
        .flat_map(|(conditions, _)| conditions.iter().filter(unmasked))
    {
        counts[usize::from(condition.index)] += 1;
    }
    let Some(arg) = (0..6u8)
        .filter(|&i| counts[usize::from(i)] > 0)
        .max_by_key(|&i| (counts[usize::from(i)], 6 - i))
    else {
        return Outcome::Arguments {
            rules: rules.to_vec(),
            otherwise: Box::new(Outcome::Return(default)),
        };
    };
    let on_arg = |conditions: &[ArgCondition]| {
        conditions
            .iter()
            .position(|c| c.index == arg && unmasked(&c))
    };
    if narrow & 1 << arg == 0 {
        return high_word_outcome(rules, default, narrow, arg);
    }
    // Its comparisons are of low words: the rules left where that word is
    // `x` are those whose comparison of it holds there (or that have none),
    // without that comparison.
    let left_at = |x: u64| -> Vec<(Vec<ArgCondition>, u32)> {
        rules
            .iter()
            .filter_map(|(conditions, value)| match on_arg(conditions) {
                Some(position) if !conditions[position].holds_for(x) => None,
                Some(position) => {
                    let mut rest = conditions.clone();
                    rest.remove(position);
                    Some((rest, *value))
                }
                None => Some((conditions.clone(), *value)),
            })
            .collect()
    };
    // Every low word where a comparison of `arg` starts or stops holding
    // (the constants fit in 32 bits; `u32::MAX + 1` is past them all).
    let mut cuts: Vec<u64> = vec![0];
    for (conditions, _) in rules {
        if let Some(position) = on_arg(conditions) {
            let condition = &conditions[position];
            let v = condition.value;
            // A signed order also changes where the low word's sign does.
            cuts.extend([v, v + 1, condition.width.sign_bit()]);
        }
    }
    cuts.retain(|cut| *cut <= u64::from(u32::MAX));
    cuts.sort_unstable();
    cuts.dedup();
    let mut low_ranges: Vec<(u32, Outcome)> = Vec::new();
    for cut in cuts {
        let outcome = arguments_outcome(&left_at(cut), default, narrow);
        if low_ranges.last().is_none_or(|(_, last)| *last != outcome) {
            low_ranges.push((cut as u32, outcome));
        }
    }
    match &low_ranges[..] {
        [(_, only)] => only.clone(),
        _ => Outcome::LowWord {
            arg,
            ranges: low_ranges,
        },
    }
}

/// How a search over `ranges` sees them (see [`search::Leaf`]).
pub(super) fn search_leaves(
    ranges: &[(u32, Outcome)],
    bounds: Option<&[u32]>,
) -> Vec<search::Leaf> {
    let mut classes: Vec<&Outcome> = Vec::new();
    ranges
        .iter()
        .enumerate()
        .map(|(index, (start, outcome))| {
            let class = classes
                .iter()
                .position(|known| *known == outcome)
                .unwrap_or_else(|| {
                    classes.push(outcome);
                    classes.len() - 1
                });
            let single = ranges
                .get(index + 1)
                .is_some_and(|(next, _)| u64::from(*next) == u64::from(*start) + 1);
            search::Leaf {
                single,
                class,
                bound: bounds.map_or(search::UNBOUNDED, |bounds| bounds[index]),
            }
        })
        .collect()
}

/// Every argument's comparisons are of low halves (a 32-bit ABI).
pub(super) const ALL_NARROW: u8 = 0x3f;

/// The search on the high word of `arg` with the rules specialized to each
/// range of high words (see [`arguments_outcome`]). The ranges are cut
/// where a comparison of `arg` changes with the high word: at its own high
/// word, and at the ends of the block of high words a masked comparison
/// accepts when its mask's high half is a prefix of bits.
fn high_word_outcome(
    rules: &[(Vec<ArgCondition>, u32)],
    default: u32,
    narrow: u8,
    arg: u8,
) -> Outcome {
    let mut cuts: Vec<u64> = vec![0];
    for condition in rules
        .iter()
        .flat_map(|(conditions, _)| conditions)
        .filter(|condition| condition.index == arg)
    {
        let high = condition.value >> 32;
        match condition.op {
            CmpOp::MaskedEq(mask) => {
                let mask = (mask >> 32) as u32;
                if is_prefix(mask) && mask != 0 {
                    // One aligned block of high words.
                    let start = u64::from(high as u32 & mask);
                    cuts.extend([start, start + u64::from(!mask) + 1]);
                }
            }
            _ => cuts.extend([high, high + 1]),
        }
    }
    cuts.retain(|cut| *cut <= u64::from(u32::MAX));
    cuts.sort_unstable();
    cuts.dedup();
    let mut ranges: Vec<(u32, Outcome)> = Vec::new();
    for (index, &start) in cuts.iter().enumerate() {
        let end = cuts
            .get(index + 1)
            .map_or(u64::from(u32::MAX), |next| next - 1);
        let (low, high) = (start as u32, end as u32);
        let specialized: Vec<(Vec<ArgCondition>, u32)> = rules
            .iter()
            .filter_map(|(conditions, value)| {
                let mut kept = Vec::with_capacity(conditions.len());
                for condition in conditions {
                    if condition.index != arg {
                        kept.push(*condition);
                        continue;
                    }
                    match on_high_words(condition, low, high) {
                        Decided::Holds => {}
                        Decided::Fails => return None,
                        Decided::OnLowWord(rest) => kept.push(rest),
                        Decided::Undecided => kept.push(*condition),
                    }
                }
                Some((kept, *value))
            })
            .collect();
        let narrow = if low == high {
            narrow | 1 << arg
        } else {
            narrow
        };
        let outcome = arguments_outcome(&specialized, default, narrow);
        if ranges.last().is_none_or(|(_, last)| *last != outcome) {
            ranges.push((low, outcome));
        }
    }
    match &ranges[..] {
        [(_, only)] => only.clone(),
        _ => Outcome::HighWord { arg, ranges },
    }
}

/// Whether the set bits of `mask` are a run from the top bit down (none
/// counts).
fn is_prefix(mask: u32) -> bool {
    mask.leading_ones() + mask.trailing_zeros() == 32
}

/// A comparison of a 64-bit argument whose high word lies in `low..=high`.
enum Decided {
    Holds,
    Fails,
    /// It holds when this comparison of the low word does.
    OnLowWord(ArgCondition),
    /// The range's high words do not all decide it alike (a masked
    /// comparison whose mask's high half is not a prefix): the rule tests
    /// it whole.
    Undecided,
}

/// `condition` over arguments whose high word is in `low..=high`: a range
/// made by [`high_word_outcome`]'s cuts, so that a comparison's own high
/// word is either the whole range or outside it.
fn on_high_words(condition: &ArgCondition, low: u32, high: u32) -> Decided {
    let value_high = (condition.value >> 32) as u32;
    let on_low = |op| {
        Decided::OnLowWord(ArgCondition {
            index: condition.index,
            op,
            value: condition.value & 0xffff_ffff,
            width: condition.width,
        })
    };
    let decided = |holds: bool| {
        if holds {
            Decided::Holds
        } else {
            Decided::Fails
        }
    };
    match condition.op {
        CmpOp::MaskedEq(mask) => {
            let mask_high = (mask >> 32) as u32;
            // The bits that vary within the range: the highest that differs
            // between its ends, and those below.
            let varying = match low ^ high {
                0 => 0,
                differ => u32::MAX >> differ.leading_zeros(),
            };
            let holds_on_high = if mask_high & varying == 0 {
                low & mask_high == value_high & mask_high
            } else if is_prefix(mask_high) {
                // The cuts give a prefix's block a range of its own, and
                // the masked bits vary: this range lies outside it.
                false
            } else {
                return Decided::Undecided;
            };
            if !holds_on_high {
                return Decided::Fails;
            }
            let mask_low = mask & 0xffff_ffff;
            if mask_low == 0 {
                Decided::Holds
            } else {
                on_low(CmpOp::MaskedEq(mask_low))
            }
        }
        op if low == high && low == value_high => on_low(op),
        CmpOp::Eq => decided(false),
        CmpOp::Ne => decided(true),
        CmpOp::Lt | CmpOp::Le => decided(high < value_high),
        CmpOp::Gt | CmpOp::Ge => decided(low > value_high),
    }
}
