// The program's seccomp policy, in one place: `build.rs` exports it as a
// Docker profile and `src/main.rs` installs it, so the two cannot drift apart.
seccomp_dsl::seccomp_profile! {
    // A container runtime starts the program with `execve` after loading the
    // filter, so a profile that kills `execve` cannot start a container: this
    // one is for the program to install itself.
    #[allow(engine_cannot_start)]
    default errno;
    allow read, write, close, brk, mmap, munmap, sigaltstack, futex, exit_group, rt_sigreturn,
        restart_syscall;
    rule personality(arg0 == 0x0) => allow;
    errno(EACCES) openat, open;
    kill_process ptrace, execve, execveat;
    forbid ptrace, execve, execveat;
}
