//! The conditions of one path through the programs compared, and whether
//! a further condition can still hold: by the per-word search where every
//! condition on the words involved compares one word with a constant, by
//! the SAT solver otherwise. A path keeps a witness, values of the sixteen
//! words meeting all its conditions, so that most questions are answered
//! by evaluating a condition on it.

use super::sat::{Encoder, GaveUp};
use super::term::{Simple, TermId, Terms, WORDS};
use super::word::{self, Cmp, WordCond};
use crate::bpf::op;

/// One condition of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    /// On one word.
    Word(WordCond),
    /// `lhs JUMP rhs` (a `JEQ`, `JGT`, `JGE` or `JSET` operation) holds, or
    /// not.
    General {
        /// The value compared.
        lhs: TermId,
        /// `op::JEQ`, `op::JGT`, `op::JGE` or `op::JSET`.
        jump: u16,
        /// What it is compared with.
        rhs: TermId,
        /// Whether the comparison holds.
        holds: bool,
    },
}

/// What a comparison is, once its values are known.
pub enum Classified {
    /// Decided whatever the input: it holds, or not.
    Always(bool),
    /// A condition on the input.
    Cond(Cond),
}

impl Cond {
    /// The condition that `lhs JUMP rhs` holds (`holds`) or not.
    pub fn classify(terms: &Terms, lhs: TermId, jump: u16, rhs: TermId, holds: bool) -> Classified {
        let compare = |a: u32, b: u32| match jump {
            op::JEQ => a == b,
            op::JGT => a > b,
            op::JGE => a >= b,
            _ => a & b != 0,
        };
        match (terms.value(lhs), terms.value(rhs)) {
            (Some(a), Some(b)) => return Classified::Always(compare(a, b) == holds),
            (None, Some(k)) => {
                if let Some(value) = terms.simple(lhs) {
                    return Classified::Cond(Cond::Word(word_cond(value, jump, k, holds, false)));
                }
            }
            (Some(k), None) => {
                if let Some(value) = terms.simple(rhs) {
                    return Classified::Cond(Cond::Word(word_cond(value, jump, k, holds, true)));
                }
            }
            (None, None) => {}
        }
        Classified::Cond(Cond::General {
            lhs,
            jump,
            rhs,
            holds,
        })
    }

    /// The opposite condition.
    pub fn negated(self) -> Cond {
        match self {
            Cond::Word(cond) => Cond::Word(WordCond {
                holds: !cond.holds,
                ..cond
            }),
            Cond::General {
                lhs,
                jump,
                rhs,
                holds,
            } => Cond::General {
                lhs,
                jump,
                rhs,
                holds: !holds,
            },
        }
    }

    /// Whether the words' values `words` meet the condition.
    pub fn met_by(&self, terms: &Terms, words: &[u32; WORDS]) -> bool {
        match *self {
            Cond::Word(cond) => cond.met_by(words[usize::from(cond.value.word)]),
            Cond::General {
                lhs,
                jump,
                rhs,
                holds,
            } => {
                let (a, b) = (terms.eval(lhs, words), terms.eval(rhs, words));
                let result = match jump {
                    op::JEQ => a == b,
                    op::JGT => a > b,
                    op::JGE => a >= b,
                    _ => a & b != 0,
                };
                result == holds
            }
        }
    }

    /// The words the condition reads, one bit each.
    pub fn words(&self, terms: &Terms) -> u16 {
        match *self {
            Cond::Word(cond) => 1 << cond.value.word,
            Cond::General { lhs, rhs, .. } => terms.words_of(lhs) | terms.words_of(rhs),
        }
    }
}

/// Whether `cond` leaves its word one value: an equality of the whole word
/// (perhaps flipped) with a constant.
fn pins(cond: &WordCond) -> bool {
    cond.holds && cond.cmp == Cmp::Eq && cond.value.mask == u32::MAX
}

