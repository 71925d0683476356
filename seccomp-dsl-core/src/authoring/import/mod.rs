//! Reading a Docker profile as the engines read it, for `import`: what
//! Go's JSON reader (moby, containers/common), runc and libseccomp 2.5.4
//! accept, drop or ignore, with a note for each, so that the policy
//! written is the one the engines enforce.
//!
//! - Go's `encoding/json` matches keys without regard to case and ignores
//!   keys it does not know (`_comment`); a seccomp agent's `listenerPath`
//!   is the engine's, not the filter's.
//! - runc skips a rule whose action is the default action, and one naming
//!   a syscall its libseccomp does not know (logged at debug level); it
//!   adds an entry comparing one argument more than once as one rule per
//!   comparison, so that any one of them matching is enough.
//! - libseccomp ANDs a masked comparison's value with the mask, so a mask
//!   of 0 compares nothing; a syscall's rule without conditions replaces
//!   its conditional rules, whatever their order (`db_rule_add`).
//!
//! - libseccomp answers a call two rules with different actions match by
//!   the order of its argument tree: such rules are written apart as it
//!   answers (`overlap.rs`).
//!
//! What cannot be written exactly is left to [`crate::validate`], which
//! refuses it with the reason.

use std::borrow::Cow;

use crate::docker;
use crate::model::{CmpOp, Policy};
use crate::validate::{validate, Part, ProblemKind};
use crate::{suggest, syscalls};

mod grid;
mod json;
mod overlap;

pub use json::read_profile;
use overlap::{engine_answer, write_overlaps_apart};

/// Drops from `policy` (read from a profile, one rule per entry) what runc
/// and libseccomp drop, with a note for each: names no kernel has, masked
/// comparisons with a mask of 0, rules whose action is the default, and
/// the conditional rules of a syscall that a rule without conditions
/// decides everywhere; splits entries comparing one argument twice as runc
/// does, one rule per comparison. Emptied rules stay (without
/// names); `entries[i]` is the entry rule `i` comes from.
pub fn drop_what_engines_drop(policy: &mut Policy, entries: &mut Vec<usize>) -> Vec<String> {
    let mut notes = split_repeated_arguments(policy, entries);
    let default = policy.default_action;
    let rules = policy.rules.to_mut();
    for (rule, &index) in rules.iter_mut().zip(entries.iter()) {
        if rule.action == default && !rule.syscalls.is_empty() {
            notes.push(format!(
                "syscalls[{index}] has the default action ({default}): runc skips such a rule, \
                 and so does the policy"
            ));
            rule.syscalls.to_mut().clear();
            continue;
        }
        let mut seen: Vec<String> = Vec::new();
        rule.syscalls.to_mut().retain(|name| {
            if seen.iter().any(|earlier| earlier == name) {
                notes.push(format!(
                    "syscalls[{index}] names `{name}` more than once: runc adds the same rule \
                     again, which libseccomp ignores, and the policy names it once"
                ));
                return false;
            }
            seen.push(name.to_string());
            if syscalls::lookup(name).is_some() {
                return true;
            }
            let meant = suggest::closest(name, syscalls::all().iter().map(|entry| entry.name()))
                .map(|meant| format!(" (did you mean `{meant}`?)"))
                .unwrap_or_default();
            notes.push(format!(
                "syscalls[{index}] names `{name}`, which no kernel has{meant}: runc drops it, and \
                 so does the policy"
            ));
            false
        });
        rule.conditions.to_mut().retain(|condition| {
            if condition.op != CmpOp::MaskedEq(0) {
                return true;
            }
            notes.push(format!(
                "syscalls[{index}] compares `arg{}` under a mask of 0, which libseccomp reads as \
                 `0 == 0`: true whatever the argument, so the policy leaves it out",
                condition.index
            ));
            false
        });
    }
    // A syscall's first rule without conditions that applies everywhere
    // decides it; libseccomp drops its conditional rules.
    let deciding: Vec<(usize, String)> = (rules.iter().zip(entries.iter()))
        .filter(|(rule, _)| rule.is_unconditional() && rule.applies_everywhere())
        .flat_map(|(rule, &index)| {
            rule.syscalls
                .iter()
                .map(move |name| (index, name.to_string()))
        })
        .collect();
    for (rule, &index) in rules.iter_mut().zip(entries.iter()) {
        if rule.is_unconditional() {
            continue;
        }
        rule.syscalls.to_mut().retain(|name| {
            let Some((by, _)) = deciding.iter().find(|(_, decided)| decided == name) else {
                return true;
            };
            notes.push(format!(
                "syscalls[{index}] is a conditional rule for `{name}`, which syscalls[{by}] decides \
                 without conditions everywhere: libseccomp keeps that rule alone, and so does the \
                 policy"
            ));
            false
        });
    }
    notes
}

