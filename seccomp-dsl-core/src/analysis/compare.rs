//! Two policies (or one and a claim) compared over every input: each host
//! and context their rules depend on, and in each, every call, decided
//! exactly by [`crate::decide`]. Used by `assert` statements and by `diff`.

use std::ops::ControlFlow;

use crate::bpf::{self, emulate::SeccompData};
use crate::constants::CAPABILITIES;
use crate::decide::{differences_where, Limits, Side, Undecided};
use crate::engines::STUB_ACTION;
use crate::formats::dsl_text as dsl;
use crate::model::{
    Action, Context, DecidedBy, KernelVersion, Policy, Resolved, SeccompArch,
    DOCKER_CONTAINER_CAPABILITIES,
};

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
    let mut text = String::new();
    let _ = write_call(&mut text, syscall, args, as_read);
    text
}

/// [`call`] (`as_read` false) or [`call_as_read`] (true), written to `out`
/// without allocating: for a thread that answers calls others wait in.
pub fn write_call(
    out: &mut dyn std::fmt::Write,
    syscall: &str,
    args: &[u64; 6],
    as_read: bool,
) -> std::fmt::Result {
    write_call_reading(out, syscall, args, as_read, &mut |_| None)
}

/// The longest string [`write_call_reading`] shows of an argument.
pub const SHOWN_STRING: usize = 64;

/// [`write_call`], with each string argument (a `const char *`: a path, a
/// name) that `string_at` can read at its address shown as the string,
/// escaped and cut at [`SHOWN_STRING`] characters: `openat(AT_FDCWD,
/// "/etc/hostname", O_RDONLY, 0)`. `string_at` gets the address and
/// answers the bytes up to the terminating NUL (or as many as it read).
///
/// ```
/// let mut text = String::new();
/// let path = |address: u64| (address == 0x1000).then(|| b"/tmp/a\nb".to_vec());
/// seccomp_dsl_core::compare::write_call_reading(
///     &mut text, "openat", &[0xffff_ff9c, 0x1000, 0, 0, 0, 0], true, &mut |a| path(a),
/// ).unwrap();
/// assert_eq!(text, r#"openat(AT_FDCWD, "/tmp/a\nb", O_RDONLY, 0)"#);
/// ```
pub fn write_call_reading(
    out: &mut dyn std::fmt::Write,
    syscall: &str,
    args: &[u64; 6],
    as_read: bool,
    string_at: &mut dyn FnMut(u64) -> Option<Vec<u8>>,
) -> std::fmt::Result {
    let signature = crate::signatures::lookup(syscall);
    let is_string = |index: usize| {
        signature
            .and_then(|signature| signature.arguments().get(index))
            .is_some_and(|argument| {
                // Spacing aside, without allocating.
                let kept = argument.c_type.bytes().filter(|byte| *byte != b' ');
                kept.eq(b"constchar*".iter().copied())
            })
    };
    let count = crate::signatures::lookup(syscall).map_or(6, |s| s.arguments().len());
    let width = |index: usize| {
        crate::upper_half::kernel_width(syscall, index as u8).map_or(u64::MAX, |width| width.mask())
    };
    let level = Some(args[1] & width(1));
    write!(out, "{syscall}(")?;
    for (index, &arg) in args.iter().enumerate().take(count) {
        if index > 0 {
            out.write_str(", ")?;
        }
        if is_string(index) && arg != 0 {
            if let Some(bytes) = string_at(arg) {
                write_string(out, &bytes)?;
                continue;
            }
        }
        let value = if as_read { arg & width(index) } else { arg };
        let named = (value & !width(index) == 0)
            .then(|| crate::constants::description(syscall, index as u8, value, level))
            .flatten();
        match named {
            Some(description) => write!(out, "{description}")?,
            None if as_read && value < 10_000 => write!(out, "{value}")?,
            None => write!(out, "{value:#x}")?,
        }
    }
    out.write_str(")")
}

