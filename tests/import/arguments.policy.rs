seccomp_dsl::seccomp_profile! {
    // Stops calls runc 1.1.5 makes after loading the filter: for install() alone.
    #[allow(engine_cannot_start)]
    // The default stops `rt_sigreturn`, `restart_syscall`: what it protects cannot end or return from a signal handler.
    #[allow(stops_exit)]
    default kill_process;

    allow exit_group;

    // `tuxcall` is obsolete: no current program calls it.
    #[allow(foreign_syscall)]
    rule tuxcall(arg0 == 1 && arg1 & 0xff00 == 4608) => allow;

    rule tuxcall(arg0 == 2 && arg2 > 0xffffffff) => errno(EACCES);

    // `tuxcall` is obsolete: no current program calls it.
    #[allow(foreign_syscall)]
    rule tuxcall(arg0 == 3 && arg5 != 0x8000000000000000) => log;

    errno(E2BIG) security, afs_syscall if arg3 < 4;

    // `security` is obsolete: no current program calls it.
    #[allow(foreign_syscall)]
    allow security, afs_syscall if arg3 >= 4 && arg4 <= 100;

    rule mmap(arg2 & PROT_EXEC == 0) => allow;
    rule mprotect(arg2 & PROT_READ | PROT_WRITE == PROT_READ | PROT_WRITE) => allow;
}
