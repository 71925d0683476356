//! Whether the kernel accepts a program as a seccomp filter, as
//! `bpf_check_classic` and `check_load_and_stores` (net/core/filter.c) and
//! `seccomp_check_filter` (kernel/seccomp.c) decide it: what a filter read
//! from a file must pass before anything is said about what it does.

use std::fmt;

use super::{op, Instruction, MAX_INSTRUCTIONS};

/// Why the kernel refuses a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The instruction refused, where one is.
    pub at: Option<usize>,
    /// Why.
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => write!(f, "instruction {at}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for Refusal {}

/// The operation codes `seccomp_check_filter` lets through (after
/// rewriting `LD|W|ABS` and `LEN`): no `MOD`, no byte or half-word loads,
/// no indirect loads.
const ACCEPTED: [u16; 41] = [
    op::LD | op::W | op::ABS,
    op::LD | op::W | op::LEN,
    op::LDX | op::W | op::LEN,
    op::RET | op::K,
    op::RET | op::A,
    op::ALU | op::ADD | op::K,
    op::ALU | op::ADD | op::X,
    op::ALU | op::SUB | op::K,
    op::ALU | op::SUB | op::X,
    op::ALU | op::MUL | op::K,
    op::ALU | op::MUL | op::X,
    op::ALU | op::DIV | op::K,
    op::ALU | op::DIV | op::X,
    op::ALU | op::AND | op::K,
    op::ALU | op::AND | op::X,
    op::ALU | op::OR | op::K,
    op::ALU | op::OR | op::X,
    op::ALU | op::XOR | op::K,
    op::ALU | op::XOR | op::X,
    op::ALU | op::LSH | op::K,
    op::ALU | op::LSH | op::X,
    op::ALU | op::RSH | op::K,
    op::ALU | op::RSH | op::X,
    op::ALU | op::NEG,
    op::LD | op::IMM,
    op::LDX | op::IMM,
    op::MISC | op::TAX,
    op::MISC | op::TXA,
    op::LD | op::MEM,
    op::LDX | op::MEM,
    op::ST,
    op::STX,
    op::JMP | op::JA,
    op::JMP | op::JEQ | op::K,
    op::JMP | op::JEQ | op::X,
    op::JMP | op::JGE | op::K,
    op::JMP | op::JGE | op::X,
    op::JMP | op::JGT | op::K,
    op::JMP | op::JGT | op::X,
    op::JMP | op::JSET | op::K,
    op::JMP | op::JSET | op::X,
];

/// Scratch memory words (`BPF_MEMWORDS`).
pub const MEMORY_WORDS: u32 = 16;

/// `Ok` where the kernel would load `program` as a seccomp filter; the
/// first reason it would refuse it otherwise.
///
/// ```
/// use seccomp_dsl_core::bpf::{check::accepted, Instruction};
/// let allow = Instruction::new(0x06, 0, 0, 0x7fff_0000);
/// assert!(accepted(&[allow]).is_ok());
/// // `mod` is classic BPF, but not in a seccomp filter.
/// let modulo = Instruction::new(0x94, 0, 0, 3);
/// assert_eq!(accepted(&[modulo, allow]).unwrap_err().at, Some(0));
/// ```
pub fn accepted(program: &[Instruction]) -> Result<(), Refusal> {
    let refuse = |at: Option<usize>, reason: String| Err(Refusal { at, reason });
    if program.is_empty() || program.len() > MAX_INSTRUCTIONS {
        return refuse(
            None,
            format!(
                "{} instructions: a filter has 1 to {MAX_INSTRUCTIONS}",
                program.len()
            ),
        );
    }
    let length = program.len();
    for (pc, &Instruction { code, jt, jf, k }) in program.iter().enumerate() {
        if !ACCEPTED.contains(&code) {
            return refuse(
                Some(pc),
                format!("operation {code:#06x} is not allowed in a seccomp filter"),
            );
        }
        let problem = match code {
            c if c == op::LD | op::W | op::ABS && (k >= 64 || k % 4 != 0) => Some(format!(
                "load from offset {k}, not an aligned word of seccomp_data"
            )),
            c if (c == op::ALU | op::DIV | op::K) && k == 0 => {
                Some("division by the constant 0".to_string())
            }
            c if (c == op::ALU | op::LSH | op::K || c == op::ALU | op::RSH | op::K) && k >= 32 => {
                Some(format!("shift by {k}, 32 or more"))
            }
            c if matches!(c, op::ST | op::STX)
                || c == op::LD | op::MEM
                || c == op::LDX | op::MEM =>
            {
                (k >= MEMORY_WORDS).then(|| format!("scratch memory word {k} does not exist"))
            }
            c if c == op::JMP | op::JA => {
                (u64::from(k) + 1 >= (length - pc) as u64).then(|| "jump past the end".to_string())
            }
            c if c & 0x07 == op::JMP => (pc + usize::from(jt.max(jf)) + 1 >= length)
                .then(|| "jump past the end".to_string()),
            _ => None,
        };
        if let Some(reason) = problem {
            return refuse(Some(pc), reason);
        }
    }
    if program[length - 1].code & 0x07 != op::RET {
        return refuse(
            Some(length - 1),
            "the last instruction is not a return".into(),
        );
    }
    loads_after_stores(program)
}

/// `check_load_and_stores`: no path reads a word of scratch memory before
/// writing it.
fn loads_after_stores(program: &[Instruction]) -> Result<(), Refusal> {
    let mut masks = vec![u16::MAX; program.len()];
    let mut valid: u16 = 0;
    for (pc, &Instruction { code, jt, jf, k }) in program.iter().enumerate() {
        valid &= masks[pc];
        match code {
            op::ST | op::STX => valid |= 1 << k,
            c if (c == op::LD | op::MEM || c == op::LDX | op::MEM) && valid & (1 << k) == 0 => {
                return Err(Refusal {
                    at: Some(pc),
                    reason: format!("scratch memory word {k} is read before it is written"),
                });
            }
            c if c == op::JMP | op::JA => {
                masks[pc + 1 + k as usize] &= valid;
                valid = u16::MAX;
            }
            c if c & 0x07 == op::JMP => {
                masks[pc + 1 + usize::from(jt)] &= valid;
                masks[pc + 1 + usize::from(jf)] &= valid;
                valid = u16::MAX;
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ret(k: u32) -> Instruction {
        Instruction::new(op::RET | op::K, 0, 0, k)
    }

    #[test]
    fn the_kernels_refusals() {
        let refused = |program: &[Instruction]| accepted(program).unwrap_err();
        assert!(refused(&[]).at.is_none());
        // An unaligned load, one past seccomp_data, a byte load.
        for load in [
            Instruction::new(op::LD | op::W | op::ABS, 0, 0, 2),
            Instruction::new(op::LD | op::W | op::ABS, 0, 0, 64),
            Instruction::new(op::LD | 0x10 | op::ABS, 0, 0, 0),
        ] {
            assert_eq!(refused(&[load, ret(0)]).at, Some(0));
        }
        let divide_by_zero = Instruction::new(op::ALU | op::DIV | op::K, 0, 0, 0);
        assert_eq!(refused(&[divide_by_zero, ret(0)]).at, Some(0));
        let shift = Instruction::new(op::ALU | op::LSH | op::K, 0, 0, 32);
        assert_eq!(refused(&[shift, ret(0)]).at, Some(0));
        let jump_out = Instruction::new(op::JMP | op::JEQ | op::K, 1, 0, 0);
        assert_eq!(refused(&[jump_out, ret(0)]).at, Some(0));
        let no_return = Instruction::new(op::LD | op::IMM, 0, 0, 0);
        assert_eq!(refused(&[no_return]).at, Some(0));
        // M[0] read on the path that skips the store.
        let skips_store = [
            Instruction::new(op::JMP | op::JEQ | op::K, 0, 1, 0),
            Instruction::new(op::ST, 0, 0, 0),
            Instruction::new(op::LD | op::MEM, 0, 0, 0),
            Instruction::new(op::RET | op::A, 0, 0, 0),
        ];
        assert_eq!(refused(&skips_store).at, Some(2));
        let stores_first = [
            Instruction::new(op::ST, 0, 0, 0),
            Instruction::new(op::JMP | op::JEQ | op::K, 0, 0, 0),
            Instruction::new(op::LD | op::MEM, 0, 0, 0),
            Instruction::new(op::RET | op::A, 0, 0, 0),
        ];
        assert_eq!(accepted(&stores_first), Ok(()));
    }
}
