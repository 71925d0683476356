seccomp_dsl::seccomp_profile! {
    default errno(ENOSYS);
    arch_map x86_64 => x86, x32;
    arch_map aarch64 => arm;
    arch_map mips64 => mips, mips64n32;
    arch_map mips64n32 => mips, mips64;
    arch_map mipsel64 => mipsel, mipsel64n32;
    arch_map mipsel64n32 => mipsel, mipsel64;
    arch_map s390x => s390;

    // Left out of this rule by podman 4.3 (runc 1.1.5, libseccomp 2.5.4), which does not know:
    // map_shadow_stack.
    #[allow(unknown_to_engine)]
    errno(EPERM) bdflush, cachestat, io_pgetevents, io_pgetevents_time64, kexec_file_load,
        kexec_load, map_shadow_stack, migrate_pages, move_pages, nfsservctl, nice, oldfstat,
        oldlstat, oldolduname, oldstat, olduname, pciconfig_iobase, pciconfig_read, pciconfig_write,
        sgetmask, ssetmask, swapoff, swapon, syscall, sysfs, uselib, userfaultfd, ustat, vm86,
        vm86old, vmsplice;

    // `clone` is let run with namespace flags (no `arg0 & CLONE_NEWNS | ... == 0` rule keeps them out).
    #[allow(dangerous_permission)]
    allow _llseek, _newselect, accept, accept4, access, adjtimex, alarm, bind, brk, capget, capset,
        chdir, chmod, chown, chown32, clock_adjtime, clock_adjtime64, clock_getres,
        clock_getres_time64, clock_gettime, clock_gettime64, clock_nanosleep,
        clock_nanosleep_time64, clone, clone3, close, close_range, connect, copy_file_range, creat,
        dup, dup2, dup3, epoll_create, epoll_create1, epoll_ctl, epoll_ctl_old, epoll_pwait,
        epoll_pwait2, epoll_wait, epoll_wait_old, eventfd, eventfd2, execve, execveat, exit,
        exit_group, faccessat, faccessat2, fadvise64, fadvise64_64, fallocate, fanotify_init,
        fanotify_mark, fchdir, fchmod, fchmodat, fchmodat2, fchown, fchown32, fchownat, fcntl,
        fcntl64, fdatasync, fgetxattr, flistxattr, flock, fork, fremovexattr, fsconfig, fsetxattr,
        fsmount, fsopen, fspick, fstat, fstat64, fstatat64, fstatfs, fstatfs64, fsync, ftruncate,
        ftruncate64, futex, futex_requeue, futex_time64, futex_wait, futex_waitv, futex_wake,
        futimesat, get_mempolicy, get_robust_list, get_thread_area, getcpu, getcwd, getdents,
        getdents64, getegid, getegid32, geteuid, geteuid32, getgid, getgid32, getgroups,
        getgroups32, getitimer, getpeername, getpgid, getpgrp, getpid, getppid, getpriority,
        getrandom, getresgid, getresgid32, getresuid, getresuid32, getrlimit, getrusage, getsid,
        getsockname, getsockopt, gettid, gettimeofday, getuid, getuid32, getxattr,
        inotify_add_watch, inotify_init, inotify_init1, inotify_rm_watch, io_cancel, io_destroy,
        io_getevents, io_setup, io_submit, ioctl, ioprio_get, ioprio_set, ipc, keyctl, kill,
        landlock_add_rule, landlock_create_ruleset, landlock_restrict_self, lchown, lchown32,
        lgetxattr, link, linkat, listen, listxattr, llistxattr, lremovexattr, lseek, lsetxattr,
        lstat, lstat64, madvise, mbind, membarrier, memfd_create, memfd_secret, mincore, mkdir,
        mkdirat, mknod, mknodat, mlock, mlock2, mlockall, mmap, mmap2, mount, mount_setattr,
        move_mount, mprotect, mq_getsetattr, mq_notify, mq_open, mq_timedreceive,
        mq_timedreceive_time64, mq_timedsend, mq_timedsend_time64, mq_unlink, mremap, msgctl,
        msgget, msgrcv, msgsnd, msync, munlock, munlockall, munmap, name_to_handle_at, nanosleep,
        newfstatat, open, open_tree, openat, openat2, pause, pidfd_getfd, pidfd_open,
        pidfd_send_signal, pipe, pipe2, pivot_root, pkey_alloc, pkey_free, pkey_mprotect, poll,
        ppoll, ppoll_time64, prctl, pread64, preadv, preadv2, prlimit64, process_mrelease,
        process_vm_readv, process_vm_writev, pselect6, pselect6_time64, ptrace, pwrite64, pwritev,
        pwritev2, read, readahead, readlink, readlinkat, readv, reboot, recv, recvfrom, recvmmsg,
        recvmmsg_time64, recvmsg, remap_file_pages, removexattr, rename, renameat, renameat2,
        restart_syscall, rmdir, rseq, rt_sigaction, rt_sigpending, rt_sigprocmask, rt_sigqueueinfo,
        rt_sigreturn, rt_sigsuspend, rt_sigtimedwait, rt_sigtimedwait_time64, rt_tgsigqueueinfo,
        sched_get_priority_max, sched_get_priority_min, sched_getaffinity, sched_getattr,
        sched_getparam, sched_getscheduler, sched_rr_get_interval, sched_rr_get_interval_time64,
        sched_setaffinity, sched_setattr, sched_setparam, sched_setscheduler, sched_yield, seccomp,
        select, semctl, semget, semop, semtimedop, semtimedop_time64, send, sendfile, sendfile64,
        sendmmsg, sendmsg, sendto, set_mempolicy, set_robust_list, set_thread_area, set_tid_address,
        setfsgid, setfsgid32, setfsuid, setfsuid32, setgid, setgid32, setgroups, setgroups32,
        setitimer, setns, setpgid, setpriority, setregid, setregid32, setresgid, setresgid32,
        setresuid, setresuid32, setreuid, setreuid32, setrlimit, setsid, setsockopt, setuid,
        setuid32, setxattr, shmat, shmctl, shmdt, shmget, shutdown, sigaltstack, signal, signalfd,
        signalfd4, sigprocmask, sigreturn, socketcall, socketpair, splice, stat, stat64, statfs,
        statfs64, statx, symlink, symlinkat, sync, sync_file_range, syncfs, sysinfo, syslog, tee,
        tgkill, time, timer_create, timer_delete, timer_getoverrun, timer_gettime, timer_gettime64,
        timer_settime, timer_settime64, timerfd_create, timerfd_gettime, timerfd_gettime64,
        timerfd_settime, timerfd_settime64, times, tkill, truncate, truncate64, ugetrlimit, umask,
        umount, umount2, uname, unlink, unlinkat, unshare, utime, utimensat, utimensat_time64,
        utimes, vfork, wait4, waitid, waitpid, write, writev;

    // 64 bits of a narrower argument compared; `personality(0x1_0000_0000)` gets errno(38), while the kernel runs it as `personality(0x0)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    rule personality(arg0 as u64 == 0) => allow;

    // 64 bits of a narrower argument compared; `personality(0x1_0000_0008)` gets errno(38), while the kernel runs it as `personality(0x8)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    rule personality(arg0 as u64 == 8) => allow;

    // 64 bits of a narrower argument compared; `personality(0x1_0002_0000)` gets errno(38), while the kernel runs it as `personality(0x2_0000)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    rule personality(arg0 as u64 == 0x20000) => allow;

    // 64 bits of a narrower argument compared; `personality(0x1_0002_0008)` gets errno(38), while the kernel runs it as `personality(0x2_0008)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    rule personality(arg0 as u64 == 0x20008) => allow;

    // 64 bits of a narrower argument compared; `personality(0x1_ffff_ffff)` gets errno(38), while the kernel runs it as `personality(0xffff_ffff)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    rule personality(arg0 as u64 == 0xffffffff) => allow;

    when arch(ppc64le) {
        allow sync_file_range2, swapcontext;
    }

    // `sync_file_range2` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    when arch(arm, arm64) {
        allow arm_fadvise64_64, arm_sync_file_range, breakpoint, cacheflush, set_tls,
            sync_file_range2;
    }

    when arch(amd64, x32) {
        allow arch_prctl;
    }

    when arch(amd64, x32, x86) {
        allow modify_ldt;
    }

    when arch(s390, s390x) {
        allow s390_pci_mmio_read, s390_pci_mmio_write, s390_runtime_instr;
    }

    when arch(riscv64) {
        allow riscv_flush_icache;
    }

    when cap(CAP_DAC_READ_SEARCH) {
        allow open_by_handle_at;
    }

    unless cap(CAP_DAC_READ_SEARCH) {
        errno(EPERM) open_by_handle_at;
    }

    when cap(CAP_SYS_ADMIN) {
        allow bpf, lookup_dcookie, perf_event_open, quotactl, quotactl_fd, setdomainname,
            sethostname;
    }

    unless cap(CAP_SYS_ADMIN) {
        errno(EPERM) lookup_dcookie, quotactl, quotactl_fd, setdomainname, sethostname;
    }

    when cap(CAP_SYS_CHROOT) {
        allow chroot;
    }

    unless cap(CAP_SYS_CHROOT) {
        errno(EPERM) chroot;
    }

    // `query_module` is obsolete: no current program calls it.
    #[allow(foreign_syscall)]
    when cap(CAP_SYS_MODULE) {
        allow delete_module, finit_module, init_module, query_module;
    }

    unless cap(CAP_SYS_MODULE) {
        errno(EPERM) delete_module, finit_module, init_module, query_module;
    }

    when cap(CAP_SYS_PACCT) {
        allow acct;
    }

    unless cap(CAP_SYS_PACCT) {
        errno(EPERM) acct;
    }

    when cap(CAP_SYS_PTRACE) {
        allow kcmp, process_madvise;
    }

    unless cap(CAP_SYS_PTRACE) {
        errno(EPERM) kcmp, process_madvise;
    }

    when cap(CAP_SYS_RAWIO) {
        allow ioperm, iopl;
    }

    unless cap(CAP_SYS_RAWIO) {
        errno(EPERM) ioperm, iopl;
    }

    when cap(CAP_SYS_TIME) {
        allow clock_settime, clock_settime64, settimeofday, stime;
    }

    unless cap(CAP_SYS_TIME) {
        errno(EPERM) clock_settime, clock_settime64, settimeofday, stime;
    }

    when cap(CAP_SYS_TTY_CONFIG) {
        allow vhangup;
    }

    unless cap(CAP_SYS_TTY_CONFIG) {
        errno(EPERM) vhangup;
    }

    unless cap(CAP_SYS_ADMIN, CAP_BPF) {
        errno(EPERM) bpf;
    }

    when cap(CAP_BPF) {
        allow bpf;
    }

    unless cap(CAP_SYS_ADMIN, CAP_PERFMON) {
        errno(EPERM) perf_event_open;
    }

    when cap(CAP_PERFMON) {
        allow perf_event_open;
    }

    // 64 bits of a narrower argument compared; bypass: `socket(0x1_0000_0028, …)` gets allow, while the kernel runs it as `socket(0x28, …)`, which gets errno(1).
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    rule socket(arg0 as u64 >= 41) => allow;

    // 64 bits of a narrower argument compared; bypass: `socket(0x1_0000_0028, …)` gets allow, while the kernel runs it as `socket(0x28, …)`, which gets errno(1).
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    rule socket(arg0 as u64 == AF_VSOCK) => errno(EPERM);

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 <= 15) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_PACKET) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_ASH) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_ECONET) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_ATMSVC) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_RDS) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_SNA) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_IRDA) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_PPPOX) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_WANPIPE) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_LLC) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_IB) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_MPLS) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_CAN) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_TIPC) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_BLUETOOTH) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_IUCV) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_RXRPC) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_ISDN) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_PHONET) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_IEEE802154) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_CAIF) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_ALG) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_NFC) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_NETLINK && arg2 as u64 <= 8) => allow;
    }

    // 64 bits of a narrower argument compared; bypass: `socket(0x10, 0x0, 0x1_0000_0009)` gets allow, while the kernel runs it as `socket(0x10, 0x0, 0x9)`, which gets errno(22).
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_NETLINK && arg2 as u64 >= 10) => allow;
    }

    // 64 bits of a narrower argument compared; bypass: `socket(0x1_0000_0010, 0x0, 0x9)` gets allow, while the kernel runs it as `socket(0x10, 0x0, 0x9)`, which gets errno(22).
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_NETLINK && arg2 as u64 == 9) => errno(EINVAL);
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    /// Written apart from syscalls[31], syscalls[32], syscalls[33], syscalls[34], syscalls[35], which overlap: as libseccomp 2.5.4 answers them.
    when cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 <= 39) => allow;
    }
}
