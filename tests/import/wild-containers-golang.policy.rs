seccomp_dsl::seccomp_profile! {
    default errno(EPERM);
    arch_map x86_64 => x86, x32;
    arch_map aarch64 => arm;
    arch_map mips64 => mips, mips64n32;
    arch_map mips64n32 => mips, mips64;
    arch_map mipsel64 => mipsel, mipsel64n32;
    arch_map mipsel64n32 => mipsel, mipsel64;
    arch_map s390x => s390;

    // `clone` is let run with namespace flags (no `arg0 & CLONE_NEWNS | ... == 0` rule keeps them out).
    #[allow(dangerous_permission)]
    allow _llseek, _newselect, accept, accept4, access, adjtimex, alarm, bind, brk, capget, capset,
        chdir, chmod, chown, chown32, clock_adjtime, clock_getres, clock_gettime, clock_nanosleep,
        clone, close, connect, copy_file_range, creat, dup, dup2, dup3, epoll_create, epoll_create1,
        epoll_ctl, epoll_ctl_old, epoll_pwait, epoll_wait, epoll_wait_old, eventfd, eventfd2,
        execve, execveat, exit, exit_group, faccessat, fadvise64, fadvise64_64, fallocate,
        fanotify_mark, fchdir, fchmod, fchmodat, fchown, fchown32, fchownat, fcntl, fcntl64,
        fdatasync, fgetxattr, flistxattr, flock, fork, fremovexattr, fsetxattr, fstat, fstat64,
        fstatat64, fstatfs, fstatfs64, fsync, ftruncate, ftruncate64, futex, futimesat,
        get_robust_list, get_thread_area, getcpu, getcwd, getdents, getdents64, getegid, getegid32,
        geteuid, geteuid32, getgid, getgid32, getgroups, getgroups32, getitimer, getpeername,
        getpgid, getpgrp, getpid, getppid, getpriority, getrandom, getresgid, getresgid32,
        getresuid, getresuid32, getrlimit, getrusage, getsid, getsockname, getsockopt, gettid,
        gettimeofday, getuid, getuid32, getxattr, inotify_add_watch, inotify_init, inotify_init1,
        inotify_rm_watch, io_cancel, io_destroy, io_getevents, io_setup, io_submit, ioctl,
        ioprio_get, ioprio_set, ipc, keyctl, kill, lchown, lchown32, lgetxattr, link, linkat,
        listen, listxattr, llistxattr, lremovexattr, lseek, lsetxattr, lstat, lstat64, madvise,
        memfd_create, mincore, mkdir, mkdirat, mknod, mknodat, mlock, mlock2, mlockall, mmap, mmap2,
        mount, mprotect, mq_getsetattr, mq_notify, mq_open, mq_timedreceive, mq_timedsend,
        mq_unlink, mremap, msgctl, msgget, msgrcv, msgsnd, msync, munlock, munlockall, munmap,
        name_to_handle_at, nanosleep, newfstatat, open, openat, pause, pipe, pipe2, pivot_root,
        poll, ppoll, prctl, pread64, preadv, preadv2, prlimit64, pselect6, pwrite64, pwritev,
        pwritev2, read, readahead, readlink, readlinkat, readv, reboot, recv, recvfrom, recvmmsg,
        recvmsg, remap_file_pages, removexattr, rename, renameat, renameat2, restart_syscall, rmdir,
        rt_sigaction, rt_sigpending, rt_sigprocmask, rt_sigqueueinfo, rt_sigreturn, rt_sigsuspend,
        rt_sigtimedwait, rt_tgsigqueueinfo, sched_get_priority_max, sched_get_priority_min,
        sched_getaffinity, sched_getattr, sched_getparam, sched_getscheduler, sched_rr_get_interval,
        sched_setaffinity, sched_setattr, sched_setparam, sched_setscheduler, sched_yield, seccomp,
        select, semctl, semget, semop, semtimedop, send, sendfile, sendfile64, sendmmsg, sendmsg,
        sendto, set_robust_list, set_thread_area, set_tid_address, setfsgid, setfsgid32, setfsuid,
        setfsuid32, setgid, setgid32, setgroups, setgroups32, setitimer, setpgid, setpriority,
        setregid, setregid32, setresgid, setresgid32, setresuid, setresuid32, setreuid, setreuid32,
        setrlimit, setsid, setsockopt, setuid, setuid32, setxattr, shmat, shmctl, shmdt, shmget,
        shutdown, sigaltstack, signalfd, signalfd4, sigreturn, socketcall, socketpair, splice, stat,
        stat64, statfs, statfs64, statx, symlink, symlinkat, sync, sync_file_range, syncfs, sysinfo,
        syslog, tee, tgkill, time, timer_create, timer_delete, timer_getoverrun, timer_gettime,
        timer_settime, timerfd_create, timerfd_gettime, timerfd_settime, times, tkill, truncate,
        truncate64, ugetrlimit, umask, umount, umount2, uname, unlink, unlinkat, unshare, utime,
        utimensat, utimes, vfork, vmsplice, wait4, waitid, waitpid, write, writev;

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
        allow bpf, fanotify_init, lookup_dcookie, perf_event_open, quotactl, setdomainname,
            sethostname, setns;
    }

    when cap(CAP_SYS_CHROOT) {
        allow chroot;
    }

    // `query_module` is obsolete: no current program calls it.
    #[allow(foreign_syscall)]
    when cap(CAP_SYS_MODULE) {
        allow delete_module, init_module, finit_module, query_module;
    }

    when cap(CAP_SYS_NICE) {
        allow get_mempolicy, mbind, set_mempolicy;
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

    // 64 bits of a narrower argument compared; bypass: `socket(0x1_0000_0010, 0x0, 0x9)` gets allow, while the kernel runs it as `socket(0x10, 0x0, 0x9)`, which gets errno(22).
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_NETLINK && arg2 as u64 == 9) => errno(EINVAL);
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    // `socket` is let run whatever the family (`AF_NETLINK`, `AF_PACKET`, `AF_VSOCK`, ...).
    #[allow(dangerous_permission)]
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg2 as u64 != 9) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 != AF_NETLINK) => allow;
    }

    // 64 bits of a narrower argument compared; the rest of the policy decides those calls as the kernel reads them.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    // `socket` is let run whatever the family (`AF_NETLINK`, `AF_PACKET`, `AF_VSOCK`, ...).
    #[allow(dangerous_permission)]
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg2 as u64 != 9) => allow;
    }

    when cap(CAP_AUDIT_WRITE) {
        allow socket;
    }
}