/// `value JUMP k` (or `k JUMP value`, `flipped`) as a condition on the word.
fn word_cond(value: Simple, jump: u16, k: u32, holds: bool, flipped: bool) -> WordCond {
    let make = |value: Simple, cmp: Cmp, k: u32, holds: bool| WordCond {
        value,
        cmp,
        k,
        holds,
    };
    match (jump, flipped) {
        (op::JEQ, _) => make(value, Cmp::Eq, k, holds),
        // `v & k != 0` is `(v & k) == 0` negated.
        (op::JSET, _) => make(value.and(k), Cmp::Eq, 0, !holds),
        (op::JGT, false) => make(value, Cmp::Gt, k, holds),
        (op::JGE, false) => make(value, Cmp::Ge, k, holds),
        // `k > v` is `v >= k` negated; `k >= v` is `v > k` negated.
        (op::JGT, true) => make(value, Cmp::Ge, k, !holds),
        (_, _) => make(value, Cmp::Gt, k, !holds),
    }
}

/// The conditions of every path explored so far, each stored once: a path
/// is a list running back through this arena.
#[derive(Default)]
pub struct Arena {
    links: Vec<(Cond, u32)>,
}

const NONE: u32 = u32::MAX;

/// How long the per-word search may look before the SAT solver takes over.
const WORD_SEARCH_STEPS: u64 = 200_000;

/// One path: its conditions and a witness.
#[derive(Clone, Debug)]
pub struct Path {
    /// For each word, its conditions that read it alone.
    words: [u32; WORDS],
    /// The conditions that read several words or compute on them.
    general: u32,
    /// The words `general` reads.
    general_words: u16,
    /// The words an equality fixes to one value (the witness's).
    pinned: u16,
    /// Values of the words that meet every condition.
    pub witness: [u32; WORDS],
}

impl Path {
    /// The path with no conditions: every input.
    pub fn every_input() -> Path {
        Path {
            words: [NONE; WORDS],
            general: NONE,
            general_words: 0,
            pinned: 0,
            witness: [0; WORDS],
        }
    }

    /// Whether the path has conditions the SAT solver must take.
    pub fn has_general(&self) -> bool {
        self.general != NONE
    }
}

impl Arena {
    fn push(&mut self, cond: Cond, next: u32) -> u32 {
        self.links.push((cond, next));
        (self.links.len() - 1) as u32
    }

    fn list(&self, mut head: u32) -> Vec<Cond> {
        let mut conds = Vec::new();
        while head != NONE {
            let (cond, next) = self.links[head as usize];
            conds.push(cond);
            head = next;
        }
        conds
    }

    fn word_conds(&self, path: &Path, word: usize) -> Vec<WordCond> {
        self.list(path.words[word])
            .into_iter()
            .filter_map(|cond| match cond {
                Cond::Word(cond) => Some(cond),
                Cond::General { .. } => None,
            })
            .collect()
    }

    fn with(&mut self, path: &Path, cond: Cond, terms: &Terms, witness: [u32; WORDS]) -> Path {
        let mut next = path.clone();
        next.witness = witness;
        match cond {
            Cond::Word(word_cond) => {
                let word = usize::from(word_cond.value.word);
                next.words[word] = self.push(cond, path.words[word]);
                if pins(&word_cond) {
                    next.pinned |= 1 << word;
                }
            }
            Cond::General { .. } => {
                next.general = self.push(cond, path.general);
                next.general_words |= cond.words(terms);
            }
        }
        next
    }

