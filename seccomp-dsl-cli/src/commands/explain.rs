//! `seccomp-dsl explain`: what a policy does to one call, and the rule
//! (with its line) or the default that decides it.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::args::{abi_named, CallArgs, ContainerArgs};
use crate::call::given_call;
use crate::policy_file::load_with_lines;

/// The arguments of `seccomp-dsl explain`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy: a Docker profile (JSON) or DSL source (a `.rs` file
    /// with `seccomp_profile! { ... }`); `-` reads standard input.
    pub(crate) policy: PathBuf,
    #[command(flatten)]
    pub(crate) call: CallArgs,
    #[command(flatten)]
    pub(crate) container: ContainerArgs,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    let Args {
        policy,
        call,
        container,
    } = args;
    let (policy, sources) = load_with_lines(&policy)?;
    let (context, native) = container.context()?;
    let abi = abi_named(call.abi, native)?;
    let given = given_call(abi, &call.syscall, &call.args)?;
    let Some(name) = given.name else {
        println!(
            "{}, the default action: no syscall has number {} on {}",
            policy.default_action,
            given.number,
            abi.name()
        );
        return Ok(ExitCode::SUCCESS);
    };
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
    Ok(ExitCode::SUCCESS)
}
