//! Recording a container where it runs: a seccomp agent. The container's
//! profile hands every call to a listener (`SCMP_ACT_NOTIFY`); runc, once it
//! has loaded the filter, connects to the profile's `listenerPath` and
//! sends the container's state with the listener's descriptor; the agent
//! answers each call by letting it run
//! (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`) and notes it.
//!
//! The calls before the container's first process executes its program
//! are the runtime's own (runc's, after it loads the filter); the rest are
//! the program's.

use std::collections::BTreeMap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use seccomp_dsl::engines::TARGET;
use seccomp_dsl::model::SeccompArch;
use seccomp_dsl::supervise::{supervise, Call, Reply};
use seccomp_dsl::syscalls;

use super::boundary::Boundary;

/// The profile a container is recorded under, for `listener`: every
/// syscall the engine's libseccomp knows on the host's ABIs handed to the
/// agent, but `write` (runc refuses to hand it over) and what the engine
/// cannot name, which get ENOSYS as newer syscalls do under a profile that
/// lists its ABIs. It reads as a Docker profile (podman) and as an OCI
/// `linux.seccomp` object (containerd, Kubernetes) alike.
pub fn recording_profile(listener: &Path, native: SeccompArch) -> String {
    let abis = abis_of(native);
    let names: Vec<&str> = syscalls::all()
        .iter()
        .map(|entry| entry.name())
        .filter(|&name| name != "write")
        .filter(|&name| {
            abis.iter().any(|&abi| {
                syscalls::lookup(name).is_some_and(|entry| entry.exists_on(abi.syscall_table()))
                    && TARGET.knows(name, abi)
            })
        })
        .collect();
    let architectures: Vec<String> = abis.iter().map(|abi| abi.docker_name()).collect();
    let profile = serde_json::json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": libc::ENOSYS,
        "architectures": architectures,
        "listenerPath": listener,
        "listenerMetadata": "seccomp-dsl record",
        "syscalls": [
            {"names": names, "action": "SCMP_ACT_NOTIFY"},
            {"names": ["write"], "action": "SCMP_ACT_ALLOW"},
        ],
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&profile).expect("JSON values print")
    )
}

/// The ABIs a process on `native` can call through.
pub fn abis_of(native: SeccompArch) -> Vec<SeccompArch> {
    match native {
        SeccompArch::X86_64 => vec![SeccompArch::X86_64, SeccompArch::X86, SeccompArch::X32],
        SeccompArch::Aarch64 => vec![SeccompArch::Aarch64, SeccompArch::Arm],
        other => vec![other],
    }
}

/// Who made a call: the container runtime, before the container's first
/// process executes its program, or the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The runtime, after loading the filter.
    Runtime,
    /// The container's program (and what it starts), before it installs
    /// its own policy, or where it installs none.
    Program,
    /// The program under the policy it installed (see
    /// [`super::boundary`]).
    Installed,
}

impl Phase {
    /// How the log names it.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Runtime => "runtime",
            Phase::Program => "program",
            Phase::Installed => "installed",
        }
    }
}

/// One call a container made.
pub struct Seen {
    pub phase: Phase,
    pub call: Call,
}

/// The calls of every container that connects, in order.
#[derive(Default)]
pub struct Calls {
    pub seen: Vec<Seen>,
    /// For each container (by its first process), whether that process has
    /// executed its program.
    started: BTreeMap<i32, bool>,
    /// Where a program installed its own policy.
    pub boundary: Boundary,
}

