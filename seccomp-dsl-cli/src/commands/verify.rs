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
    use seccomp_dsl::inspect::Verification;
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
    let (resolved, verified, scope) = verified_in_scope(&filters, policy, &context, native)
        .map_err(|undecided| format!("process {pid}: {undecided}"))?;
    Ok(match verified {
        Verification::Same(explored) => {
            println!(
                "process {pid}: proven: {which} answer every call {scope} (every ABI, \
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
        Verification::Differ(first) => {
            let (unknown, other) = sorted_differences(&filters, &resolved, &first)
                .map_err(|undecided| format!("process {pid}: {undecided}"))?;
            let engine = seccomp_dsl::engines::TARGET;
            if !unknown.is_empty() {
                println!(
                    "process {pid}: where {} cannot carry the policy, {which} answer otherwise \
                     (what the checks `unknown_to_engine` and `x32_low_halves` report): {}",
                    engine.describe(),
                    unknown.join("; ")
                );
            }
            match other {
                Some(difference) => println!(
                    "process {pid}: differs from the policy: {} gets {} there, {} under the policy",
                    witness_call(&difference.data),
                    disasm::action(difference.left),
                    disasm::action(difference.right)
                ),
                None => println!(
                    "process {pid}: every other call is answered as the policy does (decided \
                     over every call)"
                ),
            }
            ExitCode::from(1)
        }
    })
}

/// `filters` verified against the policy as a container or `seccomp-dsl
/// run` applies it; where that differs and the policy has `startup` rules,
/// as `install()` applies it (a program that installed the policy itself),
/// if that is proven. With the policy so resolved, and how it is said.
fn verified_in_scope<'p>(
    filters: &[Vec<seccomp_dsl::bpf::Instruction>],
    policy: &'p Policy,
    context: &seccomp_dsl::model::Context,
    native: SeccompArch,
) -> Result<
    (
        seccomp_dsl::model::Resolved<'p>,
        seccomp_dsl::inspect::Verification,
        &'static str,
    ),
    seccomp_dsl_core::decide::Undecided,
> {
    use seccomp_dsl::inspect::{verify, Verification};
    let whole = policy.resolve(context, native);
    let verified = verify(filters, &whole)?;
    if matches!(verified, Verification::Differ(_)) && policy.rules.iter().any(|rule| rule.startup) {
        let installed = policy.resolve_installed(context, native);
        let as_installed = verify(filters, &installed)?;
        if matches!(as_installed, Verification::Same(_)) {
            let said = "as install() applies the policy (its `startup` rules left out)";
            return Ok((installed, as_installed, said));
        }
    }
    Ok((whole, verified, "as the policy does"))
}

/// The differences between `filters` and `resolved`: each syscall and ABI
/// where the target engine cannot carry the policy ([`engine_limit`]),
/// said with the two answers; and the first difference of another kind,
/// if any.
fn sorted_differences(
    filters: &[Vec<seccomp_dsl::bpf::Instruction>],
    resolved: &seccomp_dsl::model::Resolved<'_>,
    first: &seccomp_dsl_core::decide::Difference,
) -> Result<(Vec<String>, Option<seccomp_dsl_core::decide::Difference>), String> {
    use std::ops::ControlFlow;
    let mut unknown: Vec<String> = Vec::new();
    let mut kinds: Vec<(bool, String, SeccompArch)> = Vec::new();
    let mut other = None;
    seccomp_dsl::inspect::each_difference(filters, resolved, |difference| {
        match engine_limit(difference, resolved) {
            Some((kind, said)) => {
                // One example of each syscall and kind.
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                    unknown.push(said);
                }
                ControlFlow::Continue(())
            }
            None => {
                other = Some(difference.clone());
                ControlFlow::Break(())
            }
        }
    })
    .map_err(|undecided| undecided.to_string())?;
    if unknown.is_empty() && other.is_none() {
        other = Some(first.clone());
    }
    Ok((unknown, other))
}

/// Where `difference` is one the target engine's libseccomp makes of the
/// policy: a syscall the policy names on an ABI libseccomp cannot name it
/// on (`map_shadow_stack` on x32 for 2.5.4), which runc's filter leaves to
/// its default or stub; or an x32 call libseccomp compares on the low
/// halves of its arguments alone, as on x86. Said with the two answers,
/// after which of the two it is, for which syscall and ABI.
fn engine_limit(
    difference: &seccomp_dsl_core::decide::Difference,
    resolved: &seccomp_dsl::model::Resolved<'_>,
) -> Option<((bool, String, SeccompArch), String)> {
    let data = &difference.data;
    let (abi, name) = match seccomp_dsl::bpf::syscall_of(data.arch, data.nr as u32)? {
        (abi, Some(name)) => (abi, name),
        _ => return None,
    };
    let engine = seccomp_dsl::engines::TARGET;
    let answers = format!(
        "{} there, {} under the policy",
        disasm::action(difference.left),
        disasm::action(difference.right)
    );
    let named = (resolved.rules.iter()).any(|rule| rule.names(name));
    if named && !engine.knows(name, abi) {
        let said = format!(
            "libseccomp {} does not know `{name}` on {} ({answers})",
            engine.libseccomp,
            abi.name()
        );
        return Some(((true, name.to_string(), abi), said));
    }
    let as_on_x86 = resolved.decide_on(SeccompArch::X86, name, &data.args);
    (abi == SeccompArch::X32 && seccomp_dsl::bpf::return_value(as_on_x86) == difference.left).then(
        || {
            let said = format!(
                "libseccomp {} compares only the low halves of `{name}`'s arguments on x32 \
                 (for example {}: {answers})",
                engine.libseccomp,
                witness_call(data)
            );
            ((false, name.to_string(), abi), said)
        },
    )
}
