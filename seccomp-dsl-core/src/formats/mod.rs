//! Policies as engines read them: Docker's (moby's) profile and the OCI
//! runtime's `linux.seccomp` ([`docker`]), and the Kubernetes Security
//! Profiles Operator's object ([`k8s`]). Each writes a resolved policy,
//! or reads one, and nothing else.
//!
//! May use: [`crate::tables`], [`crate::policy`].

pub mod docker;
pub mod dsl_text;
pub mod k8s;