/// A running agent.
pub struct Agent {
    calls: Arc<Mutex<Calls>>,
    accepting: JoinHandle<Vec<JoinHandle<()>>>,
    socket: std::path::PathBuf,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl Agent {
    /// Listens on `socket` for the runtime.
    pub fn start(socket: &Path) -> io::Result<Agent> {
        let listener = UnixListener::bind(socket)?;
        let calls = Arc::new(Mutex::new(Calls::default()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (seen, stopping) = (Arc::clone(&calls), Arc::clone(&stop));
        let accepting = std::thread::spawn(move || {
            let mut supervisors = Vec::new();
            for stream in listener.incoming() {
                if stopping.load(std::sync::atomic::Ordering::Acquire) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                match receive(stream.as_raw_fd()) {
                    Ok((state, descriptors)) => {
                        supervisors.extend(descriptors.into_iter().map(|listener| {
                            let seen = Arc::clone(&seen);
                            let init = state.pid;
                            std::thread::spawn(move || {
                                let _ = supervise(&listener, &mut |call| note(&seen, init, call));
                            })
                        }));
                    }
                    Err(error) => eprintln!("seccomp-dsl: the runtime's message: {error}"),
                }
            }
            supervisors
        });
        Ok(Agent {
            calls,
            accepting,
            socket: socket.to_path_buf(),
            stop,
        })
    }

    /// Stops accepting containers, waits until every container it
    /// supervised is gone (each listener hung up), and returns the calls.
    pub fn finish(self) -> Calls {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        // Wakes the accepting thread.
        let _ = std::os::unix::net::UnixStream::connect(&self.socket);
        if let Ok(supervisors) = self.accepting.join() {
            for supervisor in supervisors {
                let _ = supervisor.join();
            }
        }
        std::mem::take(&mut *self.calls.lock().expect("no supervisor panics"))
    }
}

/// Notes `call` of the container whose first process is `init`, and
/// answers it: the program's `install()` is told it is recorded; every
/// other call runs.
fn note(seen: &Mutex<Calls>, init: i32, call: &Call) -> Reply {
    let mut calls = seen.lock().expect("no supervisor panics");
    if let Some(reply) = calls.boundary.answer_marker(call) {
        return reply;
    }
    let under_install = calls.boundary.under_install(call.thread);
    let started = calls.started.entry(init).or_insert(false);
    let phase = match (*started, under_install) {
        (false, _) => Phase::Runtime,
        (true, false) => Phase::Program,
        (true, true) => Phase::Installed,
    };
    // The first process's `execve` is the runtime's last call.
    if call.thread as i32 == init && call.syscall == Some("execve") {
        *started = true;
    }
    calls.seen.push(Seen {
        phase,
        call: call.clone(),
    });
    Reply::Continue
}

/// What runc says of the container when it hands over its listeners.
struct State {
    /// The container's first process, in this process's PID namespace.
    pid: i32,
}

/// Receives runc's message on `socket`: the container's state (JSON, with
/// `fds`: what each descriptor passed is) and the descriptors; the
/// seccomp listeners among them.
fn receive(socket: RawFd) -> io::Result<(State, Vec<OwnedFd>)> {
    const MOST: usize = 16;
    let mut data = vec![0u8; 1 << 16];
    let mut control = vec![0u8; 256 + MOST * std::mem::size_of::<RawFd>()];
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    // SAFETY: a zeroed msghdr pointing at buffers of our own.
    let mut message: libc::msghdr = unsafe { std::mem::zeroed() };
    message.msg_iov = &mut iov;
    message.msg_iovlen = 1;
    message.msg_control = control.as_mut_ptr().cast();
    message.msg_controllen = control.len() as _;
    // SAFETY: recvmsg fills the buffers the header points at.
    let length = unsafe { libc::recvmsg(socket, &mut message, libc::MSG_CMSG_CLOEXEC) };
    if length < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut descriptors = Vec::new();
    // SAFETY: walks the control messages recvmsg wrote.
    unsafe {
        let mut header = libc::CMSG_FIRSTHDR(&message);
        while !header.is_null() {
            if (*header).cmsg_level == libc::SOL_SOCKET && (*header).cmsg_type == libc::SCM_RIGHTS {
                let count = ((*header).cmsg_len as usize - libc::CMSG_LEN(0) as usize)
                    / std::mem::size_of::<RawFd>();
                let first = libc::CMSG_DATA(header).cast::<RawFd>();
                for index in 0..count {
                    descriptors.push(OwnedFd::from_raw_fd(first.add(index).read_unaligned()));
                }
            }
            header = libc::CMSG_NXTHDR(&message, header);
        }
    }
    let state: serde_json::Value = serde_json::from_slice(&data[..length as usize])
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
    let pid = state["pid"].as_i64().unwrap_or(0) as i32;
    let names: Vec<&str> = state["fds"]
        .as_array()
        .map(|names| names.iter().filter_map(|name| name.as_str()).collect())
        .unwrap_or_default();
    // Only the listeners; a descriptor named otherwise is closed.
    let listeners = descriptors
        .into_iter()
        .enumerate()
        .filter(|(index, _)| names.get(*index).is_none_or(|name| *name == "seccompFd"))
        .map(|(_, fd)| fd)
        .collect();
    Ok((State { pid }, listeners))
}