/// runc (1.1.5) adds an entry that compares one argument more than once
/// as one rule per comparison, which libseccomp ORs: a call matching any
/// one comparison gets the entry's action. Each such rule becomes rules of
/// one condition each, with a note; `entries` follows the rules.
fn split_repeated_arguments(policy: &mut Policy, entries: &mut Vec<usize>) -> Vec<String> {
    let mut notes = Vec::new();
    let mut rules = Vec::with_capacity(policy.rules.len());
    let mut from = Vec::with_capacity(entries.len());
    for (rule, &entry) in policy.rules.iter().zip(entries.iter()) {
        let conditions = &rule.conditions;
        let repeated = (conditions.iter().enumerate()).find(|(i, c)| {
            conditions[..*i]
                .iter()
                .any(|earlier| earlier.index == c.index)
        });
        let Some((_, twice)) = repeated else {
            rules.push(rule.clone());
            from.push(entry);
            continue;
        };
        notes.push(format!(
            "syscalls[{entry}] compares `arg{}` more than once: runc adds each of its {} \
             comparisons as a rule of its own, so a call matching any one of them gets {}, and \
             so does the policy",
            twice.index,
            conditions.len(),
            rule.action
        ));
        for condition in conditions.iter() {
            let mut single = rule.clone();
            single.conditions = Cow::Owned(vec![*condition]);
            rules.push(single);
            from.push(entry);
        }
    }
    policy.rules = Cow::Owned(rules);
    *entries = from;
    notes
}

/// A Docker profile that cannot be written in the DSL.
#[derive(Debug)]
pub enum ImportError {
    /// The profile itself is invalid.
    Docker(docker::Error),
    /// The profile is valid for Docker but means something the DSL rejects,
    /// because engines would apply it differently from how it reads (see
    /// [`crate::validate`]). One line per problem, naming the entry.
    Unrepresentable(Vec<String>),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Docker(error) => error.fmt(f),
            ImportError::Unrepresentable(problems) => {
                write!(f, "the profile cannot be written exactly in the DSL:")?;
                problems
                    .iter()
                    .try_for_each(|problem| write!(f, "\n  {problem}"))
            }
        }
    }
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ImportError::Docker(error) => Some(error),
            ImportError::Unrepresentable(_) => None,
        }
    }
}

/// Reads a Docker profile into a policy the DSL accepts.
///
/// A masked comparison's value is reduced to its bits inside the mask, which
/// is how engines compare it anyway; everything else must already be
/// exact, or the problems are returned.
pub fn import_docker(json: &str) -> Result<Policy, ImportError> {
    import_docker_noting(json).map(|(policy, _)| policy)
}

/// A syscall of an entry that engines never apply the entry to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shadowed {
    /// The entry's index in the profile's `syscalls`.
    pub entry: usize,
    /// The syscall.
    pub syscall: String,
    /// The earlier entry that decides the syscall instead.
    pub by: usize,
}

impl std::fmt::Display for Shadowed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "syscalls[{}] names `{}`, which syscalls[{}] already decides whatever its arguments, \
             everywhere: libseccomp keeps that first rule and ignores this one, so the source \
             leaves `{}` out of it",
            self.entry, self.syscall, self.by, self.syscall
        )
    }
}

/// Removes what engines never apply: libseccomp (2.5.4 measured) keeps the
/// first rule without conditions it is given for a syscall and silently
/// ignores later ones, whatever their action, so a later entry without
/// conditions is never applied to a syscall an earlier entry without
/// conditions or filters already names (Debian's containers-common profile
/// allows `setns` to everyone, then denies it without CAP_SYS_ADMIN).
fn drop_shadowed(policy: &mut Policy, entries: &mut Vec<usize>) -> Vec<Shadowed> {
    let mut shadowed = Vec::new();
    let rules = policy.rules.to_mut();
    for later in 1..rules.len() {
        if !rules[later].is_unconditional() {
            continue;
        }
        let (earlier, rest) = rules.split_at_mut(later);
        let rule = &mut rest[0];
        rule.syscalls.to_mut().retain(|name| {
            let by = earlier.iter().position(|first| {
                first.is_unconditional() && first.applies_everywhere() && first.names(name)
            });
            if let Some(by) = by {
                shadowed.push(Shadowed {
                    entry: entries[later],
                    syscall: name.to_string(),
                    by: entries[by],
                });
            }
            by.is_none()
        });
    }
    drop_unnamed(policy, entries);
    shadowed
}

