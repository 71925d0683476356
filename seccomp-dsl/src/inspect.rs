//! The filters a running process is under, as the kernel hands them out
//! (`PTRACE_SECCOMP_GET_FILTER`, which needs CAP_SYS_ADMIN), and what they
//! decide together. Feature `tools`.

use std::io;
use std::ops::ControlFlow;

use seccomp_dsl_core::bpf::emulate::SeccompData;
use seccomp_dsl_core::bpf::{ret, Instruction};
use seccomp_dsl_core::decide::{
    differences, differences_where, Difference, Explored, Limits, Side, Undecided,
};
use seccomp_dsl_core::model::{Resolved, SeccompArch};
use seccomp_dsl_core::syscalls;

pub use crate::install::status_field;

/// `PTRACE_SECCOMP_GET_FILTER` (linux/ptrace.h).
const PTRACE_SECCOMP_GET_FILTER: i64 = 0x420c;

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

/// The filters process `pid` is under, the oldest first (the order in which
/// the kernel numbers them: `PTRACE_SECCOMP_GET_FILTER` counts back from the
/// newest, so index 0 is the first filter loaded). The process is stopped for the time
/// it takes to read them, and left as it was. A process under none needs
/// no privilege: it is not stopped. Fails where the kernel counts
/// filters other than those read (one loaded meanwhile).
///
/// A thread stopped in a call the kernel resumes through `restart_syscall`
/// (a timed sleep, wait or poll) makes that call when it goes on, and a
/// filter that denies `restart_syscall` would fail or kill the process: so
/// where [`stop_hazard`] finds one, this refuses (`ErrorKind::WouldBlock`,
/// with the reason) and stops nothing; [`filters_of_stopping_anyway`] reads
/// them all the same.
pub fn filters_of(pid: i32) -> io::Result<Vec<Vec<Instruction>>> {
    if confinement_of(pid)? != Confinement::None {
        if let Some(hazard) = stop_hazard(pid)? {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                format!(
                    "{hazard}: stopped to read its filters, it would go on with `restart_syscall`, \
                     which a filter that does not allow it fails or kills; nothing was stopped"
                ),
            ));
        }
    }
    filters_of_stopping_anyway(pid)
}

/// [`filters_of`], stopping the process even where [`stop_hazard`] finds
/// it in a call the kernel resumes through `restart_syscall`.
pub fn filters_of_stopping_anyway(pid: i32) -> io::Result<Vec<Vec<Instruction>>> {
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

/// Why stopping thread `tid` now could change what it does: the call it is
/// blocked in, where the kernel resumes that call after a stop through
/// `restart_syscall` (`nanosleep`, `clock_nanosleep`, a `poll` or a futex
/// wait with a timeout), as `/proc/TID/syscall` shows it.
///
/// ```
/// // This thread is running, in no call.
/// let here = std::process::id() as i32;
/// assert_eq!(seccomp_dsl::inspect::stop_hazard(here).unwrap(), None);
/// ```
pub fn stop_hazard(tid: i32) -> io::Result<Option<String>> {
    let line = std::fs::read_to_string(format!("/proc/{tid}/syscall"))?;
    let fields: Vec<u64> = (line.split_whitespace())
        .map_while(|field| match field.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => field.parse().ok(),
        })
        .collect();
    let (Some(&number), Some(native)) = (fields.first(), SeccompArch::native()) else {
        return Ok(None); // running, or no call
    };
    let arg = |index: usize| fields.get(1 + index).copied().unwrap_or(0);
    let Some(entry) = syscalls::by_number(native.syscall_table(), number as u32) else {
        return Ok(None);
    };
    let futex = |name| seccomp_dsl_core::constants::FUTEX_OPS.get(name);
    let restarted_by_the_kernel = match entry.name() {
        "nanosleep" | "clock_nanosleep" | "clock_nanosleep_time64" => true,
        // With a timeout only; without, the call itself is restarted.
        "poll" => arg(2) as i32 >= 0,
        "futex" | "futex_time64" => {
            let operation = Some(arg(1) & futex("FUTEX_CMD_MASK").unwrap_or(0x7f));
            let waits = [futex("FUTEX_WAIT"), futex("FUTEX_WAIT_BITSET")].contains(&operation);
            waits && arg(3) != 0
        }
        _ => false,
    };
    Ok(restarted_by_the_kernel.then(|| format!("thread {tid} is in `{}`", entry.name())))
}

