seccomp_dsl::seccomp_profile! {
    // The default stops `restart_syscall`: what it protects cannot end or return from a signal handler.
    #[allow(stops_exit)]
    default errno(EPERM);

    allow accept;
    allow accept4;
    allow access;
    allow alarm;
    allow arch_prctl;
    allow bind;
    allow brk;
    allow capget;
    allow capset;
    allow chdir;
    allow chmod;
    allow chown;

    // `chown32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow chown32;

    allow chroot;
    allow clock_getres;
    allow clock_gettime;
    allow clock_nanosleep;

    // `clone` is let run with namespace flags (no `arg0 & CLONE_NEWNS | ... == 0` rule keeps them out).
    #[allow(dangerous_permission)]
    allow clone;

    allow close;
    allow connect;
    allow creat;
    allow dup;
    allow dup2;
    allow dup3;
    allow epoll_create;
    allow epoll_create1;
    allow epoll_ctl;
    allow epoll_ctl_old;
    allow epoll_pwait;
    allow epoll_wait;
    allow epoll_wait_old;
    allow eventfd;
    allow eventfd2;
    allow execve;
    allow execveat;
    allow exit;
    allow exit_group;
    allow faccessat;
    allow fadvise64;

    // `fadvise64_64` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow fadvise64_64;

    allow fallocate;
    allow fanotify_init;
    allow fanotify_mark;
    allow fchdir;
    allow fchmod;
    allow fchmodat;
    allow fchown;

    // `fchown32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow fchown32;

    allow fchownat;
    allow fcntl;

    // `fcntl64` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow fcntl64;

    allow fdatasync;
    allow fgetxattr;
    allow flistxattr;
    allow flock;
    allow fork;
    allow fremovexattr;
    allow fsetxattr;
    allow fstat;

    // `fstat64` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow fstat64;

    // `fstatat64` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow fstatat64;

    allow fstatfs;

    // `fstatfs64` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow fstatfs64;

    allow fsync;
    allow ftruncate;

    // `ftruncate64` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow ftruncate64;

    allow futex;
    allow futimesat;
    allow getcpu;
    allow getcwd;
    allow getdents;
    allow getdents64;
    allow getegid;

    // `getegid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow getegid32;

    allow geteuid;

    // `geteuid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow geteuid32;

    allow getgid;

    // `getgid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow getgid32;

    allow getgroups;

    // `getgroups32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow getgroups32;

    allow getitimer;
    allow getpeername;
    allow getpgid;
    allow getpgrp;
    allow getpid;
    allow getppid;
    allow getpriority;
    allow getrandom;
    allow getresgid;

    // `getresgid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow getresgid32;

    allow getresuid;

    // `getresuid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow getresuid32;

    allow getrlimit;
    allow get_robust_list;
    allow getrusage;
    allow getsid;
    allow getsockname;
    allow getsockopt;
    allow get_thread_area;
    allow gettid;
    allow gettimeofday;
    allow getuid;

    // `getuid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow getuid32;

    allow getxattr;
    allow inotify_add_watch;
    allow inotify_init;
    allow inotify_init1;
    allow inotify_rm_watch;
    allow io_cancel;
    allow ioctl;
    allow io_destroy;
    allow io_getevents;
    allow ioprio_get;
    allow ioprio_set;
    allow io_setup;
    allow io_submit;
    allow kill;
    allow lchown;

    // `lchown32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow lchown32;

    allow lgetxattr;
    allow link;
    allow linkat;
    allow listen;
    allow listxattr;
    allow llistxattr;

    // `_llseek` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow _llseek;

    allow lremovexattr;
    allow lseek;
    allow lsetxattr;
    allow lstat;

    // `lstat64` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow lstat64;

    allow madvise;
    allow memfd_create;
    allow mincore;
    allow mkdir;
    allow mkdirat;
    allow mknod;
    allow mknodat;
    allow mlock;
    allow mlockall;
    allow mmap;

    // `mmap2` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow mmap2;

    allow mprotect;
    allow mq_getsetattr;
    allow mq_notify;
    allow mq_open;
    allow mq_timedreceive;
    allow mq_timedsend;
    allow mq_unlink;
    allow mremap;
    allow msgctl;
    allow msgget;
    allow msgrcv;
    allow msgsnd;
    allow msync;
    allow munlock;
    allow munlockall;
    allow munmap;
    allow name_to_handle_at;
    allow nanosleep;
    allow newfstatat;

    // `_newselect` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow _newselect;

    allow open;
    allow open_by_handle_at;
    allow openat;
    allow pause;
    allow pipe;
    allow pipe2;
    allow poll;
    allow ppoll;
    allow prctl;
    allow pread64;
    allow preadv;
    allow prlimit64;
    allow pselect6;
    allow pwrite64;
    allow pwritev;
    allow read;
    allow readahead;
    allow readlink;
    allow readlinkat;
    allow readv;
    allow recvfrom;
    allow recvmmsg;
    allow recvmsg;
    allow remap_file_pages;
    allow removexattr;
    allow rename;
    allow renameat;
    allow renameat2;
    allow rmdir;
    allow rt_sigaction;
    allow rt_sigpending;
    allow rt_sigprocmask;
    allow rt_sigqueueinfo;
    allow rt_sigreturn;
    allow rt_sigsuspend;
    allow rt_sigtimedwait;
    allow rt_tgsigqueueinfo;
    allow sched_getaffinity;
    allow sched_getattr;
    allow sched_getparam;
    allow sched_get_priority_max;
    allow sched_get_priority_min;
    allow sched_getscheduler;
    allow sched_rr_get_interval;
    allow sched_setaffinity;
    allow sched_setattr;
    allow sched_setparam;
    allow sched_setscheduler;
    allow sched_yield;
    allow seccomp;
    allow select;
    allow semctl;
    allow semget;
    allow semop;
    allow semtimedop;
    allow sendfile;

    // `sendfile64` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow sendfile64;

    allow sendmmsg;
    allow sendmsg;
    allow sendto;
    allow setdomainname;
    allow setfsgid;

    // `setfsgid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow setfsgid32;

    allow setfsuid;

    // `setfsuid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow setfsuid32;

    allow setgid;

    // `setgid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow setgid32;

    allow setgroups;

    // `setgroups32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow setgroups32;

    allow sethostname;
    allow setitimer;

    // `setns` is let run whatever its arguments, outside a `when cap(...)` block.
    #[allow(dangerous_permission)]
    allow setns;

    allow setpgid;
    allow setpriority;
    allow setregid;

    // `setregid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow setregid32;

    allow setresgid;

    // `setresgid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow setresgid32;

    allow setresuid;

    // `setresuid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow setresuid32;

    allow setreuid;

    // `setreuid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow setreuid32;

    allow setrlimit;
    allow set_robust_list;
    allow setsid;
    allow setsockopt;
    allow set_thread_area;
    allow set_tid_address;
    allow setuid;

    // `setuid32` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow setuid32;

    allow setxattr;
    allow shmat;
    allow shmctl;
    allow shmdt;
    allow shmget;
    allow shutdown;
    allow sigaltstack;
    allow signalfd;
    allow signalfd4;

    // `socket` is let run whatever the family (`AF_NETLINK`, `AF_PACKET`, `AF_VSOCK`, ...).
    #[allow(dangerous_permission)]
    allow socket;

    allow socketpair;
    allow splice;
    allow stat;

    // `stat64` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow stat64;

    allow statfs;

    // `statfs64` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow statfs64;

    allow symlink;
    allow symlinkat;
    allow sync;
    allow sync_file_range;
    allow syncfs;
    allow sysinfo;
    allow syslog;
    allow tee;
    allow tgkill;
    allow time;
    allow timer_create;
    allow timer_delete;
    allow timerfd_create;
    allow timerfd_gettime;
    allow timerfd_settime;
    allow timer_getoverrun;
    allow timer_gettime;
    allow timer_settime;
    allow times;
    allow tkill;
    allow truncate;

    // `truncate64` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow truncate64;

    // `ugetrlimit` exists on no ABI the policy covers on x86_64 or aarch64.
    #[allow(foreign_syscall)]
    allow ugetrlimit;

    allow umask;
    allow uname;
    allow unlink;
    allow unlinkat;

    // `unshare` is let run whatever its arguments, outside a `when cap(...)` block.
    #[allow(dangerous_permission)]
    allow unshare;

    allow utime;
    allow utimensat;
    allow utimes;
    allow vfork;
    allow vhangup;
    allow vmsplice;
    allow wait4;
    allow waitid;
    allow write;
    allow writev;
}
