//! What a policy means, engine-free: the data model every emitter reads
//! ([`model`]), the checks a policy must pass to mean one thing under every
//! emitter ([`validate`]), each rule in the form engines read exactly
//! ([`exact`]), 64-bit comparisons of narrower arguments ([`upper_half`]),
//! classes of arguments that get one answer ([`classes`]), and the
//! "did you mean" every error offers ([`suggest`]).
//!
//! May use: [`crate::tables`].

#[cfg(feature = "checks")]
pub mod classes;
pub mod exact;
pub mod model;
#[cfg(feature = "checks")]
pub mod suggest;
#[cfg(feature = "checks")]
pub mod upper_half;
#[cfg(feature = "checks")]
pub mod validate;
