//! `assert` statements, decided at compile time over every class of
//! input (see [`crate::classes`]), on each host the macro compiles for and
//! in each context a rule can depend on: a failed one is an error that
//! names a call that shows it.

use crate::classes::argument_vectors;
use crate::constants::CAPABILITIES;
use crate::model::{
    Architectures, Context, KernelVersion, Policy, Resolved, SeccompArch,
    DOCKER_CONTAINER_CAPABILITIES,
};
use crate::{docker, dsl, syscalls};

use super::errors::Errors;
use super::lower::{Assertion, Lowered, LoweredClaim};

/// The hosts an assertion must hold on: those the macro compiles for.
const HOSTS: [(SeccompArch, &str); 2] = [
    (SeccompArch::X86_64, "amd64"),
    (SeccompArch::Aarch64, "arm64"),
];

/// A context an assertion is checked in, and how to say it.
struct Place {
    native: SeccompArch,
    context: Context,
    said: String,
}

/// Every context the rules of `policies` can tell apart: each host; no
/// capabilities, Docker's default set, every capability; each kernel
/// version a rule names, and one older than all.
fn places(policies: &[&Policy]) -> Vec<Place> {
    let mut kernels = vec![KernelVersion { major: 0, minor: 0 }];
    for rule in policies.iter().flat_map(|policy| policy.rules.iter()) {
        kernels.extend(rule.includes.min_kernel);
        kernels.extend(rule.excludes.min_kernel);
    }
    kernels.sort();
    kernels.dedup();
    let every: Vec<&'static str> = CAPABILITIES
        .constants
        .iter()
        .map(|(name, _)| *name)
        .collect();
    let capability_sets: [(&[&'static str], &str); 3] = [
        (&[], "no capabilities"),
        (
            &DOCKER_CONTAINER_CAPABILITIES,
            "a container's default capabilities",
        ),
        (&every, "every capability"),
    ];
    let mut places = Vec::new();
    for (native, arch) in HOSTS {
        for (capabilities, which) in capability_sets {
            for (position, &kernel) in kernels.iter().enumerate() {
                let on_kernel = match kernels.get(1) {
                    None => String::new(),
                    Some(first_named) if position == 0 => {
                        format!(", on a kernel before {first_named}")
                    }
                    Some(_) => format!(", on kernel {kernel} or later"),
                };
                places.push(Place {
                    native,
                    context: Context {
                        arch: arch.into(),
                        capabilities: capabilities.iter().map(|&name| name.into()).collect(),
                        kernel,
                    },
                    said: format!("with {which}{on_kernel}"),
                });
            }
        }
    }
    places
}

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

/// `syscall(args)` as a person reads it, values named where they mean
/// something nameable (`socket(AF_ALG, 0x0, 0x0)`).
fn call(syscall: &str, args: &[u64; 6]) -> String {
    let count = crate::signatures::lookup(syscall).map_or(6, |s| s.arguments().len());
    let level = Some(args[1] & 0xffff_ffff);
    let args: Vec<String> = (0..count)
        .map(|index| {
            let width = crate::upper_half::kernel_width(syscall, index as u8)
                .map_or(u64::MAX, |width| width.mask());
            // A register with bits the kernel does not read shows them all.
            let value = args[index];
            (value & !width == 0)
                .then(|| crate::constants::describe(syscall, index as u8, value, level))
                .flatten()
                .unwrap_or_else(|| format!("{value:#x}"))
        })
        .collect();
    format!("{syscall}({})", args.join(", "))
}

/// What decides `syscall(args)` through `abi` under `resolved`, said.
fn decision(resolved: &Resolved<'_>, abi: SeccompArch, syscall: &str, args: &[u64; 6]) -> String {
    if !resolved.architectures.contains(&abi) {
        return "kill_process (the ABI is not covered)".into();
    }
    match resolved.explain_on(abi, syscall, args) {
        (action, crate::model::DecidedBy::Rule(index)) => {
            let statement = dsl::rule_source(resolved.rules[index]);
            let statement: Vec<&str> = (statement.lines())
                .filter(|line| !line.starts_with("///"))
                .map(str::trim)
                .collect();
            format!("{action} by `{}`", statement.join(" "))
        }
        (action, crate::model::DecidedBy::Default) => format!("{action}, the default action"),
        (action, crate::model::DecidedBy::EnosysStub) => format!("{action}, runc's ENOSYS stub"),
    }
}

fn runs(resolved: &Resolved<'_>, abi: SeccompArch, syscall: &str, args: &[u64; 6]) -> bool {
    resolved.architectures.contains(&abi) && resolved.decide_on(abi, syscall, args).may_run_call()
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
            for place in places(&[policy, &other]) {
                let mine = policy.resolve(&place.context, place.native);
                let theirs = other.resolve(&place.context, place.native);
                for &abi in &mine.architectures {
                    for entry in syscalls::all() {
                        let syscall = entry.name();
                        if !entry.exists_on(abi.syscall_table()) {
                            continue;
                        }
                        let conditions = (mine.rules.iter().chain(&theirs.rules))
                            .filter(|rule| rule.names(syscall))
                            .flat_map(|rule| rule.conditions.iter());
                        for args in argument_vectors(conditions, &[None; 6]) {
                            if runs(&mine, abi, syscall, &args)
                                && !runs(&theirs, abi, syscall, &args)
                            {
                                return Some((
                                    format!(
                                        "assertion fails: the policy lets run what {profile} denies: `{}` on {}, {}",
                                        call(syscall, &args),
                                        abi.name(),
                                        place.said
                                    ),
                                    format!(
                                        "here it gets {}; under {profile}, {}",
                                        decision(&mine, abi, syscall, &args),
                                        decision(&theirs, abi, syscall, &args)
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
            None
        }
    }
}
