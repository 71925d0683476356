//! The ground floor: facts about kernels, generated from data by the
//! script beside each table or written down as data. Syscall names and
//! numbers per ABI ([`syscalls`]), the ABIs themselves ([`abi`]), each
//! syscall's arguments ([`signatures`]), named argument values
//! ([`constants`]) and the groups a policy names with `@` ([`groups`]).
//!
//! May use: nothing else in the crate.

pub mod abi;
pub mod constants;
#[cfg(feature = "checks")]
pub mod groups;
pub mod signatures;
pub mod syscalls;
