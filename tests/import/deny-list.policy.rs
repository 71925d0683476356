seccomp_dsl::seccomp_profile! {
    default allow;
    arch_map x86_64 => x86, x32;
    arch_map riscv64;

    kill_process kexec_load, kexec_file_load, reboot, swapon, swapoff;
    errno(EPERM) ptrace;
    rule unshare(arg0 & 0x10000000 == 0x10000000) => errno(EPERM);
    rule personality(arg0 != 0xffffffff) => log;
}
