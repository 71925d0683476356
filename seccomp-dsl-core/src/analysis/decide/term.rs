//! Symbolic 32-bit values: the sixteen words of `seccomp_data` and what a
//! filter computes from them, shared (each distinct value stored once) and
//! simplified where that is exact.

use std::collections::HashMap;

use crate::bpf::emulate::alu;
use crate::bpf::op;

/// A value in [`Terms`].
pub type TermId = u32;

/// The words of `seccomp_data`: `nr`, `arch`, the instruction pointer's
/// halves, and the halves of the six arguments.
pub const WORDS: usize = 16;

/// A symbolic value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Term {
    /// A constant.
    Const(u32),
    /// Word `i` of `seccomp_data` (at byte offset `4 * i`).
    Word(u8),
    /// A 32-bit ALU operation (`op::ADD`, ...; shifts by the second value
    /// modulo 32) of two values.
    Alu(u16, TermId, TermId),
    /// The negation of a value.
    Neg(TermId),
}

/// A value that is one word under constant masks: `((word ^ xor) & mask)
/// | or`, with `xor` inside `mask` and `or` outside it. Comparing it with
/// a constant constrains that word alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Simple {
    /// The word.
    pub word: u8,
    /// Bits flipped before masking.
    pub xor: u32,
    /// Bits of the word that count.
    pub mask: u32,
    /// Bits set whatever the word.
    pub or: u32,
}

impl Simple {
    /// The word itself.
    pub const fn word(word: u8) -> Simple {
        Simple {
            word,
            xor: 0,
            mask: u32::MAX,
            or: 0,
        }
    }

    /// The value for the word's value `w`.
    pub const fn value(&self, w: u32) -> u32 {
        ((w ^ self.xor) & self.mask) | self.or
    }

    /// The value ANDed with `k`.
    pub const fn and(self, k: u32) -> Simple {
        let mask = self.mask & k;
        Simple {
            word: self.word,
            xor: self.xor & mask,
            mask,
            or: self.or & k,
        }
    }

    /// The value ORed with `k`.
    pub const fn or(self, k: u32) -> Simple {
        let mask = self.mask & !k;
        Simple {
            word: self.word,
            xor: self.xor & mask,
            mask,
            or: self.or | k,
        }
    }

    /// The value XORed with `k`.
    pub const fn xor(self, k: u32) -> Simple {
        Simple {
            word: self.word,
            xor: (self.xor ^ k) & self.mask,
            mask: self.mask,
            or: self.or ^ (k & !self.mask),
        }
    }
}

/// Every value made so far, each once.
#[derive(Default)]
pub struct Terms {
    nodes: Vec<Term>,
    index: HashMap<Term, TermId>,
}

impl Terms {
    /// No values yet.
    pub fn new() -> Terms {
        Terms::default()
    }

    fn intern(&mut self, term: Term) -> TermId {
        if let Some(&id) = self.index.get(&term) {
            return id;
        }
        let id = self.nodes.len() as TermId;
        self.nodes.push(term);
        self.index.insert(term, id);
        id
    }

    /// The value `id` stands for.
    pub fn get(&self, id: TermId) -> Term {
        self.nodes[id as usize]
    }

    /// A constant.
    pub fn constant(&mut self, value: u32) -> TermId {
        self.intern(Term::Const(value))
    }

    /// Word `index` of `seccomp_data`.
    pub fn word(&mut self, index: u8) -> TermId {
        self.intern(Term::Word(index))
    }

    /// The constant `id` is, if it is one.
    pub fn value(&self, id: TermId) -> Option<u32> {
        match self.get(id) {
            Term::Const(value) => Some(value),
            _ => None,
        }
    }

