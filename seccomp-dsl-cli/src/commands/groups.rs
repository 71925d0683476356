//! `seccomp-dsl groups`: the syscall groups a policy names with `@`.

use std::process::ExitCode;

use seccomp_dsl_core::model::SeccompArch;

use crate::args::abi_named;

/// The arguments of `seccomp-dsl groups`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// A group's name (`rust_std`, `@file_system`, ...).
    pub(crate) name: Option<String>,
    /// The ABI whose syscalls to list (`x86_64`, `aarch64`, ...); this
    /// machine's by default.
    #[arg(long)]
    pub(crate) abi: Option<String>,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    let native = SeccompArch::native().ok_or("this machine's architecture is unknown")?;
    let abi = abi_named(args.abi, native)?;
    print!("{}", groups_listing(args.name.as_deref(), abi)?);
    Ok(ExitCode::SUCCESS)
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