    /// `path` with `cond` added, `None` when no input meets them all.
    pub fn add(
        &mut self,
        terms: &Terms,
        path: &Path,
        cond: Cond,
        sat_conflicts: u64,
    ) -> Result<Option<Path>, GaveUp> {
        if cond.met_by(terms, &path.witness) {
            return Ok(Some(self.with(path, cond, terms, path.witness)));
        }
        if let Cond::Word(word_cond) = cond {
            let word = usize::from(word_cond.value.word);
            // A word with one possible value: the witness's, which fails.
            if path.pinned & (1 << word) != 0 {
                return Ok(None);
            }
            if path.general_words & (1 << word) == 0 {
                let mut conds = self.word_conds(path, word);
                conds.push(word_cond);
                if let Ok(found) = word::solve(&conds, WORD_SEARCH_STEPS) {
                    return Ok(found.map(|value| {
                        let mut witness = path.witness;
                        witness[word] = value;
                        self.with(path, cond, terms, witness)
                    }));
                }
            }
        }
        let involved = path.general_words | cond.words(terms);
        let found = self.solve(terms, path, involved, &[cond], sat_conflicts, |_| None)?;
        Ok(found.map(|witness| self.with(path, cond, terms, witness)))
    }

    /// Values of the words meeting the conditions of `path` on the words
    /// `involved`, `extra` and what `more` requires of the encoded terms
    /// (it may return a literal to require), the witness's values for
    /// every other word; `None` when there are none.
    pub fn solve(
        &self,
        terms: &Terms,
        path: &Path,
        involved: u16,
        extra: &[Cond],
        sat_conflicts: u64,
        more: impl FnOnce(&mut Encoder<'_>) -> Option<batsat::Lit>,
    ) -> Result<Option<[u32; WORDS]>, GaveUp> {
        let mut encoder = Encoder::new(terms, sat_conflicts);
        let mut conds: Vec<Cond> = self.list(path.general);
        for word in 0..WORDS {
            if involved & (1 << word) != 0 {
                conds.extend(self.word_conds(path, word).into_iter().map(Cond::Word));
            }
        }
        conds.extend_from_slice(extra);
        for cond in conds {
            let lit = encode(&mut encoder, &cond);
            encoder.require(lit);
        }
        if let Some(lit) = more(&mut encoder) {
            encoder.require(lit);
        }
        let Some(model) = encoder.solve()? else {
            return Ok(None);
        };
        let mut witness = path.witness;
        for word in 0..WORDS {
            if involved & (1 << word) != 0 {
                witness[word] = model[word];
            }
        }
        Ok(Some(witness))
    }

    /// Every condition of `path`, for a caller that encodes them itself.
    pub fn conds(&self, path: &Path) -> Vec<Cond> {
        let mut conds = self.list(path.general);
        for head in path.words {
            conds.extend(self.list(head));
        }
        conds
    }
}

/// The literal that is `cond`.
pub fn encode(encoder: &mut Encoder<'_>, cond: &Cond) -> batsat::Lit {
    match *cond {
        Cond::Word(WordCond {
            value,
            cmp,
            k,
            holds,
        }) => {
            let word = encoder.word(value.word);
            let (one, zero) = (encoder.bit(true), encoder.bit(false));
            let bits: super::sat::Bits = std::array::from_fn(|i| {
                let bit = 1u32 << i;
                if value.mask & bit == 0 {
                    if value.or & bit != 0 {
                        one
                    } else {
                        zero
                    }
                } else if value.xor & bit != 0 {
                    !word[i]
                } else {
                    word[i]
                }
            });
            let k = encoder.constant(k);
            let lit = match cmp {
                Cmp::Eq => encoder.eq(&bits, &k),
                Cmp::Gt => encoder.ugt(&bits, &k),
                Cmp::Ge => encoder.uge(&bits, &k),
            };
            if holds {
                lit
            } else {
                !lit
            }
        }
        Cond::General {
            lhs,
            jump,
            rhs,
            holds,
        } => {
            let (a, b) = (encoder.term(lhs), encoder.term(rhs));
            let lit = match jump {
                op::JEQ => encoder.eq(&a, &b),
                op::JGT => encoder.ugt(&a, &b),
                op::JGE => encoder.uge(&a, &b),
                _ => encoder.any_common(&a, &b),
            };
            if holds {
                lit
            } else {
                !lit
            }
        }
    }
}
