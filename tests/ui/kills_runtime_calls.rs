use seccomp_dsl::{seccomp_profile, Profile};

// runc calls getpid, getppid and getuid itself after loading the filter: a
// profile that kills them leaves the container hung, never started.
static KILLED_BY_RULES: Profile = seccomp_profile! {
    default allow;
    kill getpid;
    kill_thread getppid;
    kill_process getuid;
};

// A default that kills, with the runtime's calls not allowed.
static KILLED_BY_DEFAULT: Profile = seccomp_profile! {
    default kill_process;
    allow read, write, close, execve, futex, exit_group;
};

// Every runtime call named, but not with the values runc passes: it sets
// close-on-exec, opens its exec FIFO write-only, and drops capabilities.
static NAMED_NOT_BY_VALUE: Profile = seccomp_profile! {
    default kill_process;
    allow read, write, close, execve, futex, exit_group, rt_sigreturn, restart_syscall, capget,
        capset, chdir, epoll_ctl, faccessat2, fstat, fstatfs, getcwd, getdents64, getpid, getppid,
        gettid, getuid, newfstatat, setgid, setgroups, setuid;
    rule fcntl(arg1 == F_GETFD) => allow;
    rule openat(arg2 & O_ACCMODE == O_RDONLY) => allow;
    rule prctl(arg0 == PR_SET_NAME) => allow;
};

// For install() alone, said so at `default`.
static IN_PROCESS_ONLY: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default kill_process;
    allow read, write, exit_group;
};

fn main() {
    let _ = (&KILLED_BY_RULES, &KILLED_BY_DEFAULT, &NAMED_NOT_BY_VALUE, &IN_PROCESS_ONLY);
}
