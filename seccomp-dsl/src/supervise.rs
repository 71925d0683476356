//! Running a command under a filter whose notified calls this process
//! decides (seccomp user notification): what `seccomp-dsl record` and
//! `seccomp-dsl run` are built on.
//!
//! The child sets no_new_privs and loads the filter with a listener just
//! before `execve`, hands the listener to this process through shared
//! memory (any system call would itself wait for the listener) and goes
//! on once it has been taken with `pidfd_getfd(2)`. Every call the filter
//! answers with `SECCOMP_RET_USER_NOTIF` then waits for
//! [`Supervised::run`]'s handler, in the command, its threads and its
//! children alike, across `execve`. No ptrace and no root are involved.
//!
//! ```no_run
//! use seccomp_dsl::supervise::{notify_every_call, Reply, Supervised};
//! let mut command = std::process::Command::new("true");
//! let supervised = Supervised::spawn(&mut command, &notify_every_call(), &[]).unwrap();
//! let status = supervised.run(|call| {
//!     eprintln!("{:?} {}", call.abi, call.syscall.unwrap_or("?"));
//!     Reply::Continue
//! });
//! println!("true: {status:?}");
//! ```

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::os::unix::process::CommandExt as _;
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicI32, Ordering};
use std::thread::JoinHandle;

use seccomp_dsl_core::bpf::{self, emulate::SeccompData, op, Instruction};
use seccomp_dsl_core::model::{Flag, SeccompArch};

use crate::install::kernel::{fits, load_with_listener};

/// A program that sends every call to the supervisor.
pub fn notify_every_call() -> Vec<Instruction> {
    vec![Instruction::new(
        op::RET | op::K,
        0,
        0,
        libc::SECCOMP_RET_USER_NOTIF,
    )]
}

/// The answers that deny a call (as `SECCOMP_RET_ACTION_FULL` bits): an
/// errno, or a kill. What `seccomp-dsl run` has the supervisor decide, to
/// name each such call.
pub const DENYING: [u32; 3] = [
    libc::SECCOMP_RET_ERRNO,
    libc::SECCOMP_RET_KILL_PROCESS,
    libc::SECCOMP_RET_KILL_THREAD,
];

/// [`DENYING`], and the answers that hand a call to someone else (a
/// SIGSYS handler, a tracer): every answer but letting the call run. What
/// complain mode lets run and reports.
pub const NOT_LETTING_RUN: [u32; 5] = [
    DENYING[0],
    DENYING[1],
    DENYING[2],
    libc::SECCOMP_RET_TRAP,
    libc::SECCOMP_RET_TRACE,
];

/// `program` with every return of one of `actions` (given as their
/// `SECCOMP_RET_ACTION_FULL` bits) turned into a notification, so that the
/// supervisor sees those calls; every other answer, and the cost of every
/// call the program lets run, is unchanged.
pub fn notify_instead(program: &[Instruction], actions: &[u32]) -> Vec<Instruction> {
    program
        .iter()
        .map(|instruction| {
            let returns = instruction.code == op::RET | op::K;
            if returns && actions.contains(&(instruction.k & libc::SECCOMP_RET_ACTION_FULL)) {
                Instruction::new(instruction.code, 0, 0, libc::SECCOMP_RET_USER_NOTIF)
            } else {
                *instruction
            }
        })
        .collect()
}

/// A call the filter sent to the supervisor.
#[derive(Clone, Debug)]
pub struct Call {
    /// The thread that made it (its id in this process's PID namespace).
    pub thread: u32,
    /// The ABI it came through; `None` for one seccomp-dsl does not know.
    pub abi: Option<SeccompArch>,
    /// Its name, when the ABI's table has its number.
    pub syscall: Option<&'static str>,
    /// What the filter was given, for running it through a program.
    pub data: SeccompData,
}

impl Call {
    /// The NUL-terminated string at `address` in the calling process (a
    /// path the call names), up to `max` bytes; `None` where it cannot be
    /// read. The process may change it once the call goes on: it is what
    /// the call pointed to when the supervisor looked, for saying, never
    /// for deciding.
    pub fn string_at(&self, address: u64, max: usize) -> Option<Vec<u8>> {
        read_string(self.thread, address, max)
    }
}

