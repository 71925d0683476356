//! Named sets of syscalls, usable wherever the DSL takes a list of names
//! (`allow @basic_io, @file_system, read;`, `forbid @privileged;`): the
//! sets of systemd's `SystemCallFilter=` (with `_` for `-`), sets made for
//! Rust programs on glibc, and the purposes under which a recorded policy
//! ([`crate::record`]) lists what a program called ([`purpose_of`]).
//!
//! A group's content is part of the policy's meaning: any change to one is
//! a behaviour change, recorded in `CHANGELOG.md` with a new [`VERSION`].
//! Groups hold only syscalls that libseccomp 2.5.4 knows, so that a group
//! means the same to `install()` and to a container engine; a newer
//! syscall is named on its own. A name that does not exist on an ABI (the
//! 32-bit `_llseek` on x86_64) is skipped there, as any name is.

/// The version of the groups' contents, raised with every change.
pub const VERSION: u32 = 1;

/// A set of syscalls with one purpose.
#[derive(Debug)]
pub struct Group {
    /// The group's name, as `@name` in the DSL.
    pub name: &'static str,
    /// What the syscalls are for, as a comment above them.
    pub purpose: &'static str,
    /// The syscalls, by name, besides those of `includes`.
    pub syscalls: &'static [&'static str],
    /// Groups whose syscalls this one has too.
    pub includes: &'static [&'static str],
}

/// The groups a recorded policy lists syscalls under, in its order: the
/// first that has a syscall is its purpose.
pub const PURPOSES: [&str; 16] = [
    "basic_io",
    "file_system",
    "memory",
    "threads",
    "process",
    "signal",
    "io_event",
    "time",
    "network_io",
    "ipc",
    "system_info",
    "device_control",
    "setuid",
    "mount",
    "privileged",
    "other",
];

