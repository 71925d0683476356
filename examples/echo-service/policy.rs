// Recorded by `seccomp-dsl record` from:
//   $ LANG=C.UTF-8 target/debug/echo-service --load 100
// Every syscall seen is allowed, with the argument values seen where they decide what the call does;
// every other call gets the default action. Review it before use.
seccomp_dsl::seccomp_profile! {
    // Stops calls runc 1.1.5 makes after loading the filter: for install() alone.
    #[allow(engine_cannot_start)]
    default errno(EPERM);

    /// Reading and writing open descriptors
    allow close, write;

    /// `fcntl`, for each command seen
    rule fcntl(arg1 == F_GETFD) => allow;
    rule fcntl(arg1 == F_DUPFD_CLOEXEC) => allow;

    /// Memory: the heap, mappings and their protection
    allow madvise, munmap;

    /// `mmap`, for each protection seen
    rule mmap(arg2 == PROT_NONE) => allow;
    rule mmap(arg2 == PROT_READ | PROT_WRITE) => allow;

    /// `mprotect`, for each protection seen
    rule mprotect(arg2 == PROT_NONE) => allow;
    rule mprotect(arg2 == PROT_READ | PROT_WRITE) => allow;

    // `clone3` is let run, and its flags, in memory, are out of a filter's reach: it may create namespaces.
    #[allow(dangerous_permission)]
    /// Threads: creation, synchronisation and scheduling
    allow clone3, exit, futex, rseq, sched_getaffinity, set_robust_list;

    /// Processes: running programs, waiting for them, ending
    allow exit_group, gettid;

    /// `prctl`, for each option seen
    rule prctl(arg0 == PR_SET_NAME) => allow;

    /// Signals: handlers, masks, delivery
    allow restart_syscall, rt_sigaction, rt_sigprocmask, rt_sigreturn, sigaltstack;

    /// Waiting for descriptors: poll, select, epoll, eventfd
    allow epoll_create1, epoll_ctl, epoll_wait, eventfd2;

    /// Sockets
    allow accept4, bind, connect, getsockname, listen, recvfrom, sendto, shutdown;

    /// `getsockopt`, for each level and option seen
    rule getsockopt(arg1 == SOL_SOCKET && arg2 == SO_ERROR) => allow;

    /// `setsockopt`, for each level and option seen
    rule setsockopt(arg1 == SOL_SOCKET && arg2 == SO_REUSEADDR) => allow;
    rule setsockopt(arg1 == IPPROTO_TCP && arg2 == TCP_NODELAY) => allow;

    /// `socket`, for each family and type seen
    rule socket(arg0 == AF_INET && arg1 == SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC) => allow;

    /// Identity and system information
    allow getrandom;

    startup {
        /// Reading and writing open descriptors
        allow pread64, read;

        /// Files and directories: opening, metadata, links, watches
        allow access, newfstatat;

        /// `openat`, for each set of flags seen
        rule openat(arg2 & !(O_NOCTTY | O_NONBLOCK | O_CLOEXEC) == O_RDONLY) => allow;

        /// Memory: the heap, mappings and their protection
        allow brk;

        /// `mmap`, for each protection seen
        rule mmap(arg2 == PROT_READ) => allow;
        rule mmap(arg2 == PROT_READ | PROT_EXEC) => allow;

        /// `mprotect`, for each protection seen
        rule mprotect(arg2 == PROT_READ) => allow;

        /// Threads: creation, synchronisation and scheduling
        allow set_tid_address;

        /// Processes: running programs, waiting for them, ending
        allow arch_prctl, execve, prlimit64;

        /// `prctl`, for each option seen
        rule prctl(arg0 == PR_SET_NO_NEW_PRIVS) => allow;

        /// Waiting for descriptors: poll, select, epoll, eventfd
        allow poll;

        /// Privileged operations: debugging, modules, the kernel, devices
        allow seccomp;
    }
}
