//! The filters a running process is under, as the kernel hands them out
//! (`PTRACE_SECCOMP_GET_FILTER`, which needs CAP_SYS_ADMIN), and what they
//! decide together.

use std::io;
use std::ops::ControlFlow;

use seccomp_dsl_core::bpf::emulate::{run, run_observing, SeccompData};
use seccomp_dsl_core::bpf::{offset, Instruction};

/// `PTRACE_SECCOMP_GET_FILTER` (linux/ptrace.h).
const PTRACE_SECCOMP_GET_FILTER: libc::c_uint = 0x420c;

/// How process `pid` is confined, as `/proc/PID/status` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confinement {
    /// No seccomp at all.
    None,
    /// Strict mode: only `read`, `write`, `exit` and `sigreturn`.
    Strict,
    /// Filters; how many, where the kernel says (`Seccomp_filters`, Linux
    /// 5.9 and later).
    Filters(Option<usize>),
}

/// The value of field `name` in `/proc/PID/status` (`CapBnd`, `Tgid`,
/// `Seccomp`, ...), trimmed; `None` where the kernel does not show it.
///
/// ```
/// let pid = std::process::id() as i32;
/// let tgid = seccomp_dsl::inspect::status_field(pid, "Tgid").unwrap();
/// assert_eq!(tgid, Some(pid.to_string()));
/// ```
pub fn status_field(pid: i32, name: &str) -> io::Result<Option<String>> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    Ok(status
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .map(|value| value.trim().to_string()))
}

/// How process `pid` is confined (no privilege needed).
///
/// ```
/// use seccomp_dsl::inspect::{confinement_of, Confinement};
/// // The test harness runs under no filter of its own.
/// let here = confinement_of(std::process::id() as i32).unwrap();
/// assert!(matches!(here, Confinement::None | Confinement::Filters(_)));
/// ```
pub fn confinement_of(pid: i32) -> io::Result<Confinement> {
    let number = |name: &str| -> io::Result<Option<usize>> {
        Ok(status_field(pid, name)?.and_then(|value| value.parse().ok()))
    };
    match number("Seccomp")? {
        None | Some(0) => Ok(Confinement::None),
        Some(1) => Ok(Confinement::Strict),
        Some(_) => Ok(Confinement::Filters(number("Seccomp_filters")?)),
    }
}

/// The filters process `pid` is under, the most recently loaded first (the
/// order the kernel numbers them in). The process is stopped for the time
/// it takes to read them, and left as it was. A process under none needs
/// no privilege: it is not stopped. Fails where the kernel counts
/// filters other than those read (one loaded meanwhile).
pub fn filters_of(pid: i32) -> io::Result<Vec<Vec<Instruction>>> {
    let expected = match confinement_of(pid)? {
        Confinement::None | Confinement::Strict => return Ok(Vec::new()),
        Confinement::Filters(count) => count,
    };
    let filters = read_filters(pid)?;
    match expected {
        Some(count) if count != filters.len() => Err(io::Error::other(format!(
            "the kernel counts {count} filters, {} were read",
            filters.len()
        ))),
        _ => Ok(filters),
    }
}

/// The filters, by `PTRACE_SECCOMP_GET_FILTER` until the kernel has no more.
fn read_filters(pid: i32) -> io::Result<Vec<Vec<Instruction>>> {
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

/// Whether `filters` decide every class of input as `resolved` does, on
/// every number of every ABI, covered by the policy or not: for
/// each syscall, the classes of the comparisons the policy's rules on it
/// make, and, where the filters' path for it reads an argument, each
/// constant the filters compare an argument word with, and its neighbours.
/// (Where that path reads no argument, the filters decide the syscall
/// alike whatever its arguments.) The first call answered otherwise, and
/// the number of calls tried.
pub fn verify(
    filters: &[Vec<Instruction>],
    resolved: &seccomp_dsl_core::model::Resolved<'_>,
) -> (Option<Mismatch>, usize) {
    let mut first = None;
    let tried = each_mismatch(filters, resolved, |mismatch| {
        first = Some(mismatch);
        ControlFlow::Break(())
    });
    (first, tried)
}

/// [`verify`], handing every call answered otherwise to `found` until it
/// breaks; the number of calls tried. For a caller that sorts the
/// differences it knows of (a runtime's libseccomp errors) from the rest.
pub fn each_mismatch(
    filters: &[Vec<Instruction>],
    resolved: &seccomp_dsl_core::model::Resolved<'_>,
    mut found: impl FnMut(Mismatch) -> ControlFlow<()>,
) -> usize {
    use seccomp_dsl_core::bpf::{audit_arch, number_bias, reference};
    use seccomp_dsl_core::classes::argument_vectors;
    use seccomp_dsl_core::model::SeccompArch;
    let constant_vectors = argument_constant_vectors(filters);
    // Every ABI, covered or not: a filter may let through one the policy
    // kills (i386's `int 0x80` and x32 reach an x86_64 process).
    let mut abis: Vec<SeccompArch> = resolved.architectures.clone();
    abis.extend(
        SeccompArch::ALL
            .iter()
            .filter(|abi| !resolved.architectures.contains(abi)),
    );
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
            let name = nr
                .checked_sub(number_bias(abi))
                .and_then(|number| seccomp_dsl_core::syscalls::by_number(table, number))
                .map(|entry| entry.name());
            let conditions = (resolved.rules.iter())
                .filter(|rule| name.is_some_and(|name| rule.names(name)))
                .flat_map(|rule| rule.conditions.iter());
            let mut vectors = argument_vectors(conditions, &[None; 6]);
            let zero = SeccompData {
                nr: nr as i32,
                arch,
                instruction_pointer: 0,
                args: [0; 6],
            };
            if reads_arguments(filters, &zero) {
                vectors.extend_from_slice(&constant_vectors);
            }
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
                if process != policy
                    && found(Mismatch {
                        data,
                        process,
                        policy,
                    })
                    .is_break()
                {
                    return tried;
                }
            }
        }
    }
    tried
}

