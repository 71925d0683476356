//! `seccomp-dsl docker`: a policy's Docker profile, as
//! `Profile::docker_json()` gives it.

use std::path::PathBuf;
use std::process::ExitCode;

use seccomp_dsl_core::docker;

use super::warn_if_a_container_cannot_start;
use crate::io::{say, write};
use crate::policy_file::load_with_lines;

/// The arguments of `seccomp-dsl docker`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy: DSL source (a `.rs` file with `seccomp_profile! {
    /// ... }`) or a Docker profile (JSON), written back checked and
    /// normalised; `-` reads standard input.
    pub(crate) policy: PathBuf,
    /// Where to write the JSON; standard output by default.
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    let (policy, sources) = load_with_lines(&args.policy)?;
    warn_if_a_container_cannot_start(&policy, sources.container);
    if sources.container.no_new_privileges {
        say(format_args!(
            "the policy is for containers run with no-new-privileges: \
             `docker run --security-opt no-new-privileges`, `podman run --security-opt \
             no-new-privileges`"
        ));
    }
    write(args.output, &docker::to_json(&policy))?;
    Ok(ExitCode::SUCCESS)
}