/// Removes the rules left without syscall names, and their entries.
fn drop_unnamed(policy: &mut Policy, entries: &mut Vec<usize>) {
    let named: Vec<bool> = (policy.rules.iter())
        .map(|rule| !rule.syscalls.is_empty())
        .collect();
    let mut named = named.into_iter();
    entries.retain(|_| named.next().unwrap_or(false));
    policy
        .rules
        .to_mut()
        .retain(|rule| !rule.syscalls.is_empty());
}

/// [`import_docker`], and the syscalls it left out of entries because
/// engines never apply those entries to them.
pub fn import_docker_noting(json: &str) -> Result<(Policy, Vec<Shadowed>), ImportError> {
    let mut policy = docker::from_json(json).map_err(ImportError::Docker)?;
    let mut entries = (0..policy.rules.len()).collect();
    split_repeated_arguments(&mut policy, &mut entries);
    finish_import(policy, entries)
}

/// A Docker profile read as the engines read it (see [`crate::import`]):
/// the policy they enforce, and a note for each key, name and rule they
/// ignore or drop. Refuses only what the DSL cannot write exactly.
///
/// ```
/// let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "_comment": "ours",
///     "syscalls": [{"names": ["read", "keyctl_chown"], "action": "SCMP_ACT_ALLOW"}]}"#;
/// let (policy, notes) = seccomp_dsl_core::dsl::import_docker_as_engines(json).unwrap();
/// assert_eq!(policy.rules[0].syscalls.join(", "), "read");
/// assert_eq!(notes.len(), 2);
/// ```
pub fn import_docker_as_engines(json: &str) -> Result<(Policy, Vec<String>), ImportError> {
    let (profile, mut notes) = read_profile(json).map_err(ImportError::Docker)?;
    let mut policy = docker::from_profile(&profile).map_err(ImportError::Docker)?;
    let mut entries = (0..policy.rules.len()).collect();
    notes.extend(drop_what_engines_drop(&mut policy, &mut entries));
    notes.extend(write_overlaps_apart(&mut policy, &mut entries));
    let (policy, shadowed) = finish_import(policy, entries)?;
    notes.extend(shadowed.iter().map(Shadowed::to_string));
    Ok((policy, notes))
}

