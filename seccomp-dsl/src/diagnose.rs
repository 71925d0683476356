//! Installing a policy in a mode that tells its owner what it does:
//! naming the call that kills the process ([`Profile::install_naming_kills`])
//! or denying nothing and reporting what it would deny
//! ([`Profile::install_complain`]). Neither needs root.
//!
//! Both write from places where allocating or locking could deadlock (a
//! signal handler; a thread that answers calls other threads wait in), so
//! every line is formatted on the stack and written with one `write(2)`.

use std::fmt::Write as _;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, Ordering};

use seccomp_dsl_core::bpf::{self, emulate::run_counting};
use seccomp_dsl_core::model::{Action, ArgCondition, ArgWidth, CmpOp, DecidedBy, Resolved, Rule};
use seccomp_dsl_core::record::decisive_arguments;
use seccomp_dsl_core::{dsl, signatures, upper_half};

use crate::install::kernel::{self, Scope};
use crate::supervise::{self, Call, Reply};
use crate::{Error, Profile};

/// Where [`Profile::install_complain`] reports.
#[derive(Clone, Debug)]
pub enum Report {
    /// The process's standard error.
    Stderr,
    /// A file, created readable by its owner only if it does not exist,
    /// appended to otherwise.
    File(PathBuf),
}

/// A line of a report, formatted on the stack.
struct Line {
    bytes: [u8; 1024],
    length: usize,
}

impl Line {
    fn new() -> Line {
        Line {
            bytes: [0; 1024],
            length: 0,
        }
    }

    /// Writes the line to `fd` with one system call, newline included.
    fn send(&mut self, fd: RawFd) {
        if self.length == self.bytes.len() {
            self.length -= 1;
        }
        self.bytes[self.length] = b'\n';
        // SAFETY: writes bytes of our own buffer.
        unsafe { libc::write(fd, self.bytes.as_ptr().cast(), self.length + 1) };
    }
}

impl std::fmt::Write for Line {
    /// Keeps what fits; a line cut short is still worth reading.
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let room = self.bytes.len() - 1 - self.length;
        let take = text.len().min(room);
        self.bytes[self.length..self.length + take].copy_from_slice(&text.as_bytes()[..take]);
        self.length += take;
        Ok(())
    }
}

/// `openat(0xffffff9c, 0x7ffd..., 0x80000)`: the arguments the syscall
/// takes, as the kernel reads them.
fn write_call(line: &mut Line, name: &str, args: &[u64; 6]) {
    let count = signatures::lookup(name).map_or(6, |signature| signature.arguments().len());
    let _ = write!(line, "{name}(");
    for (index, value) in args.iter().take(count).enumerate() {
        let width = upper_half::kernel_width(name, index as u8).unwrap_or(ArgWidth::U64);
        let separator = if index == 0 { "" } else { ", " };
        let _ = write!(line, "{separator}{:#x}", value & width.mask());
    }
    let _ = write!(line, ")");
}

/// The call a notification or a SIGSYS stands for, named.
fn write_named(line: &mut Line, arch: u32, nr: i32, args: &[u64; 6]) {
    match bpf::syscall_of(arch, nr as u32) {
        Some((abi, Some(name))) => {
            write_call(line, name, args);
            let _ = write!(line, " on {}", abi.name());
        }
        _ => {
            let _ = write!(line, "syscall {nr} of ABI {arch:#x}");
        }
    }
}

// Naming kills.

/// SIGSYS on every architecture seccomp-dsl compiles for.
const SIGSYS: u64 = 31;

/// What the kernel puts in `siginfo_t` for a seccomp SIGSYS (`_sigsys`).
#[repr(C)]
struct SigsysInfo {
    signo: i32,
    errno: i32,
    code: i32,
    #[cfg(target_pointer_width = "64")]
    _pad: i32,
    call_addr: *mut libc::c_void,
    syscall: i32,
    arch: u32,
}

/// The six argument registers of the interrupted call.
///
/// # Safety
///
/// `context` is the `ucontext_t` the kernel passed a SIGSYS handler.
#[cfg(target_arch = "x86_64")]
unsafe fn arguments(context: *mut libc::c_void) -> [u64; 6] {
    let registers = &(*context.cast::<libc::ucontext_t>()).uc_mcontext.gregs;
    [
        libc::REG_RDI,
        libc::REG_RSI,
        libc::REG_RDX,
        libc::REG_R10,
        libc::REG_R8,
        libc::REG_R9,
    ]
    .map(|register| registers[register as usize] as u64)
}

