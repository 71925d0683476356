//! The policies the real-engine suite runs the probe under. Those that deny
//! by default allow what the probe itself needs to start, print and fork,
//! and what runc calls after loading the filter: `close`, `fstatfs`,
//! `getdents64` and `fcntl` (to close stray descriptors), and what its Go
//! scheduler may call at any time (`rt_sigreturn` after a preemption
//! signal, which crashes runc's init if denied; `nanosleep`, `sched_yield`,
//! `tgkill`, `madvise`, `epoll_pwait`, `epoll_ctl`, `getpid`, `gettid`).
//!
//! The suite runs podman with no-new-privileges, where runc makes fewer
//! calls after loading the filter than without it (`capget`, `prctl`,
//! `setuid`, ... come before): policies that deny those say
//! `#[allow(engine_cannot_start)]`.
//!
//! For a profile that lists its ABIs and denies by default, runc answers
//! ENOSYS, before the filter, to syscall numbers above the highest one the
//! profile names; `install()` applies the same stub (`STUB_ERRNO`,
//! `STUB_KILL`, Docker's default).

use seccomp_dsl::{seccomp_profile, Profile};

seccomp_dsl::define_policy! {
    /// What the probe and runc need under a policy that denies by default;
    /// each policy below that denies by default extends it.
    probe_runs;
    #[allow(engine_cannot_start)]
    default errno(EPERM);
    // The probe forks with `clone`; what namespaces a container gets is
    // its engine's concern in this suite.
    #[allow(dangerous_permission)]
    allow execve, brk, arch_prctl, set_tid_address, set_robust_list, rseq, prlimit64, readlink,
        getrandom, mprotect, poll, rt_sigaction, rt_sigprocmask, sigaltstack, openat, newfstatat,
        statx, read, write, close, mmap, munmap, sched_getaffinity, futex, clone, wait4, exit,
        exit_group, fstatfs, getdents64, fcntl, futex_waitv, rt_sigreturn, nanosleep, sched_yield,
        tgkill, madvise, epoll_pwait, epoll_ctl, getpid, gettid;
}

pub static ARGUMENTS: Profile = probe_runs! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno(EDOM);
    // tuxcall, security and afs_syscall are reserved and never implemented
    // on x86_64 (ENOSYS whatever their arguments): argument rules on them
    // can be tried with any values.
    #[allow(foreign_syscall)]
    rule tuxcall(arg0 == 1 && arg1 & 0xff00 == 0x1200) => allow;
    rule tuxcall(arg0 == 2 && (arg2 > 0xffff_ffff || arg3 <= 3)) => errno(EACCES);
    #[allow(foreign_syscall)]
    rule tuxcall(arg0 == 3 && arg5 != 0x8000_0000_0000_0000) => log;
    // Beside `arg0 == N`, an order on 64 bits is of the shape libseccomp may
    // miscompile; the differential test shows it does not here.
    #[allow(libseccomp_miscompiles)]
    rule tuxcall(arg0 >= 0x1_0000_0000) => errno(EBADF);
    rule security(arg4 & O_CLOEXEC | O_NONBLOCK == O_CLOEXEC) => errno(E2BIG);
    #[allow(foreign_syscall)]
    allow security, afs_syscall if arg4 & O_CLOEXEC | O_NONBLOCK == 0;
    rule personality(arg0 == 0xffff_ffff) => allow;
    rule socket(arg0 == AF_UNIX || arg0 > AF_VSOCK) => allow;
};

/// Every action, on syscalls neither runc (Go) nor the probe make on their
/// own after the filter is loaded.
pub static ACTIONS: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default allow;
    errno(EXDEV) getppid;
    errno(ENOTBLK) getuid, getgid;
    kill_process getpriority;
    kill getpgrp;
    kill_thread syslog;
    trap getpgid;
    log getsid;
    trace(7) geteuid;
    kill_process kcmp, iopl;
    forbid kcmp;
};

