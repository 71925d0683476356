//! Rules that are valid but usually a mistake: errors unless acknowledged
//! at the rule with `#[allow(NAME)]`, which the Docker profile's `comment`
//! then carries.
//!
//! - [`DANGEROUS_PERMISSION`]: a syscall that opens a way out of a sandbox
//!   let run whatever its arguments (`ptrace`, `bpf`, `mount`, ...; `clone`
//!   with namespace flags, `clone3`, whose flags no filter sees;
//!   `personality` without a persona rule, `socket` without a family rule),
//!   outside a `when cap(...)` block;
//! - [`STOPS_EXIT`]: a rule that denies or kills `exit_group`,
//!   `rt_sigreturn` or `restart_syscall`, without which a program cannot
//!   end or return from a signal handler (by the default action, a warning);
//! - [`FOREIGN_SYSCALL`]: a syscall let run that neither x86_64 nor aarch64
//!   has (only 32-bit or other ABIs), or an obsolete one;
//! - [`KILL_THREAD_DEFAULT`]: `default kill` (one thread), where
//!   `kill_process` was likely meant;
//! - [`IOCTL_RANGE`]: `ioctl` let run for a range of requests (`<`, `>`,
//!   `!=` on its request), which lets through requests nobody listed: what
//!   `record` writes past its limit, outside the terminal's requests.

use crate::engines::TARGET;
use crate::groups;
use crate::model::{Action, Architectures, ArgCondition, CmpOp, Policy, Rule};
use crate::syscalls;

/// `#[allow(dangerous_permission)]`.
pub const DANGEROUS_PERMISSION: &str = "dangerous_permission";
/// `#[allow(stops_exit)]`.
pub const STOPS_EXIT: &str = "stops_exit";
/// `#[allow(foreign_syscall)]`.
pub const FOREIGN_SYSCALL: &str = "foreign_syscall";
/// `#[allow(kill_thread_default)]`, at `default`.
pub const KILL_THREAD_DEFAULT: &str = "kill_thread_default";
/// `#[allow(ioctl_range)]`.
pub const IOCTL_RANGE: &str = "ioctl_range";

/// Syscalls that open a way out of a sandbox whatever their arguments.
pub const DANGEROUS: [&str; 12] = [
    "ptrace",
    "bpf",
    "mount",
    "unshare",
    "setns",
    "keyctl",
    "add_key",
    "userfaultfd",
    "perf_event_open",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
];

/// The calls a program cannot do without: to end, and to return from a
/// signal handler (and resume a call a signal interrupted).
pub const EXITS: [&str; 3] = ["exit_group", "rt_sigreturn", "restart_syscall"];

/// The namespace flags `clone` takes (`CLONE_NEWTIME` only `clone3` and
/// `unshare` do).
pub const CLONE_NAMESPACES: u64 = 0x7e02_0000;

/// One finding at a rule: the check that acknowledges it, the syscall,
/// and why it is flagged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The name `#[allow(...)]` takes.
    pub lint: &'static str,
    /// The syscall of the rule it is about.
    pub syscall: String,
    /// Why, as a sentence.
    pub why: String,
}

/// Whether `conditions` keep every namespace flag out of `clone`'s flags.
fn excludes_namespaces(conditions: &[ArgCondition]) -> bool {
    namespaces_let_through(conditions) == 0
}

/// The namespace flags of [`CLONE_NAMESPACES`] a `clone` rule with these
/// conditions lets a call set: all of them, but those a comparison of
/// `arg0` requires to be clear (`arg0 & MASK == VALUE` with the flag in
/// the mask and not in the value; `arg0 == VALUE` without it).
fn namespaces_let_through(conditions: &[ArgCondition]) -> u64 {
    (conditions.iter())
        .filter(|condition| condition.index == 0)
        .fold(CLONE_NAMESPACES, |through, condition| match condition.op {
            CmpOp::MaskedEq(mask) => through & !(mask & !condition.value),
            CmpOp::Eq => through & condition.value,
            _ => through,
        })
}

