//! `seccomp-dsl record`: runs a command with every call it makes sent to
//! this process, and writes the policy that allows exactly those. A
//! command line holding `{profile}` runs a container engine: the recording
//! profile goes there, and a seccomp agent ([`agent`]) records the
//! container where it runs, the runtime's own calls included; what it
//! cannot see is added unseen (`write`, and the runtime's modelled calls).
//! A program that installs its policy with seccomp-dsl is recorded as it
//! is ([`boundary`]): what it called only before `install()` is written in
//! `startup { ... }`.

mod agent;
mod boundary;
mod container;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use seccomp_dsl::model::{Action, ContainerSettings as Settings, SeccompArch};
use seccomp_dsl::record::Recording;
use seccomp_dsl::recorder;
use seccomp_dsl::supervise::{notify_every_call, Reply, Supervised};
use seccomp_dsl::{docker, dsl};

use crate::child::{command, exit_code, start_error};
use crate::io::say;
use crate::policy_file::read_dsl;
use agent::Phase;

/// The arguments of `seccomp-dsl record`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Where to write the policy (DSL source): `policy.rs` by default,
    /// the file given to --merge with it.
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
    /// A policy `record` wrote earlier, to add this run to (a debug and
    /// a release build, the tests and a production run); the result
    /// goes back to it, or to --output.
    #[arg(long)]
    pub(crate) merge: Option<PathBuf>,
    /// The action for every call not seen: `errno` (EPERM, the
    /// default), `errno(EACCES)`, `kill_process`, ...
    #[arg(long)]
    pub(crate) default: Option<String>,
    /// Also write the equivalent Docker profile (JSON) there.
    #[arg(long)]
    pub(crate) docker: Option<PathBuf>,
    /// Also list every call there, one a line, with the thread that
    /// made it (and, in a container, whether the runtime or the program).
    #[arg(long)]
    pub(crate) log: Option<PathBuf>,
    /// The command and its arguments, after `--`. A container engine's
    /// command line with `{profile}` where it takes a seccomp profile
    /// (`podman run --security-opt seccomp={profile} IMAGE`, `ctr run
    /// --seccomp-profile {profile} IMAGE ID`) records the container.
    #[arg(last = true, required = true)]
    pub(crate) command: Vec<String>,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    let Args {
        output,
        merge,
        default,
        docker,
        log,
        command,
    } = args;
    let output = (output.or_else(|| merge.clone())).unwrap_or_else(|| "policy.rs".into());
    record(Options {
        output,
        merge,
        default,
        docker,
        log,
        command,
    })
}

/// The first line of every policy `record` writes: how a file is known to
/// be one it may overwrite or merge into.
const HEADER: &str = "// Recorded by `seccomp-dsl record`";
/// The line that says a recording was cut short.
const PARTIAL: &str = "// PARTIAL:";
/// How the header lists each command recorded.
const COMMAND_LINE: &str = "//   $ ";

struct Options {
    pub output: PathBuf,
    pub merge: Option<PathBuf>,
    pub default: Option<String>,
    pub docker: Option<PathBuf>,
    pub log: Option<PathBuf>,
    pub command: Vec<String>,
}

/// The environment that changes what a program calls, recorded with its
/// command line: the locale (`sort` compares otherwise under `LC_ALL=C`)
/// and the time zone.
fn deciding_environment() -> Vec<(String, String)> {
    let mut set: Vec<(String, String)> = std::env::vars()
        .filter(|(name, _)| {
            name.starts_with("LC_") || ["LANG", "LANGUAGE", "TZ"].contains(&name.as_str())
        })
        .collect();
    set.sort();
    set
}

