//! One module per command, as `seccomp-dsl --help` lists them: each holds
//! its arguments (`Args`) and what it does (`run`).

pub(crate) mod bpf;
pub(crate) mod diff;
pub(crate) mod docker;
pub(crate) mod emulate;
pub(crate) mod explain;
pub(crate) mod groups;
pub(crate) mod import;
pub(crate) mod inspect;
pub(crate) mod k8s;
pub(crate) mod oci;
pub(crate) mod record;
pub(crate) mod run;
pub(crate) mod runtime;
pub(crate) mod verify;

use seccomp_dsl_core::container_start::{start_problem, Settings};
use seccomp_dsl_core::engines;
use seccomp_dsl_core::model::Policy;

use crate::io::say;

/// Says on standard error when a container does not start under the
/// profile of `policy` (one meant for `install()` alone, exported anyway):
/// what `docker`, `oci` and `k8s` say before they write.
fn warn_if_a_container_cannot_start(policy: &Policy, settings: Settings) {
    if let Some(problem) = start_problem(&engines::TARGET, policy, settings) {
        say(format_args!("warning: {problem}"));
    }
}
