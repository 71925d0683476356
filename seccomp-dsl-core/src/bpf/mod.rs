//! Classic BPF for seccomp: the filter program itself, made by a compiler
//! in Rust, with an emulator to run it and a disassembler to read it.
//!
//! - [`compile()`]: a resolved policy to a program, with libseccomp's
//!   semantics (architecture check, x32 numbers, 64-bit comparisons on both
//!   halves, low halves only on 32-bit ABIs, the kernel's return values) and
//!   a search over ranges of syscall numbers with the same outcome (the
//!   compiler's own parts: `outcome`, the decisions over arguments;
//!   `search`, the shape of a search; `assemble`, layout and jumps);
//! - [`libseccomp_tree`]: how many instructions libseccomp's binary tree
//!   runs to dispatch a syscall, which bounds our search;
//! - [`emulate`]: runs a program on a call, as the kernel does;
//! - [`disasm`]: a readable listing;
//! - [`reference`](mod@reference): what the model says the kernel must answer, written
//!   independently of the compiler so that each checks the other.

pub(crate) mod assemble;
#[cfg(feature = "checks")]
pub mod check;
pub mod compile;
mod condition;
#[cfg(feature = "checks")]
pub mod disasm;
pub mod emulate;
pub mod libseccomp_tree;
mod outcome;
pub mod preset;
#[cfg(feature = "checks")]
pub mod reference;
mod search;

pub use compile::{compile, CompileError};

use crate::model::{Action, SeccompArch};

/// One BPF instruction, laid out as the kernel's `struct sock_filter`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instruction {
    /// The operation.
    pub code: u16,
    /// Instructions to skip when a conditional jump's test holds.
    pub jt: u8,
    /// Instructions to skip when it does not.
    pub jf: u8,
    /// The operand.
    pub k: u32,
}

impl Instruction {
    /// An instruction from its four fields.
    pub const fn new(code: u16, jt: u8, jf: u8, k: u32) -> Instruction {
        Instruction { code, jt, jf, k }
    }
}

/// The kernel's limit on a filter's length (`BPF_MAXINSNS`).
pub const MAX_INSTRUCTIONS: usize = 4096;

/// Operation codes (`code`) this crate emits or runs.
#[allow(missing_docs)]
pub mod op {
    pub const LD: u16 = 0x00;
    pub const LDX: u16 = 0x01;
    pub const ST: u16 = 0x02;
    pub const STX: u16 = 0x03;
    pub const ALU: u16 = 0x04;
    pub const JMP: u16 = 0x05;
    pub const RET: u16 = 0x06;
    pub const MISC: u16 = 0x07;

    pub const W: u16 = 0x00;
    pub const IMM: u16 = 0x00;
    pub const ABS: u16 = 0x20;
    pub const MEM: u16 = 0x60;
    pub const LEN: u16 = 0x80;

    pub const ADD: u16 = 0x00;
    pub const SUB: u16 = 0x10;
    pub const MUL: u16 = 0x20;
    pub const DIV: u16 = 0x30;
    pub const OR: u16 = 0x40;
    pub const AND: u16 = 0x50;
    pub const LSH: u16 = 0x60;
    pub const RSH: u16 = 0x70;
    pub const NEG: u16 = 0x80;
    pub const MOD: u16 = 0x90;
    pub const XOR: u16 = 0xa0;

    pub const JA: u16 = 0x00;
    pub const JEQ: u16 = 0x10;
    pub const JGT: u16 = 0x20;
    pub const JGE: u16 = 0x30;
    pub const JSET: u16 = 0x40;

    pub const K: u16 = 0x00;
    pub const X: u16 = 0x08;
    pub const A: u16 = 0x10;

    pub const TAX: u16 = 0x00;
    pub const TXA: u16 = 0x80;
}

/// Offsets in the kernel's `struct seccomp_data`.
pub mod offset {
    /// `nr`: the syscall number.
    pub const NR: u32 = 0;
    /// `arch`: the `AUDIT_ARCH_*` value of the calling ABI.
    pub const ARCH: u32 = 4;
    /// `instruction_pointer`, low word.
    pub const INSTRUCTION_POINTER: u32 = 8;
    /// The low 32 bits of argument `index` (little-endian ABIs).
    pub const fn arg_low(index: u8) -> u32 {
        16 + 8 * index as u32
    }
    /// The high 32 bits of argument `index` (little-endian ABIs).
    pub const fn arg_high(index: u8) -> u32 {
        arg_low(index) + 4
    }
}