/// The NUL-terminated string at `address` in process (or thread) `pid`,
/// read with `process_vm_readv` a page at a time, up to `max` bytes.
fn read_string(pid: u32, address: u64, max: usize) -> Option<Vec<u8>> {
    const PAGE: u64 = 4096;
    let mut bytes = Vec::new();
    let mut at = address;
    while bytes.len() < max {
        let in_page = (PAGE - at % PAGE).min((max - bytes.len()) as u64) as usize;
        let mut chunk = vec![0u8; in_page];
        let local = libc::iovec {
            iov_base: chunk.as_mut_ptr().cast(),
            iov_len: in_page,
        };
        let remote = libc::iovec {
            iov_base: at as usize as *mut libc::c_void,
            iov_len: in_page,
        };
        // SAFETY: reads into `chunk`, which holds `in_page` bytes; the
        // remote range is only read, by the kernel, which checks it.
        let read = unsafe { libc::process_vm_readv(pid as i32, &local, 1, &remote, 1, 0) };
        if read <= 0 {
            break;
        }
        chunk.truncate(read as usize);
        if let Some(end) = chunk.iter().position(|&byte| byte == 0) {
            bytes.extend_from_slice(&chunk[..end]);
            return Some(bytes);
        }
        bytes.extend_from_slice(&chunk);
        at += read as u64;
    }
    (!bytes.is_empty()).then_some(bytes)
}

/// What the supervisor makes of a notified call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// The call runs as if no filter had stopped it.
    Continue,
    /// The call fails with this errno, without running.
    Errno(u16),
    /// The call returns this value, without running.
    Return(i64),
    /// The process that made the call is killed (`SIGKILL`), without the
    /// call running.
    KillProcess,
}

/// A command started under a notifying filter; see [`Supervised::run`].
pub struct Supervised {
    /// The command's process id.
    pid: u32,
    listener: OwnedFd,
    /// The thread that started the command and waits for it: `spawn`
    /// returns only once the command runs, so it cannot be this one,
    /// which must answer the calls made until then.
    waiter: JoinHandle<io::Result<ExitStatus>>,
}

/// The handshake between the child and this process, in memory both see.
#[repr(C)]
struct Handshake {
    state: AtomicI32,
    pid: AtomicI32,
    fd: AtomicI32,
}

const LOADED: i32 = 1;
const TAKEN: i32 = 2;

/// Shared anonymous memory holding a [`Handshake`], unmapped on drop.
struct SharedHandshake(*mut Handshake);

impl SharedHandshake {
    fn new() -> io::Result<SharedHandshake> {
        // SAFETY: a fresh anonymous mapping; zeroed by the kernel, which is
        // a valid Handshake (three atomics, the state before LOADED).
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
            return Err(io::Error::last_os_error());
        }
        Ok(SharedHandshake(address.cast()))
    }

    fn get(&self) -> &Handshake {
        // SAFETY: mapped for the life of self.
        unsafe { &*self.0 }
    }
}

impl Drop for SharedHandshake {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, no longer referenced.
        unsafe { libc::munmap(self.0.cast(), std::mem::size_of::<Handshake>()) };
    }
}

impl Supervised {
    /// Starts `command` (taken: `command` is left empty) with `program`
    /// loaded (with `flags`) just before it executes. Every call the
    /// program answers with `SECCOMP_RET_USER_NOTIF` waits for
    /// [`Supervised::run`].
    pub fn spawn(
        command: &mut Command,
        program: &[Instruction],
        flags: &[Flag],
    ) -> io::Result<Supervised> {
        fits(program).map_err(crate::Error::into_io)?;
        let handshake = SharedHandshake::new()?;
        let (program, flags) = (program.to_vec(), flags.to_vec());
        let shared = handshake.0 as usize;
        // SAFETY: between fork and exec the closure only makes system
        // calls and touches the shared mapping, `program` and `flags`, all
        // allocated before the fork: no allocation, no lock (see `load`).
        unsafe {
            command.pre_exec(move || {
                let handshake = &*(shared as *const Handshake);
                let pid = libc::getpid();
                // Without this the command would outlive a supervisor
                // killed before it, its calls failing with ENOSYS.
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                let listener =
                    load_with_listener(&program, &flags).map_err(crate::Error::into_io)?;
                handshake.pid.store(pid, Ordering::Relaxed);
                // Kept open: closing it would be a call that waits for it.
                handshake
                    .fd
                    .store(listener.into_raw_fd(), Ordering::Relaxed);
                handshake.state.store(LOADED, Ordering::Release);
                // Waiting without a system call: each would wait for the
                // listener this process has not taken yet.
                while handshake.state.load(Ordering::Acquire) == LOADED {
                    std::hint::spin_loop();
                }
                Ok(())
            });
        }
        let mut command = std::mem::replace(command, Command::new(""));
        let waiter = std::thread::spawn(move || command.spawn()?.wait());
        let state = &handshake.get().state;
        loop {
            if state.load(Ordering::Acquire) == LOADED {
                break;
            }
            if waiter.is_finished() {
                // Failed before the filter was loaded: nothing waits.
                return Err(match waiter.join() {
                    Ok(Err(error)) => error,
                    _ => io::Error::other("the command ended before its filter was loaded"),
                });
            }
            std::thread::sleep(std::time::Duration::from_micros(50));
        }
        let pid = handshake.get().pid.load(Ordering::Relaxed);
        let listener = take_listener(handshake.get());
        state.store(TAKEN, Ordering::Release);
        Ok(Supervised {
            pid: pid as u32,
            listener: listener?,
            waiter,
        })
    }