/// The filters, by `PTRACE_SECCOMP_GET_FILTER` until the kernel has no more.
fn read_filters(pid: i32) -> io::Result<Vec<Vec<Instruction>>> {
    // The request is a `c_uint` in glibc's declaration, a `c_int` in musl's.
    let ptrace = |request: i64, data: usize, address: *mut libc::c_void| {
        // SAFETY: ptrace requests on a process this function attached;
        // `address` is null or a buffer of the size the kernel reported.
        unsafe { libc::ptrace(request as _, pid, data, address) }
    };
    if ptrace(libc::PTRACE_SEIZE.into(), 0, std::ptr::null_mut()) != 0
        || ptrace(libc::PTRACE_INTERRUPT.into(), 0, std::ptr::null_mut()) != 0
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
    ptrace(libc::PTRACE_DETACH.into(), 0, std::ptr::null_mut());
    result.map(|()| filters)
}

/// What the kernel answers a call with under every one of `filters` (the
/// oldest first, as [`filters_of`] returns them): the answer of highest
/// precedence (a kill over an errno over an allow, ...), the newest
/// filter's among equals.
pub fn decide(filters: &[Vec<Instruction>], data: &SeccompData) -> u32 {
    seccomp_dsl_core::decide::answer::answer(filters, data)
}

/// How a process's filters stand to a policy, proven over every call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// They answer every call (every ABI, syscall number, instruction
    /// pointer and argument) as the policy does.
    Same(Explored),
    /// They answer every call the policy lets run as it does, and hand
    /// every call it does not to a supervisor (seccomp user notification,
    /// as under `seccomp-dsl run` or in complain mode), whose answers no
    /// filter shows.
    Supervised(Explored),
    /// They answer this call otherwise.
    Differ(Difference),
}

/// Whether `filters` (the oldest first) answer every call as `resolved`
/// does: decided exactly, over every input (see [`seccomp_dsl_core::decide`]).
pub fn verify(
    filters: &[Vec<Instruction>],
    resolved: &Resolved<'_>,
) -> Result<Verification, Undecided> {
    let mut first = None;
    let mut handed = false;
    let explored = differences_where(
        &Side::Filters(filters),
        &Side::Policy(resolved),
        &Limits::default(),
        &mut |process, policy| {
            let supervised = process == ret::USER_NOTIF && !lets_run(policy);
            handed |= supervised;
            process == policy || supervised
        },
        |difference| {
            first = Some(difference.clone());
            ControlFlow::Break(())
        },
    )?;
    Ok(match first {
        Some(difference) => Verification::Differ(difference),
        None if handed => Verification::Supervised(explored),
        None => Verification::Same(explored),
    })
}

/// Whether an answer lets the call run (allow, log).
fn lets_run(answer: u32) -> bool {
    matches!(answer & ret::ACTION_FULL, ret::ALLOW | ret::LOG)
}

/// Every call `filters` (the oldest first) answer otherwise than
/// `resolved`, one for each path on which they differ, handed to `found`
/// until it breaks: for a caller that sorts the differences it knows of (a
/// runtime's libseccomp errors) from the rest.
pub fn each_difference(
    filters: &[Vec<Instruction>],
    resolved: &Resolved<'_>,
    found: impl FnMut(&Difference) -> ControlFlow<()>,
) -> Result<Explored, Undecided> {
    differences(
        &Side::Filters(filters),
        &Side::Policy(resolved),
        &Limits::default(),
        found,
    )
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
        let verified = verify(std::slice::from_ref(&program), &resolved).unwrap();
        assert!(matches!(verified, Verification::Same(_)), "{verified:?}");
        // The same program behind a test that sends i386 calls to `allow`.
        let i386 = audit_arch(SeccompArch::X86).unwrap();
        let mut leaky = vec![
            Instruction::new(op::LD | op::W | op::ABS, 0, 0, 4),
            Instruction::new(op::JMP | op::JEQ | op::K, 0, 1, i386),
            Instruction::new(op::RET | op::K, 0, 0, libc::SECCOMP_RET_ALLOW),
        ];
        leaky.extend(program.clone());
        let Verification::Differ(difference) = verify(&[leaky], &resolved).unwrap() else {
            panic!("the i386 hole is found");
        };
        assert_eq!(difference.data.arch, i386);
        assert_eq!(difference.left, libc::SECCOMP_RET_ALLOW);
        // The program with its denials handed to a supervisor.
        let notifying = crate::supervise::notify_instead(&program, &crate::supervise::DENYING);
        let supervised = verify(&[notifying], &resolved).unwrap();
        assert!(
            matches!(supervised, Verification::Supervised(_)),
            "{supervised:?}"
        );
    }
}
