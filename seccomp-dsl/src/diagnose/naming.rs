//! Naming kills: the filter hands each call the policy kills for to the
//! helper, which names it as `seccomp-dsl run` does and then kills as the
//! kernel would have: its own process by SIGSYS (whatever the program's
//! threads block or handle), another process (a child) by SIGSYS, or by
//! SIGKILL where that one blocks SIGSYS (a `vfork` child of
//! `posix_spawn`, which blocks every signal).

use std::fmt::Write as _;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt as _;
use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use seccomp_dsl_core::bpf::{self, emulate::run, Instruction, BAD_ARCH_RETURN};
use seccomp_dsl_core::model::{Flag, Resolved};

use super::helper::{thread_count, Helper};
use super::line::{kills, thread_group, write_named, Line};
use super::{abi_not_covered, first_thread_calls, native, Whys};
use crate::install::kernel::{fits, load_with_listener};
use crate::supervise::{notify_instead, Call, Reply};
use crate::{Error, Profile};

/// The answers naming mode hands to its helper.
const KILLING: [u32; 2] = [
    libc::SECCOMP_RET_KILL_PROCESS,
    libc::SECCOMP_RET_KILL_THREAD,
];

/// Where naming mode applies.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The process: it must have one thread.
    Process,
    /// The calling thread, and what it starts later.
    Thread,
}

/// What the helper needs to name a call: the policy as resolved here,
/// its program, and what decides each call, said.
struct Namer {
    resolved: Resolved<'static>,
    program: Vec<Instruction>,
    whys: Whys,
    bad_abi: String,
}

impl Namer {
    /// For `install()` (the `startup` rules left out), or, `whole`, for a
    /// child whose start runs under the policy.
    fn new(profile: &'static Profile, whole: bool) -> Result<Namer, Error> {
        let resolved = match whole {
            true => profile.resolve_here()?,
            false => profile.resolve_installed_here()?,
        };
        let program = bpf::compile(&resolved).map_err(Error::Compile)?;
        let whys = Whys::new(profile, &resolved);
        Ok(Namer {
            resolved,
            program,
            whys,
            bad_abi: abi_not_covered(BAD_ARCH_RETURN),
        })
    }

    /// The program with its kills handed to the helper.
    fn watched(&self) -> Vec<Instruction> {
        notify_instead(&self.program, &KILLING)
    }

    /// `kill CALL (thread N): why`, for a call the policy kills for.
    fn write(&self, line: &mut Line, call: &Call) {
        let _ = write!(line, "seccomp-dsl: kill ");
        write_named(line, call);
        let _ = write!(line, ": ");
        let covered = call
            .abi
            .filter(|abi| self.resolved.architectures.contains(abi));
        match (covered, call.syscall) {
            (Some(abi), Some(name)) => {
                let (_, decided_by) = self.resolved.explain_on(abi, name, &call.data.args);
                let _ = line.write_str(self.whys.of(decided_by));
            }
            (Some(_), None) => {
                let _ = line.write_str(&self.whys.default);
            }
            (None, _) => {
                let _ = line.write_str(&self.bad_abi);
            }
        }
    }

    /// Names `call` and kills as the kernel would have.
    fn name_and_kill(&self, call: &Call) -> Reply {
        let answer = run(&self.program, &call.data).unwrap_or(libc::SECCOMP_RET_KILL_PROCESS);
        if !kills(answer) {
            // Not one of naming mode's: the program's own answer stands.
            return Reply::Continue;
        }
        let mut line = Line::new();
        self.write(&mut line, call);
        line.send(libc::STDERR_FILENO);
        kill_as_the_kernel(call.thread)
    }
}

