seccomp_dsl::seccomp_profile! {
    // Stops calls runc 1.1.5 makes after loading the filter: for install() alone.
    #[allow(engine_cannot_start)]
    // The default stops `rt_sigreturn`, `restart_syscall`: what it protects cannot end or return from a signal handler.
    #[allow(stops_exit)]
    default errno(ENOSYS);

    allow read, write, exit_group, close;
    errno(EACCES) openat;
    errno(EPERM) open;
    kill_thread ptrace;
    kill_thread process_vm_readv;
    kill_process kexec_load, init_module;
    trap getpgid;
    log getsid;
    trace(7) getuid;
}