/// Every group.
pub static GROUPS: [Group; 34] = [
    Group {
        name: "basic_io",
        purpose: "Reading and writing open descriptors",
        syscalls: &[
            "_llseek",
            "close",
            "close_range",
            "dup",
            "dup2",
            "dup3",
            "lseek",
            "pread64",
            "preadv",
            "preadv2",
            "pwrite64",
            "pwritev",
            "pwritev2",
            "read",
            "readv",
            "write",
            "writev",
            "sendfile",
            "sendfile64",
            "splice",
            "tee",
            "vmsplice",
            "copy_file_range",
        ],
        includes: &[],
    },
    Group {
        name: "file_system",
        purpose: "Files and directories: opening, metadata, links, watches",
        syscalls: &[
            "access",
            "chdir",
            "chmod",
            "chown",
            "chown32",
            "creat",
            "faccessat",
            "faccessat2",
            "fadvise64",
            "fadvise64_64",
            "fallocate",
            "fchdir",
            "fchmod",
            "fchmodat",
            "fchmodat2",
            "fchown",
            "fchown32",
            "fchownat",
            "fcntl",
            "fcntl64",
            "fdatasync",
            "fgetxattr",
            "flistxattr",
            "flock",
            "fremovexattr",
            "fsetxattr",
            "fstat",
            "fstat64",
            "fstatat64",
            "fstatfs",
            "fstatfs64",
            "fsync",
            "ftruncate",
            "ftruncate64",
            "futimesat",
            "getcwd",
            "getdents",
            "getdents64",
            "getxattr",
            "inotify_add_watch",
            "inotify_init",
            "inotify_init1",
            "inotify_rm_watch",
            "lchown",
            "lchown32",
            "lgetxattr",
            "link",
            "linkat",
            "listxattr",
            "llistxattr",
            "lremovexattr",
            "lsetxattr",
            "lstat",
            "lstat64",
            "mkdir",
            "mkdirat",
            "mknod",
            "mknodat",
            "newfstatat",
            "oldfstat",
            "oldlstat",
            "oldstat",
            "open",
            "openat",
            "openat2",
            "readahead",
            "readlink",
            "readlinkat",
            "removexattr",
            "rename",
            "renameat",
            "renameat2",
            "rmdir",
            "setxattr",
            "stat",
            "stat64",
            "statfs",
            "statfs64",
            "statx",
            "symlink",
            "symlinkat",
            "sync",
            "sync_file_range",
            "syncfs",
            "truncate",
            "truncate64",
            "umask",
            "unlink",
            "unlinkat",
            "utime",
            "utimensat",
            "utimensat_time64",
            "utimes",
            "fanotify_init",
            "fanotify_mark",
            "name_to_handle_at",
        ],
        includes: &[],
    },
    Group {
        name: "memory",
        purpose: "Memory: the heap, mappings and their protection",
        syscalls: &[
            "brk",
            "get_mempolicy",
            "madvise",
            "mbind",
            "membarrier",
            "memfd_create",
            "mincore",
            "mlock",
            "mlock2",
            "mlockall",
            "mmap",
            "mmap2",
            "mprotect",
            "mremap",
            "msync",
            "munlock",
            "munlockall",
            "munmap",
            "pkey_alloc",
            "pkey_free",
            "pkey_mprotect",
            "process_madvise",
            "set_mempolicy",
        ],
        includes: &[],
    },
    Group {
        name: "threads",
        purpose: "Threads: creation, synchronisation and scheduling",
        syscalls: &[
            "clone",
            "clone3",
            "futex",
            "futex_time64",
            "futex_waitv",
            "futex_wait",
            "futex_wake",
            "futex_requeue",
            "get_robust_list",
            "set_robust_list",
            "set_tid_address",
            "rseq",
            "sched_getaffinity",
            "sched_setaffinity",
            "sched_getparam",
            "sched_getscheduler",
            "sched_get_priority_max",
            "sched_get_priority_min",
            "sched_yield",
            "sched_getattr",
            "sched_setattr",
            "sched_setparam",
            "sched_setscheduler",
            "sched_rr_get_interval",
            "exit",
        ],
        includes: &[],
    },
    Group {
        name: "process",
        purpose: "Processes: running programs, waiting for them, ending",
        syscalls: &[
            "arch_prctl",
            "execve",
            "execveat",
            "exit_group",
            "fork",
            "vfork",
            "wait4",
            "waitid",
            "waitpid",
            "kill",
            "tgkill",
            "tkill",
            "pidfd_open",
            "pidfd_getfd",
            "pidfd_send_signal",
            "prctl",
            "getpid",
            "getppid",
            "gettid",
            "getpgid",
            "getpgrp",
            "getsid",
            "setpgid",
            "setsid",
            "getrusage",
            "times",
            "getpriority",
            "setpriority",
            "getrlimit",
            "setrlimit",
            "prlimit64",
            "ugetrlimit",
            "personality",
        ],
        includes: &[],
    },
    Group {
        name: "signal",
        purpose: "Signals: handlers, masks, delivery",
        syscalls: &[
            "restart_syscall",
            "rt_sigaction",
            "rt_sigpending",
            "rt_sigprocmask",
            "rt_sigqueueinfo",
            "rt_sigreturn",
            "rt_sigsuspend",
            "rt_sigtimedwait",
            "rt_sigtimedwait_time64",
            "rt_tgsigqueueinfo",
            "sigaction",
            "sigaltstack",
            "signal",
            "signalfd",
            "signalfd4",
            "sigpending",
            "sigprocmask",
            "sigreturn",
            "sigsuspend",
            "pause",
        ],
        includes: &[],
    },
    Group {
        name: "io_event",
        purpose: "Waiting for descriptors: poll, select, epoll, eventfd",
        syscalls: &[
            "_newselect",
            "epoll_create",
            "epoll_create1",
            "epoll_ctl",
            "epoll_ctl_old",
            "epoll_pwait",
            "epoll_pwait2",
            "epoll_wait",
            "epoll_wait_old",
            "eventfd",
            "eventfd2",
            "poll",
            "ppoll",
            "ppoll_time64",
            "pselect6",
            "pselect6_time64",
            "select",
            "io_setup",
            "io_destroy",
            "io_submit",
            "io_cancel",
            "io_getevents",
            "io_pgetevents",
        ],
        includes: &[],
    },
    Group {
        name: "time",
        purpose: "Clocks, sleeping and timers",
        syscalls: &[
            "clock_getres",
            "clock_getres_time64",
            "clock_gettime",
            "clock_gettime64",
            "clock_nanosleep",
            "clock_nanosleep_time64",
            "gettimeofday",
            "nanosleep",
            "time",
        ],
        includes: &["timer"],
    },
    Group {
        name: "network_io",
        purpose: "Sockets",
        syscalls: &[
            "accept",
            "accept4",
            "bind",
            "connect",
            "getpeername",
            "getsockname",
            "getsockopt",
            "listen",
            "recv",
            "recvfrom",
            "recvmmsg",
            "recvmmsg_time64",
            "recvmsg",
            "send",
            "sendmmsg",
            "sendmsg",
            "sendto",
            "setsockopt",
            "shutdown",
            "socket",
            "socketcall",
            "socketpair",
        ],
        includes: &[],
    },
    Group {
        name: "ipc",
        purpose: "Pipes and System V and POSIX IPC",
        syscalls: &[
            "ipc",
            "mq_getsetattr",
            "mq_notify",
            "mq_open",
            "mq_timedreceive",
            "mq_timedreceive_time64",
            "mq_timedsend",
            "mq_timedsend_time64",
            "mq_unlink",
            "msgctl",
            "msgget",
            "msgrcv",
            "msgsnd",
            "pipe",
            "pipe2",
            "process_vm_readv",
            "process_vm_writev",
            "semctl",
            "semget",
            "semop",
            "semtimedop",
            "semtimedop_time64",
            "shmat",
            "shmctl",
            "shmdt",
            "shmget",
        ],
        includes: &[],
    },
    Group {
        name: "system_info",
        purpose: "Identity and system information",
        syscalls: &[
            "getcpu",
            "getegid",
            "getegid32",
            "geteuid",
            "geteuid32",
            "getgid",
            "getgid32",
            "getgroups",
            "getgroups32",
            "getrandom",
            "getresgid",
            "getresgid32",
            "getresuid",
            "getresuid32",
            "getuid",
            "getuid32",
            "sysinfo",
            "uname",
            "olduname",
            "oldolduname",
            "capget",
        ],
        includes: &[],
    },
    Group {
        name: "device_control",
        purpose: "Controlling devices, terminals and descriptors' modes",
        syscalls: &["ioctl"],
        includes: &[],
    },
    Group {
        name: "setuid",
        purpose: "Changing credentials and capabilities",
        syscalls: &[
            "capset",
            "setfsgid",
            "setfsgid32",
            "setfsuid",
            "setfsuid32",
            "setgid",
            "setgid32",
            "setgroups",
            "setgroups32",
            "setregid",
            "setregid32",
            "setresgid",
            "setresgid32",
            "setresuid",
            "setresuid32",
            "setreuid",
            "setreuid32",
            "setuid",
            "setuid32",
        ],
        includes: &[],
    },
    Group {
        name: "mount",
        purpose: "Mounts and namespaces",
        syscalls: &[
            "chroot",
            "fsconfig",
            "fsmount",
            "fsopen",
            "fspick",
            "mount",
            "mount_setattr",
            "move_mount",
            "open_tree",
            "pivot_root",
            "umount",
            "umount2",
            "unshare",
            "setns",
        ],
        includes: &[],
    },
    Group {
        name: "privileged",
        purpose: "Privileged operations: debugging, modules, the kernel, devices",
        syscalls: &[
            "acct",
            "bpf",
            "delete_module",
            "finit_module",
            "init_module",
            "ioperm",
            "iopl",
            "kcmp",
            "kexec_file_load",
            "kexec_load",
            "keyctl",
            "add_key",
            "request_key",
            "lookup_dcookie",
            "nfsservctl",
            "perf_event_open",
            "process_mrelease",
            "ptrace",
            "quotactl",
            "quotactl_fd",
            "reboot",
            "sethostname",
            "setdomainname",
            "settimeofday",
            "clock_settime",
            "clock_settime64",
            "clock_adjtime",
            "clock_adjtime64",
            "adjtimex",
            "stime",
            "swapon",
            "swapoff",
            "syslog",
            "userfaultfd",
            "vhangup",
            "open_by_handle_at",
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            "landlock_create_ruleset",
            "landlock_add_rule",
            "landlock_restrict_self",
            "seccomp",
            "uselib",
            "_sysctl",
            "sysfs",
            "ustat",
            "vm86",
            "vm86old",
            "modify_ldt",
            "set_thread_area",
            "get_thread_area",
        ],
        includes: &[],
    },
    Group {
        name: "timer",
        purpose: "Timers and alarms, after systemd's @timer",
        syscalls: &[
            "alarm",
            "getitimer",
            "setitimer",
            "timer_create",
            "timer_delete",
            "timer_getoverrun",
            "timer_gettime",
            "timer_gettime64",
            "timer_settime",
            "timer_settime64",
            "timerfd_create",
            "timerfd_gettime",
            "timerfd_gettime64",
            "timerfd_settime",
            "timerfd_settime64",
        ],
        includes: &[],
    },
    Group {
        name: "memlock",
        purpose: "Locking memory",
        syscalls: &["mlock", "mlock2", "mlockall", "munlock", "munlockall"],
        includes: &[],
    },
    Group {
        name: "module",
        purpose: "Kernel modules",
        syscalls: &["delete_module", "finit_module", "init_module"],
        includes: &[],
    },
    Group {
        name: "raw_io",
        purpose: "Raw I/O port access",
        syscalls: &[
            "ioperm",
            "iopl",
            "pciconfig_iobase",
            "pciconfig_read",
            "pciconfig_write",
        ],
        includes: &[],
    },
    Group {
        name: "reboot",
        purpose: "Rebooting and loading a new kernel",
        syscalls: &["kexec_file_load", "kexec_load", "reboot"],
        includes: &[],
    },
    Group {
        name: "swap",
        purpose: "Swap devices",
        syscalls: &["swapoff", "swapon"],
        includes: &[],
    },
    Group {
        name: "clock",
        purpose: "Setting the system clock",
        syscalls: &[
            "adjtimex",
            "clock_adjtime",
            "clock_adjtime64",
            "clock_settime",
            "clock_settime64",
            "settimeofday",
            "stime",
        ],
        includes: &[],
    },
    Group {
        name: "debug",
        purpose: "Debugging and tracing other processes",
        syscalls: &[
            "lookup_dcookie",
            "perf_event_open",
            "pidfd_getfd",
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "kcmp",
        ],
        includes: &[],
    },
    Group {
        name: "obsolete",
        purpose: "Syscalls no current program needs",
        syscalls: &[
            "_sysctl",
            "afs_syscall",
            "bdflush",
            "break",
            "create_module",
            "ftime",
            "get_kernel_syms",
            "getpmsg",
            "gtty",
            "idle",
            "lock",
            "mpx",
            "prof",
            "profil",
            "putpmsg",
            "query_module",
            "security",
            "sgetmask",
            "ssetmask",
            "stty",
            "sysfs",
            "tuxcall",
            "ulimit",
            "uselib",
            "ustat",
            "vserver",
        ],
        includes: &[],
    },
    Group {
        name: "sync",
        purpose: "Flushing files to storage",
        syscalls: &[
            "fdatasync",
            "fsync",
            "msync",
            "sync",
            "sync_file_range",
            "sync_file_range2",
            "syncfs",
        ],
        includes: &[],
    },
    Group {
        name: "aio",
        purpose: "Asynchronous I/O, io_uring included",
        syscalls: &[
            "io_cancel",
            "io_destroy",
            "io_getevents",
            "io_pgetevents",
            "io_setup",
            "io_submit",
            "io_uring_enter",
            "io_uring_register",
            "io_uring_setup",
        ],
        includes: &[],
    },
    Group {
        name: "keyring",
        purpose: "The kernel's key store",
        syscalls: &["add_key", "keyctl", "request_key"],
        includes: &[],
    },
    Group {
        name: "chown",
        purpose: "Changing files' owners",
        syscalls: &[
            "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32",
        ],
        includes: &[],
    },
    Group {
        name: "resources",
        purpose: "Changing scheduling, priorities and limits",
        syscalls: &[
            "ioprio_set",
            "mbind",
            "migrate_pages",
            "move_pages",
            "nice",
            "sched_setaffinity",
            "sched_setattr",
            "sched_setparam",
            "sched_setscheduler",
            "set_mempolicy",
            "setpriority",
            "setrlimit",
        ],
        includes: &[],
    },
    Group {
        name: "system_service",
        purpose: "What an ordinary service needs, after systemd's @system-service",
        syscalls: &[],
        includes: &[
            "aio",
            "basic_io",
            "chown",
            "device_control",
            "file_system",
            "io_event",
            "ipc",
            "keyring",
            "memlock",
            "memory",
            "network_io",
            "process",
            "resources",
            "setuid",
            "signal",
            "sync",
            "system_info",
            "threads",
            "time",
        ],
    },
    Group {
        name: "rust_std",
        purpose:
            "What a Rust program on glibc or musl needs from exec to exit: load, allocate, print, panic",
        syscalls: &[
            "access",
            "arch_prctl",
            "brk",
            "clock_gettime",
            "close",
            "execve",
            "exit_group",
            "fcntl",
            "fstat",
            "futex",
            "getcwd",
            "getrandom",
            "gettid",
            "lseek",
            "madvise",
            "mmap",
            "mprotect",
            "mremap",
            "munmap",
            "nanosleep",
            "newfstatat",
            "open",
            "openat",
            "poll",
            "ppoll",
            "pread64",
            "prlimit64",
            "read",
            "readlink",
            "readlinkat",
            "rseq",
            "restart_syscall",
            "rt_sigaction",
            "rt_sigprocmask",
            "rt_sigreturn",
            "sched_getaffinity",
            "sched_yield",
            "set_robust_list",
            "set_tid_address",
            "sigaltstack",
            "stat",
            "lstat",
            "statx",
            "write",
            "writev",
        ],
        includes: &[],
    },
    Group {
        name: "rust_threads",
        purpose: "What std::thread and std::sync need beside @rust_std, but `clone`, allowed by a rule on its flags",
        syscalls: &[
            "exit",
            "futex",
            "gettid",
            "madvise",
            "mmap",
            "mprotect",
            "munmap",
            "rseq",
            "rt_sigprocmask",
            "sched_getaffinity",
            "sched_yield",
            "set_robust_list",
            "sigaltstack",
        ],
        includes: &[],
    },
    Group {
        name: "tokio",
        purpose: "What the tokio runtime needs beside @rust_std and @rust_threads",
        syscalls: &[
            "epoll_create1",
            "epoll_ctl",
            "epoll_pwait",
            "epoll_pwait2",
            "epoll_wait",
            "eventfd2",
            "pipe2",
            "socketpair",
        ],
        includes: &[],
    },
    Group {
        name: "other",
        purpose: "Other syscalls",
        syscalls: &[],
        includes: &[],
    },
];