/// Kills the process thread `thread` belongs to by SIGSYS, as a seccomp
/// kill does; another process that blocks SIGSYS by SIGKILL. Does not
/// return for this process.
fn kill_as_the_kernel(thread: u32) -> Reply {
    // SAFETY: plain system calls on our own process or the caller's.
    unsafe {
        let own = libc::getpid();
        match thread_group(thread) {
            Some(process) if process == own => {
                // The program's handler, or its ignoring SIGSYS, would turn
                // the kill into a call that returns.
                let default = [libc::SIG_DFL as u64, 0, 0, 0];
                libc::syscall(
                    libc::SYS_rt_sigaction,
                    libc::SIGSYS,
                    default.as_ptr(),
                    std::ptr::null::<u64>(),
                    8,
                );
                // Delivered to a thread that does not block it: this one.
                libc::kill(own, libc::SIGSYS);
                loop {
                    libc::pause();
                }
            }
            Some(process) => {
                libc::kill(process, libc::SIGSYS);
                if dies_within(process, 200) {
                    // Gone: nothing to answer.
                    Reply::Continue
                } else {
                    Reply::KillProcess
                }
            }
            None => Reply::KillProcess,
        }
    }
}

/// Whether process `pid` ends within `milliseconds`.
fn dies_within(pid: i32, milliseconds: i32) -> bool {
    // SAFETY: a descriptor for our own wait, closed below.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if pidfd < 0 {
        return true;
    }
    // SAFETY: the descriptor just opened.
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd as i32) };
    let mut poll = libc::pollfd {
        fd: pidfd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one pollfd, alive for the call.
    unsafe { libc::poll(&mut poll, 1, milliseconds) > 0 }
}

/// Says, before the filter is loaded, each call glibc's first-thread
/// set-up makes that the policy kills: the helper's start made them, so
/// the program's first thread, which would die there under `install()`,
/// goes on here.
fn say_first_thread_kills(namer: &Namer) -> Result<(), Error> {
    let abi = native()?;
    for (syscall, args) in first_thread_calls() {
        let (action, decided_by) = namer.resolved.explain_on(abi, syscall, &args);
        if !kills(bpf::return_value(action)) {
            continue;
        }
        let mut line = Line::new();
        let _ = write!(line, "seccomp-dsl: the policy kills ");
        let _ = seccomp_dsl_core::compare::write_call(&mut line, syscall, &args, true);
        let _ = write!(
            line,
            " on {}, which glibc makes when the program starts its first thread: under \
             install() the process dies there ({})",
            abi.name(),
            namer.whys.of(decided_by)
        );
        line.send(libc::STDERR_FILENO);
    }
    Ok(())
}

pub(crate) fn install(profile: &'static Profile, scope: Scope) -> Result<(), Error> {
    if scope == Scope::Process && thread_count() != Some(1) {
        return Err(Error::Diagnose(
            "naming mode covers the whole process only from its first thread, and other threads \
             already run: call install_naming_kills() first thing in main, or \
             install_current_thread_naming_kills() in the thread to confine",
        ));
    }
    let namer = Namer::new(profile, false)?;
    let watched = namer.watched();
    fits(&watched)?;
    say_first_thread_kills(&namer)?;
    let helper = Helper::start("seccomp-dsl naming", move |call| namer.name_and_kill(call))?;
    helper.hand(load_with_listener(&watched, &profile.policy.flags))
}

/// The handshake between a child and the helper that names its kills, in
/// memory both see.
#[repr(C)]
struct Handshake {
    state: AtomicI32,
    pid: AtomicI32,
    fd: AtomicI32,
}

const IDLE: i32 = 0;
const LOADED: i32 = 1;
const TAKEN: i32 = 2;
const ABANDONED: i32 = 3;

/// Shared anonymous memory holding a [`Handshake`].
struct Shared(*mut Handshake);

// SAFETY: the memory is atomics only, mapped for the life of the value.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

impl Shared {
    fn new() -> Result<Shared, Error> {
        // SAFETY: a fresh anonymous mapping, zeroed by the kernel: a valid
        // Handshake in state IDLE.
        let address = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                std::mem::size_of::<Handshake>(),
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if address == libc::MAP_FAILED {
            return Err(Error::Report(std::io::Error::last_os_error()));
        }
        Ok(Shared(address.cast()))
    }

