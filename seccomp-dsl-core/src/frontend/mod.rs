//! The DSL's front end: policy source read (`ast`), lowered to the model
//! (`lower`) and checked (`check`), every problem collected with its span
//! (`errors`). The `seccomp_profile!` macro and the `seccomp-dsl` command
//! share it, so a policy file means to the command what it means to the
//! compiler (feature `frontend`).
//!
//! ```
//! use seccomp_dsl_core::frontend;
//! let read = frontend::read("default errno; allow read, write;".parse().unwrap());
//! assert!(read.diagnostics.is_empty());
//! assert_eq!(read.policy.unwrap().rules.len(), 1);
//! let typo = frontend::read("default errno; allow rea;".parse().unwrap());
//! let messages = typo.diagnostics.messages();
//! let error = messages.iter().find(|message| !message.warning).unwrap();
//! assert_eq!(error.text, "unknown syscall `rea`\nhelp: did you mean `read`?");
//! assert_eq!((error.line, error.column), (1, 21));
//! ```

mod assertions;
mod ast;
mod check;
mod errors;
mod lower;

pub use errors::{Errors, Message, SpanRange};

use proc_macro2::TokenStream;

use crate::model::Policy;

/// What [`read`] makes of a policy's source.
pub struct Read {
    /// The policy, when it has no error.
    pub policy: Option<Policy>,
    /// Every error (and warning) found, each at its tokens.
    pub diagnostics: Errors,
    /// The line of the statement each rule of the policy comes from (1 for
    /// the first line of the source; 0 where spans carry no lines).
    pub rule_lines: Vec<u32>,
}

/// Reads the statements of a policy (what stands between the braces of
/// `seccomp_profile! { ... }`): parses, lowers and checks them.
pub fn read(source: TokenStream) -> Read {
    let mut diagnostics = Errors::default();
    let ast = ast::parse_policy(source, &mut diagnostics);
    let lowered = lower::lower(&ast, &mut diagnostics);
    check::check(&lowered, &mut diagnostics);
    assertions::check(&lowered, &mut diagnostics);
    let policy = diagnostics.is_empty().then_some(lowered.policy);
    let rule_lines = (lowered.sources.iter())
        .map(|source| source.action.start.start().line as u32)
        .collect();
    Read {
        policy,
        diagnostics,
        rule_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(source: &str) -> Policy {
        let read = read(source.parse().unwrap());
        let errors: Vec<String> = read
            .diagnostics
            .messages()
            .into_iter()
            .map(|m| m.text)
            .collect();
        read.policy.unwrap_or_else(|| panic!("{errors:?}"))
    }

    #[test]
    fn a_constant_the_headers_define_negative_means_its_literal() {
        assert_eq!(
            policy("default errno; rule openat(arg0 == AT_FDCWD) => allow;"),
            policy("default errno; rule openat(arg0 == -100) => allow;"),
        );
    }
}

#[cfg(test)]
mod assertion_tests {
    use super::*;

    /// The statements of a `seccomp_dsl::seccomp_profile! { ... }` source.
    fn body(source: &str) -> &str {
        let start = source.find('{').unwrap() + 1;
        &source[start..source.rfind('}').unwrap()]
    }

    fn errors(source: &str) -> Vec<String> {
        let read = read(source.parse().unwrap());
        let messages = read.diagnostics.messages().into_iter();
        messages.filter(|m| !m.warning).map(|m| m.text).collect()
    }

    #[test]
    fn no_more_than_compares_every_call_with_dockers_default() {
        let faithful = include_str!("../../../seccomp-dsl/src/profiles/docker_default.policy.rs");
        let asserted = format!("{}\nassert no_more_than DOCKER_DEFAULT;", body(faithful));
        assert_eq!(errors(&asserted), Vec::<String>::new());
        // The hardened variant decides on the bits the kernel reads, so it
        // lets run a call whose register has an upper half Docker's 64-bit
        // comparison refuses (the kernel runs it as `personality(0)`).
        let hardened =
            include_str!("../../../seccomp-dsl/src/profiles/docker_default_hardened.policy.rs");
        let asserted = format!("{}\nassert no_more_than DOCKER_DEFAULT;", body(hardened));
        let said = errors(&asserted);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("`personality(0x"), "{said:?}");
        assert!(!said[0].contains("`personality(0x0)`"), "{said:?}");
        // And the faithful profile lets through the upper half the
        // hardened one denies.
        let native =
            include_str!("../../../seccomp-dsl/src/profiles/docker_default_native.policy.rs");
        let asserted = format!("{}\nassert denies socket(0x1_0000_0028);", body(native));
        let said = errors(&asserted);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("lets run `socket(0x100000028"), "{said:?}");
    }
}
