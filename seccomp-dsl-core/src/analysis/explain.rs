//! Why a policy decides a call as it does: the rule (with its statement and
//! source line) or the default, for a syscall named as a person names it.

use std::fmt;

use crate::formats::dsl_text as dsl;
use crate::model::{Action, Context, DecidedBy, Policy, Resolved, SeccompArch};
use crate::{suggest, syscalls};

/// Where each rule of a policy is written, for citing it as its author
/// wrote it: what [`crate::frontend::read`] gives beside the policy.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sources<'a> {
    /// The source line of each rule (0 where unknown).
    pub lines: &'a [u32],
    /// Each rule's conditions as written; a rule past the end is cited as
    /// the model renders it.
    pub conditions: &'a [String],
}

impl<'a> Sources<'a> {
    /// Lines alone: rules cited as the model renders them.
    pub const fn lines(lines: &'a [u32]) -> Sources<'a> {
        Sources {
            lines,
            conditions: &[],
        }
    }
}

/// What decides a call, and how; see [`explain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// What the call gets.
    pub action: Action,
    /// What decided it.
    pub decider: Decider,
}

/// What decides a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decider {
    /// A rule of the policy.
    Rule {
        /// Its index in [`Policy::rules`].
        index: usize,
        /// The source line of its statement, where known.
        line: Option<u32>,
        /// The rule as a DSL statement.
        statement: String,
    },
    /// No rule matches: the default action.
    Default,
    /// The ENOSYS stub the target engine puts before the filter.
    EnosysStub,
    /// The policy does not cover the call's ABI: the filter kills.
    AbiNotCovered,
}

impl fmt::Display for Explanation {
    /// `errno(1), the default action` or `allow, by line 4: allow read, write;`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.action)?;
        match &self.decider {
            Decider::Rule {
                line: Some(line),
                statement,
                ..
            } => write!(f, ", by line {line}: {statement}"),
            Decider::Rule {
                index, statement, ..
            } => write!(f, ", by rule {}: {statement}", index + 1),
            Decider::Default => f.write_str(", the default action"),
            Decider::EnosysStub => {
                f.write_str(", runc's ENOSYS stub for syscalls newer than the policy")
            }
            Decider::AbiNotCovered => f.write_str(", the policy does not cover that ABI"),
        }
    }
}

/// Why a call cannot be explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExplainError {
    /// No architecture has a syscall of this name.
    UnknownSyscall {
        /// The name given.
        name: String,
        /// The known name it most likely meant.
        suggestion: Option<&'static str>,
    },
    /// The syscall exists, but not on this ABI.
    NotOnAbi {
        /// The syscall.
        name: String,
        /// The ABI.
        abi: SeccompArch,
    },
}

impl fmt::Display for ExplainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExplainError::UnknownSyscall {
                name,
                suggestion: Some(suggestion),
            } => write!(f, "unknown syscall `{name}`; did you mean `{suggestion}`?"),
            ExplainError::UnknownSyscall { name, .. } => write!(f, "unknown syscall `{name}`"),
            ExplainError::NotOnAbi { name, abi } => {
                write!(f, "`{name}` does not exist on {}", abi.name())
            }
        }
    }
}

impl std::error::Error for ExplainError {}

/// Where a syscall named by a person is in the tables: its entry, or the
/// error that says what it likely meant.
pub fn syscall_named(name: &str) -> Result<&'static syscalls::SyscallEntry, ExplainError> {
    syscalls::lookup(name).ok_or_else(|| ExplainError::UnknownSyscall {
        name: name.to_string(),
        suggestion: suggest::closest(name, syscalls::all().iter().map(|entry| entry.name())),
    })
}

/// What `policy`, installed in `context` on the `native` ABI, does to
/// `syscall(args)` called through `abi`, and why. `sources` says where each
/// rule is written (as [`crate::frontend`] reads them), if known.
///
/// ```
/// use seccomp_dsl_core::explain::{explain, Sources};
/// use seccomp_dsl_core::model::*;
/// let policy = Policy::new(Action::Errno(1), vec![Rule::new(["read"], [], Action::Allow)]);
/// let context = Context { arch: "amd64".into(), capabilities: vec![], kernel: KernelVersion { major: 6, minor: 1 } };
/// let x86_64 = SeccompArch::X86_64;
/// let read = explain(&policy, Sources::lines(&[3]), &context, x86_64, x86_64, "read", &[0; 6]).unwrap();
/// assert_eq!(read.to_string(), "allow, by line 3: allow read;");
/// let typo = explain(&policy, Sources::default(), &context, x86_64, x86_64, "raed", &[0; 6]).unwrap_err();
/// assert_eq!(typo.to_string(), "unknown syscall `raed`; did you mean `read`?");
/// ```
pub fn explain(
    policy: &Policy,
    sources: Sources<'_>,
    context: &Context,
    native: SeccompArch,
    abi: SeccompArch,
    syscall: &str,
    args: &[u64; 6],
) -> Result<Explanation, ExplainError> {
    explain_resolved(
        policy,
        sources,
        &policy.resolve(context, native),
        abi,
        syscall,
        args,
    )
}

/// [`explain`] where `policy` is already resolved (as `resolved`) for the
/// process: for a caller that explains many calls.
pub fn explain_resolved(
    policy: &Policy,
    sources: Sources<'_>,
    resolved: &Resolved<'_>,
    abi: SeccompArch,
    syscall: &str,
    args: &[u64; 6],
) -> Result<Explanation, ExplainError> {
    let entry = syscall_named(syscall)?;
    if entry.number(abi.syscall_table()).is_none() {
        return Err(ExplainError::NotOnAbi {
            name: syscall.to_string(),
            abi,
        });
    }
    if !resolved.architectures.contains(&abi) {
        return Ok(Explanation {
            action: Action::KillProcess,
            decider: Decider::AbiNotCovered,
        });
    }
    let (action, decided_by) = resolved.explain_on(abi, syscall, args);
    let decider = decider(policy, sources, resolved, decided_by);
    Ok(Explanation { action, decider })
}

/// What decided a call, said as [`Explanation`] says it: the rule's
/// statement and line, or the default, or the stub.
pub fn decider(
    policy: &Policy,
    sources: Sources<'_>,
    resolved: &Resolved<'_>,
    decided_by: DecidedBy,
) -> Decider {
    match decided_by {
        DecidedBy::Default => Decider::Default,
        DecidedBy::EnosysStub => Decider::EnosysStub,
        DecidedBy::Rule(position) => {
            let rule = resolved.rules[position];
            let index = (policy.rules.iter())
                .position(|candidate| std::ptr::eq(candidate, rule))
                .expect("a resolved rule is one of the policy's");
            let written = sources
                .conditions
                .get(index)
                .filter(|text| !text.is_empty());
            Decider::Rule {
                index,
                line: sources.lines.get(index).copied().filter(|&line| line > 0),
                statement: dsl::rule_source_written(rule, written.map(String::as_str)),
            }
        }
    }
}
