//! `assert` statements, decided at compile time over every call (exactly,
//! by [`crate::decide`]), on each host the macro compiles for and in each
//! context a rule can depend on: a failed one is an error that names a
//! call that shows it.

use std::ops::ControlFlow;

use crate::compare::{call, decision, each_difference, places};
use crate::decide::{answers, Limits, Side};
use crate::model::{Architectures, Policy};
use crate::{bpf, docker, syscalls};

use super::errors::Errors;
use super::lower::{Assertion, ClaimedArgument, Lowered, LoweredClaim};

/// Decides every assertion of `lowered`, whose statements all lowered.
pub fn check(lowered: &Lowered, errors: &mut Errors) {
    for assertion in &lowered.assertions {
        if let Some((message, help)) = counterexample(&lowered.policy, assertion) {
            errors.push(assertion.span, message, Some(&help));
        }
    }
}

/// Whether an answer (a filter's return value) lets the call run: allow,
/// log, or a tracer's decision, as [`crate::model::Action::may_run_call`].
fn lets_run(answer: u32) -> bool {
    matches!(
        answer & bpf::ret::ACTION_FULL,
        bpf::ret::ALLOW | bpf::ret::LOG | bpf::ret::TRACE
    )
}

/// A call that breaks the assertion, said as an error and its help.
fn counterexample(policy: &Policy, assertion: &Assertion) -> Option<(String, String)> {
    match &assertion.claim {
        LoweredClaim::Calls {
            allows,
            syscall,
            fixed,
        } => call_counterexample(policy, *allows, syscall, fixed),
        LoweredClaim::NoMoreThan { profile } => more_than_counterexample(policy, profile),
    }
}

/// A call of `syscall` with the `fixed` arguments that the policy lets run
/// where `allows` is false, or denies where it is true.
fn call_counterexample(
    policy: &Policy,
    allows: bool,
    syscall: &str,
    fixed: &[Option<ClaimedArgument>; 6],
) -> Option<(String, String)> {
    let entry = syscalls::lookup(syscall)?;
    for place in places(&[policy]) {
        let resolved = policy.resolve(&place.context, place.native);
        for &abi in &resolved.architectures {
            let (Some(number), Some(arch)) =
                (entry.number(abi.syscall_table()), bpf::audit_arch(abi))
            else {
                continue;
            };
            let mut words = vec![(0, number + bpf::number_bias(abi)), (1, arch)];
            for (index, value) in fixed.iter().enumerate() {
                if let Some(claimed) = value {
                    words.push((4 + 2 * index as u8, claimed.value as u32));
                    // Every upper half the caller may pass with it.
                    if !claimed.low_half_only {
                        words.push((5 + 2 * index as u8, (claimed.value >> 32) as u32));
                    }
                }
            }
            // Every answer the call can get: a policy has few.
            let every = match answers(
                &Side::Policy(&resolved),
                &words,
                usize::MAX,
                &Limits::default(),
            ) {
                Ok(every) => every,
                Err(undecided) => return Some(undecidable(&undecided)),
            };
            let Some((_, data)) = every.iter().find(|(answer, _)| lets_run(*answer) != allows)
            else {
                continue;
            };
            let args = data.args;
            let verb = if allows { "allows" } else { "denies" };
            return Some((
                format!(
                    "assertion fails: the policy {} `{}` on {}, {}",
                    if allows {
                        "does not let run"
                    } else {
                        "lets run"
                    },
                    call(syscall, &args),
                    abi.name(),
                    place.said
                ),
                format!(
                    "that call gets {}; change the rules, or what `assert {verb}` claims",
                    decision(&resolved, abi, syscall, &args)
                ),
            ));
        }
    }
    None
}

/// A call the policy lets run that Docker's default `profile` denies.
fn more_than_counterexample(policy: &Policy, profile: &str) -> Option<(String, String)> {
    let mut other =
        crate::dsl::import_docker(docker::MOBY_DEFAULT).expect("moby's profile imports");
    if profile == "DOCKER_DEFAULT_NATIVE" {
        other.architectures = Architectures::Native;
    }
    let mut found = None;
    let more = &mut |mine: u32, theirs: u32| !lets_run(mine) || lets_run(theirs);
    let decided = each_difference(policy, &other, more, |place, mine, theirs, data| {
        let Some((abi, name)) = bpf::syscall_of(data.arch, data.nr as u32) else {
            return ControlFlow::Continue(());
        };
        let args = &data.args;
        let (call_text, here, there) = match name {
            Some(name) => (
                format!("`{}`", call(name, args)),
                decision(mine, abi, name, args),
                decision(theirs, abi, name, args),
            ),
            None => (
                format!(
                    "syscall {} (a number no syscall has)",
                    data.nr as u32 & !bpf::number_bias(abi)
                ),
                format!("{}, the default action", mine.default_action),
                format!("{}, the default action", theirs.default_action),
            ),
        };
        found = Some((
            format!(
                "assertion fails: the policy lets run what {profile} denies: {call_text} on {}, {}",
                abi.name(),
                place.said
            ),
            format!("here it gets {here}; under {profile}, {there}"),
        ));
        ControlFlow::Break(())
    });
    match decided {
        Ok(()) => found,
        Err(undecided) => Some(undecidable(&undecided)),
    }
}

/// The error for an assertion the procedure could not decide: never a pass.
fn undecidable(undecided: &crate::decide::Undecided) -> (String, String) {
    (
        format!("assertion cannot be decided: {undecided}"),
        "an assertion that cannot be proven is not taken as holding".into(),
    )
}
