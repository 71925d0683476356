//! `seccomp-dsl`: learns a program's policy by recording what it calls,
//! runs commands under a policy, turns Docker seccomp profiles into
//! `seccomp_profile!` source or into the `linux.seccomp` part of an OCI
//! runtime config, and shows, runs and measures the BPF program a profile
//! compiles to.

mod diff;
mod record;
mod run;

use std::path::{Path, PathBuf};
use std::process::{ExitCode, ExitStatus};

use clap::{Args, Parser, Subcommand};
use seccomp_dsl_core::bpf::emulate::{run_counting, SeccompData};
use seccomp_dsl_core::bpf::{self, audit_arch, disasm};
use seccomp_dsl_core::model::{
    native_docker_arch, Context, KernelVersion, Policy, Resolved, SeccompArch,
    DOCKER_CONTAINER_CAPABILITIES,
};
use seccomp_dsl_core::{docker, dsl, engines, frontend, upper_half};

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
    /// Runs a command and writes the policy that allows exactly the calls
    /// it, its threads and its children made (with the argument values that
    /// decide what a call does), organised by purpose. The command's input,
    /// output and exit status pass through.
    Record {
        /// Where to write the policy (DSL source): `policy.rs` by default,
        /// the file given to --merge with it.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// A policy `record` wrote earlier, to add this run to (a debug and
        /// a release build, the tests and a production run); the result
        /// goes back to it, or to --output.
        #[arg(long)]
        merge: Option<PathBuf>,
        /// The action for every call not seen: `errno` (EPERM, the
        /// default), `errno(EACCES)`, `kill_process`, ...
        #[arg(long)]
        default: Option<String>,
        /// Also write the equivalent Docker profile (JSON) there.
        #[arg(long)]
        docker: Option<PathBuf>,
        /// Also list every call there, one a line, with the thread that
        /// made it (and, in a container, whether the runtime or the program).
        #[arg(long)]
        log: Option<PathBuf>,
        /// The command and its arguments, after `--`. A container engine's
        /// command line with `{profile}` where it takes a seccomp profile
        /// (`podman run --security-opt seccomp={profile} IMAGE`, `ctr run
        /// --seccomp-profile {profile} IMAGE ID`) records the container.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Runs a command under a policy, and names on standard error every call
    /// the policy denies or kills (syscall, ABI, arguments, and the rule or
    /// default that decided). Exits with the command's status (128 + signal
    /// when it is killed).
    Run {
        /// The policy: a Docker profile (JSON) or DSL source (a `.rs` file
        /// with `seccomp_profile! { ... }`).
        policy: PathBuf,
        /// Deny nothing: report each call the policy would deny, once per
        /// syscall and deciding value, then the statements to add.
        #[arg(long)]
        complain: bool,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Writes a Docker seccomp profile as `seccomp_profile!` source, for
    /// `static POLICY: seccomp_dsl::Profile = include!("policy.rs");`.
    Import {
        /// The Docker profile (JSON); `-` reads standard input.
        profile: PathBuf,
        /// Where to write the source; standard output by default.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Writes the Docker profile of a policy written in the DSL (for
    /// `docker run` or `podman run --security-opt seccomp=FILE`): the same
    /// JSON `Profile::docker_json()` gives for it.
    Docker {
        /// The policy: DSL source (a `.rs` file with `seccomp_profile! {
        /// ... }`) or a Docker profile (JSON), written back checked and
        /// normalised; `-` reads standard input.
        policy: PathBuf,
        /// Where to write the JSON; standard output by default.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Writes the `linux.seccomp` object of an OCI runtime `config.json`
    /// (for runc or crun, and what containerd reads from `ctr run
    /// --seccomp-profile` and a Kubernetes Localhost profile), deciding its
    /// conditional rules for the given container.
    Oci {
        /// The policy: a Docker profile (JSON) or DSL source (a `.rs` file
        /// with `seccomp_profile! { ... }`); `-` reads standard input.
        profile: PathBuf,
        #[command(flatten)]
        container: ContainerArgs,
        /// Where to write the JSON; standard output by default.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Writes the Kubernetes Security Profiles Operator's `SeccompProfile`
    /// object for a node (conditions and ABIs decided for it, as `oci`
    /// does), and says on standard error the Pod `securityContext` that uses
    /// it; `--localhost` writes the plain profile for the kubelet's seccomp
    /// directory instead, for nodes without the operator.
    K8s {
        /// The policy: a Docker profile (JSON) or DSL source.
        policy: PathBuf,
        /// The object's name (for the operator) or the file's stem.
        #[arg(long)]
        name: String,
        /// Write the file for `/var/lib/kubelet/seccomp/NAME.json`.
        #[arg(long)]
        localhost: bool,
        #[command(flatten)]
        container: ContainerArgs,
        /// Where to write; standard output by default.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Compiles a Docker profile to the BPF program `install()` would load
    /// in the given container, and prints its disassembly.
    Bpf {
        /// The policy: a Docker profile (JSON) or DSL source (a `.rs` file
        /// with `seccomp_profile! { ... }`); `-` reads standard input.
        profile: PathBuf,
        #[command(flatten)]
        container: ContainerArgs,
        /// Leave out the ABIs the profile adds (`architectures`, `archMap`).
        #[arg(long)]
        native_only: bool,
    },
    /// Lists, per syscall and ABI, each class of calls two sides answer
    /// differently (decided exactly, over every call), with a call that
    /// shows it and what decides it on each side. Exits with 0 when they
    /// answer every call alike, 1 otherwise.
    Diff {
        /// The side before: a policy (a Docker profile or DSL source), a
        /// compiled program (`bpf:FILE`, or FILE.bpf: `struct sock_filter`
        /// records), or a running process's filters (`pid:N`).
        before: String,
        /// The side after, as BEFORE.
        after: String,
        /// Print the differences as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Reads the seccomp filters a running process is under (needs
    /// CAP_SYS_ADMIN), the oldest first, prints each one's disassembly, and
    /// what they answer together for each syscall of the native ABI (every
    /// answer its arguments can get, decided exactly).
    Inspect {
        /// The process.
        pid: i32,
        /// Read the filters even where a thread is in a call the kernel
        /// resumes through `restart_syscall` after the stop (a timed
        /// sleep, wait or poll), which a filter that denies it fails or
        /// kills: without it, such a process is not stopped.
        #[arg(long)]
        stop_anyway: bool,
    },
    /// Proves that the filters a running process is under answer every
    /// call (every ABI, syscall number, instruction pointer and 64-bit
    /// argument) as POLICY does in that process's context (its capability
    /// bounding set, this kernel), or prints a call they answer otherwise.
    /// Exits with 0 when they agree, 1 when they differ, 3 when calls the
    /// policy denies go to a supervisor (`seccomp-dsl run`), 2 when it
    /// cannot say.
    Verify {
        /// The process.
        pid: i32,
        /// The policy: a Docker profile (JSON) or DSL source.
        policy: PathBuf,
        /// Only the filter numbered so (0 is the oldest, as `inspect`
        /// numbers them): a container's profile under a program's own.
        #[arg(long)]
        filter: Option<usize>,
        /// Read the filters even where a thread is in a call the kernel
        /// resumes through `restart_syscall` after the stop (a timed
        /// sleep, wait or poll), which a filter that denies it fails or
        /// kills: without it, such a process is not stopped.
        #[arg(long)]
        stop_anyway: bool,
    },
    /// Lists the syscall groups (`@name` in a policy), or the syscalls of
    /// one on an ABI.
    Groups {
        /// A group's name (`rust_std`, `@file_system`, ...).
        name: Option<String>,
        /// The ABI whose syscalls to list (`x86_64`, `aarch64`, ...); this
        /// machine's by default.
        #[arg(long)]
        abi: Option<String>,
    },
    /// Says what a policy does to one call, and why: the rule (with its
    /// source line) or the default.
    Explain {
        /// The policy: a Docker profile (JSON) or DSL source (a `.rs` file
        /// with `seccomp_profile! { ... }`); `-` reads standard input.
        policy: PathBuf,
        #[command(flatten)]
        call: CallArgs,
        #[command(flatten)]
        container: ContainerArgs,
    },
    /// Runs one syscall through the compiled program, as the kernel would,
    /// and prints the filter's answer.
    Emulate {
        /// The policy: a Docker profile (JSON) or DSL source (a `.rs` file
        /// with `seccomp_profile! { ... }`); `-` reads standard input.
        profile: PathBuf,
        #[command(flatten)]
        call: CallArgs,
        #[command(flatten)]
        container: ContainerArgs,
    },
}

/// One call: `explain` and `emulate` take it alike.
#[derive(Args)]
struct CallArgs {
    /// The syscall, by name (`personality`) or by its number on the ABI
    /// (`135`, as the kernel's audit lines give it).
    syscall: String,
    /// Up to six arguments: numbers (`0x200`, `8`, `-100`) or constants
    /// joined with `|` (`AT_FDCWD`, `O_RDONLY|O_CLOEXEC`).
    #[arg(allow_negative_numbers = true)]
    args: Vec<String>,
    /// The ABI of the call (`x86_64`, `x86`, `x32`, `aarch64`, ...); the
    /// native one by default.
    #[arg(long)]
    abi: Option<String>,
}

/// The container the profile's conditional rules are decided for.
#[derive(Args)]
struct ContainerArgs {
    /// The container's architecture, as Docker names it (`amd64`, `arm64`,
    /// ...); this machine's by default.
    #[arg(long)]
    arch: Option<String>,
    /// A capability in the container's bounding set (`CAP_SYS_ADMIN`);
    /// repeat for each. `default` stands for the set Docker and containerd
    /// (so Kubernetes on containerd) give a container.
    #[arg(long = "cap")]
    caps: Vec<String>,
    /// The kernel version (`6.1`); the running kernel's by default.
    #[arg(long)]
    kernel: Option<String>,
}

impl ContainerArgs {
    /// The context, and the native ABI it stands for.
    fn context(self) -> Result<(Context, SeccompArch), String> {
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

/// Says `message` on standard error, as `seccomp-dsl: message`; a closed
/// or full standard error is no reason to stop supervising.
fn say(message: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "seccomp-dsl: {message}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // As other command-line tools: output into a closed pipe (`| head`)
    // ends the command quietly, where Rust's default would panic. Not
    // while supervising a command, whose denied calls must still be
    // answered as the policy says when nobody reads what is said of them.
    if !matches!(cli.command, Command::Record { .. } | Command::Run { .. }) {
        // SAFETY: sets this process's disposition of one signal, before
        // any thread starts.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    }
    match dispatch(cli) {
        Ok(code) => code,
        Err(message) => {
            say(format_args!("{message}"));
            ExitCode::FAILURE
        }
    }
}

/// Runs the command; most write what they make and succeed, those that
/// run or compare something return their own exit code.
fn dispatch(cli: Cli) -> Result<ExitCode, String> {
    let written: Result<(), String> = match cli.command {
        Command::Record {
            output,
            merge,
            default,
            docker,
            log,
            command,
        } => {
            let output = (output.or_else(|| merge.clone())).unwrap_or_else(|| "policy.rs".into());
            return record::record(record::Options {
                output,
                merge,
                default,
                docker,
                log,
                command,
            });
        }
        Command::Verify {
            pid,
            policy,
            filter,
            stop_anyway,
        } => {
            let policy = load(&policy)?;
            return verify(pid, &policy, filter, stop_anyway);
        }
        Command::Diff {
            before,
            after,
            json,
        } => return diff::diff(&before, &after, json),
        Command::Run {
            policy,
            complain,
            command,
        } => {
            let (policy, sources) = load_with_lines(&policy)?;
            return run::run(&policy, &sources, complain, &command);
        }
        Command::Import { profile, output } => {
            let json = read(&profile)?;
            let (policy, notes) = dsl::import_docker_as_engines(&json)
                .map_err(|e| format!("{}: {e}", profile.display()))?;
            for note in notes {
                eprintln!("warning: {}: {note}", profile.display());
            }
            // The source keeps each 64-bit comparison of a narrower argument
            // as the profile means it, acknowledged; the walks around it are
            // worth a warning.
            for witness in upper_half::witnesses(&policy) {
                if witness.is_bypass() {
                    eprintln!(
                        "warning: {}: syscalls[{}] compares all 64 bits of `arg{}`, which \
                         `{}` reads as {} bits: {witness}",
                        profile.display(),
                        witness.rule,
                        policy.rules[witness.rule].conditions[witness.condition].index,
                        witness.syscall,
                        witness.width.bits(),
                    );
                }
            }
            let engine = engines::TARGET;
            for (index, rule) in policy.rules.iter().enumerate() {
                let dropped = engine.dropped_names(rule, &policy.architectures);
                if !dropped.is_empty() {
                    eprintln!(
                        "warning: {}: syscalls[{index}] names {}, which libseccomp {} does not \
                         know: {} leaves them out of the rule; the source keeps them for \
                         install() alone, with #[allow(unknown_to_engine)]",
                        profile.display(),
                        dropped.join(", "),
                        engine.libseccomp,
                        engine.describe(),
                    );
                }
            }
            write(output, &dsl::to_source(&policy))
        }
        Command::Docker { policy, output } => {
            let (policy, sources) = load_with_lines(&policy)?;
            warn_if_a_container_cannot_start(&policy, sources.container);
            if sources.container.no_new_privileges {
                say(format_args!(
                    "the policy is for containers run with no-new-privileges: \
                     `docker run --security-opt no-new-privileges`, `podman run --security-opt \
                     no-new-privileges`"
                ));
            }
            write(output, &docker::to_json(&policy))
        }
        Command::Oci {
            profile,
            container,
            output,
        } => {
            let (policy, sources) = load_with_lines(&profile)?;
            let (context, native) = container.context()?;
            warn_if_a_container_cannot_start(&policy, sources.container);
            if sources.container.no_new_privileges {
                say(format_args!(
                    "the policy is for containers run with no-new-privileges: the bundle's \
                     `process.noNewPrivileges: true` (`ctr run` sets it)"
                ));
            }
            write(
                output,
                &docker::to_oci_json(&policy.resolve(&context, native)),
            )
        }
        Command::Bpf {
            profile,
            container,
            native_only,
        } => {
            let policy = load(&profile)?;
            let (context, native) = container.context()?;
            let mut resolved = policy.resolve(&context, native);
            if native_only {
                resolved = resolved.native_only();
            }
            let program = bpf::compile(&resolved).map_err(|e| e.to_string())?;
            let abis: Vec<&str> = resolved
                .architectures
                .iter()
                .map(|arch| arch.name())
                .collect();
            print!("{}", disasm::listing(&program));
            println!("; {} instructions, ABIs {}", program.len(), abis.join(", "));
            Ok(())
        }
        Command::K8s {
            policy,
            name,
            localhost,
            container,
            output,
        } => {
            let (policy, sources) = load_with_lines(&policy)?;
            let (context, native) = container.context()?;
            warn_if_a_container_cannot_start(&policy, sources.container);
            let resolved = policy.resolve(&context, native);
            let (text, path) = if localhost {
                (docker::to_oci_json(&resolved), format!("{name}.json"))
            } else {
                let object = seccomp_dsl::k8s::seccomp_profile(&resolved, &name)
                    .map_err(|error| error.to_string())?;
                let text = serde_json::to_string_pretty(&object).expect("JSON values print");
                (format!("{text}\n"), format!("operator/{name}.json"))
            };
            write(output, &text)?;
            let snippet = seccomp_dsl::k8s::security_context_for(&path, sources.container);
            let user = match sources.container.no_new_privileges {
                true => "a container (not a Pod: no-new-privileges is the container's)",
                false => "a Pod",
            };
            eprintln!(
                "seccomp-dsl: {user} uses it with:\n{}",
                serde_json::to_string_pretty(&snippet).expect("JSON values print")
            );
            Ok(())
        }
        Command::Inspect { pid, stop_anyway } => {
            print!("{}", inspect(pid, stop_anyway)?);
            Ok(())
        }
        Command::Groups { name, abi } => {
            let native = SeccompArch::native().ok_or("this machine's architecture is unknown")?;
            let abi = abi_named(abi, native)?;
            print!("{}", groups_listing(name.as_deref(), abi)?);
            Ok(())
        }
        Command::Explain {
            policy,
            call,
            container,
        } => {
            let (policy, sources) = load_with_lines(&policy)?;
            let (context, native) = container.context()?;
            let abi = abi_named(call.abi, native)?;
            let given = given_call(abi, &call.syscall, &call.args)?;
            match given.name {
                None => println!(
                    "{}, the default action: no syscall has number {} on {}",
                    policy.default_action,
                    given.number,
                    abi.name()
                ),
                Some(name) => {
                    let explanation = seccomp_dsl::explain::explain(
                        &policy,
                        sources.sources(),
                        &context,
                        native,
                        abi,
                        name,
                        &given.args,
                    )
                    .map_err(|error| error.to_string())?;
                    // A call given by number is named.
                    if call.syscall != name {
                        print!("{given}: ");
                    }
                    println!("{explanation}");
                }
            }
            Ok(())
        }
        Command::Emulate {
            profile,
            call,
            container,
        } => {
            let policy = load(&profile)?;
            let (context, native) = container.context()?;
            let resolved = policy.resolve(&context, native);
            let abi = abi_named(call.abi, native)?;
            emulate(&resolved, abi, &call.syscall, &call.args)
        }
    };
    written.map(|()| ExitCode::SUCCESS)
}

/// Says on standard error when a container does not start under the
/// profile of `policy` (one meant for `install()` alone, exported anyway).
fn warn_if_a_container_cannot_start(
    policy: &Policy,
    settings: seccomp_dsl_core::container_start::Settings,
) {
    if let Some(problem) =
        seccomp_dsl_core::container_start::start_problem(&engines::TARGET, policy, settings)
    {
        say(format_args!("warning: {problem}"));
    }
}

/// The exit code that reports `status` as a shell does: the command's
/// code, or 128 + the signal that killed it.
fn exit_code(status: ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => ExitCode::from(code as u8),
        (None, Some(signal)) => ExitCode::from(128 + signal as u8),
        _ => ExitCode::FAILURE,
    }
}

/// The command to start for `line`, its program found on `PATH` here:
/// under the filter, a search that fails would itself be filtered, and a
/// missing program reported as whatever the policy answers.
fn command(line: &[String]) -> Result<std::process::Command, String> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let (program, arguments) = line.split_first().ok_or("no command given")?;
    let executable = |path: &Path| {
        std::fs::metadata(path)
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    };
    let path = if program.contains('/') {
        Some(PathBuf::from(program)).filter(|path| path.exists())
    } else {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(program))
                .find(|path| executable(path))
        })
    };
    let path = path.ok_or_else(|| start_error(program, &std::io::ErrorKind::NotFound.into()))?;
    let mut command = std::process::Command::new(path);
    command.arg0(program).args(arguments);
    Ok(command)
}

/// What went wrong running `program`, as a shell would say it when it
/// could not be started.
fn start_error(program: &str, error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => format!("`{program}`: command not found"),
        std::io::ErrorKind::PermissionDenied => format!("`{program}`: permission denied"),
        _ => format!("running `{program}`: {error}"),
    }
}

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

/// Every group with its purpose, or the syscalls of the group `name` on
/// `abi`, one per line.
fn groups_listing(name: Option<&str>, abi: SeccompArch) -> Result<String, String> {
    use seccomp_dsl::groups::{self, GROUPS, VERSION};
    let Some(name) = name else {
        let mut listing = format!("syscall groups, version {VERSION}, on {}:\n", abi.name());
        for group in GROUPS.iter().filter(|group| group.name != "other") {
            let count = group.members_on(abi).len();
            listing.push_str(&format!(
                "@{:<16} {count:>3}  {}\n",
                group.name, group.purpose
            ));
        }
        return Ok(listing);
    };
    let name = name.trim_start_matches('@');
    let group = groups::group(name).ok_or_else(|| {
        let known = GROUPS.iter().map(|group| group.name);
        match seccomp_dsl_core::suggest::closest(name, known) {
            Some(close) => format!("unknown syscall group `@{name}`; did you mean `@{close}`?"),
            None => format!("unknown syscall group `@{name}`"),
        }
    })?;
    let mut listing = format!(
        "# @{} (groups version {VERSION}) on {}: {}\n",
        group.name,
        abi.name(),
        group.purpose
    );
    for member in group.members_on(abi) {
        listing.push_str(member);
        listing.push('\n');
    }
    Ok(listing)
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

/// A call found by the decision procedure, as a person reads it: the
/// syscall and its arguments, the ABI, and the instruction pointer where
/// it is not 0.
fn witness_call(data: &SeccompData) -> String {
    let mut call = match bpf::syscall_of(data.arch, data.nr as u32) {
        Some((abi, Some(name))) => format!(
            "`{}` on {}",
            seccomp_dsl::compare::call(name, &data.args),
            abi.name()
        ),
        Some((abi, None)) => format!(
            "syscall {} of {} (args {:#x?})",
            data.nr as u32,
            abi.name(),
            data.args
        ),
        None => format!(
            "syscall {} of ABI {:#x} (args {:#x?})",
            data.nr as u32, data.arch, data.args
        ),
    };
    if data.instruction_pointer != 0 {
        call.push_str(&format!(
            " at instruction pointer {:#x}",
            data.instruction_pointer
        ));
    }
    call
}

/// The filters process `pid` is under; `None` in strict mode, which has
/// none but lets only four calls run.
/// `stop_anyway`: even where stopping it could make it fail (see
/// [`seccomp_dsl::inspect::filters_of`]).
fn process_filters(
    pid: i32,
    stop_anyway: bool,
) -> Result<Option<Vec<Vec<bpf::Instruction>>>, String> {
    use seccomp_dsl::inspect::{confinement_of, filters_of, filters_of_stopping_anyway};
    let read_error = |error: std::io::Error| match error.kind() {
        std::io::ErrorKind::WouldBlock => {
            format!("process {pid}: {error}; `--stop-anyway` reads its filters all the same")
        }
        _ => process_error(pid, &error),
    };
    match confinement_of(pid).map_err(read_error)? {
        seccomp_dsl::inspect::Confinement::Strict => Ok(None),
        _ if stop_anyway => filters_of_stopping_anyway(pid)
            .map(Some)
            .map_err(read_error),
        _ => filters_of(pid).map(Some).map_err(read_error),
    }
}

/// What went wrong reading process `pid`.
fn process_error(pid: i32, error: &std::io::Error) -> String {
    match error.raw_os_error() {
        Some(libc::EPERM) => {
            format!("process {pid}: reading its filters needs CAP_SYS_ADMIN ({error})")
        }
        Some(libc::ESRCH | libc::ENOENT) => format!("process {pid}: no such process"),
        _ => format!("process {pid}: {error}"),
    }
}

/// The filters of process `pid`, their listings, and what they answer
/// together per native syscall: the answer with all arguments 0, and
/// every other answer some arguments (or instruction pointer) get,
/// decided exactly.
fn inspect(pid: i32, stop_anyway: bool) -> Result<String, String> {
    use seccomp_dsl::decide::{answer::canonical, answers, Limits, Side};
    use seccomp_dsl::inspect::decide;
    let Some(filters) = process_filters(pid, stop_anyway)? else {
        return Ok(format!(
            "process {pid}: strict mode: only read, write, exit and sigreturn\n"
        ));
    };
    let mut out = format!(
        "process {pid}: {} filter{}\n",
        filters.len(),
        if filters.len() == 1 { "" } else { "s" }
    );
    if filters.len() > 1 {
        out.push_str(
            "(the kernel runs every filter on each call, the newest first, and keeps the answer \
             of highest precedence; among equal ones, the newest filter's)\n",
        );
    }
    for (index, filter) in filters.iter().enumerate() {
        let age = match (index, filters.len()) {
            (_, 1) => "",
            (0, _) => ", the oldest",
            (i, n) if i + 1 == n => ", the newest",
            _ => "",
        };
        out.push_str(&format!(
            "\n# filter {index}{age}: {} instructions\n",
            filter.len()
        ));
        out.push_str(&disasm::listing(filter));
    }
    if filters.is_empty() {
        return Ok(out);
    }
    let native = SeccompArch::native().ok_or("this machine's architecture is unknown")?;
    let arch = audit_arch(native).ok_or("this machine's ABI has no audit number")?;
    let mut by_answer: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut others: Vec<String> = Vec::new();
    for entry in seccomp_dsl::syscalls::all() {
        let Some(number) = entry.number(native.syscall_table()) else {
            continue;
        };
        let zero = SeccompData {
            nr: number as i32,
            arch,
            instruction_pointer: 0,
            args: [0; 6],
        };
        let answer = canonical(decide(&filters, &zero));
        let every = answers(
            &Side::Filters(&filters),
            &[(0, number), (1, arch)],
            8,
            &Limits::default(),
        )
        .map_err(|undecided| format!("process {pid}: {}: {undecided}", entry.name()))?;
        let mut other: Vec<String> = every
            .iter()
            .filter(|(value, _)| *value != answer)
            .map(|(value, _)| disasm::action(*value))
            .collect();
        other.dedup();
        let name = format!(
            "{}{}",
            entry.name(),
            if other.is_empty() { "" } else { "*" }
        );
        if !other.is_empty() {
            others.push(format!("{}: {}", entry.name(), other.join(", ")));
        }
        by_answer
            .entry(disasm::action(answer))
            .or_default()
            .push(name);
    }
    out.push_str(&format!(
        "\n# together, on {} (all arguments 0; * where other arguments get other answers):\n",
        native.name()
    ));
    for (answer, names) in by_answer {
        out.push_str(&format!(
            "{answer} ({}): {}\n",
            names.len(),
            names.join(" ")
        ));
    }
    if !others.is_empty() {
        out.push_str("\n# * the other answers, for some arguments:\n");
        for line in others {
            out.push_str(&line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// The ABI `--abi` names, or `native` without it.
fn abi_named(abi: Option<String>, native: SeccompArch) -> Result<SeccompArch, String> {
    match abi {
        Some(name) => SeccompArch::from_name(&name).ok_or(format!("unknown ABI `{name}`")),
        None => Ok(native),
    }
}

/// A call given on the command line: the syscall (its name, where the
/// ABI has one at that number) and its arguments as the registers hold
/// them.
struct GivenCall {
    name: Option<&'static str>,
    number: u32,
    args: [u64; 6],
}

impl std::fmt::Display for GivenCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name {
            Some(name) => write!(f, "{name} (number {})", self.number)?,
            None => write!(f, "syscall {}", self.number)?,
        }
        Ok(())
    }
}

/// The call `syscall` (a name or a number on `abi`) with `args`.
fn given_call(abi: SeccompArch, syscall: &str, args: &[String]) -> Result<GivenCall, String> {
    let table = abi.syscall_table();
    let (name, number) = match parse_number(syscall) {
        Some(number) => {
            let number = u32::try_from(number)
                .map_err(|_| format!("`{syscall}` is not a syscall number"))?
                & !bpf::number_bias(abi);
            let name = seccomp_dsl_core::syscalls::by_number(table, number).map(|e| e.name());
            (name, number)
        }
        None => {
            let entry =
                seccomp_dsl::explain::syscall_named(syscall).map_err(|error| error.to_string())?;
            let number = entry
                .number(table)
                .ok_or(format!("`{syscall}` does not exist on {}", abi.name()))?;
            (Some(entry.name()), number)
        }
    };
    if args.len() > 6 {
        return Err("a syscall takes at most six arguments".into());
    }
    let mut values = [0u64; 6];
    for (index, (value, text)) in values.iter_mut().zip(args).enumerate() {
        *value = argument(name, index as u8, text)?;
    }
    Ok(GivenCall {
        name,
        number,
        args: values,
    })
}

/// Argument `index` of `syscall` as its register holds it: a number
/// (decimal, `0x` hex, or negative: `-100`), or constants joined with `|`
/// (`AT_FDCWD`, `O_WRONLY|O_CLOEXEC`). A negative value of an argument
/// the kernel reads as 32 bits is its low 32 bits, as a C caller passes it.
fn argument(syscall: Option<&str>, index: u8, text: &str) -> Result<u64, String> {
    use seccomp_dsl_core::{constants, suggest};
    let mut value = 0u64;
    let mut negative = false;
    let terms: Vec<&str> = text.split('|').map(str::trim).collect();
    for term in &terms {
        let (magnitude, minus) = match term.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (*term, false),
        };
        let term_value = match parse_number(magnitude) {
            Some(number) if minus => number.wrapping_neg(),
            Some(number) => number,
            None if minus => return Err(format!("`{term}` is not a number")),
            None => constants::lookup(magnitude).ok_or_else(|| {
                let closest = suggest::closest_constant(magnitude, constants::names());
                match closest {
                    Some(closest) => format!(
                        "`{magnitude}` is neither a number nor a constant name; did you mean `{closest}`?"
                    ),
                    None => format!("`{magnitude}` is neither a number nor a constant name"),
                }
            })?,
        };
        negative |= (term_value as i64) < 0;
        value |= term_value;
    }
    if negative && terms.len() > 1 {
        return Err(format!(
            "`{text}`: a negative value cannot be joined with `|`"
        ));
    }
    let width = syscall.and_then(|name| seccomp_dsl_core::upper_half::kernel_width(name, index));
    Ok(match width {
        Some(width) if negative => value & width.mask(),
        _ => value,
    })
}

/// An unsigned integer in decimal, or hex with `0x`.
fn parse_number(text: &str) -> Option<u64> {
    let text = text.replace('_', "");
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// A policy from a Docker profile (JSON) or from DSL source: a `.rs` file
/// holding one `seccomp_profile! { ... }`, or its statements alone, read
/// by the macro's own front end, with its errors.
fn load(profile: &Path) -> Result<Policy, String> {
    load_with_lines(profile).map(|(policy, _)| policy)
}

/// Where each rule of a policy read from DSL source is written: its line
/// and its conditions as written (nothing for JSON).
#[derive(Default)]
struct RuleSources {
    lines: Vec<u32>,
    conditions: Vec<String>,
    /// The statements, to check what a tool suggests adding to them.
    statements: Option<proc_macro2::TokenStream>,
    /// How the containers it is shipped to run (`container ...;`).
    container: seccomp_dsl_core::container_start::Settings,
}

impl RuleSources {
    fn sources(&self) -> seccomp_dsl::explain::Sources<'_> {
        seccomp_dsl::explain::Sources {
            lines: &self.lines,
            conditions: &self.conditions,
        }
    }

    /// Why the policy does not compile with `statement` added (a `forbid`
    /// or an `assert` it breaks, a rule it overlaps), if it does not.
    fn conflict(&self, statement: &str) -> Option<String> {
        let mut statements = self.statements.clone()?;
        statements.extend(statement.parse::<proc_macro2::TokenStream>().ok()?);
        let read = frontend::read(statements);
        let message = (read.diagnostics.messages().into_iter()).find(|message| !message.warning)?;
        Some(message.text.lines().next().unwrap_or_default().to_string())
    }
}

/// [`load`], with where each rule is written.
fn load_with_lines(profile: &Path) -> Result<(Policy, RuleSources), String> {
    let text = read(profile)?;
    if text.trim_start().starts_with('{') {
        // As the engines read it, with what they ignore said.
        let (policy, notes) = dsl::import_docker_as_engines(&text)
            .map_err(|e| format!("{}: {e}", profile.display()))?;
        for note in notes {
            say(format_args!("warning: {}: {note}", profile.display()));
        }
        return Ok((policy, RuleSources::default()));
    }
    read_dsl(&text, profile)
}

/// DSL source read as the macro reads it, its diagnostics printed as
/// `file:line:column: error: ...`, with the source line of each rule.
fn read_dsl(text: &str, path: &Path) -> Result<(Policy, RuleSources), String> {
    let tokens: proc_macro2::TokenStream = text
        .parse()
        .map_err(|e| format!("{}: not JSON, and not Rust tokens: {e}", path.display()))?;
    // The statements alone where the file has no macro around them.
    let statements = macro_body(tokens.clone()).unwrap_or(tokens);
    let read = frontend::read(statements.clone());
    // As the compiler: warnings only where the policy compiles.
    let failed = read.policy.is_none();
    for message in read.diagnostics.messages() {
        if message.warning && failed {
            continue;
        }
        let kind = if message.warning { "warning" } else { "error" };
        eprintln!(
            "{}:{}:{}: {kind}: {}",
            path.display(),
            message.line,
            message.column + 1,
            message.text.replace('\n', "\n  ")
        );
    }
    let policy = read
        .policy
        .ok_or_else(|| format!("{}: the policy has errors", path.display()))?;
    let sources = RuleSources {
        lines: read.rule_lines,
        conditions: read.rule_conditions,
        statements: Some(statements),
        container: read.container,
    };
    Ok((policy, sources))
}

/// What stands between the braces of the first `seccomp_profile! { ... }`
/// in `tokens`, at any depth (in a `static`'s initializer, say).
fn macro_body(tokens: proc_macro2::TokenStream) -> Option<proc_macro2::TokenStream> {
    use proc_macro2::{Delimiter, TokenTree};
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    trees
        .iter()
        .enumerate()
        .find_map(|(index, tree)| match tree {
            TokenTree::Ident(name) if name == "seccomp_profile" => {
                match (trees.get(index + 1), trees.get(index + 2)) {
                    (Some(TokenTree::Punct(bang)), Some(TokenTree::Group(body)))
                        if bang.as_char() == '!' && body.delimiter() == Delimiter::Brace =>
                    {
                        Some(body.stream())
                    }
                    _ => None,
                }
            }
            TokenTree::Group(group) => macro_body(group.stream()),
            _ => None,
        })
}

fn read(path: &Path) -> Result<String, String> {
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
