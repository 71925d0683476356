seccomp_dsl::seccomp_profile! {
    // Stops calls runc 1.1.5 makes after loading the filter: for install() alone.
    #[allow(engine_cannot_start)]
    // The default stops `rt_sigreturn`, `restart_syscall`: what it protects cannot end or return from a signal handler.
    #[allow(stops_exit)]
    default errno(EPERM);

    allow read, write, exit_group, close, arch_prctl;

    /// only with CAP_SYS_ADMIN
    when cap(CAP_SYS_ADMIN) {
        allow mount, umount2;
    }

    when cap(CAP_SYS_CHROOT, CAP_SYS_ADMIN) {
        allow chroot;
    }

    unless cap(CAP_SYS_ADMIN) {
        errno(ENOSYS) clone3;
    }

    when cap(CAP_SYS_ADMIN) {
        allow clone3;
    }

    when arch(amd64, x32, x86) {
        allow modify_ldt;
    }

    unless cap(CAP_SYS_ADMIN), arch(s390, s390x) {
        rule clone(arg0 & CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET == 0) => allow;
    }

    /// s390 parameter ordering for clone is different
    when arch(s390, s390x) {
        unless cap(CAP_SYS_ADMIN) {
            rule clone(arg1 & 0x7e020000 == 0) => allow;
        }
    }

    // podman 4.3 (runc 1.1.5, libseccomp 2.5.4) ignores minKernel: the rule applies on every kernel there.
    #[allow(engine_ignores_min_kernel)]
    // `ptrace` is let run whatever its arguments, outside a `when cap(...)` block.
    #[allow(dangerous_permission)]
    when kernel >= 4.8 {
        allow ptrace;
    }

    // podman 4.3 (runc 1.1.5, libseccomp 2.5.4) ignores minKernel: the rule applies on every kernel there.
    #[allow(engine_ignores_min_kernel)]
    unless kernel >= 5.11 {
        errno(ENOSYS) userfaultfd;
    }
}