/// `command` as a shell would take it, after the environment that decides
/// what it calls: `LC_ALL=C sort -u 'my file'`.
fn command_line(command: &[String]) -> String {
    let quoted = |word: &str| {
        let plain = !word.is_empty()
            && (word.bytes()).all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%{}".contains(&b));
        match plain {
            true => word.to_string(),
            false => format!("'{}'", word.replace('\'', r"'\''")),
        }
    };
    let environment = deciding_environment()
        .into_iter()
        .map(|(name, value)| format!("{name}={}", quoted(&value)));
    environment
        .chain(command.iter().map(|word| quoted(word)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where a container engine's command line takes the recording profile.
pub const PROFILE_PLACEHOLDER: &str = "{profile}";

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The recorded command's process, once it runs, for the handler to pass a
/// signal on to.
static COMMAND: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Notes that the recording is cut short, and passes the signal on to the
/// command (SIGINT only where no terminal gave it to the command already):
/// the command ends, and what was seen is written.
extern "C" fn note_interrupt(signal: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Relaxed);
    let command = COMMAND.load(Ordering::Relaxed);
    // SAFETY: isatty and kill are async-signal-safe system calls.
    let from_terminal = signal == libc::SIGINT && unsafe { libc::isatty(0) } == 1;
    if command > 0 && !from_terminal {
        // SAFETY: as above.
        unsafe { libc::kill(command, signal) };
    }
}

/// Keeps the recorder alive through SIGINT, SIGTERM and SIGHUP (what a
/// terminal, `timeout`, `kill`, systemd and `docker stop` send): the
/// command gets them, and the recording is written, marked partial.
fn survive_interrupts() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: installs a handler that stores to atomics and makes
        // async-signal-safe calls; exec resets it in the command.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = note_interrupt as *const () as usize;
            action.sa_flags = libc::SA_RESTART;
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

fn record(options: Options) -> Result<ExitCode, String> {
    let native = SeccompArch::native().ok_or("this architecture is not supported")?;
    let (recording, commands, partial, earlier_settings) = earlier(&options)?;
    let in_container = (options.command.iter()).any(|arg| arg.contains(PROFILE_PLACEHOLDER));
    let settings = container::merged_settings(earlier_settings, in_container, &options.command);
    let mut log = match &options.log {
        Some(path) => Some(
            std::fs::File::create(path).map_err(|error| format!("{}: {error}", path.display()))?,
        ),
        None => None,
    };
    let run = Arc::new(Mutex::new(Recording::new(recording.default_action)));
    let output = Output {
        path: options.output.clone(),
        docker: options.docker.clone(),
        earlier: recording,
        commands,
        settings,
    };
    let snapshots = Snapshots::start(output.clone(), Arc::clone(&run));
    survive_interrupts();
    let mut observe = |call: &seccomp_dsl::supervise::Call, phase: Phase| {
        if let Some(log) = log.as_mut() {
            use std::io::Write;
            let _ = writeln!(log, "{} {}", phase.name(), logged(call));
        }
        let mut run = run.lock().expect("the recording is not poisoned");
        let args = &call.data.args;
        match (call.abi, call.syscall, phase) {
            (Some(abi), Some(name), Phase::Installed) if abi == native => {
                run.observe(abi, name, args)
            }
            (Some(abi), Some(name), Phase::Installed) => run.observe_foreign(abi, name, args),
            (Some(abi), Some(name), _) => run.observe_before_install(abi, name, args),
            // A number no table names cannot be written in a policy.
            _ => say(format_args!(
                "call {} of an unknown ABI ({:#x}) not recorded",
                call.data.nr, call.data.arch
            )),
        }
    };
    let (status, installed) = if in_container {
        container::container(&options.command, native, &mut observe)?
    } else {
        supervise_command(&options.command, &mut observe)?
    };
    let unseen = in_container.then_some(settings);
    let mut recording = run.lock().expect("the recording is not poisoned");
    after_the_run(&mut recording, native, installed, unseen);
    drop(recording);
    snapshots.stop();
    let interrupted = INTERRUPTED.load(Ordering::Relaxed);
    // A command killed by a signal did not finish either.
    let killed = std::os::unix::process::ExitStatusExt::signal(&status).is_some();
    let run = run.lock().expect("the recording is not poisoned");
    let count = output.write(&run, partial || interrupted || killed)?;
    say(format_args!(
        "{count} syscalls recorded{} to {}{}",
        if interrupted || killed {
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

/// Notes what the run showed as a whole: whether the program installed its
/// policy; in a container run as `unseen` says, what the recorder cannot
/// see.
fn after_the_run(
    run: &mut Recording,
    native: SeccompArch,
    installed: bool,
    unseen: Option<Settings>,
) {
    if installed {
        run.note_install();
        say(format_args!(
            "the program installed its policy: what it called only before is in `startup {{ ... }}`"
        ));
    }
    if let Some(settings) = unseen {
        container::observe_unseen(run, native, settings);
    }
}

/// What came before a run: the recording merged into, the commands
/// recorded, whether it was cut short, and the container settings it
/// states (`None` for no earlier recording).
type Earlier = (Recording, Vec<String>, bool, Option<Settings>);

/// What came before this run: the recording merged into (or an empty one
/// with the default asked for), the commands recorded, this one added
/// once, whether the earlier recording was cut short, and the container
/// settings it states.
fn earlier(options: &Options) -> Result<Earlier, String> {
    let (mut recording, mut commands, partial, settings) = match &options.merge {
        Some(path) => earlier_recording(path)?,
        None => (Recording::new(Action::Errno(1)), Vec::new(), false, None),
    };
    // Another file than the one merged may be the user's.
    if options.merge.as_ref() != Some(&options.output) {
        refuse_to_overwrite(&options.output)?;
    }
    if let Some(default) = &options.default {
        recording.default_action = default_action(default)?;
    }
    options.command.first().ok_or("no command given")?;
    let command_line = command_line(&options.command);
    // A run of the same command again adds no line.
    if !commands.contains(&command_line) {
        commands.push(command_line);
    }
    Ok((recording, commands, partial, settings))
}

/// Runs `line` (not a container) with every call it makes handed to
/// `observe`, each let run, until it ends; the program's `install()` (see
/// [`boundary`]) answered. Its exit status, and whether it installed its
/// policy.
fn supervise_command(
    line: &[String],
    observe: &mut dyn FnMut(&seccomp_dsl::supervise::Call, Phase),
) -> Result<(std::process::ExitStatus, bool), String> {
    let program = &line[0];
    let mut command = command(line)?;
    command.env(recorder::VARIABLE, "1");
    let supervised = Supervised::spawn(&mut command, &notify_every_call(), &[])
        .map_err(|error| start_error(program, &error))?;
    COMMAND.store(supervised.id() as i32, Ordering::Relaxed);
    let mut boundary = boundary::Boundary::default();
    let status = supervised.run(|call| {
        if let Some(reply) = boundary.answer_marker(call) {
            return reply;
        }
        let phase = match boundary.under_install(call.thread) {
            true => Phase::Installed,
            false => Phase::Program,
        };
        observe(call, phase);
        Reply::Continue
    });
    let status = status.map_err(|error| start_error(program, &error))?;
    Ok((status, boundary.installed()))
}

/// Where and how a recording is written.
#[derive(Clone)]
struct Output {
    path: PathBuf,
    docker: Option<PathBuf>,
    /// What an earlier recording (`--merge`) saw.
    earlier: Recording,
    /// Every command recorded, this one last.
    commands: Vec<String>,
    /// How the containers recorded ran.
    settings: Settings,
}

impl Output {
    /// Writes what `run` saw, with what came before; the number of
    /// syscalls the policy allows.
    fn write(&self, run: &Recording, partial: bool) -> Result<usize, String> {
        let mut recording = self.earlier.clone();
        recording.merge(run);
        let policy = recording.to_policy();
        let mut source = String::from(HEADER);
        source.push_str(" from:\n");
        for command in &self.commands {
            source.push_str(&format!("{COMMAND_LINE}{command}\n"));
        }
        if partial {
            source.push_str(&format!(
                "{PARTIAL} a recording was interrupted before its command finished; calls it would \
                 have made later are missing.\n"
            ));
        }
        source.push_str(
            "// Every syscall seen is allowed, with the argument values seen where they decide \
             what the call does;\n// every other call gets the default action. Review it before \
             use.\n",
        );
        source.push_str(&dsl::to_source_for(&policy, self.settings));
        // What is written must be what was seen: read back by the macro's
        // own front end, it is the same policy.
        let (written, _) = read_dsl(&source, &self.path)?;
        if without_comments(written) != without_comments(policy.clone()) {
            return Err("internal error: the written policy reads back differently".into());
        }
        write_whole(&self.path, source.as_bytes())?;
        if let Some(path) = &self.docker {
            write_whole(path, docker::to_json(&policy).as_bytes())?;
        }
        Ok(recording.syscall_count())
    }
}

/// Writes `path` whole or not at all (beside it, then renamed): a reader,
/// or a recorder killed meanwhile, never leaves half a file.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".partial");
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|error| format!("{}: {error}", path.display()))
}

/// Writes the recording as it stands as soon as a signal cuts it short, so
/// that what was seen is kept even where the command goes on (a daemon
/// that takes SIGHUP to reload) and the recorder is killed after.
struct Snapshots {
    done: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Snapshots {
    fn start(output: Output, run: Arc<Mutex<Recording>>) -> Snapshots {
        let done = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&done);
        let thread = std::thread::spawn(move || {
            let mut written = false;
            while !stopping.load(Ordering::Acquire) {
                std::thread::sleep(std::time::Duration::from_millis(50));
                if INTERRUPTED.load(Ordering::Relaxed) && !written {
                    let run = run.lock().expect("the recording is not poisoned").clone();
                    if let Err(error) = output.write(&run, true) {
                        say(format_args!("{error}"));
                    }
                    written = true;
                }
            }
        });
        Snapshots { done, thread }
    }

    fn stop(self) {
        self.done.store(true, Ordering::Release);
        let _ = self.thread.join();
    }
}

/// A call as the log lists it: `thread 12: socket(AF_INET, SOCK_STREAM, 0) on x86_64`.
fn logged(call: &seccomp_dsl::supervise::Call) -> String {
    match (call.abi, call.syscall) {
        (Some(abi), Some(name)) => format!(
            "thread {}: {} on {}",
            call.thread,
            seccomp_dsl::compare::call_as_read(name, &call.data.args),
            abi.name()
        ),
        _ => format!(
            "thread {}: syscall {} of ABI {:#x}",
            call.thread, call.data.nr, call.data.arch
        ),
    }
}

/// The recording a policy file `record` wrote stands for, the commands it
/// was recorded from and whether it is partial.
fn earlier_recording(path: &Path) -> Result<Earlier, String> {
    let source =
        std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    if !source.starts_with(HEADER) {
        return Err(format!(
            "{}: not a policy `seccomp-dsl record` wrote (its first line is not `{HEADER} from:`)",
            path.display()
        ));
    }
    let (policy, sources) = read_dsl(&source, path)?;
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
    Ok((recording, commands, partial, Some(sources.container)))
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
