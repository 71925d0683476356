//! Two policies (or one and a claim) compared over every input that can
//! tell them apart: each host and context their rules depend on, each ABI,
//! each syscall, each class of arguments ([`crate::classes`]). Used by
//! `assert` statements and by `diff`.

use std::ops::ControlFlow;

use crate::classes::argument_vectors;
use crate::constants::CAPABILITIES;
use crate::model::{
    Action, Context, DecidedBy, KernelVersion, Policy, Resolved, SeccompArch,
    DOCKER_CONTAINER_CAPABILITIES,
};
use crate::{dsl, syscalls};

/// A context policies are compared in, and how to say it.
pub struct Place {
    /// The host's native ABI.
    pub native: SeccompArch,
    /// The context on it.
    pub context: Context,
    /// How to say it: `with no capabilities`.
    pub said: String,
}

/// Every context the rules of `policies` can tell apart: each host; no
/// capabilities, Docker's default set, every capability; each kernel
/// version a rule names, and one older than all.
pub fn places(policies: &[&Policy]) -> Vec<Place> {
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
    // The hosts the target engine is measured on, which the macro compiles
    // for.
    for &native in crate::engines::TARGET.hosts {
        let arch = native.docker_arch().expect("a host has a Docker name");
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

/// `syscall(args)` as a person reads it, values named where they mean
/// something nameable (`socket(AF_ALG, 0x0, 0x0)`); a register with bits
/// the kernel does not read shows them all, in hexadecimal, as a witness of
/// a comparison must.
pub fn call(syscall: &str, args: &[u64; 6]) -> String {
    written(syscall, args, false)
}

/// `syscall(args)` with each argument as the kernel reads it (the bits of
/// its type only), values named where they mean something nameable, small
/// ones in decimal: a call as the program made it
/// (`socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0)`).
///
/// ```
/// use seccomp_dsl_core::compare::call_as_read;
/// assert_eq!(call_as_read("socket", &[0x1_0000_0010, 3, 0, 0, 0, 0]), "socket(AF_NETLINK, SOCK_RAW, 0)");
/// ```
pub fn call_as_read(syscall: &str, args: &[u64; 6]) -> String {
    written(syscall, args, true)
}

fn written(syscall: &str, args: &[u64; 6], as_read: bool) -> String {
    let count = crate::signatures::lookup(syscall).map_or(6, |s| s.arguments().len());
    let width = |index: usize| {
        crate::upper_half::kernel_width(syscall, index as u8).map_or(u64::MAX, |width| width.mask())
    };
    let level = Some(args[1] & width(1));
    let args: Vec<String> = (0..count)
        .map(|index| {
            let value = match as_read {
                true => args[index] & width(index),
                false => args[index],
            };
            let named = (value & !width(index) == 0)
                .then(|| crate::constants::describe(syscall, index as u8, value, level))
                .flatten();
            named.unwrap_or_else(|| match as_read && value < 10_000 {
                true => value.to_string(),
                false => format!("{value:#x}"),
            })
        })
        .collect();
    format!("{syscall}({})", args.join(", "))
}

/// What decides `syscall(args)` through `abi` under `resolved`, said:
/// `allow by `allow read;``, `errno(1), the default action`.
pub fn decision(
    resolved: &Resolved<'_>,
    abi: SeccompArch,
    syscall: &str,
    args: &[u64; 6],
) -> String {
    let (action, by) = decided(resolved, abi, syscall, args);
    if by.starts_with('`') {
        format!("{action} by {by}")
    } else {
        format!("{action}, {by}")
    }
}

/// Whether `syscall(args)` through `abi` runs under `resolved`.
pub fn runs(resolved: &Resolved<'_>, abi: SeccompArch, syscall: &str, args: &[u64; 6]) -> bool {
    action(resolved, abi, syscall, args).may_run_call()
}

/// One class of calls two policies decide differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Where: the host and context, said.
    pub place: String,
    /// The ABI of the calls.
    pub abi: SeccompArch,
    /// The syscall.
    pub syscall: &'static str,
    /// A call of the class.
    pub args: [u64; 6],
    /// What the first policy does to it, and what decides.
    pub before: (Action, String),
    /// What the second does, and what decides.
    pub after: (Action, String),
}

/// What `resolved` does to a call: what [`decided`] says, without saying
/// why.
fn action(resolved: &Resolved<'_>, abi: SeccompArch, syscall: &str, args: &[u64; 6]) -> Action {
    match resolved.architectures.contains(&abi) {
        true => resolved.decide_on(abi, syscall, args),
        false => Action::KillProcess,
    }
}

/// What `resolved` does to a call, and what decides, said.
fn decided(
    resolved: &Resolved<'_>,
    abi: SeccompArch,
    syscall: &str,
    args: &[u64; 6],
) -> (Action, String) {
    if !resolved.architectures.contains(&abi) {
        return (Action::KillProcess, "the ABI is not covered".into());
    }
    let (action, by) = resolved.explain_on(abi, syscall, args);
    let by = match by {
        DecidedBy::Rule(index) => format!("`{}`", dsl::rule_source(resolved.rules[index])),
        DecidedBy::Default => "the default action".into(),
        DecidedBy::EnosysStub => "runc's ENOSYS stub".into(),
    };
    (action, by)
}

/// Every class of calls `before` and `after` decide differently, one per
/// ABI, syscall and pair of outcomes (the first place it shows), in the
/// order of hosts, ABIs and syscall names.
///
/// ```
/// use seccomp_dsl_core::compare::differences;
/// use seccomp_dsl_core::model::*;
/// let before = Policy::new(Action::Errno(1), vec![Rule::new(["read"], [], Action::Allow)]);
/// let after = Policy::new(Action::Errno(1), vec![Rule::new(["read", "write"], [], Action::Allow)]);
/// let changes = differences(&before, &after);
/// assert!(changes.iter().all(|change| change.syscall == "write"));
/// assert_eq!(changes[0].after.0, Action::Allow);
/// ```
pub fn differences(before: &Policy, after: &Policy) -> Vec<Difference> {
    let mut found: Vec<Difference> = Vec::new();
    each_class(before, after, |class| {
        let (abi, syscall, args) = (class.abi, class.syscall, &class.args);
        let (was, is) = (
            action(class.before, abi, syscall, args),
            action(class.after, abi, syscall, args),
        );
        let seen = || {
            found.iter().any(|known| {
                (known.abi, known.syscall, known.before.0, known.after.0) == (abi, syscall, was, is)
            })
        };
        if was != is && !seen() {
            found.push(Difference {
                place: class.place.said.clone(),
                abi,
                syscall,
                args: *args,
                before: decided(class.before, abi, syscall, args),
                after: decided(class.after, abi, syscall, args),
            });
        }
        ControlFlow::Continue(())
    });
    found
}

/// One class of calls two policies are compared on, with both resolved
/// where it is made.
pub struct Class<'c> {
    /// The host and context.
    pub place: &'c Place,
    /// The first policy there.
    pub before: &'c Resolved<'c>,
    /// The second policy there.
    pub after: &'c Resolved<'c>,
    /// The ABI of the calls.
    pub abi: SeccompArch,
    /// The syscall.
    pub syscall: &'static str,
    /// A call of the class.
    pub args: [u64; 6],
}

