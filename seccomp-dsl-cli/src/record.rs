//! `seccomp-dsl record`: runs a command with every call it makes sent to
//! this process, and writes the policy that allows exactly those.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use seccomp_dsl::model::{Action, SeccompArch};
use seccomp_dsl::record::Recording;
use seccomp_dsl::supervise::{notify_every_call, Reply, Supervised};
use seccomp_dsl::{docker, dsl};

use crate::{command, exit_code, read_dsl, say, start_error};

/// The first line of every policy `record` writes: how a file is known to
/// be one it may overwrite or merge into.
const HEADER: &str = "// Recorded by `seccomp-dsl record`";
/// The line that says a recording was cut short.
const PARTIAL: &str = "// PARTIAL:";
/// How the header lists each command recorded.
const COMMAND_LINE: &str = "//   $ ";

pub struct Options {
    pub output: PathBuf,
    pub merge: Option<PathBuf>,
    pub default: Option<String>,
    pub docker: Option<PathBuf>,
    pub command: Vec<String>,
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn note_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Relaxed);
}

pub fn record(options: Options) -> Result<ExitCode, String> {
    let native = SeccompArch::native().ok_or("this architecture is not supported")?;
    // What came before: a recorded policy to add this run to.
    let (mut recording, mut commands, mut partial) = match &options.merge {
        Some(path) => earlier_recording(path)?,
        None => (Recording::new(Action::Errno(1)), Vec::new(), false),
    };
    if options.merge.is_none() {
        refuse_to_overwrite(&options.output)?;
    }
    if let Some(default) = &options.default {
        recording.default_action = default_action(default)?;
    }
    let program = options.command.first().ok_or("no command given")?;
    let mut command = command(&options.command)?;
    // Ctrl-C reaches the command too: the recording ends when it does, and
    // is written, marked partial.
    // SAFETY: the handler only stores to an atomic; exec resets it in the
    // command.
    unsafe {
        libc::signal(
            libc::SIGINT,
            note_interrupt as *const () as libc::sighandler_t,
        )
    };
    let supervised = Supervised::spawn(&mut command, &notify_every_call(), &[])
        .map_err(|error| start_error(program, &error))?;
    let mut run = Recording::new(recording.default_action);
    let status = supervised
        .run(|call| {
            match (call.abi, call.syscall) {
                (Some(abi), Some(name)) if abi == native => run.observe(abi, name, &call.data.args),
                (Some(abi), Some(name)) => run.observe_foreign(abi, name, &call.data.args),
                // A number no table names cannot be written in a policy.
                _ => say(format_args!(
                    "call {} of an unknown ABI ({:#x}) not recorded",
                    call.data.nr, call.data.arch
                )),
            }
            Reply::Continue
        })
        .map_err(|error| start_error(program, &error))?;
    let interrupted = INTERRUPTED.load(Ordering::Relaxed);
    partial |= interrupted;
    recording.merge(&run);
    commands.push(options.command.join(" "));
    let policy = recording.to_policy();
    let mut source = String::from(HEADER);
    source.push_str(" from:\n");
    for command in &commands {
        source.push_str(&format!("{COMMAND_LINE}{command}\n"));
    }
    if partial {
        source.push_str(&format!(
            "{PARTIAL} a recording was interrupted before its command finished; calls it would \
             have made later are missing.\n"
        ));
    }
    source.push_str(
        "// Every syscall seen is allowed, with the argument values seen where they decide what \
         the call does;\n// every other call gets the default action. Review it before use.\n",
    );
    source.push_str(&dsl::to_source(&policy));
    // What is written must be what was seen: read back by the macro's
    // own front end, it is the same policy.
    let (written, _) = read_dsl(&source, &options.output)?;
    if without_comments(written) != without_comments(policy.clone()) {
        return Err("internal error: the written policy reads back differently".into());
    }
    std::fs::write(&options.output, &source)
        .map_err(|error| format!("{}: {error}", options.output.display()))?;
    if let Some(path) = &options.docker {
        std::fs::write(path, docker::to_json(&policy))
            .map_err(|error| format!("{}: {error}", path.display()))?;
    }
    say(format_args!(
        "{} syscalls recorded{} to {}{}",
        recording.syscall_count(),
        if interrupted {
            " (interrupted: partial)"
        } else {
            ""
        },
        options.output.display(),
        options
            .docker
            .as_ref()
            .map(|path| format!(" and {}", path.display()))
            .unwrap_or_default()
    ));
    Ok(exit_code(status))
}

/// The recording a policy file `record` wrote stands for, the commands it
/// was recorded from and whether it is partial.
fn earlier_recording(path: &Path) -> Result<(Recording, Vec<String>, bool), String> {
    let source =
        std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    if !source.starts_with(HEADER) {
        return Err(format!(
            "{}: not a policy `seccomp-dsl record` wrote (its first line is not `{HEADER} from:`)",
            path.display()
        ));
    }
    let (policy, _) = read_dsl(&source, path)?;
    let recording = Recording::from_policy(&policy).map_err(|error| {
        format!(
            "{}: {error}; record into a new file instead",
            path.display()
        )
    })?;
    let commands = source
        .lines()
        .filter_map(|line| line.strip_prefix(COMMAND_LINE))
        .map(str::to_string)
        .collect();
    let partial = source.lines().any(|line| line.starts_with(PARTIAL));
    Ok((recording, commands, partial))
}

/// A file there that `record` did not write is the user's: not overwritten.
fn refuse_to_overwrite(path: &Path) -> Result<(), String> {
    match std::fs::read_to_string(path) {
        Ok(text) if !text.starts_with(HEADER) => Err(format!(
            "{}: exists and is not a recorded policy; give another --output, or --merge to add \
             to a recorded one",
            path.display()
        )),
        _ => Ok(()),
    }
}

/// `--default ACTION`, as the DSL spells actions (`errno`, `kill_process`,
/// `errno(EACCES)`), read by the front end.
fn default_action(text: &str) -> Result<Action, String> {
    let statement = format!("#[allow(engine_cannot_start)] default {text};");
    let read = statement
        .parse()
        .ok()
        .and_then(|tokens| seccomp_dsl_core::frontend::read(tokens).policy);
    read.map(|policy| policy.default_action).ok_or_else(|| {
        format!(
            "--default `{text}` is not an action: `errno`, `errno(EACCES)`, `kill_process`, \
             `kill_thread`, `trap`, `log`"
        )
    })
}

/// The policy's decisions alone: the front end adds notes to comments.
fn without_comments(mut policy: seccomp_dsl::model::Policy) -> seccomp_dsl::model::Policy {
    for rule in policy.rules.to_mut() {
        rule.comment = None;
    }
    policy
}
