seccomp_dsl::seccomp_profile! {
    default errno(EPERM);
    arch_map x86_64 => x86, x32;
    arch_map aarch64 => arm;
    arch_map mips64 => mips, mips64n32;
    arch_map mips64n32 => mips, mips64;
    arch_map mipsel64 => mipsel, mipsel64n32;
    arch_map mipsel64n32 => mipsel, mipsel64;
    arch_map s390x => s390;

    // `socket` is let run whatever the family (`AF_NETLINK`, `AF_PACKET`, `AF_VSOCK`, ...).
    #[allow(dangerous_permission)]
    allow accept, accept4, access, adjtimex, alarm, bind, brk, capget, capset, chdir, chmod, chown,
        chown32, clock_getres, clock_gettime, clock_nanosleep, close, connect, copy_file_range,
        creat, dup, dup2, dup3, epoll_create, epoll_create1, epoll_ctl, epoll_ctl_old, epoll_pwait,
        epoll_wait, epoll_wait_old, eventfd, eventfd2, execve, execveat, exit, exit_group,
        faccessat, fadvise64, fadvise64_64, fallocate, fanotify_mark, fchdir, fchmod, fchmodat,
        fchown, fchown32, fchownat, fcntl, fcntl64, fdatasync, fgetxattr, flistxattr, flock, fork,
        fremovexattr, fsetxattr, fstat, fstat64, fstatat64, fstatfs, fstatfs64, fsync, ftruncate,
        ftruncate64, futex, futimesat, getcpu, getcwd, getdents, getdents64, getegid, getegid32,
        geteuid, geteuid32, getgid, getgid32, getgroups, getgroups32, getitimer, getpeername,
        getpgid, getpgrp, getpid, getppid, getpriority, getrandom, getresgid, getresgid32,
        getresuid, getresuid32, getrlimit, get_robust_list, getrusage, getsid, getsockname,
        getsockopt, get_thread_area, gettid, gettimeofday, getuid, getuid32, getxattr,
        inotify_add_watch, inotify_init, inotify_init1, inotify_rm_watch, io_cancel, ioctl,
        io_destroy, io_getevents, ioprio_get, ioprio_set, io_setup, io_submit, ipc, kill, lchown,
        lchown32, lgetxattr, link, linkat, listen, listxattr, llistxattr, _llseek, lremovexattr,
        lseek, lsetxattr, lstat, lstat64, madvise, memfd_create, mincore, mkdir, mkdirat, mknod,
        mknodat, mlock, mlock2, mlockall, mmap, mmap2, mprotect, mq_getsetattr, mq_notify, mq_open,
        mq_timedreceive, mq_timedsend, mq_unlink, mremap, msgctl, msgget, msgrcv, msgsnd, msync,
        munlock, munlockall, munmap, nanosleep, newfstatat, _newselect, open, openat, pause, pipe,
        pipe2, poll, ppoll, prctl, pread64, preadv, preadv2, prlimit64, pselect6, pwrite64, pwritev,
        pwritev2, read, readahead, readlink, readlinkat, readv, recv, recvfrom, recvmmsg, recvmsg,
        remap_file_pages, removexattr, rename, renameat, renameat2, restart_syscall, rmdir,
        rt_sigaction, rt_sigpending, rt_sigprocmask, rt_sigqueueinfo, rt_sigreturn, rt_sigsuspend,
        rt_sigtimedwait, rt_tgsigqueueinfo, sched_getaffinity, sched_getattr, sched_getparam,
        sched_get_priority_max, sched_get_priority_min, sched_getscheduler, sched_rr_get_interval,
        sched_setaffinity, sched_setattr, sched_setparam, sched_setscheduler, sched_yield, seccomp,
        select, semctl, semget, semop, semtimedop, send, sendfile, sendfile64, sendmmsg, sendmsg,
        sendto, setfsgid, setfsgid32, setfsuid, setfsuid32, setgid, setgid32, setgroups,
        setgroups32, setitimer, setpgid, setpriority, setregid, setregid32, setresgid, setresgid32,
        setresuid, setresuid32, setreuid, setreuid32, setrlimit, set_robust_list, setsid,
        setsockopt, set_thread_area, set_tid_address, setuid, setuid32, setxattr, shmat, shmctl,
        shmdt, shmget, shutdown, sigaltstack, signalfd, signalfd4, sigreturn, socket, socketcall,
        socketpair, splice, stat, stat64, statfs, statfs64, statx, symlink, symlinkat, sync,
        sync_file_range, syncfs, sysinfo, syslog, tee, tgkill, time, timer_create, timer_delete,
        timerfd_create, timerfd_gettime, timerfd_settime, timer_getoverrun, timer_gettime,
        timer_settime, times, tkill, truncate, truncate64, ugetrlimit, umask, uname, unlink,
        unlinkat, utime, utimensat, utimes, vfork, vmsplice, wait4, waitid, waitpid, write, writev;

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
            quotactl, setdomainname, sethostname, setns, umount, umount2, unshare;
    }

    // `clone` is let run with CLONE_NEWCGROUP (its comparison of `arg0` keeps the other namespace flags out).
    #[allow(dangerous_permission)]
    unless cap(CAP_SYS_ADMIN), arch(s390, s390x) {
        rule clone(arg0 & CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET == 0) => allow;
    }

    /// s390 parameter ordering for clone is different
    when arch(s390, s390x) {
        unless cap(CAP_SYS_ADMIN) {
            rule clone(arg1 & 0x7c020000 == 0) => allow;
        }
    }

    when cap(CAP_SYS_BOOT) {
        allow reboot;
    }

    when cap(CAP_SYS_CHROOT) {
        allow chroot;
    }

    // `query_module` is obsolete: no current program calls it.
    #[allow(foreign_syscall)]
    when cap(CAP_SYS_MODULE) {
        allow delete_module, init_module, finit_module, query_module;
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
}
