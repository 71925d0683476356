//! The ABIs seccomp filters tell apart, as libseccomp and Docker name
//! them, and how each numbers its syscalls.

use crate::tables::syscalls;

/// x32 calls use x86_64's `AUDIT_ARCH` with this bit set in the number.
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// What the kernel adds to a syscall number of `abi` in the filter's
/// `nr`: [`X32_SYSCALL_BIT`] for x32, nothing for any other ABI.
///
/// ```
/// use seccomp_dsl_core::{bpf, model::SeccompArch};
/// assert_eq!(bpf::number_bias(SeccompArch::X32), 0x4000_0000);
/// assert_eq!(bpf::number_bias(SeccompArch::X86_64), 0);
/// ```
pub const fn number_bias(abi: SeccompArch) -> u32 {
    match abi {
        SeccompArch::X32 => X32_SYSCALL_BIT,
        _ => 0,
    }
}

/// Architecture names as Docker's `includes`/`excludes` spell them: Go's
/// names mapped to libseccomp's, plus `x32`, which Docker's own profile uses.
pub const DOCKER_ARCHES: [&str; 17] = [
    "x86",
    "amd64",
    "x32",
    "arm",
    "arm64",
    "mips64",
    "mips64n32",
    "mipsel64",
    "mips3l64n32",
    "mipsle",
    "ppc",
    "ppc64",
    "ppc64le",
    "s390",
    "s390x",
    "riscv64",
    "loongarch64",
];

/// The capabilities Docker gives a container by default (its bounding set
/// without `--cap-add` or `--cap-drop`).
pub const DOCKER_CONTAINER_CAPABILITIES: [&str; 14] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// The native architecture's name in Docker's spelling, for this build
/// (Docker never runs as x32).
pub fn native_docker_arch() -> Option<&'static str> {
    SeccompArch::native()
        .filter(|arch| *arch != SeccompArch::X32)
        .and_then(SeccompArch::docker_arch)
}

/// A seccomp ABI as libseccomp and Docker's `architectures` name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum SeccompArch {
    X86,
    X86_64,
    X32,
    Arm,
    Aarch64,
    Mips,
    Mipsel,
    Mips64,
    Mipsel64,
    Mips64N32,
    Mipsel64N32,
    Ppc,
    Ppc64,
    Ppc64le,
    S390,
    S390x,
    Parisc,
    Parisc64,
    Riscv64,
    Loongarch64,
    M68k,
    Sh,
}

impl SeccompArch {
    /// Every ABI.
    pub const ALL: [SeccompArch; 22] = [
        SeccompArch::X86,
        SeccompArch::X86_64,
        SeccompArch::X32,
        SeccompArch::Arm,
        SeccompArch::Aarch64,
        SeccompArch::Mips,
        SeccompArch::Mipsel,
        SeccompArch::Mips64,
        SeccompArch::Mipsel64,
        SeccompArch::Mips64N32,
        SeccompArch::Mipsel64N32,
        SeccompArch::Ppc,
        SeccompArch::Ppc64,
        SeccompArch::Ppc64le,
        SeccompArch::S390,
        SeccompArch::S390x,
        SeccompArch::Parisc,
        SeccompArch::Parisc64,
        SeccompArch::Riscv64,
        SeccompArch::Loongarch64,
        SeccompArch::M68k,
        SeccompArch::Sh,
    ];

    /// Whether the ABI's syscalls take 32-bit arguments (x86, arm and the
    /// other 32-bit ABIs, not x32 or n32, whose registers are 64-bit). The
    /// kernel still hands the filter 64 bits per argument, and their high
    /// half is not always zero (a 64-bit process calling through `int 0x80`
    /// keeps its registers' high halves), but the syscall uses only the low
    /// half: so rules compare low halves there, as libseccomp does.
    pub const fn has_32_bit_arguments(self) -> bool {
        matches!(
            self,
            SeccompArch::X86
                | SeccompArch::Arm
                | SeccompArch::Mips
                | SeccompArch::Mipsel
                | SeccompArch::Ppc
                | SeccompArch::S390
                | SeccompArch::Parisc
                | SeccompArch::M68k
                | SeccompArch::Sh
        )
    }