#[cfg(target_arch = "aarch64")]
unsafe fn arguments(context: *mut libc::c_void) -> [u64; 6] {
    let registers = &(*context.cast::<libc::ucontext_t>()).uc_mcontext.regs;
    [
        registers[0],
        registers[1],
        registers[2],
        registers[3],
        registers[4],
        registers[5],
    ]
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
unsafe fn arguments(_: *mut libc::c_void) -> [u64; 6] {
    [0; 6]
}

/// Names the call on standard error, then ends the process by SIGSYS: it
/// resets SIGSYS, which the filter answers with a trap while SIGSYS is
/// blocked here, and a trap then kills as the kernel's kill does.
extern "C" fn name_then_die(
    _: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: the kernel hands a SIGSYS handler a seccomp siginfo and the
    // interrupted context.
    let (info, args) = unsafe { (&*info.cast::<SigsysInfo>(), arguments(context)) };
    let mut line = Line::new();
    let _ = write!(line, "seccomp-dsl: killed by the policy: ");
    write_named(&mut line, info.arch, info.syscall, &args);
    line.send(libc::STDERR_FILENO);
    // SAFETY: plain system calls; the first does not return.
    unsafe {
        let default = [libc::SIG_DFL as u64, 0, 0, 0];
        libc::syscall(
            libc::SYS_rt_sigaction,
            SIGSYS,
            default.as_ptr(),
            std::ptr::null::<u64>(),
            8,
        );
        libc::_exit(128 + SIGSYS as i32);
    }
}

pub(crate) fn install_naming_kills(profile: &Profile) -> Result<(), Error> {
    let resolved = profile.resolve_here()?;
    let traps = |action: Action| action == Action::Trap;
    if traps(resolved.default_action) || resolved.rules.iter().any(|rule| traps(rule.action)) {
        return Err(Error::Diagnose(
            "the policy traps calls itself, so its SIGSYS handler cannot be seccomp-dsl's",
        ));
    }
    let kill_to_trap = |action: Action| match action {
        Action::KillProcess | Action::KillThread => Action::Trap,
        other => other,
    };
    // Whoever replaces the handler would make a kill a trap the program
    // returns from: that call is a trap too, which the handler names.
    let guard = Rule::new(
        ["rt_sigaction"],
        [
            ArgCondition {
                width: ArgWidth::I32,
                ..ArgCondition::new(0, CmpOp::Eq, SIGSYS)
            },
            ArgCondition::new(1, CmpOp::Ne, 0),
        ],
        Action::Trap,
    );
    let rules: Vec<Rule> = resolved
        .rules
        .iter()
        .map(|rule| Rule {
            action: kill_to_trap(rule.action),
            ..(*rule).clone()
        })
        .collect();
    let naming = Resolved {
        default_action: kill_to_trap(resolved.default_action),
        rules: std::iter::once(&guard).chain(&rules).collect(),
        ..resolved.clone()
    };
    let program = bpf::compile(&naming).map_err(Error::Compile)?;
    // SAFETY: installs a handler that only formats on the stack and makes
    // system calls.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = name_then_die as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO;
        if libc::sigaction(libc::SIGSYS, &action, std::ptr::null_mut()) != 0 {
            return Err(Error::Load(io::Error::last_os_error()));
        }
    }
    kernel::load(&program, &profile.policy().flags, Scope::Process)
}

// Complain mode.

/// How many distinct calls complain mode remembers, to report each once;
/// past that it reports every call.
const REMEMBERED: usize = 4096;

/// What the complain thread finds where the listener's descriptor goes,
/// before it is there, or when the filter could not be loaded.
const WAITING: i32 = -1;
const NOT_LOADED: i32 = -2;

/// One distinct call: the ABI, the number and the decisive values.
type Seen = (u32, i32, [u64; 2]);

