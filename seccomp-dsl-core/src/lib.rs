//! The part of `seccomp-dsl` that is needed both when a policy is compiled
//! (inside the `seccomp_profile!` macro) and when it runs (installer, tools):
//!
//! - [`syscalls`]: syscall names and numbers for every architecture, from
//!   libseccomp's table;
//! - [`signatures`]: how many arguments each syscall takes and how wide
//!   each is, from the kernel's declarations;
//! - [`constants`]: the named constants a policy may use as argument values;
//! - [`model`]: the policy itself, one data model shared by every emitter;
//! - [`validate`]: the semantic checks a policy must pass to mean the same
//!   thing under every emitter;
//! - [`exact`]: every rule in the form every engine reads exactly (one
//!   64-bit comparison per argument);
//! - [`docker`]: the Docker (moby) seccomp profile format, both ways;
//! - [`dsl`]: a policy written back as DSL source, and Docker profiles imported;
//! - [`k8s`]: the Security Profiles Operator's `SeccompProfile` object;
//! - [`explain`]: the rule (or default) that decides a call;
//! - `frontend` (feature `frontend`): DSL source read, lowered to the model
//!   and checked, for the macro and the command alike;
//! - [`lints`]: valid rules that are usually a mistake, errors unless
//!   acknowledged;
//! - [`upper_half`]: 64-bit comparisons of arguments the kernel reads
//!   narrower, and the calls that walk around them;
//! - [`bpf`]: the policy compiled to a seccomp filter program;
//! - [`classes`]: equivalence classes of arguments, to decide every input;
//! - [`compare`]: two policies compared over every class of input;
//! - [`preset`]: programs compiled ahead of time, and how an installing
//!   process finds its own;
//! - [`record`]: the calls a program made, and the policy that allows
//!   exactly those, organised by [`groups`].
//!
//! Users normally depend on the `seccomp-dsl` crate, which re-exports what is
//! public here.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Every example in the docs compiles without a warning.
#![doc(test(attr(deny(warnings))))]

pub mod bpf;
pub mod classes;
pub mod compare;
pub mod constants;
pub mod container_start;
pub mod decide;
pub mod docker;
pub mod dsl;
pub mod engines;
pub mod exact;
pub mod explain;
#[cfg(feature = "frontend")]
pub mod frontend;
pub mod groups;
pub mod import;
pub mod k8s;
pub mod lints;
pub mod model;
pub mod preset;
pub mod record;
pub mod signatures;
pub mod suggest;
pub mod syscalls;
pub mod upper_half;
pub mod validate;
