//! `seccomp-dsl bpf`: the program `install()` would load in a container,
//! disassembled.

use std::path::PathBuf;
use std::process::ExitCode;

use seccomp_dsl_core::bpf::{self, disasm};

use crate::args::ContainerArgs;
use crate::policy_file::load;

/// The arguments of `seccomp-dsl bpf`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy: a Docker profile (JSON) or DSL source (a `.rs` file
    /// with `seccomp_profile! { ... }`); `-` reads standard input.
    pub(crate) profile: PathBuf,
    #[command(flatten)]
    pub(crate) container: ContainerArgs,
    /// Leave out the ABIs the profile adds (`architectures`, `archMap`).
    #[arg(long)]
    pub(crate) native_only: bool,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    let policy = load(&args.profile)?;
    let (context, native) = args.container.context()?;
    let mut resolved = policy.resolve(&context, native);
    if args.native_only {
        resolved = resolved.native_only();
    }
    let program = bpf::compile(&resolved).map_err(|e| e.to_string())?;
    let abis: Vec<&str> = (resolved.architectures.iter())
        .map(|arch| arch.name())
        .collect();
    print!("{}", disasm::listing(&program));
    println!("; {} instructions, ABIs {}", program.len(), abis.join(", "));
    Ok(ExitCode::SUCCESS)
}
