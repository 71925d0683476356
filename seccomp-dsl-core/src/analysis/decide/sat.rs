//! Bit-vector conditions decided by a SAT solver: each term becomes 32
//! literals (bit-blasting with Tseitin gates) and `batsat`, a CDCL solver
//! in Rust, decides the conjunction. What the per-word search cannot take
//! (arithmetic, one word against another, a returned `A`) comes here.

use std::collections::HashMap;

use batsat::{lbool, Callbacks, Lit, SolverInterface, SolverOpts};

use super::term::{Term, TermId, Terms, WORDS};
use crate::bpf::op;

/// 32 literals, the lowest bit first.
pub type Bits = [Lit; 32];

/// Stops the solver past a number of conflicts.
struct Budget {
    conflicts: u64,
    limit: u64,
}

impl Callbacks for Budget {
    fn on_new_clause(&mut self, _: &[Lit], kind: batsat::ClauseKind) {
        if kind == batsat::ClauseKind::Learnt {
            self.conflicts += 1;
        }
    }

    fn stop(&self) -> bool {
        self.conflicts > self.limit
    }
}

/// The solver gave up within its budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GaveUp;

/// A conjunction of conditions being built, then decided.
pub struct Encoder<'t> {
    solver: batsat::Solver<Budget>,
    terms: &'t Terms,
    truth: Lit,
    words: [Option<Bits>; WORDS],
    blasted: HashMap<TermId, Bits>,
}