/// Hands `visit` each class of calls that can tell `before` and `after`
/// apart, until it breaks: in every [`places`] of both, on each ABI either
/// covers, each syscall there, each argument class of both policies' rules
/// on it.
pub fn each_class(
    before: &Policy,
    after: &Policy,
    mut visit: impl FnMut(&Class<'_>) -> ControlFlow<()>,
) {
    for place in places(&[before, after]) {
        let old = before.resolve(&place.context, place.native);
        let new = after.resolve(&place.context, place.native);
        let mut abis = old.architectures.clone();
        abis.extend(
            new.architectures
                .iter()
                .filter(|abi| !old.architectures.contains(abi)),
        );
        for &abi in &abis {
            for entry in syscalls::all() {
                let syscall = entry.name();
                if !entry.exists_on(abi.syscall_table()) {
                    continue;
                }
                let conditions = (old.rules.iter().chain(&new.rules))
                    .filter(|rule| rule.names(syscall))
                    .flat_map(|rule| rule.conditions.iter());
                for args in argument_vectors(conditions, &[None; 6]) {
                    let class = Class {
                        place: &place,
                        before: &old,
                        after: &new,
                        abi,
                        syscall,
                        args,
                    };
                    if visit(&class).is_break() {
                        return;
                    }
                }
            }
        }
    }
}
