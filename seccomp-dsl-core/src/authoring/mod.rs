//! Policies as people write and learn them: the DSL front end the macro
//! and the command share ([`frontend`]), a policy written back as DSL
//! source with its acknowledgements ([`dsl`]), Docker profiles read as the
//! engines read them ([`import`]), and a program's recorded calls made into
//! a policy ([`record`]). The top floor: it runs the analyses (lints,
//! assertions through the decision procedure) on what it reads and writes.
//!
//! May use: every other floor.

pub mod dsl;
#[cfg(feature = "frontend")]
pub mod frontend;
pub mod import;
pub mod record;