/// Whether any of `filters`, run on `data`, loads an argument word: if
/// none does, the filters take the same path whatever the arguments.
fn reads_arguments(filters: &[Vec<Instruction>], data: &SeccompData) -> bool {
    let first_argument = offset::arg_low(0);
    filters.iter().any(|filter| {
        let mut reads = false;
        let _ = run_observing(filter, data, |at| reads |= at >= first_argument);
        reads
    })
}

/// For each constant the filters compare a just-loaded argument word with:
/// vectors holding it, and its neighbours, as the low or the high half of
/// one argument, the others zero.
fn argument_constant_vectors(filters: &[Vec<Instruction>]) -> Vec<[u64; 6]> {
    use seccomp_dsl_core::bpf::op;
    let mut constants = Vec::new();
    for filter in filters {
        // Compilers put each comparison right after its load: the last
        // load above a jump, in program order, is what it compares.
        let mut argument_loaded = false;
        for instruction in filter {
            if instruction.code == op::LD | op::W | op::ABS {
                argument_loaded = instruction.k >= offset::arg_low(0);
            } else if argument_loaded
                && instruction.code & 0x07 == op::JMP
                && instruction.code & 0xf0 != op::JA
                && instruction.code & op::X == 0
            {
                constants.push(instruction.k);
            }
        }
    }
    constants.sort_unstable();
    constants.dedup();
    let mut vectors = Vec::new();
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
    vectors.sort_unstable();
    vectors.dedup();
    vectors
}

#[cfg(test)]
mod tests {
    use super::*;
    use seccomp_dsl_core::bpf::{self, audit_arch, op};
    use seccomp_dsl_core::model::{Action, Context, KernelVersion, Policy, Rule, SeccompArch};

    fn context() -> Context {
        Context {
            arch: "amd64".into(),
            capabilities: vec![],
            kernel: KernelVersion { major: 6, minor: 1 },
        }
    }

    #[test]
    fn the_compiled_program_verifies_and_one_that_lets_i386_through_does_not() {
        let policy = Policy::new(
            Action::Allow,
            vec![Rule::new(["uname"], [], Action::Errno(13))],
        );
        let resolved = policy.resolve(&context(), SeccompArch::X86_64);
        let program = bpf::compile(&resolved).unwrap();
        let (mismatch, tried) = verify(std::slice::from_ref(&program), &resolved);
        assert_eq!(mismatch, None);
        assert!(tried > 1_000, "{tried}");
        // The same program behind a test that sends i386 calls to `allow`.
        let i386 = audit_arch(SeccompArch::X86).unwrap();
        let mut leaky = vec![
            Instruction::new(op::LD | op::W | op::ABS, 0, 0, 4),
            Instruction::new(op::JMP | op::JEQ | op::K, 0, 1, i386),
            Instruction::new(op::RET | op::K, 0, 0, libc::SECCOMP_RET_ALLOW),
        ];
        leaky.extend(program);
        let (mismatch, _) = verify(&[leaky], &resolved);
        let mismatch = mismatch.expect("the i386 hole is found");
        assert_eq!(mismatch.data.arch, i386);
        assert_eq!(mismatch.process, libc::SECCOMP_RET_ALLOW);
    }
}
