seccomp_dsl::seccomp_profile! {
    // Stops calls runc 1.1.5 makes after loading the filter: for install() alone.
    #[allow(engine_cannot_start)]
    default errno(ENOSYS);

    allow read, write, exit_group, rt_sigreturn, restart_syscall;

    // 64 bits of a narrower argument compared; bypass: `socket(0x1_0000_0028, …)` gets allow, while the kernel runs it as `socket(0x28, …)`, which gets errno(1).
    #[allow(upper_half_bypass)]
    /// Written apart from syscalls[1], syscalls[2], syscalls[3], syscalls[4], syscalls[5], which overlap: as libseccomp 2.5.4 answers them.
    rule socket(arg0 as u64 == AF_VSOCK) => errno(EPERM);

    // 64 bits of a narrower argument compared; bypass: `socket(0x1_0000_0028, …)` gets allow, while the kernel runs it as `socket(0x28, …)`, which gets errno(1).
    #[allow(upper_half_bypass)]
    /// Written apart from syscalls[1], syscalls[2], syscalls[3], syscalls[4], syscalls[5], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 != AF_NETLINK && arg0 as u64 != AF_VSOCK) => allow;
    }

    // 64 bits of a narrower argument compared; bypass: `socket(0x10, 0x0, 0x1_0000_0009)` gets allow, while the kernel runs it as `socket(0x10, 0x0, 0x9)`, which gets errno(22).
    #[allow(upper_half_bypass)]
    /// Written apart from syscalls[1], syscalls[2], syscalls[3], syscalls[4], syscalls[5], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_NETLINK && arg2 as u64 != 9) => allow;
    }

    // 64 bits of a narrower argument compared; bypass: `socket(0x1_0000_0010, 0x0, 0x9)` gets allow, while the kernel runs it as `socket(0x10, 0x0, 0x9)`, which gets errno(22).
    #[allow(upper_half_bypass)]
    /// Written apart from syscalls[1], syscalls[2], syscalls[3], syscalls[4], syscalls[5], which overlap: as libseccomp 2.5.4 answers them.
    unless cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 == AF_NETLINK && arg2 as u64 == 9) => errno(EINVAL);
    }

    // 64 bits of a narrower argument compared; bypass: `socket(0x1_0000_0028, …)` gets allow, while the kernel runs it as `socket(0x28, …)`, which gets errno(1).
    #[allow(upper_half_bypass)]
    /// Written apart from syscalls[1], syscalls[2], syscalls[3], syscalls[4], syscalls[5], which overlap: as libseccomp 2.5.4 answers them.
    when cap(CAP_AUDIT_WRITE) {
        rule socket(arg0 as u64 != AF_VSOCK) => allow;
    }
}
