//! Whether a container starts under a policy's profile: every call the
//! engine's runtime makes itself after loading the filter
//! ([`crate::engines::RuntimeCall`], with the argument values it passes)
//! must be let run, for every value of the arguments it does not fix.
//! Decided exactly ([`crate::decide`]), on each host the engine is
//! targeted on, for a container with the engine's default capabilities.

use std::fmt;

use crate::bpf::{self, audit_arch, emulate::SeccompData};
use crate::decide::{answers, Limits, Prepared, Side};
use crate::engines::{Denied, Engine, RuntimeCall};
use crate::model::{
    Action, Context, DecidedBy, KernelVersion, Policy, SeccompArch, DOCKER_CONTAINER_CAPABILITIES,
};

pub use crate::model::ContainerSettings as Settings;

/// A runtime call the policy does not let run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stopped {
    /// The call, as the runtime makes it.
    pub call: RuntimeCall,
    /// The host it was decided on.
    pub host: SeccompArch,
    /// A call of that form the policy stops, and what it gets.
    pub witness: SeccompData,
    /// What the policy does to it.
    pub action: Action,
    /// The rule that decides it (its index in the policy's rules), or the
    /// default.
    pub rule: Option<usize>,
}

impl Stopped {
    /// Whether the policy kills (or traps) the call: runc's init then dies,
    /// and the container hangs instead of starting.
    pub fn kills(&self) -> bool {
        !self.action.may_run_call() && !matches!(self.action, Action::Errno(_))
    }
}

/// A runtime call as a person reads it: `fcntl(_, F_SETFD, FD_CLOEXEC)`.
pub struct Written<'c>(pub &'c RuntimeCall);

impl fmt::Display for Written<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let call = self.0;
        let count = crate::signatures::lookup(call.syscall).map_or(6, |s| s.arguments().len());
        write!(f, "{}(", call.syscall)?;
        for (index, value) in call.args.iter().take(count).enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            match value {
                None => f.write_str("_")?,
                Some(value) => {
                    let width = crate::upper_half::kernel_width(call.syscall, index as u8)
                        .map_or(u64::MAX, |width| width.mask());
                    let value = value & width;
                    let level = call.args[1];
                    match crate::constants::description(call.syscall, index as u8, value, level) {
                        Some(named) => write!(f, "{named}")?,
                        None if value < 10_000 => write!(f, "{value}")?,
                        None => write!(f, "{value:#x}")?,
                    }
                }
            }
        }
        f.write_str(")")
    }
}

/// The context a container is decided in on `host`.
fn context(host: SeccompArch) -> Option<Context> {
    Some(Context {
        arch: host.docker_arch()?.into(),
        capabilities: DOCKER_CONTAINER_CAPABILITIES.map(Into::into).to_vec(),
        kernel: KernelVersion { major: 6, minor: 1 },
    })
}