pub(crate) fn install_complain(profile: &'static Profile, report: Report) -> Result<(), Error> {
    let resolved = profile.resolve_here()?;
    let program = bpf::compile(&resolved).map_err(Error::Compile)?;
    let watched = supervise::notify_instead(&program, &supervise::NOT_LETTING_RUN);
    let output = match report {
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
    let rule_texts: Vec<String> = resolved
        .rules
        .iter()
        .map(|rule| dsl::rule_source(rule))
        .collect();
    // The listener's descriptor, handed over without a system call: until
    // the thread below has it, every call the policy would deny waits.
    let listener = std::sync::Arc::new(AtomicI32::new(WAITING));
    let handed = std::sync::Arc::clone(&listener);
    std::thread::Builder::new()
        .name("seccomp-dsl complain".into())
        .spawn(move || {
            let fd = loop {
                match handed.load(Ordering::Acquire) {
                    WAITING => std::thread::sleep(std::time::Duration::from_micros(100)),
                    NOT_LOADED => return,
                    fd => break fd,
                }
            };
            // SAFETY: the descriptor `load_with_listener` returned, handed
            // over to this thread alone.
            let listener = unsafe { OwnedFd::from_raw_fd(fd) };
            let out = output
                .as_ref()
                .map_or(libc::STDERR_FILENO, AsRawFd::as_raw_fd);
            let mut seen: Vec<Seen> = Vec::with_capacity(REMEMBERED);
            let _ = supervise::supervise(&listener, &mut |call| {
                complain(&resolved, &program, &rule_texts, &mut seen, out, call);
                Reply::Continue
            });
        })
        .map_err(Error::Report)?;
    match kernel::load_with_listener(&watched, &profile.policy().flags) {
        Ok(fd) => {
            listener.store(fd.into_raw_fd(), Ordering::Release);
            Ok(())
        }
        Err(error) => {
            // The thread has nothing to answer: it ends.
            listener.store(NOT_LOADED, Ordering::Release);
            Err(error)
        }
    }
}

/// Reports `call` once per distinct decisive value: what the policy
/// would do, why, and the statement that would allow it.
fn complain(
    resolved: &Resolved<'_>,
    program: &[bpf::Instruction],
    rule_texts: &[String],
    seen: &mut Vec<Seen>,
    out: RawFd,
    call: &Call,
) {
    let args = &call.data.args;
    let decisive = call.syscall.map_or(&[][..], decisive_arguments);
    let mut values = [0u64; 2];
    if let (Some(abi), Some(syscall)) = (call.abi, call.syscall) {
        for (value, argument) in values.iter_mut().zip(decisive) {
            *value = argument.value_in(abi, syscall, args);
        }
    }
    let key = (call.data.arch, call.data.nr, values);
    if seen.contains(&key) {
        return;
    }
    if seen.len() < seen.capacity() {
        seen.push(key);
    }
    let answer = run_counting(program, &call.data).map_or(0, |(value, _)| value);
    let mut line = Line::new();
    let _ = write!(line, "seccomp-dsl complain: ");
    write_named(&mut line, call.data.arch, call.data.nr, args);
    let _ = write!(line, " would get {}", ActionText(answer));
    if let (Some(abi), Some(name)) = (call.abi, call.syscall) {
        match resolved.explain_on(abi, name, args) {
            (_, DecidedBy::Rule(index)) => {
                let _ = write!(line, " by `{}`", rule_texts[index]);
            }
            (_, DecidedBy::Default) => {
                let _ = write!(line, ", the default action");
            }
            (_, DecidedBy::EnosysStub) => {
                let _ = write!(line, ", runc's ENOSYS stub");
            }
        }
        if decisive.is_empty() {
            let _ = write!(line, "; to allow it: allow {name};");
        } else {
            let _ = write!(line, "; to allow it: rule {name}(");
            for (position, (argument, value)) in decisive.iter().zip(values).enumerate() {
                let joiner = if position == 0 { "" } else { " && " };
                match argument.mask {
                    Some(mask) => write!(
                        line,
                        "{joiner}arg{} & {mask:#x} == {value:#x}",
                        argument.index
                    ),
                    None => write!(line, "{joiner}arg{} == {value:#x}", argument.index),
                }
                .ok();
            }
            let _ = write!(line, ") => allow;");
        }
    }
    line.send(out);
}

/// A filter's return value as the DSL names the action, without
/// allocating (unlike `disasm::action`).
struct ActionText(u32);

impl std::fmt::Display for ActionText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let data = self.0 & libc::SECCOMP_RET_DATA;
        match self.0 & libc::SECCOMP_RET_ACTION_FULL {
            libc::SECCOMP_RET_KILL_PROCESS => f.write_str("kill_process"),
            libc::SECCOMP_RET_KILL_THREAD => f.write_str("kill_thread"),
            libc::SECCOMP_RET_TRAP => f.write_str("trap"),
            libc::SECCOMP_RET_ERRNO => write!(f, "errno({data})"),
            libc::SECCOMP_RET_TRACE => write!(f, "trace({data})"),
            _ => write!(f, "{:#x}", self.0),
        }
    }
}

impl Profile {
    /// [`Profile::install`], except that a call the policy kills for is
    /// named on standard error (`seccomp-dsl: killed by the policy:
    /// ptrace(0x10, ...) on x86_64`) before the process dies, by SIGSYS as
    /// under `install()`.
    ///
    /// For finding what a policy is missing while developing; once the
    /// policy is complete, use [`Profile::install`]. The filter traps the
    /// calls it would kill for, and a SIGSYS handler names them and ends
    /// the process. So: a `kill_thread` ends the whole process; the policy
    /// must allow `write` for the line to be written (the process dies
    /// either way); a later attempt to replace the SIGSYS handler is
    /// itself named and fatal; and a policy with `trap` rules of its own
    /// is refused ([`Error::Diagnose`]).
    pub fn install_naming_kills(&self) -> Result<(), Error> {
        install_naming_kills(self)
    }

    /// Installs the policy in complain mode: nothing is denied; each call
    /// the policy would deny, kill for, trap or trace is reported once per
    /// syscall and deciding value, with the action it would get, the rule
    /// or default that decides it, and the statement that would allow it.
    /// No root is needed.
    ///
    /// The filter covers the calling thread and every thread and process
    /// it starts from here on, not threads already running: call it first
    /// thing in `main`. A thread of seccomp-dsl's, started first and left
    /// unfiltered, answers the calls. For learning what a program needs
    /// while it runs as usual (a test suite, a staging run); a process in
    /// complain mode is not confined.
    ///
    /// ```no_run
    /// static POLICY: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    ///     #[allow(engine_cannot_start)]
    ///     default kill_process;
    ///     allow read, write, exit_group;
    /// };
    /// fn main() {
    ///     POLICY.install_complain(seccomp_dsl::Report::Stderr).unwrap();
    /// }
    /// ```
    pub fn install_complain(&'static self, report: Report) -> Result<(), Error> {
        install_complain(self, report)
    }
}