/// The last steps of an import: what libseccomp never applies is dropped,
/// masked values are ANDed with their mask, and the rest validated.
/// `entries[i]` is the profile's entry rule `i` comes from.
fn finish_import(
    mut policy: Policy,
    mut entries: Vec<usize>,
) -> Result<(Policy, Vec<Shadowed>), ImportError> {
    let shadowed = drop_shadowed(&mut policy, &mut entries);
    for rule in policy.rules.to_mut() {
        for condition in rule.conditions.to_mut() {
            if let CmpOp::MaskedEq(mask) = condition.op {
                condition.value &= mask;
            }
        }
    }
    let problems = validate(&policy);
    if problems.is_empty() {
        return Ok((policy, shadowed));
    }
    Err(ImportError::Unrepresentable(
        problems
            .iter()
            .map(|problem| {
                let rule = &policy.rules[problem.rule];
                let name = match problem.part {
                    Part::Syscall(i) => rule.syscalls[i].to_string(),
                    _ => rule.syscalls.join(", "),
                };
                let help = match &problem.kind {
                    ProblemKind::Overlap { syscall, .. } => {
                        engine_answer(&policy, problem.rule, syscall)
                    }
                    _ => None,
                }
                .or_else(|| problem.kind.help())
                .map(|help| format!(" ({help})"))
                .unwrap_or_default();
                format!(
                    "syscalls[{}] `{name}`: {}{help}",
                    entries[problem.rule], problem.kind
                )
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, Context, KernelVersion, SeccompArch};

    #[test]
    fn keys_are_matched_as_go_matches_them_and_unknown_ones_ignored() {
        let json = r#"{"_comment": "mine", "DefaultAction": "SCMP_ACT_ERRNO",
            "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subarchitectures": ["SCMP_ARCH_X86"]}],
            "listenerPath": "/run/agent.sock",
            "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "Comment": "x", "extra": 1}]}"#;
        let (profile, notes) = read_profile(json).unwrap();
        assert_eq!(profile.default_action, "SCMP_ACT_ERRNO");
        assert_eq!(
            profile.arch_map[0].sub_architectures.as_deref(),
            Some(&["SCMP_ARCH_X86".to_string()][..])
        );
        assert_eq!(profile.syscalls[0].comment.as_deref(), Some("x"));
        let all = notes.join("\n");
        for said in [
            "`_comment` is no field of the format",
            "`DefaultAction` is read as `defaultAction`",
            "`archMap[0].subarchitectures` is read as `subArchitectures`",
            "`syscalls[0].extra` is no field of the format",
            "`listenerPath` (\"/run/agent.sock\") is for the engine",
        ] {
            assert!(all.contains(said), "{said}: {all}");
        }
        let twice = r#"{"defaultAction": "SCMP_ACT_ERRNO", "DEFAULTACTION": "SCMP_ACT_ALLOW"}"#;
        assert!(read_profile(twice)
            .unwrap_err()
            .to_string()
            .contains("one field to the engines' JSON reader"));
    }

    /// An entry comparing one argument twice is one rule per comparison to
    /// runc, so the policy allows what matches either; a mask of 0 among
    /// them is then a rule without conditions, as libseccomp reads it.
    #[test]
    fn an_argument_compared_twice_is_read_as_runc_adds_it() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [
                {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
            {"names": ["getpid"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [
                {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                {"index": 0, "value": 0, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]}"#;
        let (policy, notes) = crate::dsl::import_docker_as_engines(json).unwrap();
        let context = Context {
            arch: "amd64".into(),
            capabilities: vec![],
            kernel: KernelVersion { major: 6, minor: 1 },
        };
        let decide = |policy: &Policy, name: &str, arg0: u64| {
            (policy.applicable(&context, SeccompArch::X86_64)).decide(name, &[arg0, 0, 0, 0, 0, 0])
        };
        for (value, allowed) in [(1, true), (2, true), (3, false)] {
            let decided = decide(&policy, "personality", value);
            assert_eq!(decided == Action::Allow, allowed, "personality({value})");
        }
        assert_eq!(
            decide(&policy, "socket", 7),
            Action::Allow,
            "the mask of 0 alone is a rule without conditions"
        );
        let all = notes.join("\n");
        assert!(
            all.contains("syscalls[0] compares `arg0` more than once: runc adds each of its 2"),
            "{all}"
        );
        assert!(
            all.contains("syscalls[2] compares `arg0` under a mask of 0"),
            "{all}"
        );
        // The strict reader means the same.
        let first_entry = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [
                {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]}"#;
        let strict = import_docker(first_entry).unwrap();
        assert_eq!(decide(&strict, "personality", 2), Action::Allow);
    }

    /// containers/common's current `socket` rules overlap: the refusal
    /// says what the engine answers where they do, from the port of
    /// libseccomp's tree (as podman was measured to answer).
    #[test]
    fn overlapping_rules_are_refused_with_the_engines_answer() {
        // x86 covered: the rewrite takes `<=` and `>=` beside `==` on all
        // 64 bits, and a block of libseccomp's program can then test a
        // stale word for `socket(16)` unless the layout of the whole filter
        // adds a load, which the check cannot know: refused.
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
            "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
            "syscalls": [
            {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
             "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]},
            {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_NE"}]}]}"#;
        let refused = crate::dsl::import_docker_as_engines(json)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains(
                "syscalls[1] `socket`: conflicting rules for `socket`: a call can match both this \
                 rule (`allow`) and an earlier one (`errno(1)`) (podman 4.3 (runc 1.1.5, \
                 libseccomp 2.5.4) answers `socket(0x28)`, which both match, with errno(1)"
            ),
            "{refused}"
        );
    }

    /// Overlapping rules libseccomp itself refuses (`-EEXIST`, so runc
    /// cannot create the container) are refused, saying so.
    #[test]
    fn overlapping_rules_libseccomp_refuses_are_refused_saying_so() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [
            {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [
                {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 2, "op": "SCMP_CMP_EQ"}]},
            {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}"#;
        let refused = crate::dsl::import_docker_as_engines(json)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains(
                "podman 4.3 (runc 1.1.5, libseccomp 2.5.4) cannot load these rules: for `rule \
                 socket(arg0 as u64 == AF_UNIX) => allow;`, libseccomp 2.5.4 refuses it beside the \
                 earlier rules (two actions for one branch of its tree, EEXIST)"
            ),
            "{refused}"
        );
    }

    /// containers/common's current `socket` rules, on the native ABI: the
    /// import writes them apart, each call answered as podman 4.3 was
    /// measured to answer it (and, where the rules do not say, as the port
    /// of libseccomp's tree does), in containers with and without
    /// CAP_AUDIT_WRITE.
    #[test]
    fn overlapping_rules_are_written_apart_as_the_engine_answers() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [
            {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
             "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]},
            {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
             "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}, {"index": 2, "value": 9, "op": "SCMP_CMP_EQ"}],
             "excludes": {"caps": ["CAP_AUDIT_WRITE"]}},
            {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}, {"index": 2, "value": 9, "op": "SCMP_CMP_NE"}],
             "excludes": {"caps": ["CAP_AUDIT_WRITE"]}},
            {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_NE"}], "excludes": {"caps": ["CAP_AUDIT_WRITE"]}},
            {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}], "includes": {"caps": ["CAP_AUDIT_WRITE"]}},
            {"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}"#;
        let (policy, notes) = crate::dsl::import_docker_as_engines(json).unwrap();
        let all = notes.join("\n");
        assert!(
            all.contains(
                "syscalls[0], syscalls[1], syscalls[2], syscalls[3], syscalls[4] overlap for \
                 `socket` with different actions"
            ),
            "{all}"
        );
        let answer = |caps: &[&str], args: [u64; 6]| {
            let context = Context {
                arch: "amd64".into(),
                capabilities: caps.iter().map(|c| c.to_string().into()).collect(),
                kernel: KernelVersion { major: 6, minor: 1 },
            };
            (policy.applicable(&context, SeccompArch::X86_64)).decide("socket", &args)
        };
        let audit = ["CAP_AUDIT_WRITE"];
        for (caps, args, expected) in [
            (&[][..], [40, 5, 0, 0, 0, 0], Action::Errno(1)),
            (&[][..], [16, 3, 9, 0, 0, 0], Action::Errno(22)),
            (&[][..], [16, 3, 0, 0, 0, 0], Action::Allow),
            (&[][..], [2, 1, 0, 0, 0, 0], Action::Allow),
            (&[][..], [0x1_0000_0028, 1, 0, 0, 0, 0], Action::Allow),
            (&audit[..], [40, 5, 0, 0, 0, 0], Action::Errno(1)),
            (&audit[..], [16, 3, 9, 0, 0, 0], Action::Allow),
        ] {
            assert_eq!(answer(caps, args), expected, "{caps:?} {args:x?}");
        }
        assert_eq!(
            policy
                .rules
                .iter()
                .filter(|rule| rule.names("read"))
                .count(),
            1
        );
    }

    /// What runc and libseccomp drop is dropped, each said; what depends
    /// on a seccomp agent is refused.
    #[test]
    fn what_the_engines_drop_is_dropped_and_said() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["read", "keyctl_chown"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["getpid"], "action": "SCMP_ACT_ERRNO"},
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 0, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
            {"names": ["write"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
            {"names": ["write"], "action": "SCMP_ACT_ALLOW"}]}"#;
        let (policy, notes) = crate::dsl::import_docker_as_engines(json).unwrap();
        let rules: Vec<(Vec<String>, usize)> = (policy.rules.iter())
            .map(|rule| {
                (
                    rule.syscalls.iter().map(|n| n.to_string()).collect(),
                    rule.conditions.len(),
                )
            })
            .collect();
        assert_eq!(
            rules,
            [
                (vec!["read".to_string()], 0),
                (vec!["personality".to_string()], 0),
                (vec!["write".to_string()], 0)
            ]
        );
        let all = notes.join("\n");
        for said in [
            "syscalls[0] names `keyctl_chown`, which no kernel has: runc drops it",
            "syscalls[1] has the default action (errno(1))",
            "syscalls[2] compares `arg0` under a mask of 0",
            "syscalls[3] is a conditional rule for `write`, which syscalls[4] decides",
        ] {
            assert!(all.contains(said), "{said}: {all}");
        }
        let agent = r#"{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/a.sock",
            "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_NOTIFY"}]}"#;
        let refused = crate::dsl::import_docker_as_engines(agent)
            .unwrap_err()
            .to_string();
        assert!(refused.contains("SCMP_ACT_NOTIFY"), "{refused}");
    }
}
