//! The policies the integration tests install and export.

use seccomp_dsl::{seccomp_profile, Profile};

/// The README's canonical example.
pub static CANONICAL: Profile = seccomp_profile! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno; allow read, write; rule personality(arg0 == 0x0) => allow;
};

/// Argument rules on `tuxcall` and `security`, which x86_64 reserves and
/// never implements (they fail with ENOSYS, whatever their arguments, and
/// have no declaration, so all six registers are compared on 64 bits): any
/// values can be tried without side effects.
pub static ARGUMENTS: Profile = seccomp_profile! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno(ENOTTY);
    allow exit_group;
    // Reserved syscalls, obsolete: let run only to try argument rules.
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
    rule security(arg4 & O_CLOEXEC | O_NONBLOCK == O_NONBLOCK) => allow;
};

/// Every action, each on its own syscall.
pub static ACTIONS: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default allow;
    errno(EXDEV) getppid;
    kill_process getpriority;
    kill setpriority;
    trap getpgid;
    log getsid;
    trace(7) getuid;
    forbid ptrace;
    kill_process ptrace;
};

/// Names that exist only on other architectures next to native ones.
pub static FOREIGN_NAMES: Profile = seccomp_profile! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno(EPERM);
    #[allow(foreign_syscall)]
    allow exit_group, getpid, _llseek, chown32;
};

/// Syscalls newer than libseccomp 2.5.4 (mseal, listmount), which it cannot
/// name: the installer passes their numbers from the kernel's table. A
/// container engine built on that libseccomp leaves them out, so the rules
/// are acknowledged as meant for `install()` alone.
pub static NEWER_THAN_LIBSECCOMP: Profile = seccomp_profile! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno(EPERM);
    #[allow(unknown_to_engine)]
    allow exit_group, mseal;
    #[allow(unknown_to_engine)]
    errno(EXDEV) listmount;
};

/// Rules decided at install time: by capability, kernel and architecture.
pub static CONDITIONAL: Profile = seccomp_profile! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno(EPERM);
    allow exit_group;
    /// Only a process that keeps CAP_SYS_ADMIN may ask for its pid.
    when cap(CAP_SYS_ADMIN) { allow getpid; }
    unless cap(CAP_SYS_ADMIN) { errno(EXDEV) getpid; }
    #[allow(engine_ignores_min_kernel)]
    when kernel >= 4.8 { allow getppid; }
    #[allow(engine_ignores_min_kernel)]
    when kernel >= 99.0 { allow getuid; }
    when arch(amd64, arm64) { errno(E2BIG) getgid; }
    unless arch(amd64, arm64) { errno(ENOEXEC) getgid; }
    #[allow(engine_ignores_min_kernel)]
    when cap(CAP_SYS_ADMIN, CAP_NET_ADMIN), kernel >= 3.0 {
        unless cap(CAP_BPF) { errno(EDOM) getegid; }
    }
};

/// The x86 ABI added to x86_64: i386 calls through `int 0x80` are filtered
/// by name instead of killed.
pub static WITH_X86: Profile = seccomp_profile! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno(EPERM);
    arch_map x86_64 => x86;
    arch_map aarch64 => arm;
    allow exit_group, getpid;
    #[allow(engine_refuses_flags)]
    flags log;
};

/// One conditional rule for several syscalls (reserved ones, as above).
pub static MULTI_NAME: Profile = seccomp_profile! {
    default allow;
    errno(EACCES) tuxcall, security if arg0 == 1 || arg1 & 0xf0 == 0x10;
};