impl<'t> Encoder<'t> {
    /// An empty conjunction over `terms`, decided within `conflicts`.
    pub fn new(terms: &'t Terms, conflicts: u64) -> Encoder<'t> {
        let mut solver = batsat::Solver::new(
            SolverOpts::default(),
            Budget {
                conflicts: 0,
                limit: conflicts,
            },
        );
        let truth = Lit::new(solver.new_var_default(), true);
        solver.add_clause_reuse(&mut vec![truth]);
        Encoder {
            solver,
            terms,
            truth,
            words: [None; WORDS],
            blasted: HashMap::new(),
        }
    }

    fn fresh(&mut self) -> Lit {
        Lit::new(self.solver.new_var_default(), true)
    }

    fn clause(&mut self, literals: &[Lit]) {
        self.solver.add_clause_reuse(&mut literals.to_vec());
    }

    /// A literal that is `value`.
    pub fn bit(&self, value: bool) -> Lit {
        if value {
            self.truth
        } else {
            !self.truth
        }
    }

    fn known(&self, lit: Lit) -> Option<bool> {
        if lit == self.truth {
            Some(true)
        } else if lit == !self.truth {
            Some(false)
        } else {
            None
        }
    }

    /// The constant `value`.
    pub fn constant(&self, value: u32) -> Bits {
        std::array::from_fn(|i| self.bit(value >> i & 1 == 1))
    }

    /// Requires `lit` to hold.
    pub fn require(&mut self, lit: Lit) {
        self.clause(&[lit]);
    }

    /// `a AND b`.
    pub fn and(&mut self, a: Lit, b: Lit) -> Lit {
        match (self.known(a), self.known(b)) {
            (Some(false), _) | (_, Some(false)) => return self.bit(false),
            (Some(true), _) => return b,
            (_, Some(true)) => return a,
            _ => {}
        }
        if a == b {
            return a;
        }
        if a == !b {
            return self.bit(false);
        }
        let out = self.fresh();
        self.clause(&[!out, a]);
        self.clause(&[!out, b]);
        self.clause(&[out, !a, !b]);
        out
    }

    /// `a OR b`.
    pub fn or(&mut self, a: Lit, b: Lit) -> Lit {
        !self.and(!a, !b)
    }

    /// `a XOR b`.
    pub fn xor(&mut self, a: Lit, b: Lit) -> Lit {
        match (self.known(a), self.known(b)) {
            (Some(x), _) => return if x { !b } else { b },
            (_, Some(y)) => return if y { !a } else { a },
            _ => {}
        }
        if a == b {
            return self.bit(false);
        }
        if a == !b {
            return self.bit(true);
        }
        let out = self.fresh();
        self.clause(&[!out, a, b]);
        self.clause(&[!out, !a, !b]);
        self.clause(&[out, !a, b]);
        self.clause(&[out, a, !b]);
        out
    }

    /// `if s { a } else { b }`.
    pub fn mux(&mut self, s: Lit, a: Lit, b: Lit) -> Lit {
        match self.known(s) {
            Some(true) => return a,
            Some(false) => return b,
            None => {}
        }
        if a == b {
            return a;
        }
        let (x, y) = (self.and(s, a), self.and(!s, b));
        self.or(x, y)
    }

    /// Bitwise `if s { a } else { b }`.
    pub fn mux_bits(&mut self, s: Lit, a: &Bits, b: &Bits) -> Bits {
        let mut out = *a;
        for i in 0..32 {
            out[i] = self.mux(s, a[i], b[i]);
        }
        out
    }

    fn add_with(&mut self, a: &Bits, b: &Bits, carry_in: Lit) -> Bits {
        let mut carry = carry_in;
        let mut out = *a;
        for i in 0..32 {
            let half = self.xor(a[i], b[i]);
            out[i] = self.xor(half, carry);
            let (both, carried) = (self.and(a[i], b[i]), self.and(half, carry));
            carry = self.or(both, carried);
        }
        out
    }

    /// `a + b`, wrapping.
    pub fn add(&mut self, a: &Bits, b: &Bits) -> Bits {
        let zero = self.bit(false);
        self.add_with(a, b, zero)
    }

    /// `a - b`, wrapping.
    pub fn sub(&mut self, a: &Bits, b: &Bits) -> Bits {
        let inverted = b.map(|lit| !lit);
        let one = self.bit(true);
        self.add_with(a, &inverted, one)
    }

    /// `a * b`, wrapping: a sum of `a` shifted by each set bit of `b`.
    pub fn mul(&mut self, a: &Bits, b: &Bits) -> Bits {
        let mut sum = self.constant(0);
        for shift in 0..32 {
            if self.known(b[shift]) == Some(false) {
                continue;
            }
            let mut row = self.constant(0);
            for i in shift..32 {
                row[i] = self.and(a[i - shift], b[shift]);
            }
            sum = self.add(&sum, &row);
        }
        sum
    }

    /// `(a / b, a % b)` for `b != 0` (a path with `b == 0` returned before
    /// the division): long division, one bit of the quotient a step.
    pub fn divide(&mut self, a: &Bits, b: &Bits) -> (Bits, Bits) {
        let mut quotient = self.constant(0);
        let mut remainder = self.constant(0);
        for i in (0..32).rev() {
            // remainder = remainder << 1 | a[i], on 33 bits.
            let overflow = remainder[31];
            let mut shifted = self.constant(0);
            shifted[0] = a[i];
            shifted[1..32].copy_from_slice(&remainder[..31]);
            let fits = self.uge(&shifted, b);
            let take = self.or(overflow, fits);
            let less = self.sub(&shifted, b);
            remainder = self.mux_bits(take, &less, &shifted);
            quotient[i] = take;
        }
        (quotient, remainder)
    }

    /// `a << (b % 32)` (`left`) or `a >> (b % 32)`.
    pub fn shift(&mut self, a: &Bits, b: &Bits, left: bool) -> Bits {
        let mut value = *a;
        for (stage, &amount_bit) in b.iter().take(5).enumerate() {
            let by = 1usize << stage;
            let zero = self.bit(false);
            let moved: Bits = std::array::from_fn(|i| {
                let from = if left {
                    i.checked_sub(by)
                } else {
                    i.checked_add(by)
                };
                from.and_then(|from| value.get(from).copied())
                    .unwrap_or(zero)
            });
            value = self.mux_bits(amount_bit, &moved, &value);
        }
        value
    }

    /// Whether `a == b`.
    pub fn eq(&mut self, a: &Bits, b: &Bits) -> Lit {
        let mut all = self.bit(true);
        for i in 0..32 {
            let same = !self.xor(a[i], b[i]);
            all = self.and(all, same);
        }
        all
    }

    /// Whether `a > b`, unsigned.
    pub fn ugt(&mut self, a: &Bits, b: &Bits) -> Lit {
        // From the lowest bit up: greater so far, decided by the highest
        // bit that differs.
        let mut greater = self.bit(false);
        for i in 0..32 {
            let differ = self.xor(a[i], b[i]);
            greater = self.mux(differ, a[i], greater);
        }
        greater
    }

    /// Whether `a >= b`, unsigned.
    pub fn uge(&mut self, a: &Bits, b: &Bits) -> Lit {
        !self.ugt(b, a)
    }

    /// Whether `a & b != 0`.
    pub fn any_common(&mut self, a: &Bits, b: &Bits) -> Lit {
        let mut any = self.bit(false);
        for i in 0..32 {
            let both = self.and(a[i], b[i]);
            any = self.or(any, both);
        }
        any
    }

    /// The literals of word `index` of `seccomp_data`.
    pub fn word(&mut self, index: u8) -> Bits {
        if let Some(bits) = self.words[usize::from(index)] {
            return bits;
        }
        let bits: Bits = std::array::from_fn(|_| Lit::new(self.solver.new_var_default(), true));
        self.words[usize::from(index)] = Some(bits);
        bits
    }

    /// The literals of term `id`.
    pub fn term(&mut self, id: TermId) -> Bits {
        if let Some(bits) = self.blasted.get(&id) {
            return *bits;
        }
        let bits = match self.terms.get(id) {
            Term::Const(value) => self.constant(value),
            Term::Word(index) => self.word(index),
            Term::Neg(a) => {
                let (zero, a) = (self.constant(0), self.term(a));
                self.sub(&zero, &a)
            }
            Term::Alu(operation, a, b) => {
                let (a, b) = (self.term(a), self.term(b));
                match operation {
                    op::ADD => self.add(&a, &b),
                    op::SUB => self.sub(&a, &b),
                    op::MUL => self.mul(&a, &b),
                    op::DIV => self.divide(&a, &b).0,
                    op::MOD => self.divide(&a, &b).1,
                    op::AND => std::array::from_fn(|i| self.and(a[i], b[i])),
                    op::OR => std::array::from_fn(|i| self.or(a[i], b[i])),
                    op::XOR => std::array::from_fn(|i| self.xor(a[i], b[i])),
                    op::LSH => self.shift(&a, &b, true),
                    op::RSH => self.shift(&a, &b, false),
                    _ => unreachable!("terms hold ALU operations only"),
                }
            }
        };
        self.blasted.insert(id, bits);
        bits
    }

    /// Decides the conjunction: the words' values in a model (0 for a
    /// word no condition reads), `None` when there is none.
    pub fn solve(&mut self) -> Result<Option<[u32; WORDS]>, GaveUp> {
        let answer = self.solver.solve_limited(&[]);
        if answer == lbool::FALSE {
            return Ok(None);
        }
        if answer != lbool::TRUE {
            return Err(GaveUp);
        }
        let mut words = [0u32; WORDS];
        for (value, bits) in words.iter_mut().zip(&self.words) {
            if let Some(bits) = bits {
                *value = (0..32).fold(0, |value, i| {
                    let set = self.solver.value_lit(bits[i]) == lbool::TRUE;
                    value | (u32::from(set) << i)
                });
            }
        }
        Ok(Some(words))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each operation's circuit, against the kernel's ALU, on values the
    /// solver is asked to find: `op(x, k) == expected` with `x` free must
    /// give back an `x` the ALU agrees with.
    #[test]
    fn circuits_compute_what_the_alu_computes() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u32
        };
        let operations = [
            op::ADD,
            op::SUB,
            op::MUL,
            op::DIV,
            op::MOD,
            op::AND,
            op::OR,
            op::XOR,
            op::LSH,
            op::RSH,
        ];
        for round in 0..200 {
            let operation = operations[round % operations.len()];
            let (x, mut y) = (next(), next() >> (round % 32));
            if y == 0 {
                y = 3;
            }
            let expected = crate::bpf::emulate::alu(operation, x, y).unwrap();
            let mut terms = Terms::new();
            let (word0, word1) = (terms.word(0), terms.word(1));
            let result = terms.alu(operation, word0, word1);
            let mut encoder = Encoder::new(&terms, 1_000_000);
            let (bits, k) = (encoder.term(result), encoder.constant(expected));
            let (w1, want_y) = (encoder.word(1), encoder.constant(y));
            let same = encoder.eq(&bits, &k);
            encoder.require(same);
            let pinned = encoder.eq(&w1, &want_y);
            encoder.require(pinned);
            let words = encoder.solve().unwrap().expect("x itself is a solution");
            assert_eq!(
                crate::bpf::emulate::alu(operation, words[0], y),
                Some(expected),
                "{operation:#x}"
            );
            // And no value of x gives another answer than the ALU's.
            let mut encoder = Encoder::new(&terms, 1_000_000);
            let (bits, w0, w1) = (encoder.term(result), encoder.word(0), encoder.word(1));
            let (want_x, want_y, k) = (
                encoder.constant(x),
                encoder.constant(y),
                encoder.constant(expected),
            );
            let pinned_x = encoder.eq(&w0, &want_x);
            let pinned_y = encoder.eq(&w1, &want_y);
            let same = encoder.eq(&bits, &k);
            encoder.require(pinned_x);
            encoder.require(pinned_y);
            encoder.require(!same);
            assert_eq!(encoder.solve(), Ok(None), "{operation:#x}");
        }
    }
}
