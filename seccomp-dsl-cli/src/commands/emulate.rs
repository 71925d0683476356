//! `seccomp-dsl emulate`: one call run through the compiled program, as
//! the kernel runs it.

use std::path::PathBuf;
use std::process::ExitCode;

use seccomp_dsl_core::bpf::emulate::{run_counting, SeccompData};
use seccomp_dsl_core::bpf::{self, audit_arch, disasm};
use seccomp_dsl_core::model::{Resolved, SeccompArch};

use crate::args::{abi_named, CallArgs, ContainerArgs};
use crate::call::given_call;
use crate::policy_file::load;

/// The arguments of `seccomp-dsl emulate`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy: a Docker profile (JSON) or DSL source (a `.rs` file
    /// with `seccomp_profile! { ... }`); `-` reads standard input.
    pub(crate) profile: PathBuf,
    #[command(flatten)]
    pub(crate) call: CallArgs,
    #[command(flatten)]
    pub(crate) container: ContainerArgs,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    let policy = load(&args.profile)?;
    let (context, native) = args.container.context()?;
    let resolved = policy.resolve(&context, native);
    let abi = abi_named(args.call.abi, native)?;
    emulate(&resolved, abi, &args.call.syscall, &args.call.args)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the call through the program `resolved` compiles to, and prints
/// the answer.
fn emulate(
    resolved: &Resolved<'_>,
    abi: SeccompArch,
    syscall: &str,
    args: &[String],
) -> Result<(), String> {
    let program = bpf::compile(resolved).map_err(|e| e.to_string())?;
    let arch = audit_arch(abi).ok_or(format!(
        "the BPF compiler does not support the `{}` ABI",
        abi.name()
    ))?;
    let given = given_call(abi, syscall, args)?;
    let nr = given.number | bpf::number_bias(abi);
    let data = SeccompData {
        nr: nr as i32,
        arch,
        instruction_pointer: 0,
        args: given.args,
    };
    let (value, executed) = run_counting(&program, &data).map_err(|e| e.to_string())?;
    // A call given by number is named, as `explain` does.
    if given.name != Some(syscall) {
        print!("{given}: ");
    }
    println!(
        "{:#010x} {} ({executed} instructions executed)",
        value,
        disasm::action(value)
    );
    Ok(())
}
