//! Runs a classic BPF program on a syscall, as the kernel's seccomp does:
//! every instruction the kernel accepts in a filter, over a
//! `struct seccomp_data`.

use std::fmt;

use super::{op, Instruction};

/// The kernel's `struct seccomp_data`: what a filter reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeccompData {
    /// The syscall number.
    pub nr: i32,
    /// The `AUDIT_ARCH_*` value of the calling ABI.
    pub arch: u32,
    /// Where the call was made.
    pub instruction_pointer: u64,
    /// The six arguments.
    pub args: [u64; 6],
}

impl SeccompData {
    /// The 32-bit word at byte `offset`, as a little-endian machine lays
    /// the struct out; `None` past its end or unaligned.
    pub fn word(&self, offset: u32) -> Option<u32> {
        let low = |value: u64| value as u32;
        let high = |value: u64| (value >> 32) as u32;
        Some(match offset {
            0 => self.nr as u32,
            4 => self.arch,
            8 => low(self.instruction_pointer),
            12 => high(self.instruction_pointer),
            16..=60 if offset % 4 == 0 => {
                let arg = self.args[((offset - 16) / 8) as usize];
                if offset % 8 == 0 {
                    low(arg)
                } else {
                    high(arg)
                }
            }
            _ => return None,
        })
    }
}

/// A program the kernel would have refused, found while running it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmulateError {
    /// Ran past the last instruction without returning.
    FellOffTheEnd,
    /// A load outside `struct seccomp_data`, or unaligned.
    BadLoad(u32),
    /// An instruction seccomp does not accept.
    BadInstruction(usize, u16),
    /// A jump past the end of the program.
    BadJump(usize),
}

impl fmt::Display for EmulateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmulateError::FellOffTheEnd => f.write_str("the program ends without returning"),
            EmulateError::BadLoad(offset) => {
                write!(f, "load from offset {offset} outside seccomp_data")
            }
            EmulateError::BadInstruction(at, code) => {
                write!(f, "instruction {at}: code {code:#06x} is not allowed")
            }
            EmulateError::BadJump(at) => write!(f, "instruction {at}: jump past the end"),
        }
    }
}

impl std::error::Error for EmulateError {}

/// What the kernel's 32-bit ALU makes of `a` and `operand` (`K` or `X`)
/// for operation `operation` (`code & 0xf0`); `None` for a division by
/// zero and for an operation that does not exist.
///
/// As `kernel/bpf/core.c` runs it: shifts take the amount modulo 32 (the
/// kernel refuses a constant amount of 32 or more), arithmetic wraps.
///
/// ```
/// use seccomp_dsl_core::bpf::{emulate::alu, op};
/// assert_eq!(alu(op::LSH, 1, 33), Some(2));
/// assert_eq!(alu(op::DIV, 7, 0), None);
/// assert_eq!(alu(op::NEG, 1, 0), Some(u32::MAX));
/// ```
pub const fn alu(operation: u16, a: u32, operand: u32) -> Option<u32> {
    Some(match operation {
        op::ADD => a.wrapping_add(operand),
        op::SUB => a.wrapping_sub(operand),
        op::MUL => a.wrapping_mul(operand),
        op::DIV => match a.checked_div(operand) {
            Some(value) => value,
            None => return None,
        },
        op::MOD => match a.checked_rem(operand) {
            Some(value) => value,
            None => return None,
        },
        op::OR => a | operand,
        op::AND => a & operand,
        op::XOR => a ^ operand,
        op::LSH => a << (operand & 31),
        op::RSH => a >> (operand & 31),
        op::NEG => a.wrapping_neg(),
        _ => return None,
    })
}

/// The program's return value for `data`.
///
/// ```
/// use seccomp_dsl_core::bpf::{emulate::{run, SeccompData}, Instruction};
/// let allow_all = [Instruction::new(0x06, 0, 0, 0x7fff_0000)];
/// assert_eq!(run(&allow_all, &SeccompData::default()), Ok(0x7fff_0000));
/// ```
pub fn run(program: &[Instruction], data: &SeccompData) -> Result<u32, EmulateError> {
    run_counting(program, data).map(|(value, _)| value)
}

