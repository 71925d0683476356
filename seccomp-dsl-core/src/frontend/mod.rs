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