    /// The name in the DSL: libseccomp's (`x86_64`, `aarch64`, `mipsel64n32`).
    pub const fn name(self) -> &'static str {
        match self {
            SeccompArch::X86 => "x86",
            SeccompArch::X86_64 => "x86_64",
            SeccompArch::X32 => "x32",
            SeccompArch::Arm => "arm",
            SeccompArch::Aarch64 => "aarch64",
            SeccompArch::Mips => "mips",
            SeccompArch::Mipsel => "mipsel",
            SeccompArch::Mips64 => "mips64",
            SeccompArch::Mipsel64 => "mipsel64",
            SeccompArch::Mips64N32 => "mips64n32",
            SeccompArch::Mipsel64N32 => "mipsel64n32",
            SeccompArch::Ppc => "ppc",
            SeccompArch::Ppc64 => "ppc64",
            SeccompArch::Ppc64le => "ppc64le",
            SeccompArch::S390 => "s390",
            SeccompArch::S390x => "s390x",
            SeccompArch::Parisc => "parisc",
            SeccompArch::Parisc64 => "parisc64",
            SeccompArch::Riscv64 => "riscv64",
            SeccompArch::Loongarch64 => "loongarch64",
            SeccompArch::M68k => "m68k",
            SeccompArch::Sh => "sh",
        }
    }

    /// The ABI of this name (see [`SeccompArch::name`]).
    pub fn from_name(name: &str) -> Option<SeccompArch> {
        SeccompArch::ALL
            .into_iter()
            .find(|arch| arch.name() == name)
    }

    /// The name in a Docker profile: `SCMP_ARCH_X86_64`, ...
    pub fn docker_name(self) -> String {
        format!("SCMP_ARCH_{}", self.name().to_ascii_uppercase())
    }

    /// The ABI of a Docker profile name.
    pub fn from_docker_name(name: &str) -> Option<SeccompArch> {
        let lower = name.strip_prefix("SCMP_ARCH_")?.to_ascii_lowercase();
        SeccompArch::from_name(&lower).filter(|arch| arch.docker_name() == name)
    }

    /// The ABI of a native architecture as Docker's `includes`/`excludes`
    /// name it (see [`DOCKER_ARCHES`]).
    ///
    /// ```
    /// use seccomp_dsl_core::model::SeccompArch;
    /// assert_eq!(SeccompArch::from_docker_arch("amd64"), Some(SeccompArch::X86_64));
    /// assert_eq!(SeccompArch::from_docker_arch("arm64"), Some(SeccompArch::Aarch64));
    /// ```
    pub fn from_docker_arch(name: &str) -> Option<SeccompArch> {
        SeccompArch::ALL
            .into_iter()
            .find(|arch| arch.docker_arch() == Some(name))
    }

    /// The ABI's name in Docker's `includes`/`excludes` (see
    /// [`DOCKER_ARCHES`]), where Docker has one.
    pub fn docker_arch(self) -> Option<&'static str> {
        match self {
            SeccompArch::X86_64 => Some("amd64"),
            SeccompArch::Aarch64 => Some("arm64"),
            SeccompArch::Mipsel => Some("mipsle"),
            SeccompArch::Mipsel64N32 => Some("mips3l64n32"),
            other => DOCKER_ARCHES
                .iter()
                .copied()
                .find(|name| *name == other.name()),
        }
    }

    /// The column of the syscall table with this ABI's numbers.
    pub const fn syscall_table(self) -> syscalls::Arch {
        use syscalls::Arch;
        match self {
            SeccompArch::X86 => Arch::X86,
            SeccompArch::X86_64 => Arch::X86_64,
            SeccompArch::X32 => Arch::X32,
            SeccompArch::Arm => Arch::Arm,
            SeccompArch::Aarch64 => Arch::Aarch64,
            SeccompArch::Mips | SeccompArch::Mipsel => Arch::Mips,
            SeccompArch::Mips64 | SeccompArch::Mipsel64 => Arch::Mips64,
            SeccompArch::Mips64N32 | SeccompArch::Mipsel64N32 => Arch::Mips64N32,
            SeccompArch::Ppc => Arch::Ppc,
            SeccompArch::Ppc64 | SeccompArch::Ppc64le => Arch::Ppc64,
            SeccompArch::S390 => Arch::S390,
            SeccompArch::S390x => Arch::S390x,
            SeccompArch::Parisc => Arch::Parisc,
            SeccompArch::Parisc64 => Arch::Parisc64,
            SeccompArch::Riscv64 => Arch::Riscv64,
            SeccompArch::Loongarch64 => Arch::Loongarch64,
            SeccompArch::M68k => Arch::M68k,
            SeccompArch::Sh => Arch::Sh,
        }
    }

    /// The ABI this program was compiled for.
    pub const fn native() -> Option<SeccompArch> {
        if cfg!(all(target_arch = "x86_64", target_pointer_width = "64")) {
            Some(SeccompArch::X86_64)
        } else if cfg!(all(target_arch = "x86_64", target_pointer_width = "32")) {
            Some(SeccompArch::X32)
        } else if cfg!(target_arch = "x86") {
            Some(SeccompArch::X86)
        } else if cfg!(target_arch = "aarch64") {
            Some(SeccompArch::Aarch64)
        } else if cfg!(target_arch = "arm") {
            Some(SeccompArch::Arm)
        } else if cfg!(target_arch = "riscv64") {
            Some(SeccompArch::Riscv64)
        } else if cfg!(target_arch = "loongarch64") {
            Some(SeccompArch::Loongarch64)
        } else if cfg!(target_arch = "s390x") {
            Some(SeccompArch::S390x)
        } else if cfg!(all(target_arch = "powerpc64", target_endian = "little")) {
            Some(SeccompArch::Ppc64le)
        } else if cfg!(target_arch = "powerpc64") {
            Some(SeccompArch::Ppc64)
        } else {
            None
        }
    }
}