/// `bytes` as a quoted string, escaped, cut at [`SHOWN_STRING`] characters.
fn write_string(out: &mut dyn std::fmt::Write, bytes: &[u8]) -> std::fmt::Result {
    let text = String::from_utf8_lossy(bytes);
    out.write_char('"')?;
    for (count, c) in text.chars().enumerate() {
        if count == SHOWN_STRING {
            return out.write_str("\"...");
        }
        write!(out, "{}", c.escape_debug())?;
    }
    out.write_char('"')
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

/// One class of calls two policies decide differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Where: the host and context, said.
    pub place: String,
    /// The ABI of the calls.
    pub abi: SeccompArch,
    /// The syscall, or `syscall N` for a number no syscall has.
    pub syscall: String,
    /// A call of the class.
    pub args: [u64; 6],
    /// What the first policy does to it, and what decides.
    pub before: (Action, String),
    /// What the second does, and what decides.
    pub after: (Action, String),
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

/// What `resolved` does to number `nr` of `abi`, which no syscall has.
fn decided_unnamed(resolved: &Resolved<'_>, abi: SeccompArch, nr: u32) -> (Action, String) {
    if !resolved.architectures.contains(&abi) {
        return (Action::KillProcess, "the ABI is not covered".into());
    }
    if resolved.enosys_stub.answers(abi, nr) {
        return (STUB_ACTION, "runc's ENOSYS stub".into());
    }
    (resolved.default_action, "the default action".into())
}

/// What `resolved` does to the call `data` (any ABI, any number), and
/// what decides it, said: `(allow, "`allow read;`")`, `(errno(1), "the
/// default action")`; `None` for an ABI the kernel does not describe.
pub fn decided_call(resolved: &Resolved<'_>, data: &SeccompData) -> Option<(Action, String)> {
    let (abi, name) = bpf::syscall_of(data.arch, data.nr as u32)?;
    Some(match name {
        Some(name) => decided(resolved, abi, name, &data.args),
        None => decided_unnamed(resolved, abi, data.nr as u32),
    })
}

/// Every class of calls `before` and `after` decide differently, one per
/// ABI, syscall and pair of outcomes (the first place it shows), in the
/// order of hosts, ABIs and syscalls. Decided exactly, over every call
/// (see [`crate::decide`]): every architecture value, syscall number and
/// 64-bit argument, in each place a rule can depend on.
///
/// ```
/// use seccomp_dsl_core::compare::differences;
/// use seccomp_dsl_core::model::*;
/// let before = Policy::new(Action::Errno(1), vec![Rule::new(["read"], [], Action::Allow)]);
/// let after = Policy::new(Action::Errno(1), vec![Rule::new(["read", "write"], [], Action::Allow)]);
/// let changes = differences(&before, &after).unwrap();
/// assert!(changes.iter().all(|change| change.syscall == "write"));
/// assert_eq!(changes[0].after.0, Action::Allow);
/// ```
pub fn differences(before: &Policy, after: &Policy) -> Result<Vec<Difference>, Undecided> {
    let mut found: Vec<Difference> = Vec::new();
    each_difference(
        before,
        after,
        &mut |l, r| l == r,
        |place, old, new, data| {
            let Some((abi, name)) = bpf::syscall_of(data.arch, data.nr as u32) else {
                return ControlFlow::Continue(());
            };
            let nr = data.nr as u32;
            let (syscall, was, is) = match name {
                Some(name) => (
                    name.to_string(),
                    decided(old, abi, name, &data.args),
                    decided(new, abi, name, &data.args),
                ),
                None => (
                    format!("syscall {}", nr & !bpf::number_bias(abi)),
                    decided_unnamed(old, abi, nr),
                    decided_unnamed(new, abi, nr),
                ),
            };
            let seen = found.iter().any(|known| {
                (known.abi, &known.syscall, known.before.0, known.after.0)
                    == (abi, &syscall, was.0, is.0)
            });
            if !seen {
                found.push(Difference {
                    place: place.said.clone(),
                    abi,
                    syscall,
                    args: data.args,
                    before: was,
                    after: is,
                });
            }
            ControlFlow::Continue(())
        },
    )?;
    Ok(found)
}

/// Hands `visit` a call for every path on which `before` and `after` give
/// answers `alike` (given both in canonical form) does not accept, in
/// every [`places`] of both, until it breaks; the places in order, each
/// place's calls in the order of ABIs and syscall numbers.
pub fn each_difference(
    before: &Policy,
    after: &Policy,
    alike: &mut dyn FnMut(u32, u32) -> bool,
    mut visit: impl FnMut(&Place, &Resolved<'_>, &Resolved<'_>, &SeccompData) -> ControlFlow<()>,
) -> Result<(), Undecided> {
    for place in places(&[before, after]) {
        let old = before.resolve(&place.context, place.native);
        let new = after.resolve(&place.context, place.native);
        let mut calls: Vec<SeccompData> = Vec::new();
        differences_where(
            &Side::Policy(&old),
            &Side::Policy(&new),
            &Limits::default(),
            alike,
            |difference| {
                calls.push(difference.data);
                ControlFlow::Continue(())
            },
        )?;
        // The order of ABIs as the policies list them, then of syscalls as
        // the table lists them, then of numbers no syscall has.
        let abis: Vec<SeccompArch> = old
            .architectures
            .iter()
            .chain(&new.architectures)
            .copied()
            .collect();
        let table = crate::syscalls::all();
        let rank = |data: &SeccompData| {
            let known = bpf::syscall_of(data.arch, data.nr as u32);
            let position = known.and_then(|(abi, _)| abis.iter().position(|&seen| seen == abi));
            let name = known.and_then(|(_, name)| name);
            let in_table =
                name.and_then(|name| table.iter().position(|entry| entry.name() == name));
            (
                position.unwrap_or(usize::MAX),
                in_table.unwrap_or(table.len()),
                data.nr as u32,
                data.args,
            )
        };
        calls.sort_by_key(rank);
        for data in &calls {
            if visit(&place, &old, &new, data).is_break() {
                return Ok(());
            }
        }
    }
    Ok(())
}
