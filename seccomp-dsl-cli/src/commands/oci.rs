//! `seccomp-dsl oci`: the `linux.seccomp` object of an OCI runtime
//! config, the policy decided for one container.

use std::path::PathBuf;
use std::process::ExitCode;

use seccomp_dsl_core::docker;

use super::warn_if_a_container_cannot_start;
use crate::args::ContainerArgs;
use crate::io::{say, write};
use crate::policy_file::load_with_lines;

/// The arguments of `seccomp-dsl oci`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy: a Docker profile (JSON) or DSL source (a `.rs` file
    /// with `seccomp_profile! { ... }`); `-` reads standard input.
    pub(crate) profile: PathBuf,
    #[command(flatten)]
    pub(crate) container: ContainerArgs,
    /// Where to write the JSON; standard output by default.
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    let (policy, sources) = load_with_lines(&args.profile)?;
    let (context, native) = args.container.context()?;
    warn_if_a_container_cannot_start(&policy, sources.container);
    if sources.container.no_new_privileges {
        say(format_args!(
            "the policy is for containers run with no-new-privileges: the bundle's \
             `process.noNewPrivileges: true` (`ctr run` sets it)"
        ));
    }
    write(
        args.output,
        &docker::to_oci_json(&policy.resolve(&context, native)),
    )?;
    Ok(ExitCode::SUCCESS)
}