    fn get(&self) -> &Handshake {
        // SAFETY: mapped for the life of self.
        unsafe { &*self.0 }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, no longer referenced.
        unsafe { libc::munmap(self.0.cast(), std::mem::size_of::<Handshake>()) };
    }
}

/// Held by the command's `pre_exec` closure: when the command is dropped,
/// the helper waiting for its children ends.
struct Abandon(Arc<Shared>);

impl Drop for Abandon {
    fn drop(&mut self) {
        self.0.get().state.store(ABANDONED, Ordering::Release);
    }
}

/// `CommandExt::seccomp_policy_naming_kills`.
pub(crate) fn command(command: &mut Command, profile: &'static Profile) -> Result<(), Error> {
    let namer = Arc::new(Namer::new(profile, true)?);
    let watched = namer.watched();
    fits(&watched)?;
    let flags: Vec<Flag> = profile.policy.flags.to_vec();
    let shared = Arc::new(Shared::new()?);
    let waiting = Arc::clone(&shared);
    std::thread::Builder::new()
        .name("seccomp-dsl naming".into())
        .spawn(move || take_each_child(&waiting, &namer))
        .map_err(Error::Report)?;
    let abandon = Abandon(shared);
    // SAFETY: between fork and exec the closure makes system calls on
    // memory allocated before the fork (`watched`, `flags`, the shared
    // mapping) and then waits on that mapping without any: no allocation,
    // no lock.
    unsafe {
        command.pre_exec(move || {
            let handshake = abandon.0.get();
            let listener = load_with_listener(&watched, &flags).map_err(Error::into_io)?;
            handshake.pid.store(libc::getpid(), Ordering::Relaxed);
            handshake.fd.store(
                std::os::fd::IntoRawFd::into_raw_fd(listener),
                Ordering::Relaxed,
            );
            handshake.state.store(LOADED, Ordering::Release);
            // Without a system call: each would wait for the listener the
            // helper has not taken yet.
            while handshake.state.load(Ordering::Acquire) == LOADED {
                std::hint::spin_loop();
            }
            Ok(())
        });
    }
    Ok(())
}

/// Takes the listener of each child the command starts and names its
/// kills from a thread of its own, until the command is dropped.
fn take_each_child(shared: &Shared, namer: &Arc<Namer>) {
    let handshake = shared.get();
    loop {
        match handshake.state.load(Ordering::Acquire) {
            ABANDONED => return,
            LOADED => {
                let (pid, fd) = (
                    handshake.pid.load(Ordering::Relaxed),
                    handshake.fd.load(Ordering::Relaxed),
                );
                let taken = take(pid, fd);
                handshake.state.store(TAKEN, Ordering::Release);
                match taken {
                    Some(listener) => {
                        let namer = Arc::clone(namer);
                        let _ = std::thread::Builder::new()
                            .name("seccomp-dsl naming".into())
                            .spawn(move || {
                                let _ = crate::supervise::supervise(&listener, &mut |call| {
                                    namer.name_and_kill(call)
                                });
                            });
                    }
                    // Without a listener its notified calls would fail
                    // with ENOSYS.
                    // SAFETY: signalling the child we started.
                    None => unsafe {
                        libc::kill(pid, libc::SIGKILL);
                    },
                }
            }
            _ => std::thread::sleep(std::time::Duration::from_millis(1)),
        }
        // The next child of the same command starts from here.
        let _ = handshake
            .state
            .compare_exchange(TAKEN, IDLE, Ordering::AcqRel, Ordering::Acquire);
    }
}

/// The child's listener, taken with `pidfd_getfd(2)`.
fn take(pid: i32, fd: i32) -> Option<OwnedFd> {
    // SAFETY: plain system calls; each descriptor is owned once.
    unsafe {
        let pidfd = libc::syscall(libc::SYS_pidfd_open, pid, 0);
        if pidfd < 0 {
            return None;
        }
        let pidfd = OwnedFd::from_raw_fd(pidfd as i32);
        let listener = libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), fd, 0);
        (listener >= 0).then(|| OwnedFd::from_raw_fd(listener as i32))
    }
}
