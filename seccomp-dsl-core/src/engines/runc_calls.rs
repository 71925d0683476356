//! The calls runc 1.1.5 makes itself after it loads a container's filter,
//! and what a denial of each does to the container's start: measured in
//! podman and containerd with `record`'s seccomp agent.

/// A call a container runtime makes itself after it has loaded the
/// container's filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuntimeCall {
    /// The syscall.
    pub syscall: &'static str,
    /// Each argument's value where the runtime always passes the same
    /// (`AT_FDCWD`, a command, flags); `None` where it varies (a
    /// descriptor, a pointer, a capability number, an id).
    pub args: [Option<u64>; 6],
    /// Made only where the container runs without no-new-privileges (the
    /// default of podman and Docker): runc then loads the filter before it
    /// drops capabilities and changes identity.
    pub without_no_new_privileges_only: bool,
    /// What denying the call (an errno) does to the container's start;
    /// killing it always keeps the container from starting.
    pub denied: Denied,
}

/// What an errno answer to a runtime call does to the container's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Denied {
    /// The container does not start (or its program does not run).
    Fails,
    /// It does not start without no-new-privileges; with, it does.
    FailsWithoutNoNewPrivileges,
    /// The runtime goes on: the call's error is ignored.
    Ignored,
    /// A call of the Go runtime's that some starts make after the filter
    /// is loaded and others do not, as its threads are scheduled and
    /// signalled (`futex`, `rt_sigreturn` after a preemption signal); a
    /// start that makes it fails. A profile must let it run, as for
    /// [`Denied::Fails`].
    FailsWhenMade,
}

const fn call(
    syscall: &'static str,
    args: [Option<u64>; 6],
    both: bool,
    denied: Denied,
) -> RuntimeCall {
    RuntimeCall {
        syscall,
        args,
        without_no_new_privileges_only: !both,
        denied,
    }
}

use Denied::{Fails, FailsWhenMade, FailsWithoutNoNewPrivileges, Ignored};

const ANY: Option<u64> = None;
const AT_FDCWD: Option<u64> = Some(-100i64 as u64);

/// runc 1.1.5's calls after loading the filter, measured with the
/// recorder's seccomp agent (`seccomp-dsl record -- podman run ...
/// --security-opt seccomp={profile}`, and `ctr run`, with and without
/// no-new-privileges; the real-engine suite measures them again), and the
/// Go runtime's that came with them (`futex`, `rt_sigreturn` after a
/// preemption signal, `getpid`, `gettid`). What a denial of each does to
/// the start is measured in podman too (the suite checks it: a profile
/// that denies the call alone).
pub const RUNC_1_1_5_CALLS: [RuntimeCall; 30] = [
    // With or without no-new-privileges: closing descriptors (after
    // `fstatfs` and `getdents64` of /proc/self/fd), the exec FIFO opened
    // write-only and written, then `execve`.
    call("close", [ANY; 6], true, Fails),
    call(
        "epoll_ctl",
        [ANY, Some(1), ANY, ANY, ANY, ANY],
        true,
        Ignored,
    ),
    call("execve", [ANY; 6], true, Fails),
    call("fstatfs", [ANY; 6], true, Fails),
    call("getdents64", [ANY; 6], true, Fails),
    call(
        "openat",
        [AT_FDCWD, ANY, Some(0x80000), Some(0), ANY, ANY],
        true,
        Fails,
    ),
    call(
        "openat",
        [AT_FDCWD, ANY, Some(0x80001), Some(0), ANY, ANY],
        true,
        Fails,
    ),
    call("read", [ANY; 6], true, FailsWithoutNoNewPrivileges),
    call("write", [ANY; 6], true, Fails),
    call("futex", [ANY; 6], true, FailsWhenMade),
    call("rt_sigreturn", [ANY; 6], true, FailsWhenMade),
    call("getpid", [ANY; 6], true, Ignored),
    call("gettid", [ANY; 6], true, Ignored),
    call("getuid", [ANY; 6], true, Ignored),
    // Without: capabilities dropped, identity set, the program looked up.
    call("capget", [ANY; 6], false, Fails),
    call("capset", [ANY; 6], false, Fails),
    call("chdir", [ANY; 6], false, Fails),
    call(
        "faccessat2",
        [AT_FDCWD, ANY, Some(1), Some(0x200), ANY, ANY],
        false,
        Ignored,
    ),
    call(
        "fcntl",
        [ANY, Some(2), Some(1), ANY, ANY, ANY],
        false,
        Ignored,
    ),
    call("fstat", [ANY; 6], false, Fails),
    call("getcwd", [ANY; 6], false, Fails),
    call("getppid", [ANY; 6], false, Fails),
    call(
        "newfstatat",
        [AT_FDCWD, ANY, ANY, Some(0), ANY, ANY],
        false,
        Fails,
    ),
    call(
        "prctl",
        [Some(24), ANY, Some(0), Some(0), Some(0), ANY],
        false,
        Fails,
    ),
    call(
        "prctl",
        [Some(8), Some(0), Some(0), Some(0), Some(0), ANY],
        false,
        Fails,
    ),
    call(
        "prctl",
        [Some(8), Some(1), Some(0), Some(0), Some(0), ANY],
        false,
        Fails,
    ),
    call(
        "prctl",
        [Some(47), Some(3), ANY, Some(0), Some(0), ANY],
        false,
        Ignored,
    ),
    call("setgroups", [ANY; 6], false, Fails),
    call("setgid", [ANY; 6], false, Fails),
    call("setuid", [ANY; 6], false, Fails),
];
