//! Generates the macro's output: a `seccomp_dsl::Profile` constant holding
//! the model and its Docker profile, both computed here at compile time.

use proc_macro2::TokenStream;
use quote::quote;
use seccomp_dsl_core::docker;
use seccomp_dsl_core::model::{Action, ArgCondition, CmpOp, Policy, Rule};

/// A `const`-evaluable expression of type `seccomp_dsl::Profile`.
pub fn profile(policy: &Policy) -> TokenStream {
    let default_action = action(policy.default_action);
    let rules = policy.rules.iter().map(rule);
    let json = docker::to_json(policy);
    quote! {{
        const PROFILE: ::seccomp_dsl::Profile = ::seccomp_dsl::Profile::__from_macro(
            ::seccomp_dsl::model::Policy {
                default_action: #default_action,
                rules: ::std::borrow::Cow::Borrowed(&[#(#rules),*]),
            },
            #json,
        );
        PROFILE
    }}
}

/// What the macro expands to when the policy has errors: the errors, and a
/// stand-in of the right type so that they are the only diagnostics.
pub fn placeholder(errors: TokenStream) -> TokenStream {
    quote! {{
        #errors
        ::seccomp_dsl::Profile::__placeholder()
    }}
}

fn rule(rule: &Rule) -> TokenStream {
    let syscalls = rule.syscalls.iter().map(|name| {
        let name = name.as_ref();
        quote!(::std::borrow::Cow::Borrowed(#name))
    });
    let conditions = rule.conditions.iter().map(condition);
    let action = action(rule.action);
    quote! {
        ::seccomp_dsl::model::Rule {
            syscalls: ::std::borrow::Cow::Borrowed(&[#(#syscalls),*]),
            conditions: ::std::borrow::Cow::Borrowed(&[#(#conditions),*]),
            action: #action,
        }
    }
}

fn condition(condition: &ArgCondition) -> TokenStream {
    let ArgCondition { index, op, value } = *condition;
    let op = match op {
        CmpOp::Eq => quote!(Eq),
        CmpOp::Ne => quote!(Ne),
        CmpOp::Lt => quote!(Lt),
        CmpOp::Le => quote!(Le),
        CmpOp::Gt => quote!(Gt),
        CmpOp::Ge => quote!(Ge),
        CmpOp::MaskedEq(mask) => quote!(MaskedEq(#mask)),
    };
    quote! {
        ::seccomp_dsl::model::ArgCondition {
            index: #index,
            op: ::seccomp_dsl::model::CmpOp::#op,
            value: #value,
        }
    }
}

fn action(action: Action) -> TokenStream {
    let variant = match action {
        Action::Allow => quote!(Allow),
        Action::Errno(errno) => quote!(Errno(#errno)),
        Action::KillThread => quote!(KillThread),
        Action::KillProcess => quote!(KillProcess),
        Action::Trap => quote!(Trap),
        Action::Trace(message) => quote!(Trace(#message)),
        Action::Log => quote!(Log),
    };
    quote!(::seccomp_dsl::model::Action::#variant)
}
