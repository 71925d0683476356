//! Questions asked of a policy's meaning or of filter programs: the exact
//! decision procedure over BPF ([`decide`]), the rule that decides a call
//! ([`explain`]), two policies compared class by class ([`compare`]),
//! valid rules that are usually a mistake ([`lints`]), and whether a
//! container starts under a profile in the target engine
//! ([`container_start`]).
//!
//! May use: [`crate::tables`], [`crate::policy`], [`crate::bpf`],
//! [`crate::engines`], [`crate::formats`].

pub mod compare;
pub mod container_start;
pub mod decide;
pub mod explain;
pub mod lints;
