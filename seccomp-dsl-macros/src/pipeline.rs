//! The macro's steps in order, on `proc_macro2` tokens, so that they can
//! run outside a compiler too (tests, fuzzing, the expansion benchmark).

use crate::{ast, check, errors, expand, lower};

/// The whole pipeline on `proc_macro2` tokens, so it can run outside a
/// compiler (tests, fuzzing).
pub fn expand_policy(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let mut errors = errors::Errors::default();
    let ast = ast::parse_policy(input, &mut errors);
    let lowered = lower::lower(&ast, &mut errors);
    check::check(&lowered, &mut errors);
    if !errors.is_empty() {
        return expand::placeholder(errors.into_compile_errors());
    }
    match expand::programs(&lowered.policy) {
        Ok(programs) => expand::profile(&lowered.policy, programs, errors.warnings()),
        Err(error) => {
            let span = errors::SpanRange::single(proc_macro2::Span::call_site());
            errors.push(
                span,
                error,
                Some("split the policy, or simplify its argument rules"),
            );
            expand::placeholder(errors.into_compile_errors())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::expand_policy;

    /// The warning about calls a container runtime makes: present for the
    /// canonical example, which denies them, and gone where `default` says
    /// the policy is for `install()` alone.
    #[test]
    fn a_policy_that_denies_the_runtimes_calls_warns_unless_acknowledged() {
        let expand = |source: &str| expand_policy(source.parse().unwrap()).to_string();
        let canonical = expand(
            "default errno; allow read, write; rule personality(arg0 == 0x0) => allow;",
        );
        assert!(canonical.contains("deprecated"), "{canonical}");
        assert!(canonical.contains("calls `capget`, `capset`, `chdir`, `close`"));
        assert!(!canonical.contains("compile_error"));
        let acknowledged = expand(
            "#[allow(engine_cannot_start)] default errno; allow read, write; \
             rule personality(arg0 == 0x0) => allow;",
        );
        assert!(!acknowledged.contains("deprecated"), "{acknowledged}");
    }
}
