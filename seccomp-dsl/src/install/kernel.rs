//! The default backend: loads a compiled BPF program with `seccomp(2)`.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

use seccomp_dsl_core::bpf::Instruction;
use seccomp_dsl_core::model::Flag;

use super::Error;

/// Which threads a filter is loaded into.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every thread of the process, or none (TSYNC).
    Process,
    /// The calling thread, and the threads and processes it starts later.
    Thread,
}

/// Sets no_new_privs, then loads `program` with the `flags`, into every
/// thread of the process (TSYNC: all or none) or the calling thread only.
///
/// Async-signal-safe (no allocation, no lock: for the child of a fork)
/// for a program of at most [`seccomp_dsl_core::bpf::MAX_INSTRUCTIONS`] instructions.
pub(crate) fn load(program: &[Instruction], flags: &[Flag], scope: Scope) -> Result<(), Error> {
    let mode = match scope {
        Scope::Process => libc::SECCOMP_FILTER_FLAG_TSYNC,
        Scope::Thread => 0,
    };
    match seccomp(program, flags, mode)? {
        0 => Ok(()),
        thread => Err(Error::ThreadSync(thread as i32)),
    }
}

/// Sets no_new_privs, then loads `program` into the calling thread (and
/// what it starts later) with a listener for the calls it answers with
/// `SECCOMP_RET_USER_NOTIF`, and returns the listener.
pub(crate) fn load_with_listener(
    program: &[Instruction],
    flags: &[Flag],
) -> Result<OwnedFd, Error> {
    let fd = seccomp(program, flags, libc::SECCOMP_FILTER_FLAG_NEW_LISTENER)?;
    // SAFETY: the kernel just made this descriptor; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Whether the kernel can take `program`: at most
/// [`seccomp_dsl_core::bpf::MAX_INSTRUCTIONS`]. Checked before a `fork`, where
/// [`load`] would have to allocate to say why.
pub(crate) fn fits(program: &[Instruction]) -> Result<(), Error> {
    if program.len() > seccomp_dsl_core::bpf::MAX_INSTRUCTIONS {
        return Err(too_long());
    }
    Ok(())
}

fn too_long() -> Error {
    Error::Load(io::Error::new(
        io::ErrorKind::InvalidInput,
        "a filter has at most 4096 instructions",
    ))
}

/// no_new_privs, then `seccomp(SECCOMP_SET_MODE_FILTER, mode | flags)`:
/// the call's non-negative result.
fn seccomp(program: &[Instruction], flags: &[Flag], mut mode: libc::c_ulong) -> Result<i64, Error> {
    let length = u16::try_from(program.len()).map_err(|_| too_long())?;
    let filter = libc::sock_fprog {
        len: length,
        // The kernel only reads the program; `Instruction` is `sock_filter`.
        filter: program.as_ptr() as *mut libc::sock_filter,
    };
    for flag in flags {
        mode |= match flag {
            Flag::Log => libc::SECCOMP_FILTER_FLAG_LOG,
            Flag::SpecAllow => libc::SECCOMP_FILTER_FLAG_SPEC_ALLOW,
            Flag::WaitKillableRecv => libc::SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
        };
    }
    // SAFETY: PR_SET_NO_NEW_PRIVS takes plain integers.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(Error::NoNewPrivs(io::Error::last_os_error()));
    }
    // SAFETY: `filter` points at `program`, alive for the call; the kernel
    // copies it.
    let result = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            mode,
            &filter as *const libc::sock_fprog,
        )
    };
    if result < 0 {
        return Err(Error::Load(io::Error::last_os_error()));
    }
    Ok(result)
}

// `Instruction` must be laid out as the kernel's `struct sock_filter`.
const _: () =
    assert!(std::mem::size_of::<Instruction>() == std::mem::size_of::<libc::sock_filter>());
