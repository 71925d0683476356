//! `seccomp-dsl import`: a Docker profile written as DSL source, read as
//! the engines read it, with a warning for everything they ignore.

use std::path::PathBuf;
use std::process::ExitCode;

use seccomp_dsl_core::{dsl, engines, upper_half};

use crate::io::{read, write};

/// The arguments of `seccomp-dsl import`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The Docker profile (JSON); `-` reads standard input.
    pub(crate) profile: PathBuf,
    /// Where to write the source; standard output by default.
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    let Args { profile, output } = args;
    let json = read(&profile)?;
    let (policy, notes) =
        dsl::import_docker_as_engines(&json).map_err(|e| format!("{}: {e}", profile.display()))?;
    for note in notes {
        eprintln!("warning: {}: {note}", profile.display());
    }
    // The source keeps each 64-bit comparison of a narrower argument as
    // the profile means it, acknowledged; the walks around it are worth a
    // warning.
    for witness in upper_half::witnesses(&policy) {
        if witness.is_bypass() {
            // Named by syscall: the policy's rules are not the profile's
            // entries one for one (entries are split and dropped as runc does).
            eprintln!(
                "warning: {}: a rule for `{}` compares all 64 bits of `arg{}`, which \
                 `{}` reads as {} bits: {witness}",
                profile.display(),
                witness.syscall,
                policy.rules[witness.rule].conditions[witness.condition].index,
                witness.syscall,
                witness.width.bits(),
            );
        }
    }
    let engine = engines::TARGET;
    for rule in policy.rules.iter() {
        let dropped = engine.dropped_names(rule, &policy.architectures);
        if !dropped.is_empty() {
            eprintln!(
                "warning: {}: a rule names {}, which libseccomp {} does not \
                 know: {} leaves them out of the rule; the source keeps them for \
                 install() alone, with #[allow(unknown_to_engine)]",
                profile.display(),
                dropped.join(", "),
                engine.libseccomp,
                engine.describe(),
            );
        }
    }
    write(output, &dsl::to_source(&policy))?;
    Ok(ExitCode::SUCCESS)
}