/// The group whose purpose `syscall` serves: the first of [`PURPOSES`]
/// that has it, or `other`.
///
/// ```
/// use seccomp_dsl_core::groups::purpose_of;
/// assert_eq!(purpose_of("openat").name, "file_system");
/// assert_eq!(purpose_of("no_such_call").name, "other");
/// ```
pub fn purpose_of(syscall: &str) -> &'static Group {
    PURPOSES
        .iter()
        .filter_map(|name| group(name))
        .find(|group| group.contains(syscall))
        .or_else(|| group("other"))
        .expect("`other` is a group")
}

/// The group named `name` (without `@`).
pub fn group(name: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|group| group.name == name)
}

impl Group {
    /// Every syscall of the group, its included groups' too, sorted, once
    /// each.
    ///
    /// ```
    /// use seccomp_dsl_core::groups::group;
    /// let service = group("system_service").unwrap().members();
    /// assert!(service.contains(&"openat") && !service.contains(&"mount"));
    /// ```
    pub fn members(&self) -> Vec<&'static str> {
        let mut members: Vec<&'static str> = self.syscalls.to_vec();
        for included in self.includes {
            members.extend(group(included).map(Group::members).unwrap_or_default());
        }
        members.sort_unstable();
        members.dedup();
        members
    }

    /// Whether `syscall` is a member, directly or by an included group.
    ///
    /// ```
    /// use seccomp_dsl_core::groups::group;
    /// let service = group("system_service").unwrap();
    /// assert!(service.contains("openat") && !service.contains("mount"));
    /// ```
    pub fn contains(&self, syscall: &str) -> bool {
        self.syscalls.contains(&syscall)
            || (self.includes.iter())
                .filter_map(|included| group(included))
                .any(|included| included.contains(syscall))
    }

    /// The members that exist on `abi`.
    pub fn members_on(&self, abi: crate::tables::abi::SeccompArch) -> Vec<&'static str> {
        let table = abi.syscall_table();
        (self.members().into_iter())
            .filter(|name| {
                crate::syscalls::lookup(name).is_some_and(|entry| entry.exists_on(table))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grouped_name_is_a_syscall_every_engine_knows() {
        use crate::model::Architectures;
        for group in &GROUPS {
            for name in group.syscalls {
                assert!(crate::syscalls::lookup(name).is_some(), "{name}");
                let dropped = crate::engines::TARGET.drops(name, &Architectures::Native);
                assert!(dropped.is_empty(), "@{}: {name}", group.name);
            }
            for included in group.includes {
                assert!(self::group(included).is_some(), "{included}");
            }
        }
    }

    #[test]
    fn purposes_are_groups_that_share_no_syscall() {
        let mut seen = std::collections::BTreeSet::new();
        for name in PURPOSES {
            let group = group(name).unwrap_or_else(|| panic!("{name}"));
            for syscall in group.members() {
                assert!(seen.insert(syscall), "{syscall} has two purposes");
            }
        }
    }
}
