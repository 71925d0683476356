//! Complain mode: every call the policy would not let run is handed to
//! the helper, reported once per syscall and deciding value (what it would
//! get, what decides, the statement that allows it), and let run.

use std::fmt::Write as _;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use seccomp_dsl_core::bpf::{self, emulate::run, BAD_ARCH_RETURN};
use seccomp_dsl_core::model::{Action, DecidedBy, Resolved, SeccompArch};
use seccomp_dsl_core::record::{decisive_arguments, write_allowing_statement};

use super::helper::Helper;
use super::line::{write_named, Line};
use super::{abi_not_covered, first_thread_calls, native, Report, Whys};
use crate::install::kernel::{fits, load_with_listener};
use crate::supervise::{notify_instead, Call, Reply, NOT_LETTING_RUN};
use crate::{Error, Profile};

/// How many distinct calls complain mode remembers, to report each once;
/// past that it reports every call.
const REMEMBERED: usize = 4096;

/// One distinct call: the ABI, the number and the decisive values.
type Seen = (u32, i32, [u64; 2]);

/// What the helper needs to report a call.
struct Reporter {
    resolved: Resolved<'static>,
    program: Vec<bpf::Instruction>,
    whys: Whys,
    bad_abi: String,
    out: Option<OwnedFd>,
    seen: Vec<Seen>,
}

impl Reporter {
    fn fd(&self) -> RawFd {
        self.out
            .as_ref()
            .map_or(libc::STDERR_FILENO, AsRawFd::as_raw_fd)
    }

    /// Whether `syscall(args)` through `abi` was reported already; notes it
    /// as reported.
    fn first_time(
        &mut self,
        arch: u32,
        nr: i32,
        call: Option<(SeccompArch, &str, &[u64; 6])>,
    ) -> bool {
        let mut values = [0u64; 2];
        if let Some((abi, syscall, args)) = call {
            for (value, argument) in values.iter_mut().zip(decisive_arguments(syscall)) {
                *value = argument.value_in(abi, syscall, args);
            }
        }
        let key = (arch, nr, values);
        if self.seen.contains(&key) {
            return false;
        }
        if self.seen.len() < self.seen.capacity() {
            self.seen.push(key);
        }
        true
    }

    /// `would deny CALL (thread N): why (to allow it: `STATEMENT`)`; a call
    /// the policy's own `errno` rule denies (or the engine's ENOSYS stub)
    /// is denied as the policy says, so that the program's fallback runs as
    /// under `install()` (`clone3` answered ENOSYS, glibc calls `clone`).
    fn report(&mut self, call: &Call) -> Reply {
        let args = &call.data.args;
        let known = call.abi.zip(call.syscall);
        let covered = known.filter(|(abi, _)| self.resolved.architectures.contains(abi));
        let decided = covered.map(|(abi, syscall)| self.resolved.explain_on(abi, syscall, args));
        let intended = match decided {
            Some((Action::Errno(errno), DecidedBy::Rule(_) | DecidedBy::EnosysStub)) => Some(errno),
            _ => None,
        };
        let reply = intended.map_or(Reply::Continue, Reply::Errno);
        if !self.first_time(
            call.data.arch,
            call.data.nr,
            known.map(|(abi, syscall)| (abi, syscall, args)),
        ) {
            return reply;
        }
        let answer = run(&self.program, &call.data).unwrap_or(libc::SECCOMP_RET_KILL_PROCESS);
        let mut line = Line::new();
        let mood = if intended.is_some() { "" } else { "would " };
        let _ = write!(line, "seccomp-dsl: {mood}{} ", verb(answer));
        write_named(&mut line, call);
        let _ = write!(line, ": ");
        match (covered, decided) {
            (Some((abi, syscall)), Some((_, decided_by))) => {
                let _ = line.write_str(self.whys.of(decided_by));
                if intended.is_some() {
                    let _ = write!(line, " (the policy's own denial, applied)");
                } else {
                    let _ = write!(line, " (to allow it: `");
                    let _ = write_allowing_statement(&mut line, abi, syscall, args);
                    let _ = write!(line, "`)");
                }
            }
            _ => {
                let _ = line.write_str(&self.bad_abi);
            }
        }
        line.send(self.fd());
        reply
    }

    /// Reports each call glibc's first-thread set-up makes that the policy
    /// would not let run: the helper's start made them before the filter,
    /// so the program's first thread will not make them under it.
    fn report_first_thread_calls(&mut self) -> Result<(), Error> {
        let abi = native()?;
        for (syscall, args) in first_thread_calls() {
            let (action, decided_by) = self.resolved.explain_on(abi, syscall, &args);
            if action.may_run_call() {
                continue;
            }
            let Some(number) = seccomp_dsl_core::syscalls::lookup(syscall)
                .and_then(|entry| entry.number(abi.syscall_table()))
            else {
                continue;
            };
            let arch = bpf::audit_arch(abi).unwrap_or(0);
            let nr = (number | bpf::number_bias(abi)) as i32;
            if !self.first_time(arch, nr, Some((abi, syscall, &args))) {
                continue;
            }
            let mut line = Line::new();
            let _ = write!(
                line,
                "seccomp-dsl: would {} ",
                verb(bpf::return_value(action))
            );
            let _ = seccomp_dsl_core::compare::write_call(&mut line, syscall, &args, true);
            let _ = write!(
                line,
                " on {} (glibc, when the program starts its first thread; seccomp-dsl's own \
                 thread made it here before the filter): {} (to allow it: `",
                abi.name(),
                self.whys.of(decided_by)
            );
            let _ = write_allowing_statement(&mut line, abi, syscall, &args);
            let _ = write!(line, "`)");
            line.send(self.fd());
        }
        Ok(())
    }
}

/// What a call's answer does to it, as `seccomp-dsl run` says it.
fn verb(answer: u32) -> &'static str {
    match answer & libc::SECCOMP_RET_ACTION_FULL {
        libc::SECCOMP_RET_ERRNO => "deny",
        libc::SECCOMP_RET_KILL_PROCESS | libc::SECCOMP_RET_KILL_THREAD => "kill",
        libc::SECCOMP_RET_TRAP => "trap",
        _ => "trace",
    }
}

pub(crate) fn install(profile: &'static Profile, report: Report) -> Result<(), Error> {
    let resolved = profile.resolve_installed_here()?;
    let program = bpf::compile(&resolved).map_err(Error::Compile)?;
    let watched = notify_instead(&program, &NOT_LETTING_RUN);
    fits(&watched)?;
    let out = match report {
        Report::Stderr => None,
        Report::File(path) => {
            use std::os::unix::fs::OpenOptionsExt;
            let file = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .mode(0o600)
                .open(&path)
                .map_err(Error::Report)?;
            Some(OwnedFd::from(file))
        }
    };
    let whys = Whys::new(profile, &resolved);
    let mut reporter = Reporter {
        resolved,
        program,
        whys,
        bad_abi: abi_not_covered(BAD_ARCH_RETURN),
        out,
        seen: Vec::with_capacity(REMEMBERED),
    };
    reporter.report_first_thread_calls()?;
    let helper = Helper::start("seccomp-dsl complain", move |call| reporter.report(call))?;
    helper.hand(load_with_listener(&watched, &profile.policy.flags))
}