/// The calls of `engine`'s runtime that `policy` kills, or denies where
/// the denial keeps the container from starting, for a container run with
/// `settings`: each call once, with a call that shows it.
///
/// ```
/// use seccomp_dsl_core::container_start::{stopped, Settings};
/// use seccomp_dsl_core::engines::TARGET;
/// use seccomp_dsl_core::model::{Action, ArgCondition, CmpOp, Policy, Rule};
/// // fcntl killed but for F_GETFD: runc's `fcntl(_, F_SETFD, FD_CLOEXEC)` is.
/// let not_getfd = Rule::new(["fcntl"], [ArgCondition::new(1, CmpOp::Ne, 1)], Action::KillProcess);
/// let policy = Policy::new(Action::Allow, vec![not_getfd]);
/// let found = stopped(&TARGET, &policy, Settings::default());
/// assert!(found.iter().any(|s| s.call.syscall == "fcntl"));
/// // Denied, runc ignores the error and the container starts.
/// let denied = Rule::new(["fcntl"], [ArgCondition::new(1, CmpOp::Ne, 1)], Action::Errno(1));
/// let policy = Policy::new(Action::Allow, vec![denied]);
/// assert_eq!(stopped(&TARGET, &policy, Settings::default()), []);
/// ```
pub fn stopped(engine: &Engine, policy: &Policy, settings: Settings) -> Vec<Stopped> {
    let mut found: Vec<Stopped> = Vec::new();
    for &host in engine.hosts {
        let (Some(context), Some(arch)) = (context(host), audit_arch(host)) else {
            continue;
        };
        let resolved = policy.resolve(&context, host);
        let prepared = Prepared::new(&resolved);
        for call in engine.runtime_calls {
            if call.without_no_new_privileges_only && settings.no_new_privileges {
                continue;
            }
            if found.iter().any(|known| known.call == *call) {
                continue;
            }
            let Some(number) = crate::syscalls::lookup(call.syscall)
                .and_then(|entry| entry.number(host.syscall_table()))
            else {
                continue;
            };
            let mut words = vec![(0, number + bpf::number_bias(host)), (1, arch)];
            for (index, value) in call.args.iter().enumerate() {
                if let Some(value) = value {
                    words.push((4 + 2 * index as u8, *value as u32));
                    words.push((5 + 2 * index as u8, (*value >> 32) as u32));
                }
            }
            // A policy gives a call few answers; every one is looked at.
            // Where that cannot be decided, the call counts as killed: the
            // check never passes what it has not proven.
            let every = answers(&Side::Prepared(&prepared), &words, 64, &Limits::default())
                .unwrap_or_else(|_| {
                    let mut data = SeccompData {
                        nr: number as i32,
                        arch,
                        ..SeccompData::default()
                    };
                    data.args = call.args.map(|value| value.unwrap_or(0));
                    vec![(bpf::ret::KILL_PROCESS, data)]
                });
            // A denial the runtime ignores lets it start; a kill never does.
            let denial_fails = match call.denied {
                Denied::Fails | Denied::FailsWhenMade => true,
                Denied::FailsWithoutNoNewPrivileges => !settings.no_new_privileges,
                Denied::Ignored => false,
            };
            let blocked =
                every
                    .into_iter()
                    .find(|(answer, _)| match answer & bpf::ret::ACTION_FULL {
                        bpf::ret::ALLOW | bpf::ret::LOG | bpf::ret::TRACE => false,
                        bpf::ret::ERRNO => denial_fails,
                        _ => true,
                    });
            let Some((_, witness)) = blocked else {
                continue;
            };
            let (action, decided_by) = resolved.explain_on(host, call.syscall, &witness.args);
            let rule = match decided_by {
                DecidedBy::Rule(position) => {
                    let rule = resolved.rules[position];
                    policy
                        .rules
                        .iter()
                        .position(|candidate| std::ptr::eq(candidate, rule))
                }
                _ => None,
            };
            found.push(Stopped {
                call: *call,
                host,
                witness,
                action,
                rule,
            });
        }
    }
    found.sort_by_key(|stopped| (stopped.call.syscall, stopped.call.args));
    found
}

/// What keeps a container from starting under `policy`'s profile in
/// `engine` (run with `settings`), said; `None` when the runtime's own
/// calls pass. For a policy meant for `install()` alone, exported anyway.
///
/// ```
/// use seccomp_dsl_core::container_start::{start_problem, Settings};
/// use seccomp_dsl_core::engines::TARGET;
/// use seccomp_dsl_core::model::{Action, Policy};
/// let strict = Policy::new(Action::Errno(1), vec![]);
/// let said = start_problem(&TARGET, &strict, Settings::default()).unwrap();
/// assert!(said.contains("a container does not start under this profile"));
/// assert_eq!(start_problem(&TARGET, &Policy::new(Action::Allow, vec![]), Settings::default()), None);
/// ```
pub fn start_problem(engine: &Engine, policy: &Policy, settings: Settings) -> Option<String> {
    let stopped = stopped(engine, policy, settings);
    if stopped.is_empty() {
        return None;
    }
    Some(format!(
        "{} calls {} itself after loading the filter, and this policy denies or kills them: a \
         container does not start under this profile (a policy for install() alone says so \
         with #[allow(engine_cannot_start)] above `default`)",
        engine.describe(),
        listed(&stopped)
    ))
}

/// Whether `engine`'s model of its runtime has the call `syscall(args)`:
/// an entry for the syscall whose fixed arguments `args` all hold. What a
/// recording of a container finds its runtime doing is checked with it.
///
/// ```
/// use seccomp_dsl_core::container_start::modelled;
/// use seccomp_dsl_core::engines::TARGET;
/// assert!(modelled(&TARGET, "fcntl", &[5, 2, 1, 0, 0, 0]));
/// assert!(!modelled(&TARGET, "fcntl", &[5, 4, 0x800, 0, 0, 0]));
/// ```
pub fn modelled(engine: &Engine, syscall: &str, args: &[u64; 6]) -> bool {
    engine.runtime_calls.iter().any(|call| {
        call.syscall == syscall
            && (call.args.iter().zip(args)).all(|(fixed, value)| fixed.is_none_or(|f| f == *value))
    })
}

/// The calls of `stopped`, each in backquotes, joined with commas.
pub fn listed(stopped: &[Stopped]) -> String {
    stopped
        .iter()
        .map(|stopped| format!("`{}`", Written(&stopped.call)))
        .collect::<Vec<_>>()
        .join(", ")
}
