//! `seccomp-dsl`: turns Docker seccomp profiles into `seccomp_profile!` source.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use seccomp_dsl_core::dsl;

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
            let json = if profile.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
                    .map_err(|e| format!("standard input: {e}"))?
            } else {
                std::fs::read_to_string(&profile)
                    .map_err(|e| format!("{}: {e}", profile.display()))?
            };
            let source = dsl::import_docker_to_source(&json)
                .map_err(|e| format!("{}: {e}", profile.display()))?;
            match output {
                None => print!("{source}"),
                Some(path) => {
                    std::fs::write(&path, source).map_err(|e| format!("{}: {e}", path.display()))?
                }
            }
            Ok(())
        }
    }
}
