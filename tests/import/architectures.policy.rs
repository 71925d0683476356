seccomp_dsl::seccomp_profile! {
    // Stops calls runc 1.1.5 makes after loading the filter: for install() alone.
    #[allow(engine_cannot_start)]
    // The default stops `rt_sigreturn`, `restart_syscall`: what it protects cannot end or return from a signal handler.
    #[allow(stops_exit)]
    default errno(EPERM);
    arches x86_64, x86, aarch64;
    // podman 4.3 (runc 1.1.5, libseccomp 2.5.4) refuses to start a container with flags.
    #[allow(engine_refuses_flags)]
    flags log, spec_allow;

    allow read, write, exit_group, _llseek, chown32;

    // 64 bits of a narrower argument compared; `socket(0x1_0000_0001, …)` gets errno(1), while the kernel runs it as `socket(0x1, …)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x86, libseccomp applies this rule to `socketcall` without its conditions.
    #[allow(multiplexed_without_conditions)]
    rule socket(arg0 as u64 == AF_UNIX) => allow;

    // 64 bits of a narrower argument compared; `socket(0x1_0000_0028, …)` gets errno(1), while the kernel runs it as `socket(0x28, …)`, which gets errno(97).
    #[allow(upper_half_bypass)]
    // On x86, libseccomp applies this rule to `socketcall` without its conditions.
    #[allow(multiplexed_without_conditions)]
    rule socket(arg0 as u64 == AF_VSOCK) => errno(EAFNOSUPPORT);
}
