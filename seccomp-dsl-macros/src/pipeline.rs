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
