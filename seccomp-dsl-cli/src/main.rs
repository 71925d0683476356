//! `seccomp-dsl`: turns Docker seccomp profiles into `seccomp_profile!`
//! source, or into the `linux.seccomp` part of an OCI runtime config.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use seccomp_dsl_core::model::{native_docker_arch, Context, KernelVersion, SeccompArch};
use seccomp_dsl_core::{docker, dsl};

#[derive(Parser)]
#[command(
    name = "seccomp-dsl",
    version,
    about = "Tools for seccomp-dsl policies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes a Docker seccomp profile as `seccomp_profile!` source, for
    /// `static POLICY: seccomp_dsl::Profile = include!("policy.rs");`.
    Import {
        /// The Docker profile (JSON); `-` reads standard input.
        profile: PathBuf,
        /// Where to write the source; standard output by default.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Writes the `linux.seccomp` object of an OCI runtime `config.json`
    /// (for runc or crun) from a Docker profile, deciding its conditional
    /// rules for the given container.
    Oci {
        /// The Docker profile (JSON); `-` reads standard input.
        profile: PathBuf,
        /// The container's architecture, as Docker names it (`amd64`,
        /// `arm64`, ...); this machine's by default.
        #[arg(long)]
        arch: Option<String>,
        /// A capability in the container's bounding set (`CAP_SYS_ADMIN`);
        /// repeat for each.
        #[arg(long = "cap")]
        caps: Vec<String>,
        /// The kernel version (`6.1`); the running kernel's by default.
        #[arg(long)]
        kernel: Option<String>,
        /// Where to write the JSON; standard output by default.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("seccomp-dsl: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Import { profile, output } => {
            let json = read(&profile)?;
            let source = dsl::import_docker_to_source(&json)
                .map_err(|e| format!("{}: {e}", profile.display()))?;
            write(output, &source)
        }
        Command::Oci {
            profile,
            arch,
            caps,
            kernel,
            output,
        } => {
            let json = read(&profile)?;
            let policy =
                dsl::import_docker(&json).map_err(|e| format!("{}: {e}", profile.display()))?;
            let arch = match arch {
                Some(arch) => arch,
                None => native_docker_arch()
                    .ok_or("this machine's architecture is unknown: give --arch")?
                    .to_string(),
            };
            let native = SeccompArch::from_docker_arch(&arch)
                .ok_or(format!("unknown architecture `{arch}`"))?;
            let kernel = match kernel {
                Some(kernel) => kernel,
                None => std::fs::read_to_string("/proc/sys/kernel/osrelease")
                    .map_err(|e| format!("cannot read the kernel version (give --kernel): {e}"))?,
            };
            let kernel = KernelVersion::parse(&kernel)
                .ok_or(format!("`{}` is not a kernel version", kernel.trim()))?;
            let context = Context {
                arch: arch.into(),
                capabilities: caps.into_iter().map(Into::into).collect(),
                kernel,
            };
            write(
                output,
                &docker::to_oci_json(&policy.resolve(&context, native)),
            )
        }
    }
}

fn read(path: &PathBuf) -> Result<String, String> {
    if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| format!("standard input: {e}"))
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

fn write(output: Option<PathBuf>, text: &str) -> Result<(), String> {
    match output {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display())),
    }
}
