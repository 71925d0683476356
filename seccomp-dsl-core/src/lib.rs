//! The part of `seccomp-dsl` that is needed both when a policy is compiled
//! (inside the `seccomp_profile!` macro) and when it runs (installer, tools).
//!
//! Floors that only look down (`ARCHITECTURE.md` has the map):
//!
//! - [`tables`]: syscall names and numbers for every ABI, each syscall's
//!   arguments, named constants and syscall groups, generated from data;
//! - [`policy`]: what a policy means, engine-free: the model, validation,
//!   exact forms, 64-bit comparisons of narrower arguments;
//! - [`bpf`]: the policy compiled to a seccomp filter program, and
//!   programs run, checked and disassembled;
//! - [`engines`]: what the target engine does to a policy (runc's ENOSYS
//!   stub, what libseccomp drops, the calls runc makes under the filter);
//! - [`formats`]: Docker's profile, the OCI runtime's `linux.seccomp` and
//!   the Kubernetes object;
//! - [`analysis`]: the exact decision procedure, explanations, comparisons,
//!   lints and whether a container starts;
//! - [`authoring`]: the DSL front end, the DSL writer, the importer and the
//!   recorder.
//!
//! The lower four floors are always built: they are what installing a
//! policy needs. The upper three are features (`formats`, `analysis`,
//! `authoring`, each with the floors below it, and `frontend` for the
//! macro), so that a program that only installs a policy does not compile
//! them.
//!
//! Each module keeps its path at the crate's root too
//! (`seccomp_dsl_core::model`, `seccomp_dsl_core::docker`, ...). Users
//! normally depend on the `seccomp-dsl` crate, which re-exports what is
//! public here.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Every example in the docs compiles without a warning.
#![doc(test(attr(deny(warnings))))]

#[cfg(feature = "analysis")]
pub mod analysis;
#[cfg(feature = "authoring")]
pub mod authoring;
pub mod bpf;
pub mod engines;
#[cfg(feature = "formats")]
pub mod formats;
pub mod policy;
pub mod tables;

#[cfg(feature = "analysis")]
pub use analysis::{compare, container_start, decide, explain, lints};
#[cfg(feature = "frontend")]
pub use authoring::frontend;
#[cfg(feature = "authoring")]
pub use authoring::{dsl, import, record};
pub use bpf::preset;
#[cfg(feature = "formats")]
pub use formats::{docker, k8s};
#[cfg(feature = "checks")]
pub use policy::{classes, suggest, upper_half, validate};
pub use policy::{exact, model};
#[cfg(feature = "checks")]
pub use tables::groups;
pub use tables::{constants, signatures, syscalls};
