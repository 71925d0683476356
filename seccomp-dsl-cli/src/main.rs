//! `seccomp-dsl`: learns a program's policy by recording what it calls,
//! runs commands under a policy, turns Docker seccomp profiles into
//! `seccomp_profile!` source or into the `linux.seccomp` part of an OCI
//! runtime config, and shows, runs and measures the BPF program a profile
//! compiles to.
//!
//! Each command is a module of [`commands`], with its arguments and what it
//! does; what several share lives beside them: [`args`] (arguments taken
//! alike), [`call`] (a call given on the command line), [`policy_file`]
//! (a policy read from JSON or DSL source), [`process`] (a running
//! process's filters), [`child`] (the command `record` and `run` start) and
//! [`io`] (files, streams and messages).

mod args;
mod call;
mod child;
mod commands;
mod io;
mod policy_file;
mod process;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use io::say;

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
    /// decide what a call does), organised by purpose; a container's
    /// recording also allows `write`, which runc hands to no recorder, and
    /// the calls runc may make after loading the filter. A program that
    /// calls seccomp-dsl's `install()` is recorded as it is: `install()`
    /// lets every call run instead, and what ran only before it goes in a
    /// `startup { ... }` block. The command's input, output and exit status
    /// pass through.
    Record(commands::record::Args),
    /// Runs a command under a policy, and names on standard error every call
    /// the policy denies or kills (syscall, ABI, arguments, and the rule or
    /// default that decided). Exits with the command's status (128 + signal
    /// when it is killed).
    Run(commands::run::Args),
    /// Writes a Docker seccomp profile as `seccomp_profile!` source, for
    /// `static POLICY: seccomp_dsl::Profile = include!("policy.rs");`.
    Import(commands::import::Args),
    /// Writes the Docker profile of a policy written in the DSL (for
    /// `docker run` or `podman run --security-opt seccomp=FILE`): the same
    /// JSON `Profile::docker_json()` gives for it.
    Docker(commands::docker::Args),
    /// Writes the `linux.seccomp` object of an OCI runtime `config.json`
    /// (for runc or crun, and what containerd reads from `ctr run
    /// --seccomp-profile` and a Kubernetes Localhost profile), deciding its
    /// conditional rules for the given container.
    Oci(commands::oci::Args),
    /// Writes the Kubernetes Security Profiles Operator's `SeccompProfile`
    /// object for a node (conditions and ABIs decided for it, as `oci`
    /// does), and says on standard error the Pod `securityContext` that uses
    /// it; `--localhost` writes the plain profile for the kubelet's seccomp
    /// directory instead, for nodes without the operator.
    K8s(commands::k8s::Args),
    /// Compiles a Docker profile to the BPF program `install()` would load
    /// in the given container, and prints its disassembly.
    Bpf(commands::bpf::Args),
    /// Lists, per syscall and ABI, each class of calls two sides answer
    /// differently (decided exactly, over every call), with a call that
    /// shows it and what decides it on each side. Exits with 0 when they
    /// answer every call alike, 1 otherwise.
    Diff(commands::diff::Args),
    /// Reads the seccomp filters a running process is under (needs
    /// CAP_SYS_ADMIN), the oldest first, prints each one's disassembly, and
    /// what they answer together for each syscall of the native ABI (every
    /// answer its arguments can get, decided exactly).
    Inspect(commands::inspect::Args),
    /// Proves that the filters a running process is under answer every
    /// call (every ABI, syscall number, instruction pointer and 64-bit
    /// argument) as POLICY does in that process's context (its capability
    /// bounding set, this kernel), or prints a call they answer otherwise.
    /// Exits with 0 when they agree, 1 when they differ, 3 when calls the
    /// policy denies go to a supervisor (`seccomp-dsl run`), 2 when it
    /// cannot say.
    Verify(commands::verify::Args),
    /// Lists the syscall groups (`@name` in a policy), or the syscalls of
    /// one on an ABI.
    Groups(commands::groups::Args),
    /// Says what a policy does to one call, and why: the rule (with its
    /// source line) or the default.
    Explain(commands::explain::Args),
    /// Runs one syscall through the compiled program, as the kernel would,
    /// and prints the filter's answer.
    Emulate(commands::emulate::Args),
    /// An OCI runtime for Docker, which drops a profile's `listenerPath`:
    /// registered with the daemon (`dockerd --add-runtime`, or `runtimes`
    /// in `daemon.json` with `"runtimeArgs": ["runtime"]`) and chosen with
    /// `docker run --runtime`, it lets `record` record the container, and
    /// hands every container to runc.
    Runtime(commands::runtime::Args),
}

fn main() -> ExitCode {
    // Called as `seccomp-dsl-runtime` (a link, for `dockerd --add-runtime`,
    // which gives a runtime no arguments of its own): the runtime.
    let mut arguments: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let called = arguments.first().map(std::path::Path::new);
    if called.and_then(|path| path.file_name()) == Some("seccomp-dsl-runtime".as_ref()) {
        arguments.insert(1, "runtime".into());
    }
    let cli = Cli::parse_from(arguments);
    // As other command-line tools: output into a closed pipe (`| head`)
    // ends the command quietly, where Rust's default would panic. Not
    // while supervising a command, whose denied calls must still be
    // answered as the policy says when nobody reads what is said of them.
    if !matches!(cli.command, Command::Record(_) | Command::Run(_)) {
        // SAFETY: sets this process's disposition of one signal, before
        // any thread starts.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    }
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(message) => {
            say(format_args!("{message}"));
            ExitCode::FAILURE
        }
    }
}

/// Runs the command: the exit code it reports, or what went wrong.
fn dispatch(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Record(args) => commands::record::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Docker(args) => commands::docker::run(args),
        Command::Oci(args) => commands::oci::run(args),
        Command::K8s(args) => commands::k8s::run(args),
        Command::Bpf(args) => commands::bpf::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Groups(args) => commands::groups::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Emulate(args) => commands::emulate::run(args),
        Command::Runtime(args) => commands::runtime::run(args),
    }
}
