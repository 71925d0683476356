//! Arguments several commands take alike.

use clap::Args;
use seccomp_dsl_core::model::{
    native_docker_arch, Context, KernelVersion, SeccompArch, DOCKER_CONTAINER_CAPABILITIES,
};

/// One call: `explain` and `emulate` take it alike.
#[derive(Args)]
pub(crate) struct CallArgs {
    /// The syscall, by name (`personality`) or by its number on the ABI
    /// (`135`, as the kernel's audit lines give it).
    pub(crate) syscall: String,
    /// Up to six arguments: numbers (`0x200`, `8`, `-100`) or constants
    /// joined with `|` (`AT_FDCWD`, `O_RDONLY|O_CLOEXEC`).
    #[arg(allow_negative_numbers = true)]
    pub(crate) args: Vec<String>,
    /// The ABI of the call (`x86_64`, `x86`, `x32`, `aarch64`, ...); the
    /// native one by default.
    #[arg(long)]
    pub(crate) abi: Option<String>,
}

/// The container the profile's conditional rules are decided for.
#[derive(Args)]
pub(crate) struct ContainerArgs {
    /// The container's architecture, as Docker names it (`amd64`, `arm64`,
    /// ...); this machine's by default.
    #[arg(long)]
    pub(crate) arch: Option<String>,
    /// A capability in the container's bounding set (`CAP_SYS_ADMIN`);
    /// repeat for each. `default` stands for the set Docker and containerd
    /// (so Kubernetes on containerd) give a container.
    #[arg(long = "cap")]
    pub(crate) caps: Vec<String>,
    /// The kernel version (`6.1`); the running kernel's by default.
    #[arg(long)]
    pub(crate) kernel: Option<String>,
}

impl ContainerArgs {
    /// The context, and the native ABI it stands for.
    pub(crate) fn context(self) -> Result<(Context, SeccompArch), String> {
        let arch = match self.arch {
            Some(arch) => arch,
            None => native_docker_arch()
                .ok_or("this machine's architecture is unknown: give --arch")?
                .to_string(),
        };
        let native =
            SeccompArch::from_docker_arch(&arch).ok_or(format!("unknown architecture `{arch}`"))?;
        let kernel = match self.kernel {
            Some(kernel) => kernel,
            None => std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_err(|e| format!("cannot read the kernel version (give --kernel): {e}"))?,
        };
        let kernel = KernelVersion::parse(&kernel)
            .ok_or(format!("`{}` is not a kernel version", kernel.trim()))?;
        let mut capabilities: Vec<std::borrow::Cow<'static, str>> = Vec::new();
        for cap in self.caps {
            if cap == "default" {
                capabilities.extend(DOCKER_CONTAINER_CAPABILITIES.map(Into::into));
                continue;
            }
            let known = seccomp_dsl::constants::CAPABILITIES
                .constants
                .iter()
                .map(|(name, _)| *name);
            if !known.clone().any(|name| name == cap) {
                return Err(match seccomp_dsl_core::suggest::closest(&cap, known) {
                    Some(close) => format!("unknown capability `{cap}`; did you mean `{close}`?"),
                    None => {
                        format!("unknown capability `{cap}` (`CAP_SYS_ADMIN`, ..., or `default`)")
                    }
                });
            }
            capabilities.push(cap.into());
        }
        capabilities.sort();
        capabilities.dedup();
        Ok((
            Context {
                arch: arch.into(),
                capabilities,
                kernel,
            },
            native,
        ))
    }
}

/// The ABI `--abi` names, or `native` without it.
pub(crate) fn abi_named(abi: Option<String>, native: SeccompArch) -> Result<SeccompArch, String> {
    match abi {
        Some(name) => SeccompArch::from_name(&name).ok_or(format!("unknown ABI `{name}`")),
        None => Ok(native),
    }
}
