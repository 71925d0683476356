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
