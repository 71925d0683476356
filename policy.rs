// Recorded by `seccomp-dsl record` from:
//   $ /bin/busybox true
//   $ /bin/busybox echo hi
// Every syscall seen is allowed, with the argument values seen where they decide what the call does;
// every other call gets the default action. Review it before use.
seccomp_dsl::seccomp_profile! {
    // Stops calls runc 1.1.5 makes after loading the filter: for install() alone.
    #[allow(engine_cannot_start)]
    default errno(EPERM);

    /// Reading and writing open descriptors
    allow write;

    /// Files and directories: opening, metadata, links, watches
    allow readlink;

    /// Memory: the heap, mappings and their protection
    allow brk;

    /// `mprotect`, for each protection seen
    rule mprotect(arg2 == PROT_READ) => allow;

    /// Threads: creation, synchronisation and scheduling
    allow rseq, set_robust_list, set_tid_address;

    /// Processes: running programs, waiting for them, ending
    allow arch_prctl, execve, exit_group, prlimit64;

    /// `prctl`, for each option seen
    rule prctl(arg0 == PR_GET_NAME) => allow;

    /// Signals: handlers, masks, delivery
    allow restart_syscall, rt_sigreturn;

    /// Identity and system information
    allow getrandom, getuid;
}
