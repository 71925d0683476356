//! Installing a policy in a mode that tells its owner what it does:
//! naming each call it kills for before the process dies
//! ([`Profile::install_naming_kills`], and the same for one thread and for
//! a child process), or denying nothing and reporting what it would deny
//! ([`Profile::install_complain`]). Neither needs root.
//!
//! Both answer the filter's notifications from a thread of seccomp-dsl's
//! started before the filter ([`helper`]), which writes each line from
//! the stack ([`line`]): the calls it answers may be made from inside the
//! allocator. Both also account for what that thread's start changed: the
//! first thread a glibc program starts makes glibc set up its `set*id`
//! signal ([`first_thread_calls`]), which the program's own first thread
//! then no longer does under the filter.

mod complain;
mod helper;
mod line;
mod naming;

use std::path::PathBuf;

use seccomp_dsl_core::explain::{decider, Decider, Explanation};
use seccomp_dsl_core::model::{Action, DecidedBy, Resolved, SeccompArch};

use crate::install::kernel::Scope;
use crate::{recorder, Error, Profile};

pub(crate) use naming::command as naming_command;

/// Where [`Profile::install_complain`] reports.
#[derive(Clone, Debug)]
pub enum Report {
    /// The process's standard error.
    Stderr,
    /// A file, created readable by its owner only if it does not exist,
    /// appended to otherwise.
    File(PathBuf),
}

/// What decides each call of a resolved policy, said as `seccomp-dsl run`
/// says it (`kill_process, by line 12: kill_process getpriority;`),
/// prepared before the filter is loaded.
struct Whys {
    rules: Vec<String>,
    default: String,
    stub: String,
}

impl Whys {
    fn new(profile: &Profile, resolved: &Resolved<'_>) -> Whys {
        let said = |action: Action, decided_by: DecidedBy| {
            let decider = decider(
                &profile.policy,
                seccomp_dsl_core::explain::Sources::lines(profile.rule_lines),
                resolved,
                decided_by,
            );
            Explanation { action, decider }.to_string()
        };
        Whys {
            rules: (resolved.rules.iter().enumerate())
                .map(|(index, rule)| said(rule.action, DecidedBy::Rule(index)))
                .collect(),
            default: said(resolved.default_action, DecidedBy::Default),
            stub: said(
                seccomp_dsl_core::engines::STUB_ACTION,
                DecidedBy::EnosysStub,
            ),
        }
    }

    fn of(&self, decided_by: DecidedBy) -> &str {
        match decided_by {
            DecidedBy::Rule(index) => &self.rules[index],
            DecidedBy::Default => &self.default,
            DecidedBy::EnosysStub => &self.stub,
        }
    }
}

/// Why a call of an ABI the policy does not cover gets `answer`.
fn abi_not_covered(answer: u32) -> String {
    let action = seccomp_dsl_core::bpf::disasm::action(answer);
    let said = Explanation {
        action: Action::KillProcess,
        decider: Decider::AbiNotCovered,
    }
    .to_string();
    // The filter's own answer (a thread kill), with the explanation's why.
    match said.split_once(", ") {
        Some((_, why)) => format!("{action}, {why}"),
        None => action,
    }
}

/// The calls glibc makes when a process starts its first thread (its
/// `late_init`: the handler of `SIGSETXID`, and unblocking it with
/// `SIGCANCEL`), where the process runs glibc and has one thread: a
/// diagnostic mode's helper thread makes them before the filter is loaded,
/// so the program's own first thread will not; the mode answers them
/// itself.
fn first_thread_calls() -> Vec<(&'static str, [u64; 6])> {
    let single = helper::thread_count() == Some(1);
    if !cfg!(target_env = "gnu") || !single {
        return Vec::new();
    }
    // Pointers to a `struct sigaction` and to a `sigset_t` (of SIGCANCEL
    // and SIGSETXID): not null.
    let (action, set) = (0x1000, 0x1000);
    const SIGSETXID: u64 = 33;
    const SIG_UNBLOCK: u64 = 1;
    const SIGSET_BYTES: u64 = 8;
    vec![
        ("rt_sigaction", [SIGSETXID, action, 0, SIGSET_BYTES, 0, 0]),
        ("rt_sigprocmask", [SIG_UNBLOCK, set, 0, SIGSET_BYTES, 0, 0]),
    ]
}

/// The native ABI, for calls this process makes itself.
fn native() -> Result<SeccompArch, Error> {
    SeccompArch::native().ok_or(Error::UnsupportedArchitecture)
}

impl Profile {
    /// [`Profile::install`], except that a call the policy kills for is
    /// named on standard error before the process dies by SIGSYS, as
    /// `seccomp-dsl run` names it: `seccomp-dsl: kill socket(AF_NETLINK,
    /// SOCK_RAW, 0) on x86_64 (thread 4242): kill_process, the default
    /// action`.
    ///
    /// For finding what a policy is missing while developing; once the
    /// policy is complete, use [`Profile::install`]. A thread of
    /// seccomp-dsl's, started first and left unfiltered, names the calls
    /// (so the policy need not allow `write`, and a kill is named even
    /// where the program blocks SIGSYS, as `posix_spawn` does); so it must
    /// be called while the process has one thread, at the top of `main`
    /// (else [`Error::Diagnose`]). A `kill_thread` ends the whole process
    /// here. A call of a child process the policy kills is named too, and
    /// the child killed.
    ///
    /// Feature `tools`.
    pub fn install_naming_kills(&'static self) -> Result<(), Error> {
        if let Some(recorded) = recorder::recorded_instead(Scope::Process) {
            return recorded;
        }
        naming::install(self, naming::Scope::Process)
    }

    /// [`Profile::install_current_thread`], naming each call the policy
    /// kills for as [`Profile::install_naming_kills`] does.
    ///
    /// Feature `tools`.
    pub fn install_current_thread_naming_kills(&'static self) -> Result<(), Error> {
        if let Some(recorded) = recorder::recorded_instead(Scope::Thread) {
            return recorded;
        }
        naming::install(self, naming::Scope::Thread)
    }

    /// Installs the policy in complain mode: each call the policy would
    /// deny, kill for, trap or trace is let run and reported once per
    /// syscall and deciding value, with the action it would get, the rule
    /// or default that decides it, and the statement that would allow it.
    /// Only what the policy's own `errno` rules deny (and the engine's
    /// ENOSYS stub) is denied, and reported, so that the program takes the
    /// path it takes under [`Profile::install`] (`errno(ENOSYS) clone3;`
    /// makes glibc call `clone`, which is then reported). No root is
    /// needed.
    ///
    /// The filter covers the calling thread and every thread and process
    /// it starts from here on, not threads already running: call it first
    /// thing in `main`. A thread of seccomp-dsl's, started first and left
    /// unfiltered, answers the calls; what its start makes glibc do, which
    /// the program's first thread would otherwise do under the filter, is
    /// reported too, as such. For learning what a program needs while it
    /// runs as usual (a test suite, a staging run); a process in complain
    /// mode is not confined.
    ///
    /// ```no_run
    /// static POLICY: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    ///     #[allow(engine_cannot_start)]
    ///     default kill_process;
    ///     allow read, write, exit_group, rt_sigreturn, restart_syscall;
    /// };
    /// fn main() {
    ///     POLICY.install_complain(seccomp_dsl::Report::Stderr).unwrap();
    /// }
    /// ```
    ///
    /// Feature `tools`.
    pub fn install_complain(&'static self, report: Report) -> Result<(), Error> {
        if let Some(recorded) = recorder::recorded_instead(Scope::Thread) {
            return recorded;
        }
        complain::install(self, report)
    }
}