pub static CONDITIONS: Profile = probe_runs! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno(EPERM);
    /// Containers get CAP_SYS_CHROOT by default, not CAP_SYS_ADMIN.
    when cap(CAP_SYS_CHROOT) { allow chroot; }
    when cap(CAP_SYS_ADMIN) { allow mount, umount2; }
    unless cap(CAP_SYS_ADMIN) { errno(ENOSYS) clone3; }
    when cap(CAP_SYS_PTRACE) { allow kcmp, pidfd_getfd; }
    // The suite's kernel is newer than 4.8, where podman and install() agree.
    // As Docker's default profile: ptrace for every process on 4.8 and later.
    #[allow(engine_ignores_min_kernel, dangerous_permission)]
    when kernel >= 4.8 { allow ptrace, process_vm_readv; }
    when arch(amd64, x32) { allow modify_ldt; }
    unless arch(amd64, x32) { errno(EXDEV) modify_ldt; }
    when cap(CAP_KILL, CAP_SETUID) {
        #[allow(foreign_syscall)]
        rule tuxcall(arg0 == 1) => allow;
        unless cap(CAP_SYS_ADMIN) { errno(ENOTBLK) getppid; }
    }
};

pub static DENY_LIST: Profile = seccomp_profile! {
    default allow;
    kill_process reboot, swapoff, kexec_load, init_module;
    errno(EACCES) mount, umount2, unshare, setns;
    rule personality(arg0 != 0xffff_ffff) => errno(EINVAL);
    rule socket(arg0 == AF_VSOCK) => errno(EAFNOSUPPORT);
    rule socket(arg0 == AF_INET && arg1 & 0xf == 0xf) => kill_process;
    log getsid;
    forbid reboot;
};

pub static WITH_X86: Profile = probe_runs! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno(EPERM);
    arch_map x86_64 => x86;
    arch_map aarch64 => arm;
    allow getuid;
    errno(EXDEV) getgid;
};

/// Comparisons on arguments narrower than a register, decided on the value
/// the kernel reads: signed order on `int` descriptors (`-100` matches
/// AT_FDCWD zero- or sign-extended), 32-bit ranges, two comparisons of one
/// argument, and a mask on a 16-bit `umode_t`.
pub static NARROW: Profile = seccomp_profile! {
    default allow;
    rule syncfs(arg0 < -1) => errno(EXDEV);
    rule fdatasync(arg0 >= 1000 && arg0 <= 2000) => errno(ENOTBLK);
    rule fdatasync(arg0 > 3000 && arg0 != 3003) => errno(EDOM);
    rule faccessat(arg0 == -100) => errno(EACCES);
    rule fchmod(arg1 & 0o7000 == 0o4000) => errno(EPERM);
    rule socket(arg0 >= AF_ALG && arg0 <= AF_VSOCK && arg0 != 39) => errno(EAFNOSUPPORT);
};

/// Lists its ABI and denies by default: runc puts its ENOSYS stub before
/// the filter (numbers above `futex_waitv`, the highest named, get ENOSYS),
/// and `install()` applies the same stub.
pub static STUB_ERRNO: Profile = probe_runs! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno(EACCES);
    arches x86_64;
};

/// The stub replaces even `kill_process` where it answers, on every ABI of
/// the map (x32 numbers with their bit).
pub static STUB_KILL: Profile = probe_runs! {
    // Without no-new-privileges runc also calls prctl, capset, setuid, ...
    // after loading the filter; the suite runs with it.
    #[allow(engine_cannot_start, stops_exit)]
    default kill_process;
    arch_map x86_64 => x86, x32;
    errno(EXDEV) getppid;
};

/// Two rules of one syscall on two ABIs, which libseccomp 2.5.4 compiled
/// into a shared test reading a stale accumulator when they compared all 64
/// bits: `socket(AF_INET, 1<<32 | SOCK_DGRAM)` got through. Compared as the
/// kernel reads them (masks of the low half), it decides as `install()`.
/// i386's `socketcall` has its own rule: libseccomp would otherwise apply
/// the `socket` rules to it without their conditions.
pub static SHARED_TESTS: Profile = probe_runs! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno(ENOSYS);
    arches x86_64, x86;
    rule socket(arg0 == AF_UNIX) => allow;
    rule socket(arg0 == AF_INET && arg1 == 1) => allow;
    errno(EAFNOSUPPORT) socketcall;
};

/// A rule for a kernel newer than any: `install()` and Docker leave it
/// out, podman 4.3 applies it (it ignores `minKernel`), which is why a
/// `kernel` condition asks for `#[allow(engine_ignores_min_kernel)]`.
pub static FUTURE_KERNEL: Profile = seccomp_profile! {
    default allow;
    #[allow(engine_ignores_min_kernel)]
    when kernel >= 99.0 { errno(EACCES) getppid; }
};
