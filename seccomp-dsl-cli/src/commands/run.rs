//! `seccomp-dsl run`: runs a command under a policy and names every call
//! the policy denies or kills; with `--complain`, lets them run and says
//! what to add.

use std::path::PathBuf;
use std::process::ExitCode;

use seccomp_dsl::bpf::{self, emulate::run_counting};
use seccomp_dsl::dsl;
use seccomp_dsl::explain::explain_resolved;
use seccomp_dsl::model::{Action, DecidedBy, Policy, Resolved, SeccompArch};
use seccomp_dsl::record::Recording;
use seccomp_dsl::supervise::{notify_instead, Call, Reply, Supervised, DENYING, NOT_LETTING_RUN};

use crate::child::{command, exit_code, start_error};
use crate::io::say;
use crate::policy_file::{load_with_lines, RuleSources};

/// The arguments of `seccomp-dsl run`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy: a Docker profile (JSON) or DSL source (a `.rs` file
    /// with `seccomp_profile! { ... }`).
    pub(crate) policy: PathBuf,
    /// Deny nothing: report each call the policy would deny, once per
    /// syscall and deciding value, then the statements to add.
    #[arg(long)]
    pub(crate) complain: bool,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true)]
    pub(crate) command: Vec<String>,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    let (policy, sources) = load_with_lines(&args.policy)?;
    run_under(&policy, &sources, args.complain, &args.command)
}

fn run_under(
    policy: &Policy,
    written: &RuleSources,
    complain: bool,
    command_line: &[String],
) -> Result<ExitCode, String> {
    let context = seccomp_dsl::current_context().map_err(|error| error.to_string())?;
    let native = SeccompArch::native().ok_or("this architecture is not supported")?;
    let resolved = policy.resolve(&context, native);
    let sources = written.sources();
    let program = bpf::compile(&resolved).map_err(|error| error.to_string())?;
    // The supervisor sees the calls the policy denies, to name them; in
    // complain mode also those it traps or traces.
    let watched = notify_instead(&program, if complain { &NOT_LETTING_RUN } else { &DENYING });
    let mut command = command(command_line)?;
    let name = &command_line[0];
    let supervised = Supervised::spawn(&mut command, &watched, resolved.flags)
        .map_err(|error| start_error(name, &error))?;
    let command_pid = supervised.id();
    let mut denied = Recording::new(policy.default_action);
    let mut said: std::collections::HashSet<(u32, i32, Vec<u64>)> = Default::default();
    let mut killed_command = false;
    let status = supervised
        .run(|call| {
            let (value, _) = run_counting(&program, &call.data).unwrap_or((0, 0));
            let action = value & libc::SECCOMP_RET_ACTION_FULL;
            // What the policy's own errno rules (or the stub) deny is denied
            // in complain mode too: the program's fallback then runs as
            // under the policy (`clone3` answered ENOSYS, glibc calls `clone`).
            let intended = intended_errno(&resolved, call);
            // Each syscall and deciding value is said once.
            let first_time = said.insert(key(call));
            if complain {
                if let (Some(abi), Some(syscall), None) = (call.abi, call.syscall, intended) {
                    if !denied.has_seen(abi, syscall, &call.data.args) {
                        denied.observe(abi, syscall, &call.data.args);
                    }
                }
                if first_time {
                    let mood = if intended.is_some() { "" } else { "would " };
                    say(format_args!(
                        "{mood}{}",
                        verdict(policy, sources, &resolved, call, value)
                    ));
                }
                return intended.map_or(Reply::Continue, Reply::Errno);
            }
            if first_time || action != libc::SECCOMP_RET_ERRNO {
                say(format_args!(
                    "{}",
                    verdict(policy, sources, &resolved, call, value)
                ));
            }
            match action {
                libc::SECCOMP_RET_ERRNO => Reply::Errno((value & libc::SECCOMP_RET_DATA) as u16),
                _ => {
                    killed_command |= thread_group(call.thread) == Some(command_pid);
                    Reply::KillProcess
                }
            }
        })
        .map_err(|error| start_error(name, &error))?;
    Ok(ending(
        name,
        status,
        killed_command,
        complain.then_some((&denied, written)),
    ))
}