    /// The process id of the command.
    pub fn id(&self) -> u32 {
        self.pid
    }

    /// Answers every notified call with `handler` until neither the
    /// command nor any process it started is left under the filter, and
    /// returns the command's exit status, or the error that kept it from
    /// starting (a program that does not exist:
    /// [`io::ErrorKind::NotFound`]), once its last calls are answered.
    pub fn run(self, mut handler: impl FnMut(&Call) -> Reply) -> io::Result<ExitStatus> {
        supervise(&self.listener, &mut handler)?;
        self.waiter
            .join()
            .map_err(|_| io::Error::other("the thread waiting for the command panicked"))?
    }
}

/// Takes the listener the child loaded its filter with, or kills the
/// child: without a listener its notified calls would fail with ENOSYS.
fn take_listener(handshake: &Handshake) -> io::Result<OwnedFd> {
    let (pid, fd) = (
        handshake.pid.load(Ordering::Relaxed),
        handshake.fd.load(Ordering::Relaxed),
    );
    let taken = (|| {
        // SAFETY: plain system calls; each returned descriptor is owned
        // once, below.
        let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if pidfd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `pidfd` was just opened and nothing else owns it.
        let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd as i32) };
        // SAFETY: as above.
        let listener = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), fd, 0) };
        if listener < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: as above.
        Ok(unsafe { OwnedFd::from_raw_fd(listener as i32) })
    })();
    if taken.is_err() {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    taken
}

/// Answers every call the filter behind `listener` notifies with
/// `handler`, until no process is left under that filter: the loop
/// [`Supervised::run`] runs, for a listener obtained otherwise (a seccomp
/// agent is handed one by the container runtime).
pub fn supervise(listener: &OwnedFd, handler: &mut dyn FnMut(&Call) -> Reply) -> io::Result<()> {
    let fd = listener.as_raw_fd();
    loop {
        let mut poll = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd, alive for the call.
        let ready = unsafe { libc::poll(&mut poll, 1, -1) };
        if ready < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        if poll.revents & libc::POLLIN == 0 {
            // POLLHUP: the filter's last process is gone.
            return Ok(());
        }
        // SAFETY: the kernel wants a zeroed notification to fill.
        let mut notification: libc::seccomp_notif = unsafe { std::mem::zeroed() };
        // SAFETY: RECV fills the struct it is given.
        if unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_RECV, &mut notification) } != 0 {
            match io::Error::last_os_error().raw_os_error() {
                // The caller died, or a signal came first: it is gone.
                Some(libc::ENOENT | libc::EINTR) => continue,
                _ => return Err(io::Error::last_os_error()),
            }
        }
        let call = call_of(&notification);
        let mut response = libc::seccomp_notif_resp {
            id: notification.id,
            val: 0,
            error: 0,
            flags: 0,
        };
        match handler(&call) {
            Reply::Continue => response.flags = libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32,
            Reply::Errno(errno) => response.error = -i32::from(errno),
            Reply::Return(value) => response.val = value,
            Reply::KillProcess => {
                // SAFETY: a signal to the thread's process; it cannot be
                // caught, and the call waits until it lands.
                unsafe { libc::kill(notification.pid as i32, libc::SIGKILL) };
                continue;
            }
        }
        // SAFETY: SEND reads the response. ENOENT: the caller is gone.
        unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_SEND, &mut response) };
    }
}

fn call_of(notification: &libc::seccomp_notif) -> Call {
    let data = SeccompData {
        nr: notification.data.nr,
        arch: notification.data.arch,
        instruction_pointer: notification.data.instruction_pointer,
        args: notification.data.args,
    };
    let known = bpf::syscall_of(data.arch, data.nr as u32);
    let (abi, syscall) = (known.map(|(abi, _)| abi), known.and_then(|(_, name)| name));
    Call {
        thread: notification.pid,
        abi,
        syscall,
        data,
    }
}
