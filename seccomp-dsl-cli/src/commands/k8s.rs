//! `seccomp-dsl k8s`: the Security Profiles Operator's `SeccompProfile`
//! object (or the kubelet's Localhost file), and the `securityContext`
//! that uses it.

use std::path::PathBuf;
use std::process::ExitCode;

use seccomp_dsl_core::docker;

use super::warn_if_a_container_cannot_start;
use crate::args::ContainerArgs;
use crate::io::write;
use crate::policy_file::load_with_lines;

/// The arguments of `seccomp-dsl k8s`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy: a Docker profile (JSON) or DSL source.
    pub(crate) policy: PathBuf,
    /// The object's name (for the operator) or the file's stem.
    #[arg(long)]
    pub(crate) name: String,
    /// Write the file for `/var/lib/kubelet/seccomp/NAME.json`.
    #[arg(long)]
    pub(crate) localhost: bool,
    #[command(flatten)]
    pub(crate) container: ContainerArgs,
    /// Where to write; standard output by default.
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    let Args {
        policy,
        name,
        localhost,
        container,
        output,
    } = args;
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
    Ok(ExitCode::SUCCESS)
}
