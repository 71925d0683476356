//! The macro's steps in order, on `proc_macro2` tokens, so that they can
//! run outside a compiler too (tests, fuzzing, the expansion benchmark):
//! the shared front end reads the policy, `expand` writes the `Profile`.

use seccomp_dsl_core::frontend::{self, SpanRange};

use crate::expand;

/// The whole pipeline on `proc_macro2` tokens, so it can run outside a
/// compiler (tests, fuzzing).
pub fn expand_policy(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let frontend::Read {
        policy,
        mut diagnostics,
        rule_lines,
        container,
        ..
    } = frontend::read(input);
    let Some(policy) = policy else {
        return expand::placeholder(diagnostics.into_compile_errors());
    };
    // What `install()` applies: the `startup` rules left out.
    match expand::programs(&policy.installed()) {
        Ok(programs) => expand::profile(
            &policy,
            &rule_lines,
            container,
            programs,
            diagnostics.warnings(),
        ),
        Err(error) => {
            diagnostics.push(
                SpanRange::single(proc_macro2::Span::call_site()),
                error,
                Some("split the policy, or simplify its argument rules"),
            );
            expand::placeholder(diagnostics.into_compile_errors())
        }
    }
}