/// The names of the `CLONE_NEW*` flags in `flags`, joined with `, `.
fn namespace_names(flags: u64) -> String {
    let names: Vec<&str> = (crate::constants::CLONE_FLAGS.constants.iter())
        .filter(|(name, value)| name.starts_with("CLONE_NEW") && flags & value == *value)
        .map(|(name, _)| *name)
        .collect();
    names.join(", ")
}

/// What is flagged at `rule` of `policy`. A rule
/// that applies only on other machines (`when arch(s390x)`) is theirs.
///
/// ```
/// use seccomp_dsl_core::lints::{rule_findings, DANGEROUS_PERMISSION};
/// use seccomp_dsl_core::model::{Action, Policy, Rule};
/// let rule = Rule::new(["read", "ptrace"], [], Action::Allow);
/// let policy = Policy::new(Action::Errno(1), vec![rule.clone()]);
/// let findings = rule_findings(&rule, &policy);
/// assert_eq!(findings.len(), 1);
/// assert_eq!((findings[0].lint, findings[0].syscall.as_str()), (DANGEROUS_PERMISSION, "ptrace"));
/// ```
pub fn rule_findings(rule: &Rule, policy: &Policy) -> Vec<Finding> {
    let architectures = &policy.architectures;
    // Under a default that lets everything run, a rule grants nothing new.
    let grants = !policy.default_action.may_run_call();
    let mut findings = Vec::new();
    let arches = &rule.includes.arches;
    let on_a_host = arches.is_empty()
        || (TARGET.hosts.iter())
            .filter_map(|host| host.docker_arch())
            .any(|docker| arches.iter().any(|arch| arch == docker));
    if !on_a_host {
        return findings;
    }
    let mut flag = |lint, syscall: &str, why: String| {
        findings.push(Finding {
            lint,
            syscall: syscall.to_string(),
            why,
        });
    };
    let runs = rule.action.may_run_call();
    let privileged = !rule.includes.caps.is_empty();
    let on_arg0 = rule.conditions.iter().any(|condition| condition.index == 0);
    for name in rule.syscalls.iter() {
        let name = name.as_ref();
        if runs && grants && !privileged {
            if DANGEROUS.contains(&name) && rule.is_unconditional() {
                flag(
                    DANGEROUS_PERMISSION,
                    name,
                    format!("`{name}` is let run whatever its arguments, outside a `when cap(...)` block"),
                );
            }
            if let Some(why) = dangerous_by_arguments(name, rule, on_arg0) {
                flag(DANGEROUS_PERMISSION, name, why);
            }
        }
        let ranged = (rule.conditions.iter()).any(|condition| {
            condition.index == 1 && !matches!(condition.op, CmpOp::Eq | CmpOp::MaskedEq(_))
        });
        if runs && grants && name == "ioctl" && ranged {
            flag(
                IOCTL_RANGE,
                name,
                "`ioctl` is let run for a range of requests, which lets through requests nobody \
                 listed"
                    .to_string(),
            );
        }
        if !runs && EXITS.contains(&name) {
            flag(
                STOPS_EXIT,
                name,
                format!("`{name}` gets {}: {}", rule.action, exit_consequence(name)),
            );
        }
        if runs && is_foreign_or_obsolete(name, architectures) {
            flag(FOREIGN_SYSCALL, name, foreign_why(name));
        }
    }
    findings
}

/// Why letting `name` run under `rule` is dangerous for what its
/// arguments may ask (namespaces, personas, socket families), if it is.
fn dangerous_by_arguments(name: &str, rule: &Rule, on_arg0: bool) -> Option<String> {
    match name {
        "clone3" => Some(
            "`clone3` is let run, and its flags, in memory, are out of a filter's reach: \
             it may create namespaces"
                .to_string(),
        ),
        "clone" if !excludes_namespaces(&rule.conditions) => {
            let through = namespaces_let_through(&rule.conditions);
            Some(if through == CLONE_NAMESPACES {
                "`clone` is let run with namespace flags (no `arg0 & CLONE_NEWNS | ... == 0` \
                 rule keeps them out)"
                    .to_string()
            } else {
                format!(
                    "`clone` is let run with {} (its comparison of `arg0` keeps the other \
                     namespace flags out)",
                    namespace_names(through)
                )
            })
        }
        "personality" if !on_arg0 => Some(
            "`personality` is let run whatever the persona (`READ_IMPLIES_EXEC`, \
             `ADDR_NO_RANDOMIZE`, ...)"
                .to_string(),
        ),
        "socket" if !on_arg0 => Some(
            "`socket` is let run whatever the family (`AF_NETLINK`, `AF_PACKET`, \
             `AF_VSOCK`, ...)"
                .to_string(),
        ),
        _ => None,
    }
}

