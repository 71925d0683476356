//! libseccomp's known errors: the ways a program libseccomp built decides a
//! call otherwise than the model, each found by the differential test
//! (`tests/bpf.rs`, which documents them) and named by the real-engine
//! suite in the filters runc loaded.

use std::collections::BTreeSet;

use seccomp_dsl::bpf::emulate::{run, SeccompData};
use seccomp_dsl::bpf::{self, audit_arch, op, Instruction, X32_SYSCALL_BIT};
use seccomp_dsl::model::{Resolved, SeccompArch};
use seccomp_dsl::syscalls;

/// Which known error of libseccomp's makes `program` (built by libseccomp
/// for `resolved`, perhaps behind runc's stub) answer `data` with
/// `theirs`, where the model answers otherwise; `None` for an unknown
/// difference. `knows`: whether that libseccomp can name a syscall on an
/// ABI.
pub fn known_error(
    program: &[Instruction],
    resolved: &Resolved<'_>,
    data: &SeccompData,
    theirs: u32,
    knows: impl Fn(&str, SeccompArch) -> bool,
) -> Option<&'static str> {
    let nr = data.nr as u32;
    let name_on = |abi: SeccompArch| {
        let number = nr & !bpf::number_bias(abi);
        syscalls::by_number(abi.syscall_table(), number).map(|s| s.name())
    };
    let on_this_arch =
        || (resolved.architectures.iter()).filter(|&&abi| audit_arch(abi) == Some(data.arch));
    if on_this_arch()
        .filter_map(|&abi| name_on(abi).map(|name| (name, abi)))
        .any(|(name, abi)| !knows(name, abi))
    {
        Some("libseccomp_does_not_know_the_syscall")
    } else if passes_a_stale_accumulator(program, data) {
        Some("libseccomp_compares_a_stale_accumulator")
    } else if nr & X32_SYSCALL_BIT != 0
        && audit_arch(SeccompArch::X32) == Some(data.arch)
        && name_on(SeccompArch::X32).is_some_and(|name| {
            // libseccomp counts x32 a 32-bit ABI, as x86.
            let as_x86 = resolved.decide_on(SeccompArch::X86, name, &data.args);
            theirs == bpf::return_value(as_x86)
        })
    {
        Some("libseccomp_compares_low_words_only_on_x32")
    } else {
        None
    }
}

/// Whether running `program` on `data` passes a conditional jump that
/// paths with different loads reach (so the accumulator it tests depends on
/// the path taken). Every jump goes forward, so one pass in order finds
/// each instruction's possible loads.
pub fn passes_a_stale_accumulator(program: &[Instruction], data: &SeccompData) -> bool {
    let mut loads: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); program.len() + 1];
    loads[0].insert(u32::MAX);
    for (pc, instruction) in program.iter().enumerate() {
        let reaching = loads[pc].clone();
        let leaving = if instruction.code == op::LD | op::W | op::ABS {
            [instruction.k].into()
        } else {
            reaching
        };
        let successors: Vec<usize> = match instruction.code & 0x07 {
            op::RET => vec![],
            op::JMP if instruction.code & 0xf0 == op::JA => vec![pc + 1 + instruction.k as usize],
            op::JMP => vec![
                pc + 1 + usize::from(instruction.jt),
                pc + 1 + usize::from(instruction.jf),
            ],
            _ => vec![pc + 1],
        };
        for next in successors {
            loads[next.min(program.len())].extend(leaving.iter().copied());
        }
    }
    // Follow the input's path.
    let mut pc = 0;
    loop {
        let instruction = program[pc];
        match instruction.code & 0x07 {
            op::RET => return false,
            op::JMP if instruction.code & 0xf0 == op::JA => pc += 1 + instruction.k as usize,
            op::JMP => {
                if loads[pc].len() > 1 {
                    return true;
                }
                let (value, accumulator) = (instruction.k, last_loaded(program, pc, data));
                let taken = match instruction.code & 0xf0 {
                    op::JEQ => accumulator == value,
                    op::JGT => accumulator > value,
                    op::JGE => accumulator >= value,
                    _ => accumulator & value != 0,
                };
                pc += 1 + usize::from(if taken {
                    instruction.jt
                } else {
                    instruction.jf
                });
            }
            _ => pc += 1,
        }
    }
}

/// The accumulator at `pc` on `data`'s path: rerun from the start.
fn last_loaded(program: &[Instruction], pc: usize, data: &SeccompData) -> u32 {
    // Truncate the program at `pc` with `ret a` to read the accumulator.
    let mut prefix = program[..pc].to_vec();
    prefix.push(Instruction::new(op::RET | op::A, 0, 0, 0));
    run(&prefix, data).unwrap_or(0)
}
