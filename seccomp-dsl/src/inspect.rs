//! The filters a running process is under, as the kernel hands them out
//! (`PTRACE_SECCOMP_GET_FILTER`, which needs CAP_SYS_ADMIN), and what they
//! decide together.

use std::io;

use seccomp_dsl_core::bpf::emulate::{run, SeccompData};
use seccomp_dsl_core::bpf::Instruction;

/// `PTRACE_SECCOMP_GET_FILTER` (linux/ptrace.h).
const PTRACE_SECCOMP_GET_FILTER: libc::c_uint = 0x420c;

/// The filters process `pid` is under, the most recently loaded first (the
/// order the kernel numbers them in). The process is stopped for the time
/// it takes to read them, and left as it was.
pub fn filters_of(pid: i32) -> io::Result<Vec<Vec<Instruction>>> {
    let ptrace = |request: libc::c_uint, data: usize, address: *mut libc::c_void| {
        // SAFETY: ptrace requests on a process this function attached;
        // `address` is null or a buffer of the size the kernel reported.
        unsafe { libc::ptrace(request, pid, data, address) }
    };
    if ptrace(libc::PTRACE_SEIZE, 0, std::ptr::null_mut()) != 0
        || ptrace(libc::PTRACE_INTERRUPT, 0, std::ptr::null_mut()) != 0
    {
        return Err(io::Error::last_os_error());
    }
    let mut status = 0;
    // SAFETY: waits for the stop PTRACE_INTERRUPT asked of the tracee.
    unsafe { libc::waitpid(pid, &mut status, libc::__WALL) };
    let mut filters = Vec::new();
    let result = loop {
        let length = ptrace(
            PTRACE_SECCOMP_GET_FILTER,
            filters.len(),
            std::ptr::null_mut(),
        );
        if length < 0 {
            let error = io::Error::last_os_error();
            // ENOENT: no filter at that index; EINVAL: none at all.
            match error.raw_os_error() {
                Some(libc::ENOENT) => break Ok(()),
                Some(libc::EINVAL) if filters.is_empty() => break Ok(()),
                _ => break Err(error),
            }
        }
        let mut program = vec![Instruction::new(0, 0, 0, 0); length as usize];
        let index = filters.len();
        if ptrace(
            PTRACE_SECCOMP_GET_FILTER,
            index,
            program.as_mut_ptr().cast(),
        ) < 0
        {
            break Err(io::Error::last_os_error());
        }
        filters.push(program);
    };
    ptrace(libc::PTRACE_DETACH, 0, std::ptr::null_mut());
    result.map(|()| filters)
}

/// What the kernel answers a call with under every one of `filters`: the
/// answer of highest precedence (a kill over an errno over an allow, ...),
/// the most recent filter's among equals.
pub fn decide(filters: &[Vec<Instruction>], data: &SeccompData) -> u32 {
    let precedence = |value: u32| (value & libc::SECCOMP_RET_ACTION_FULL) as i32;
    let mut answer = libc::SECCOMP_RET_ALLOW;
    for filter in filters {
        // A program the kernel accepted runs to a return.
        let value = run(filter, data).unwrap_or(libc::SECCOMP_RET_KILL_PROCESS);
        if precedence(value) < precedence(answer) {
            answer = value;
        }
    }
    answer
}

/// A call the process's filters answer unlike the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The call, as the filters are given it.
    pub data: SeccompData,
    /// What the process's filters answer.
    pub process: u32,
    /// What the policy answers.
    pub policy: u32,
}

/// Whether `filters` decide every class of input as `resolved` does: the
/// classes of the policy's comparisons, and each constant the filters
/// compare an argument word with, on every number of every ABI the policy
/// covers (and one it does not). The first call answered otherwise, and
/// the number of calls tried.
pub fn verify(
    filters: &[Vec<Instruction>],
    resolved: &seccomp_dsl_core::model::Resolved<'_>,
) -> (Option<Mismatch>, usize) {
    use seccomp_dsl_core::bpf::{audit_arch, number_bias, op, reference};
    use seccomp_dsl_core::classes::argument_vectors;
    use seccomp_dsl_core::model::SeccompArch;
    let conditions = resolved
        .rules
        .iter()
        .flat_map(|rule| rule.conditions.iter());
    let mut vectors = argument_vectors(conditions, &[None; 6]);
    // The filters' own constants, one argument word at a time.
    let mut constants: Vec<u32> = (filters.iter().flatten())
        .filter(|instruction| instruction.code & 0x07 == op::JMP && instruction.code & op::X == 0)
        .map(|instruction| instruction.k)
        .collect();
    constants.sort_unstable();
    constants.dedup();
    for &k in &constants {
        for value in [k.wrapping_sub(1), k, k.wrapping_add(1)] {
            for index in 0..6 {
                for word in [u64::from(value), u64::from(value) << 32] {
                    let mut vector = [0u64; 6];
                    vector[index] = word;
                    vectors.push(vector);
                }
            }
        }
    }
    let mut abis: Vec<SeccompArch> = resolved.architectures.clone();
    if !abis.contains(&SeccompArch::Arm) {
        abis.push(SeccompArch::Arm);
    }
    let mut tried = 0;
    for abi in abis {
        let Some(arch) = audit_arch(abi) else {
            continue;
        };
        let table = abi.syscall_table();
        let mut numbers: Vec<u32> = seccomp_dsl_core::syscalls::all()
            .iter()
            .filter_map(|entry| entry.number(table))
            .map(|number| number + number_bias(abi))
            .collect();
        numbers.extend([0x3fff_ffff, 0x7fff_ffff, u32::MAX]);
        for nr in numbers {
            for args in &vectors {
                let data = SeccompData {
                    nr: nr as i32,
                    arch,
                    instruction_pointer: 0,
                    args: *args,
                };
                tried += 1;
                let (process, policy) = (
                    decide(filters, &data),
                    reference::decide(resolved, arch, nr, args),
                );
                if process != policy {
                    return (
                        Some(Mismatch {
                            data,
                            process,
                            policy,
                        }),
                        tried,
                    );
                }
            }
        }
    }
    (None, tried)
}
