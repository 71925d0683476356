seccomp_dsl::seccomp_profile! {
    default errno(EPERM);
    arch_map x86_64 => x86, x32;
    arch_map aarch64 => arm;
    arch_map mips64 => mips, mips64n32;
    arch_map mips64n32 => mips, mips64;
    arch_map mipsel64 => mipsel, mipsel64n32;
    arch_map mipsel64n32 => mipsel, mipsel64;
    arch_map s390x => s390;

    // `io_uring_enter` is let run whatever its arguments, outside a `when cap(...)` block.
    #[allow(dangerous_permission)]
    allow accept, accept4, access, adjtimex, alarm, bind, brk, capget, capset, chdir, chmod, chown,
        chown32, clock_adjtime, clock_adjtime64, clock_getres, clock_getres_time64, clock_gettime,
        clock_gettime64, clock_nanosleep, clock_nanosleep_time64, close, connect, copy_file_range,
        creat, dup, dup2, dup3, epoll_create, epoll_create1, epoll_ctl, epoll_ctl_old, epoll_pwait,
        epoll_wait, epoll_wait_old, eventfd, eventfd2, execve, execveat, exit, exit_group,
        faccessat, faccessat2, fadvise64, fadvise64_64, fallocate, fanotify_mark, fchdir, fchmod,
        fchmodat, fchown, fchown32, fchownat, fcntl, fcntl64, fdatasync, fgetxattr, flistxattr,
        flock, fork, fremovexattr, fsetxattr, fstat, fstat64, fstatat64, fstatfs, fstatfs64, fsync,
        ftruncate, ftruncate64, futex, futex_time64, futimesat, getcpu, getcwd, getdents,
        getdents64, getegid, getegid32, geteuid, geteuid32, getgid, getgid32, getgroups,
        getgroups32, getitimer, getpeername, getpgid, getpgrp, getpid, getppid, getpriority,
        getrandom, getresgid, getresgid32, getresuid, getresuid32, getrlimit, get_robust_list,
        getrusage, getsid, getsockname, getsockopt, get_thread_area, gettid, gettimeofday, getuid,
        getuid32, getxattr, inotify_add_watch, inotify_init, inotify_init1, inotify_rm_watch,
        io_cancel, ioctl, io_destroy, io_getevents, io_pgetevents, io_pgetevents_time64, ioprio_get,
        ioprio_set, io_setup, io_submit, io_uring_enter, io_uring_register, io_uring_setup, ipc,
        kill, lchown, lchown32, lgetxattr, link, linkat, listen, listxattr, llistxattr, _llseek,
        lremovexattr, lseek, lsetxattr, lstat, lstat64, madvise, membarrier, memfd_create, mincore,
        mkdir, mkdirat, mknod, mknodat, mlock, mlock2, mlockall, mmap, mmap2, mprotect,
        mq_getsetattr, mq_notify, mq_open, mq_timedreceive, mq_timedreceive_time64, mq_timedsend,
        mq_timedsend_time64, mq_unlink, mremap, msgctl, msgget, msgrcv, msgsnd, msync, munlock,
        munlockall, munmap, nanosleep, newfstatat, _newselect, open, openat, openat2, pause, pipe,
        pipe2, poll, ppoll, ppoll_time64, prctl, pread64, preadv, preadv2, prlimit64, pselect6,
        pselect6_time64, pwrite64, pwritev, pwritev2, read, readahead, readlink, readlinkat, readv,
        recv, recvfrom, recvmmsg, recvmmsg_time64, recvmsg, remap_file_pages, removexattr, rename,
        renameat, renameat2, restart_syscall, rmdir, rseq, rt_sigaction, rt_sigpending,
        rt_sigprocmask, rt_sigqueueinfo, rt_sigreturn, rt_sigsuspend, rt_sigtimedwait,
        rt_sigtimedwait_time64, rt_tgsigqueueinfo, sched_getaffinity, sched_getattr, sched_getparam,
        sched_get_priority_max, sched_get_priority_min, sched_getscheduler, sched_rr_get_interval,
        sched_rr_get_interval_time64, sched_setaffinity, sched_setattr, sched_setparam,
        sched_setscheduler, sched_yield, seccomp, select, semctl, semget, semop, semtimedop,
        semtimedop_time64, send, sendfile, sendfile64, sendmmsg, sendmsg, sendto, setfsgid,
        setfsgid32, setfsuid, setfsuid32, setgid, setgid32, setgroups, setgroups32, setitimer,
        setpgid, setpriority, setregid, setregid32, setresgid, setresgid32, setresuid, setresuid32,
        setreuid, setreuid32, setrlimit, set_robust_list, setsid, setsockopt, set_thread_area,
        set_tid_address, setuid, setuid32, setxattr, shmat, shmctl, shmdt, shmget, shutdown,
        sigaltstack, signalfd, signalfd4, sigprocmask, sigreturn, socket, socketcall, socketpair,
        splice, stat, stat64, statfs, statfs64, statx, symlink, symlinkat, sync, sync_file_range,
        syncfs, sysinfo, tee, tgkill, time, timer_create, timer_delete, timer_getoverrun,
        timer_gettime, timer_gettime64, timer_settime, timer_settime64, timerfd_create,
        timerfd_gettime, timerfd_gettime64, timerfd_settime, timerfd_settime64, times, tkill,
        truncate, truncate64, ugetrlimit, umask, uname, unlink, unlinkat, utime, utimensat,
        utimensat_time64, utimes, vfork, vmsplice, wait4, waitid, waitpid, write, writev, keyctl,
        pivot_root;

    // podman 4.3 (runc 1.1.5, libseccomp 2.5.4) ignores minKernel: the rule applies on every kernel there.
    #[allow(engine_ignores_min_kernel)]
    // `ptrace` is let run whatever its arguments, outside a `when cap(...)` block.
    #[allow(dangerous_permission)]
    when kernel >= 4.8 {
        allow ptrace;
    }

    // 64 bits of a narrower argument compared; `personality(0x1_0000_0000)` gets errno(1), while the kernel runs it as `personality(0x0)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    rule personality(arg0 as u64 == 0) => allow;

    // 64 bits of a narrower argument compared; `personality(0x1_0000_0008)` gets errno(1), while the kernel runs it as `personality(0x8)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    rule personality(arg0 as u64 == 8) => allow;

    // 64 bits of a narrower argument compared; `personality(0x1_0002_0000)` gets errno(1), while the kernel runs it as `personality(0x2_0000)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    rule personality(arg0 as u64 == 0x20000) => allow;

    // 64 bits of a narrower argument compared; `personality(0x1_0002_0008)` gets errno(1), while the kernel runs it as `personality(0x2_0008)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    rule personality(arg0 as u64 == 0x20008) => allow;

    // 64 bits of a narrower argument compared; `personality(0x1_ffff_ffff)` gets errno(1), while the kernel runs it as `personality(0xffff_ffff)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    rule personality(arg0 as u64 == 0xffffffff) => allow;

    when arch(ppc64le) {
        allow sync_file_range2;
    }

    // `sync_file_range2` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    when arch(arm, arm64) {
        allow arm_fadvise64_64, arm_sync_file_range, sync_file_range2, breakpoint, cacheflush,
            set_tls;
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

    when cap(CAP_DAC_READ_SEARCH) {
        allow open_by_handle_at;
    }

    when cap(CAP_SYS_ADMIN) {
        allow bpf, clone, fanotify_init, lookup_dcookie, mount, name_to_handle_at, perf_event_open,
            quotactl, setdomainname, sethostname, setns, syslog, umount, umount2, unshare;
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

    when cap(CAP_SYS_BOOT) {
        allow reboot;
    }

    when cap(CAP_SYS_CHROOT) {
        allow chroot;
    }

    when cap(CAP_SYS_MODULE) {
        allow delete_module, init_module, finit_module;
    }

    when cap(CAP_SYS_PACCT) {
        allow acct;
    }

    when cap(CAP_SYS_PTRACE) {
        allow kcmp, process_vm_readv, process_vm_writev, ptrace;
    }

    when cap(CAP_SYS_RAWIO) {
        allow iopl, ioperm;
    }

    when cap(CAP_SYS_TIME) {
        allow settimeofday, stime, clock_settime;
    }

    when cap(CAP_SYS_TTY_CONFIG) {
        allow vhangup;
    }

    when cap(CAP_SYS_NICE) {
        allow get_mempolicy, mbind, set_mempolicy;
    }

    when cap(CAP_SYSLOG) {
        allow syslog;
    }
}