/// The kernel's `SECCOMP_RET_*` values.
#[allow(missing_docs)]
pub mod ret {
    pub const KILL_PROCESS: u32 = 0x8000_0000;
    pub const KILL_THREAD: u32 = 0x0000_0000;
    pub const TRAP: u32 = 0x0003_0000;
    pub const ERRNO: u32 = 0x0005_0000;
    pub const USER_NOTIF: u32 = 0x7fc0_0000;
    pub const TRACE: u32 = 0x7ff0_0000;
    pub const LOG: u32 = 0x7ffc_0000;
    pub const ALLOW: u32 = 0x7fff_0000;
    /// The action bits of a return value.
    pub const ACTION_FULL: u32 = 0xffff_0000;
    /// The data bits (errno, trace message).
    pub const DATA: u32 = 0x0000_ffff;
}

/// What a call gets from an ABI the filter does not cover: libseccomp's
/// default bad-architecture action, `SCMP_ACT_KILL` (the thread).
pub const BAD_ARCH_RETURN: u32 = ret::KILL_THREAD;

pub use crate::tables::abi::{number_bias, X32_SYSCALL_BIT};

/// The filter's return value for `action`.
///
/// ```
/// use seccomp_dsl_core::{bpf, model::Action};
/// assert_eq!(bpf::return_value(Action::Errno(13)), 0x0005_000d);
/// assert_eq!(bpf::return_value(Action::Allow), 0x7fff_0000);
/// ```
pub const fn return_value(action: Action) -> u32 {
    match action {
        Action::Allow => ret::ALLOW,
        Action::Errno(errno) => ret::ERRNO | errno as u32,
        Action::KillThread => ret::KILL_THREAD,
        Action::KillProcess => ret::KILL_PROCESS,
        Action::Trap => ret::TRAP,
        Action::Trace(message) => ret::TRACE | message as u32,
        Action::Log => ret::LOG,
    }
}

/// The `AUDIT_ARCH_*` value the kernel reports for calls through `arch`, for
/// the ABIs the compiler supports (little-endian ones).
pub const fn audit_arch(arch: SeccompArch) -> Option<u32> {
    const BITS_64: u32 = 0x8000_0000;
    const LITTLE_ENDIAN: u32 = 0x4000_0000;
    Some(match arch {
        SeccompArch::X86_64 | SeccompArch::X32 => 62 | BITS_64 | LITTLE_ENDIAN,
        SeccompArch::X86 => 3 | LITTLE_ENDIAN,
        SeccompArch::Aarch64 => 183 | BITS_64 | LITTLE_ENDIAN,
        SeccompArch::Arm => 40 | LITTLE_ENDIAN,
        SeccompArch::Riscv64 => 243 | BITS_64 | LITTLE_ENDIAN,
        SeccompArch::Loongarch64 => 258 | BITS_64 | LITTLE_ENDIAN,
        SeccompArch::Ppc64le => 21 | BITS_64 | LITTLE_ENDIAN,
        _ => return None,
    })
}

/// The ABI of a call the kernel describes with `arch` (an `AUDIT_ARCH_*`
/// value) and `nr`, and its number in that ABI's table: the inverse of
/// [`audit_arch`] and [`number_bias`].
///
/// ```
/// use seccomp_dsl_core::{bpf, model::SeccompArch};
/// assert_eq!(bpf::abi_of(0xc000_003e, 39), Some((SeccompArch::X86_64, 39)));
/// assert_eq!(bpf::abi_of(0xc000_003e, 0x4000_0027), Some((SeccompArch::X32, 39)));
/// assert_eq!(bpf::abi_of(0x4000_0003, 20), Some((SeccompArch::X86, 20)));
/// ```
pub fn abi_of(arch: u32, nr: u32) -> Option<(SeccompArch, u32)> {
    SeccompArch::ALL
        .into_iter()
        .find(|&abi| {
            audit_arch(abi) == Some(arch)
                && (nr & X32_SYSCALL_BIT != 0) == (abi == SeccompArch::X32)
        })
        .map(|abi| (abi, nr & !number_bias(abi)))
}

/// The ABI of a call the kernel describes with `arch` and `nr` (see
/// [`abi_of`]), and the syscall's name where that ABI's table has it.
///
/// ```
/// use seccomp_dsl_core::{bpf, model::SeccompArch};
/// assert_eq!(bpf::syscall_of(0xc000_003e, 39), Some((SeccompArch::X86_64, Some("getpid"))));
/// ```
pub fn syscall_of(arch: u32, nr: u32) -> Option<(SeccompArch, Option<&'static str>)> {
    let (abi, number) = abi_of(arch, nr)?;
    let name = crate::syscalls::by_number(abi.syscall_table(), number).map(|entry| entry.name());
    Some((abi, name))
}