/// What a program loses without `name`, one of [`EXITS`].
fn exit_consequence(name: &str) -> &'static str {
    match name {
        "exit_group" => "the program cannot end (its `exit` fails)",
        "rt_sigreturn" => "the program cannot return from a signal handler",
        _ => "a call a signal interrupted cannot resume",
    }
}

/// Whether no ABI a policy covering `architectures` filters on x86_64 or
/// aarch64 has `name`, or it is obsolete.
/// A name no table has is an unknown syscall, reported as such.
pub fn is_foreign_or_obsolete(name: &str, architectures: &Architectures) -> bool {
    let Some(entry) = syscalls::lookup(name) else {
        return false;
    };
    let on_a_host = (TARGET.hosts.iter())
        .flat_map(|&native| architectures.covered(native))
        .any(|abi| entry.exists_on(abi.syscall_table()));
    let obsolete = groups::group("obsolete").is_some_and(|group| group.syscalls.contains(&name));
    !on_a_host || obsolete
}

fn foreign_why(name: &str) -> String {
    if groups::group("obsolete").is_some_and(|group| group.syscalls.contains(&name)) {
        format!("`{name}` is obsolete: no current program calls it")
    } else {
        format!("`{name}` exists on no ABI the policy covers on x86_64 or aarch64")
    }
}

/// The calls of [`EXITS`] `policy`'s default action stops, when no rule
/// lets them run: worth a warning.
pub fn exits_stopped_by_default(policy: &Policy) -> Vec<&'static str> {
    if policy.default_action.may_run_call() {
        return Vec::new();
    }
    EXITS
        .into_iter()
        .filter(|name| {
            !policy
                .rules
                .iter()
                .any(|rule| rule.names(name) && rule.action.may_run_call())
        })
        .collect()
}

/// Why `default` is flagged, if it is: `kill` (a thread) is rarely meant.
pub fn default_finding(action: Action) -> Option<String> {
    (action == Action::KillThread).then(|| {
        "`default kill` kills only the thread that made the call: the other threads go on, \
         often waiting forever for it"
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, Policy, Rule};

    fn clone_finding(conditions: Vec<ArgCondition>) -> Option<String> {
        let rule = Rule::new(["clone"], conditions, Action::Allow);
        let policy = Policy::new(Action::Errno(1), vec![rule.clone()]);
        (rule_findings(&rule, &policy).into_iter())
            .find(|finding| finding.lint == DANGEROUS_PERMISSION)
            .map(|finding| finding.why)
    }

    /// A `clone` rule is flagged with the namespace flags it lets through,
    /// and not at all when it keeps every one out.
    #[test]
    fn a_clone_rule_is_flagged_with_the_namespaces_it_lets_through() {
        let masked = |mask| ArgCondition::new(0, CmpOp::MaskedEq(mask), 0);
        assert!(clone_finding(vec![masked(CLONE_NAMESPACES)]).is_none());
        assert!(clone_finding(vec![ArgCondition::new(0, CmpOp::Eq, 0x11)]).is_none());
        let without_cgroup = CLONE_NAMESPACES & !0x0200_0000;
        assert_eq!(
            clone_finding(vec![masked(without_cgroup)]).as_deref(),
            Some(
                "`clone` is let run with CLONE_NEWCGROUP (its comparison of `arg0` keeps the \
                 other namespace flags out)"
            )
        );
        assert!(clone_finding(vec![])
            .unwrap()
            .contains("no `arg0 & CLONE_NEWNS | ... == 0`"));
    }
}
