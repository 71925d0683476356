//! `seccomp-dsl verify`: a proof that a running process's filters answer
//! every call as a policy does, or a call they answer otherwise.

use std::path::PathBuf;
use std::process::ExitCode;

use seccomp_dsl_core::bpf::disasm;
use seccomp_dsl_core::model::{Policy, SeccompArch};

use crate::policy_file::load;
use crate::process::{process_error, process_filters, witness_call};

/// The arguments of `seccomp-dsl verify`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The process.
    pub(crate) pid: i32,
    /// The policy: a Docker profile (JSON) or DSL source.
    pub(crate) policy: PathBuf,
    /// Only the filter numbered so (0 is the oldest, as `inspect`
    /// numbers them): a container's profile under a program's own.
    #[arg(long)]
    pub(crate) filter: Option<usize>,
    /// Read the filters even where a thread is in a call the kernel
    /// resumes through `restart_syscall` after the stop (a timed
    /// sleep, wait or poll), which a filter that denies it fails or
    /// kills: without it, such a process is not stopped.
    #[arg(long)]
    pub(crate) stop_anyway: bool,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    let policy = load(&args.policy)?;
    verify(args.pid, &policy, args.filter, args.stop_anyway)
}

/// Whether the filters of process `pid` (or its filter `only`) answer
/// every call as `policy` in the process's context; says which, with a
/// call that shows a difference.
fn verify(
    pid: i32,
    policy: &Policy,
    only: Option<usize>,
    stop_anyway: bool,
) -> Result<ExitCode, String> {
    use seccomp_dsl::inspect::{verify, Verification};
    let filters = process_filters(pid, stop_anyway)?.ok_or(format!(
        "process {pid} is in strict mode (only read, write, exit and sigreturn): no filter to verify"
    ))?;
    let (filters, which) = match only {
        None => (filters.clone(), format!("its {} filter(s)", filters.len())),
        Some(index) => {
            let filter = filters.get(index).ok_or(format!(
                "process {pid} has {} filter(s), numbered from 0 (the oldest): no filter {index}",
                filters.len()
            ))?;
            (vec![filter.clone()], format!("its filter {index}"))
        }
    };
    let context = seccomp_dsl::context_of(pid).map_err(|error| match error {
        seccomp_dsl::Error::Context(error) => process_error(pid, &error),
        error => error.to_string(),
    })?;
    let native = SeccompArch::native().ok_or("this machine's architecture is unknown")?;
    let resolved = policy.resolve(&context, native);
    let verified =
        verify(&filters, &resolved).map_err(|undecided| format!("process {pid}: {undecided}"))?;
    Ok(match verified {
        Verification::Same(explored) => {
            println!(
                "process {pid}: proven: {which} answer every call as the policy does (every ABI, \
                 syscall number, instruction pointer and 64-bit argument; {} paths, each followed \
                 to its end)",
                explored.paths
            );
            ExitCode::SUCCESS
        }
        Verification::Supervised(explored) => {
            println!(
                "process {pid}: supervised: {which} answer every call the policy lets run as it \
                 does and hand every call it denies to a supervisor (seccomp user notification, \
                 as under `seccomp-dsl run`), whose answers a filter does not show ({} paths)",
                explored.paths
            );
            ExitCode::from(3)
        }
        Verification::Differ(difference) => {
            println!(
                "process {pid}: differs from the policy: {} gets {} there, {} under the policy",
                witness_call(&difference.data),
                disasm::action(difference.left),
                disasm::action(difference.right)
            );
            ExitCode::from(1)
        }
    })
}