/// The program's return value for `data`, and how many instructions ran.
pub fn run_counting(
    program: &[Instruction],
    data: &SeccompData,
) -> Result<(u32, usize), EmulateError> {
    run_observing(program, data, |_| {})
}

/// [`run_counting`], telling `loaded` the offset in `seccomp_data` of
/// each word the program loads on its way.
///
/// ```
/// use seccomp_dsl_core::bpf::{emulate::{run_observing, SeccompData}, Instruction};
/// let load_arg0_low = Instruction::new(0x20, 0, 0, 16);
/// let return_it = Instruction::new(0x16, 0, 0, 0);
/// let mut offsets = Vec::new();
/// let data = SeccompData { args: [7, 0, 0, 0, 0, 0], ..SeccompData::default() };
/// let result = run_observing(&[load_arg0_low, return_it], &data, |offset| offsets.push(offset));
/// assert_eq!(result, Ok((7, 2)));
/// assert_eq!(offsets, [16]);
/// ```
pub fn run_observing(
    program: &[Instruction],
    data: &SeccompData,
    mut loaded: impl FnMut(u32),
) -> Result<(u32, usize), EmulateError> {
    let (mut a, mut x) = (0u32, 0u32);
    let mut memory = [0u32; 16];
    let mut pc = 0usize;
    let mut executed = 0usize;
    loop {
        let Some(&Instruction { code, jt, jf, k }) = program.get(pc) else {
            return Err(EmulateError::FellOffTheEnd);
        };
        executed += 1;
        let bad = || EmulateError::BadInstruction(pc, code);
        let mut next = pc + 1;
        match code & 0x07 {
            op::LD | op::LDX => {
                let value = match code & 0xe0 {
                    op::ABS if code & 0x18 == op::W => {
                        loaded(k);
                        data.word(k).ok_or(EmulateError::BadLoad(k))?
                    }
                    op::IMM => k,
                    op::MEM => *memory.get(k as usize).ok_or_else(bad)?,
                    op::LEN => 64,
                    _ => return Err(bad()),
                };
                if code & 0x07 == op::LD {
                    a = value;
                } else {
                    x = value;
                }
            }
            op::ST => *memory.get_mut(k as usize).ok_or_else(bad)? = a,
            op::STX => *memory.get_mut(k as usize).ok_or_else(bad)? = x,
            op::ALU => {
                let operand = if code & op::X != 0 { x } else { k };
                a = match alu(code & 0xf0, a, operand) {
                    Some(value) => value,
                    // The kernel runs a classic program converted to eBPF,
                    // which returns 0 (kill_thread) on a division by zero
                    // (`bpf_convert_filter`); it refuses a constant 0.
                    None if matches!(code & 0xf0, op::DIV | op::MOD) => return Ok((0, executed)),
                    None => return Err(bad()),
                };
            }
            op::JMP => {
                let operand = if code & op::X != 0 { x } else { k };
                let skip = match code & 0xf0 {
                    op::JA => k as usize,
                    op::JEQ => usize::from(if a == operand { jt } else { jf }),
                    op::JGT => usize::from(if a > operand { jt } else { jf }),
                    op::JGE => usize::from(if a >= operand { jt } else { jf }),
                    op::JSET => usize::from(if a & operand != 0 { jt } else { jf }),
                    _ => return Err(bad()),
                };
                next = pc + 1 + skip;
                if next >= program.len() {
                    return Err(EmulateError::BadJump(pc));
                }
            }
            op::RET => {
                let value = match code & 0x18 {
                    op::K => k,
                    op::A => a,
                    _ => return Err(bad()),
                };
                return Ok((value, executed));
            }
            op::MISC => match code & 0xf8 {
                op::TAX => x = a,
                op::TXA => a = x,
                _ => return Err(bad()),
            },
            _ => return Err(bad()),
        }
        pc = next;
    }
}
