seccomp_dsl::seccomp_profile! {
    default allow;
    arch_map x86_64 => x86, x32;
    arch_map riscv64;

    kill_process kexec_load, kexec_file_load, reboot, swapon, swapoff;
    errno(EPERM) ptrace;
    rule unshare(arg0 & CLONE_NEWUSER == CLONE_NEWUSER) => errno(EPERM);

    // 64 bits of a narrower argument compared; `personality(0x1_ffff_ffff)` gets log, while the kernel runs it as `personality(0xffff_ffff)`, which gets allow.
    #[allow(upper_half_bypass)]
    // On x32, engines compare only the low half of each argument.
    #[allow(x32_low_halves)]
    rule personality(arg0 as u64 != 0xffffffff) => log;
}