/// What `run` says once the command has ended, and the exit code that
/// reports it: in complain mode (`complaints`: the calls the policy would
/// deny, and the policy as written) the statements to add; the policy's
/// kill of the command, or another SIGSYS.
fn ending(
    name: &str,
    status: std::process::ExitStatus,
    killed_command: bool,
    complaints: Option<(&Recording, &RuleSources)>,
) -> ExitCode {
    if let Some((denied, written)) = complaints.filter(|(denied, _)| !denied.is_empty()) {
        let additions = statements(denied, written);
        say(format_args!(
            "the policy would deny {} syscalls; to allow what was seen, add:\n{additions}",
            denied.syscall_count()
        ));
    }
    if killed_command {
        // The kernel would have killed it with SIGSYS; the supervisor,
        // which must name the call first, can only send SIGKILL.
        say(format_args!(
            "`{name}` killed by the policy (exit status as for SIGSYS)"
        ));
        return ExitCode::from(128 + libc::SIGSYS as u8);
    }
    if std::os::unix::process::ExitStatusExt::signal(&status) == Some(libc::SIGSYS) {
        // Not this policy's kill, which is named above: a filter of the
        // program's own, or a trap it did not handle.
        say(format_args!(
            "`{name}` died by SIGSYS, which this policy did not send: a seccomp filter of its own \
             killed it (its naming mode, `install_naming_kills()` or \
             `install_current_thread_naming_kills()`, names the call), or a call the policy traps \
             was not handled"
        ));
    }
    exit_code(status)
}

/// What the policy does to `call`, and why: `killed openat(...) on
/// x86_64 (thread 12): kill_process, the default action`.
fn verdict(
    policy: &Policy,
    sources: seccomp_dsl::explain::Sources<'_>,
    resolved: &Resolved<'_>,
    call: &Call,
    value: u32,
) -> String {
    let action = match value & libc::SECCOMP_RET_ACTION_FULL {
        libc::SECCOMP_RET_ERRNO => "deny",
        libc::SECCOMP_RET_KILL_PROCESS | libc::SECCOMP_RET_KILL_THREAD => "kill",
        libc::SECCOMP_RET_TRAP => "trap",
        _ => "trace",
    };
    let answer = bpf::disasm::action(value);
    let (Some(abi), Some(syscall)) = (call.abi, call.syscall) else {
        return format!(
            "{action} syscall {} of ABI {:#x} (thread {}): {answer}, the policy does not cover \
             that ABI",
            call.data.nr, call.data.arch, call.thread
        );
    };
    let mut call_text = String::new();
    let _ = seccomp_dsl::compare::write_call_reading(
        &mut call_text,
        syscall,
        &call.data.args,
        true,
        // Four bytes a character at most, and one past the cut.
        &mut |address| call.string_at(address, 4 * seccomp_dsl::compare::SHOWN_STRING + 1),
    );
    let why = explain_resolved(policy, sources, resolved, abi, syscall, &call.data.args)
        .map_or_else(|_| answer, |explanation| explanation.to_string());
    format!(
        "{action} {call_text} on {} (thread {}): {why}",
        abi.name(),
        call.thread
    )
}

/// The statements that allow what `recording` saw, for a policy to add;
/// each that the policy refuses (a `forbid`, an `assert`, a rule of its
/// own for the same values) commented out, with the reason.
fn statements(recording: &Recording, written: &RuleSources) -> String {
    let mut allowing = recording.clone();
    allowing.default_action = Action::Allow;
    let source = dsl::to_source(&allowing.seen_policy());
    let lines = (source.lines())
        .filter(|line| line.starts_with("    ") && !line.trim_start().starts_with("default "));
    // A statement is its comments and attributes up to its `;`.
    let mut out = String::new();
    let mut statement = String::new();
    for line in lines {
        statement.push_str(line);
        statement.push('\n');
        if !line.trim_end().ends_with(';') {
            continue;
        }
        match written.conflict(&statement) {
            None => out.push_str(&statement),
            Some(reason) => {
                out.push_str(&format!("    // refused by the policy: {reason}\n"));
                for line in statement.lines() {
                    out.push_str(&format!("    // {}\n", line.trim_start()));
                }
            }
        }
        statement.clear();
    }
    out.push_str(&statement);
    out
}

/// The errno of a call the policy's own `errno` rule (or the engine's
/// ENOSYS stub) denies: a denial the policy's author meant.
fn intended_errno(resolved: &Resolved<'_>, call: &Call) -> Option<u16> {
    let (abi, syscall) = (call.abi?, call.syscall?);
    if !resolved.architectures.contains(&abi) {
        return None;
    }
    match resolved.explain_on(abi, syscall, &call.data.args) {
        (Action::Errno(errno), DecidedBy::Rule(_) | DecidedBy::EnosysStub) => Some(errno),
        _ => None,
    }
}

/// A call's syscall and deciding values, to say each once.
fn key(call: &Call) -> (u32, i32, Vec<u64>) {
    let values = match (call.abi, call.syscall) {
        (Some(abi), Some(syscall)) => (seccomp_dsl::record::decisive_arguments(syscall).iter())
            .map(|argument| argument.value_in(abi, syscall, &call.data.args))
            .collect(),
        _ => Vec::new(),
    };
    (call.data.arch, call.data.nr, values)
}

/// The process a thread belongs to, from `/proc`.
fn thread_group(thread: u32) -> Option<u32> {
    let tgid = seccomp_dsl::inspect::status_field(thread as i32, "Tgid").ok()??;
    tgid.parse().ok()
}
