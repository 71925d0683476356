//! Conditions on one word, and an exact search for a value meeting all of
//! them: what a compiler's filter compares (a loaded word, perhaps masked,
//! against a constant) is decided here without a SAT solver.

use super::term::Simple;

/// How a value is compared with a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    /// `==`
    Eq,
    /// `>` (unsigned)
    Gt,
    /// `>=` (unsigned)
    Ge,
}

impl Cmp {
    /// Whether `value CMP k`.
    pub const fn holds(self, value: u32, k: u32) -> bool {
        match self {
            Cmp::Eq => value == k,
            Cmp::Gt => value > k,
            Cmp::Ge => value >= k,
        }
    }
}

/// `value CMP k` of one word under masks (`holds`), or its negation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WordCond {
    /// The value compared, with its word.
    pub value: Simple,
    /// The comparison.
    pub cmp: Cmp,
    /// The constant.
    pub k: u32,
    /// Whether the comparison holds (`false`: its negation).
    pub holds: bool,
}

impl WordCond {
    /// Whether the word's value `w` meets the condition.
    pub const fn met_by(&self, w: u32) -> bool {
        self.cmp.holds(self.value.value(w), self.k) == self.holds
    }

    /// Whether some value of the word whose bits above `free` are those
    /// of `prefix` (the bits in `free` left open) meets the condition.
    fn possible(&self, prefix: u32, free: u32) -> bool {
        let Simple { xor, mask, or, .. } = self.value;
        let fixed = ((prefix ^ xor) & mask & !free) | or;
        let open = mask & free;
        let (min, max) = (fixed, fixed | open);
        match (self.cmp, self.holds) {
            (Cmp::Eq, true) => self.k & !open == fixed,
            (Cmp::Eq, false) => !(open == 0 && fixed == self.k),
            (Cmp::Gt, true) => max > self.k,
            (Cmp::Gt, false) => min <= self.k,
            (Cmp::Ge, true) => max >= self.k,
            (Cmp::Ge, false) => min < self.k,
        }
    }
}

/// Why a search gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLong;

/// The smallest value of a word meeting every one of `conds` (all on that
/// word), `None` when there is none; `TooLong` past `budget` steps.
///
/// Bits are chosen from the highest down; a branch is cut as soon as one
/// condition cannot hold for any value of the bits still open, which is
/// exact for each condition alone, so the search finds a value whenever
/// there is one.
///
/// ```
/// use seccomp_dsl_core::decide::{term::Simple, word::{solve, Cmp, WordCond}};
/// let w = Simple::word(0);
/// let conds = [
///     WordCond { value: w, cmp: Cmp::Gt, k: 10, holds: true },
///     WordCond { value: w.and(0xf), cmp: Cmp::Eq, k: 3, holds: true },
/// ];
/// assert_eq!(solve(&conds, 10_000), Ok(Some(19)));
/// let never = [conds[1], WordCond { value: w.and(0x3), cmp: Cmp::Eq, k: 0, holds: true }];
/// assert_eq!(solve(&never, 10_000), Ok(None));
/// ```
pub fn solve(conds: &[WordCond], budget: u64) -> Result<Option<u32>, TooLong> {
    let used = conds.iter().fold(0u32, |used, cond| used | cond.value.mask);
    let mut steps = 0u64;
    search(conds, used, 0, 32, &mut steps, budget)
}

fn search(
    conds: &[WordCond],
    used: u32,
    prefix: u32,
    open_bits: u32,
    steps: &mut u64,
    budget: u64,
) -> Result<Option<u32>, TooLong> {
    *steps += 1;
    if *steps > budget {
        return Err(TooLong);
    }
    let free = if open_bits == 32 {
        u32::MAX
    } else {
        (1u32 << open_bits) - 1
    };
    if !conds.iter().all(|cond| cond.possible(prefix, free)) {
        return Ok(None);
    }
    // Bits no condition reads stay 0.
    let mut open_bits = open_bits;
    while open_bits > 0 && used & (1 << (open_bits - 1)) == 0 {
        open_bits -= 1;
    }
    if open_bits == 0 {
        return Ok(Some(prefix));
    }
    let bit = 1u32 << (open_bits - 1);
    for choice in [0, bit] {
        if let Some(value) = search(conds, used, prefix | choice, open_bits - 1, steps, budget)? {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against every value of a small word (the conditions only read its
    /// low 8 bits), for random conditions.
    #[test]
    fn the_search_finds_the_smallest_value_whenever_there_is_one() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let count = 1 + next() % 4;
            let conds: Vec<WordCond> = (0..count)
                .map(|_| {
                    let r = next();
                    let value = Simple::word(0)
                        .and(0xff & (r as u32 | 0x80))
                        .xor((r >> 8) as u32 & 0xff)
                        .or((r >> 16) as u32 & 0x03);
                    WordCond {
                        value,
                        cmp: [Cmp::Eq, Cmp::Gt, Cmp::Ge][(r >> 24) as usize % 3],
                        k: (r >> 32) as u32 & 0xff,
                        holds: r >> 40 & 1 == 1,
                    }
                })
                .collect();
            let expected = (0..=0xffu32).find(|&w| conds.iter().all(|c| c.met_by(w)));
            assert_eq!(solve(&conds, 1 << 20), Ok(expected), "{conds:?}");
        }
    }
}
