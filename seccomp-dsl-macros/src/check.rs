//! Checks the lowered policy: the shared semantic checks of
//! `seccomp_dsl_core::validate`, reported at the tokens they concern, and
//! the `forbid` guards, which only exist at compile time.

use seccomp_dsl_core::model::{Permit, Policy};
use seccomp_dsl_core::syscalls;
use seccomp_dsl_core::validate::{validate, Part, ProblemKind};

use crate::errors::{Errors, SpanRange};
use crate::lower::Lowered;

pub fn check(lowered: &Lowered, errors: &mut Errors) {
    check_model(lowered, errors);
    check_forbidden(lowered, errors);
}

fn check_model(lowered: &Lowered, errors: &mut Errors) {
    for problem in validate(&lowered.policy) {
        if lowered.default.is_none() && matches!(problem.kind, ProblemKind::ActionIsDefault(_)) {
            continue; // compared with a stand-in default
        }
        let source = &lowered.sources[problem.rule];
        let range = match problem.part {
            Part::Rule | Part::Action => source.action,
            Part::Syscall(i) => SpanRange::single(source.syscalls[i]),
            Part::Condition(i) => source.conditions[i].whole,
            Part::Mask(i) => source.conditions[i].mask,
            Part::Value(i) => source.conditions[i].value,
            Part::Filter => source.filter,
        };
        // A rule written with `||`, or in a block, becomes several model
        // rules: `Errors` reports a problem with the source they share once.
        errors.push(
            range,
            problem.kind.to_string(),
            problem.kind.help().as_deref(),
        );
    }
}

fn check_forbidden(lowered: &Lowered, errors: &mut Errors) {
    let policy: &Policy = &lowered.policy;
    for name in &lowered.forbidden {
        let text = name.to_string();
        if syscalls::lookup(&text).is_none() {
            errors.push_unknown(
                name.span(),
                "syscall",
                &text,
                syscalls::all().iter().map(|s| s.name()),
                None,
            );
            continue;
        }
        match policy.first_permit(&text) {
            None => {}
            Some(Permit::Rule(rule)) => {
                let source = &lowered.sources[rule];
                let position = policy.rules[rule]
                    .syscalls
                    .iter()
                    .position(|s| *s == text)
                    .unwrap_or(0);
                errors.push(
                    SpanRange::single(source.syscalls[position]),
                    format!("`{text}` is forbidden, but this rule lets it run"),
                    Some(&format!(
                        "remove `{text}` from this rule or from `forbid`; `allow`, `log` and `trace` \
                         all let a call run"
                    )),
                );
            }
            Some(Permit::Default) => {
                if let Some(default) = lowered.default {
                    errors.push(
                        default,
                        format!("`{text}` is forbidden, but the default action lets it run"),
                        Some(&format!(
                            "deny it with an unconditional rule, e.g. `kill_process {text};`"
                        )),
                    );
                }
            }
        }
    }
}