    /// `a OP b` for a 32-bit ALU operation other than `NEG`, simplified
    /// where exact. A division (or modulo) by a constant 0 is the caller's
    /// to rule out: the kernel's program returns before it.
    pub fn alu(&mut self, operation: u16, a: TermId, b: TermId) -> TermId {
        let (ka, kb) = (self.value(a), self.value(b));
        if let (Some(x), Some(y)) = (ka, kb) {
            if let Some(value) = alu(operation, x, y) {
                return self.constant(value);
            }
        }
        let commutative = matches!(operation, op::ADD | op::MUL | op::AND | op::OR | op::XOR);
        // Constants on the right.
        let (a, b, kb) = if commutative && ka.is_some() && kb.is_none() {
            (b, a, ka)
        } else {
            (a, b, kb)
        };
        if let Some(k) = kb {
            let shift = matches!(operation, op::LSH | op::RSH);
            match (operation, k) {
                (op::ADD | op::SUB | op::OR | op::XOR, 0) => return a,
                (op::MUL | op::DIV, 1) => return a,
                (op::AND, u32::MAX) => return a,
                (op::AND | op::MUL, 0) => return self.constant(0),
                (op::OR, u32::MAX) => return self.constant(u32::MAX),
                _ if shift && k & 31 == 0 => return a,
                _ => {}
            }
            // Runs of one masking operation fold into one.
            if let Term::Alu(inner, x, y) = self.get(a) {
                if let (true, Some(j)) = (inner == operation, self.value(y)) {
                    let folded = match operation {
                        op::AND => Some(j & k),
                        op::OR => Some(j | k),
                        op::XOR => Some(j ^ k),
                        _ => None,
                    };
                    if let Some(folded) = folded {
                        let folded = self.constant(folded);
                        return self.alu(operation, x, folded);
                    }
                }
            }
        }
        self.intern(Term::Alu(operation, a, b))
    }

    /// `-a`.
    pub fn neg(&mut self, a: TermId) -> TermId {
        match self.value(a) {
            Some(value) => self.constant(value.wrapping_neg()),
            None => self.intern(Term::Neg(a)),
        }
    }

    /// `id` as one word under constant masks, if it is one.
    pub fn simple(&self, id: TermId) -> Option<Simple> {
        match self.get(id) {
            Term::Word(word) => Some(Simple::word(word)),
            Term::Alu(operation, a, b) => {
                let k = self.value(b)?;
                let inner = self.simple(a)?;
                match operation {
                    op::AND => Some(inner.and(k)),
                    op::OR => Some(inner.or(k)),
                    op::XOR => Some(inner.xor(k)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The words `id` depends on, one bit each.
    pub fn words_of(&self, id: TermId) -> u16 {
        match self.get(id) {
            Term::Const(_) => 0,
            Term::Word(word) => 1 << word,
            Term::Alu(_, a, b) => self.words_of(a) | self.words_of(b),
            Term::Neg(a) => self.words_of(a),
        }
    }

    /// The value of `id` when the words hold `words`.
    pub fn eval(&self, id: TermId, words: &[u32; WORDS]) -> u32 {
        match self.get(id) {
            Term::Const(value) => value,
            Term::Word(word) => words[usize::from(word)],
            Term::Alu(operation, a, b) => {
                let (x, y) = (self.eval(a, words), self.eval(b, words));
                // A division by 0 never runs: the path returned before it.
                alu(operation, x, y).unwrap_or(0)
            }
            Term::Neg(a) => self.eval(a, words).wrapping_neg(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_fold_into_one_word_and_evaluate_alike() {
        let mut terms = Terms::new();
        let word = terms.word(4);
        let [k1, k2, k3] = [0xff00_ff00, 0x0f0f_0f0f, 0x1234].map(|k| terms.constant(k));
        let masked = terms.alu(op::AND, word, k1);
        let ored = terms.alu(op::OR, masked, k2);
        let flipped = terms.alu(op::XOR, ored, k3);
        let simple = terms.simple(flipped).expect("one word under masks");
        for w in [0, 1, 0xdead_beef, u32::MAX, 0x8000_1234] {
            let mut words = [0; WORDS];
            words[4] = w;
            let expected = ((w & 0xff00_ff00) | 0x0f0f_0f0f) ^ 0x1234;
            assert_eq!(terms.eval(flipped, &words), expected);
            assert_eq!(simple.value(w), expected);
        }
        let shifted = terms.alu(op::RSH, word, k3);
        assert_eq!(terms.simple(shifted), None);
        assert_eq!(terms.words_of(shifted), 1 << 4);
    }
}
