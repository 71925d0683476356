//! `assert` statements, decided at compile time over every class of
//! input (see [`crate::classes`]), on each host the macro compiles for and
//! in each context a rule can depend on: a failed one is an error that
//! names a call that shows it.

use crate::classes::argument_vectors;
use std::ops::ControlFlow;

use crate::compare::{call, decision, each_class, places, runs};
use crate::model::{Architectures, Policy};
use crate::{docker, syscalls};

use super::errors::Errors;
use super::lower::{Assertion, Lowered, LoweredClaim};

pub fn check(lowered: &Lowered, errors: &mut Errors) {
    if !errors.is_empty() {
        return;
    }
    for assertion in &lowered.assertions {
        if let Some((message, help)) = counterexample(&lowered.policy, assertion) {
            errors.push(assertion.span, message, Some(&help));
        }
    }
}

/// A call that breaks the assertion, said as an error and its help.
fn counterexample(policy: &Policy, assertion: &Assertion) -> Option<(String, String)> {
    match &assertion.claim {
        LoweredClaim::Calls {
            allows,
            syscall,
            fixed,
        } => {
            for place in places(&[policy]) {
                let resolved = policy.resolve(&place.context, place.native);
                let entry = syscalls::lookup(syscall)?;
                for &abi in &resolved.architectures {
                    if !entry.exists_on(abi.syscall_table()) {
                        continue;
                    }
                    let conditions = (resolved.rules.iter())
                        .filter(|rule| rule.names(syscall))
                        .flat_map(|rule| rule.conditions.iter());
                    for args in argument_vectors(conditions, fixed) {
                        if runs(&resolved, abi, syscall, &args) != *allows {
                            let verb = if *allows { "allows" } else { "denies" };
                            return Some((
                                format!(
                                    "assertion fails: the policy {} `{}` on {}, {}",
                                    if *allows { "does not let run" } else { "lets run" },
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
                }
            }
            None
        }
        LoweredClaim::NoMoreThan { profile } => {
            let mut other =
                crate::dsl::import_docker(docker::MOBY_DEFAULT).expect("moby's profile imports");
            if *profile == "DOCKER_DEFAULT_NATIVE" {
                other.architectures = Architectures::Native;
            }
            let mut found = None;
            each_class(policy, &other, |class| {
                let (mine, theirs) = (class.before, class.after);
                let (abi, syscall, args) = (class.abi, class.syscall, &class.args);
                if runs(mine, abi, syscall, args) && !runs(theirs, abi, syscall, args) {
                    found = Some((
                        format!(
                            "assertion fails: the policy lets run what {profile} denies: `{}` on {}, {}",
                            call(syscall, args),
                            abi.name(),
                            class.place.said
                        ),
                        format!(
                            "here it gets {}; under {profile}, {}",
                            decision(mine, abi, syscall, args),
                            decision(theirs, abi, syscall, args)
                        ),
                    ));
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            });
            found
        }
    }
}
