//! The `seccomp_profile!` macro. Use it through the `seccomp-dsl` crate,
//! whose documentation describes the language.
//!
//! The macro reads a policy in four steps, one module each:
//! [`ast`] parses the tokens, [`lower`] builds the shared policy model,
//! [`check`] validates it, and [`expand`] emits the `Profile` constant.
//! Errors from every step are collected and reported together.

mod ast;
mod check;
mod errors;
mod expand;
mod lower;

use proc_macro::TokenStream;

/// Compiles a seccomp policy into a `seccomp_dsl::Profile`; see the
/// `seccomp-dsl` crate for the language.
#[proc_macro]
pub fn seccomp_profile(input: TokenStream) -> TokenStream {
    expand_policy(input.into()).into()
}

/// The whole pipeline on `proc_macro2` tokens, so it can run outside a
/// compiler (tests, fuzzing).
fn expand_policy(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let mut errors = errors::Errors::default();
    let ast = ast::parse_policy(input, &mut errors);
    let lowered = lower::lower(&ast, &mut errors);
    check::check(&lowered, &mut errors);
    if errors.is_empty() {
        expand::profile(&lowered.policy)
    } else {
        expand::placeholder(errors.into_compile_errors())
    }
}
