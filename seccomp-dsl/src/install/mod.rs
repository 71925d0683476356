//! Installing a policy in the running process: deciding its conditions
//! against the process ([`context`]), then loading the filter with one of
//! two backends.
//!
//! - [`kernel`] (default): the BPF program compiled in Rust, loaded with
//!   `seccomp(2)`; no C library involved.
//! - `libseccomp` (feature `libseccomp`): the filter built by libseccomp, as
//!   container engines build it.

use std::fmt;
use std::io;

use seccomp_dsl_core::bpf::CompileError;
use seccomp_dsl_core::model::{Policy, SeccompArch};
use seccomp_dsl_core::syscalls;

mod context;
pub(crate) mod kernel;
#[cfg(feature = "libseccomp")]
pub(crate) mod libseccomp;
pub mod recorder;

pub(crate) use context::answers_here;
#[cfg(feature = "tools")]
pub use context::status_field;
pub use context::{capabilities_in, context_of, current_context};

/// Why a policy could not be installed. When `install` returns one, no
/// filter was loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// This program's architecture is not one seccomp-dsl supports.
    UnsupportedArchitecture,
    /// The running kernel's version or the capability bounding set could
    /// not be read, so the rules' conditions could not be decided.
    Context(io::Error),
    /// The policy could not be compiled to a BPF program.
    Compile(CompileError),
    /// `prctl(PR_SET_NO_NEW_PRIVS)` failed.
    NoNewPrivs(io::Error),
    /// The kernel refused the filter (`seccomp(2)` failed).
    Load(io::Error),
    /// A call cannot be explained: an unknown syscall, or one the ABI lacks.
    #[cfg(feature = "tools")]
    Explain(seccomp_dsl_core::explain::ExplainError),
    /// A diagnostic mode cannot be used with this policy; the reason.
    Diagnose(&'static str),
    /// The complain-mode report could not be opened, or its thread started.
    Report(io::Error),
    /// A child's policy (`CommandExt::seccomp_policy`) lets this syscall
    /// run for no call, and the child needs it: `execve` to start, `write`
    /// to report an `execve` that failed.
    ChildCannotStart(&'static str),
    /// The thread with this id could not be given the filter (it runs under
    /// a filter that is not an ancestor of this thread's); no thread was.
    ThreadSync(i32),
    /// libseccomp refused to build or load the filter.
    #[cfg(feature = "libseccomp")]
    Libseccomp {
        /// What was being done, e.g. "adding the rule for `openat`".
        step: String,
        /// libseccomp's error.
        source: ::libseccomp::error::SeccompError,
    },
    /// The installed libseccomp does not know this syscall, so it cannot
    /// filter it on the ABIs besides the native one; leaving the rule out
    /// there would let more calls run than the policy does.
    #[cfg(feature = "libseccomp")]
    UnknownToLibseccomp(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only explaining a call installs nothing.
        #[cfg(feature = "tools")]
        let explaining = matches!(self, Error::Explain(_));
        #[cfg(not(feature = "tools"))]
        let explaining = false;
        if !explaining {
            f.write_str("seccomp policy not installed: ")?;
        }
        match self {
            Error::UnsupportedArchitecture => f.write_str("this architecture is not supported"),
            Error::Context(source) => write!(f, "cannot read the kernel version or capabilities: {source}"),
            Error::Compile(source) => source.fmt(f),
            Error::NoNewPrivs(source) => write!(f, "cannot set no_new_privs: {source}"),
            Error::Load(source) => write!(f, "the kernel refused the filter: {source}"),
            Error::Diagnose(reason) => f.write_str(reason),
            Error::ChildCannotStart(syscall) => write!(
                f,
                "the child's policy lets `{syscall}` run for no call: the child needs `execve` to \
                 start, and `write` to report an `execve` that failed"
            ),
            #[cfg(feature = "tools")]
            Error::Explain(source) => source.fmt(f),
            Error::Report(source) => write!(f, "the complain-mode report cannot be made: {source}"),
            Error::ThreadSync(thread) => write!(
                f,
                "thread {thread} could not be given the filter (it has a seccomp filter of its own), so no thread was"
            ),
            #[cfg(feature = "libseccomp")]
            Error::Libseccomp { step, source } => write!(f, "libseccomp failed {step}: {source}"),
            #[cfg(feature = "libseccomp")]
            Error::UnknownToLibseccomp(name) => write!(
                f,
                "the installed libseccomp does not know `{name}`, so it cannot deny it on the architectures \
                 besides the native one"
            ),
        }
    }
}

impl Error {
    /// The system call's error that a load between `fork` and `exec`
    /// reports to `spawn`, without allocating: `kernel::load` and
    /// `load_with_listener` make no other kind.
    pub(crate) fn into_io(self) -> io::Error {
        match self {
            Error::NoNewPrivs(source) | Error::Load(source) => source,
            _ => io::Error::from(io::ErrorKind::Other),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Context(source)
            | Error::NoNewPrivs(source)
            | Error::Load(source)
            | Error::Report(source) => Some(source),
            Error::Compile(source) => Some(source),
            #[cfg(feature = "libseccomp")]
            Error::Libseccomp { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Syscalls of `policy` that do not exist on the native architecture, in
/// order of appearance. The installer skips them; the Docker profile keeps them.
pub(crate) fn skipped_syscalls(policy: &Policy) -> Vec<&str> {
    let Some(native) = SeccompArch::native() else {
        return policy.syscall_names();
    };
    policy
        .syscall_names()
        .into_iter()
        .filter(|name| native_number(name, native).is_none())
        .collect()
}

fn native_number(name: &str, native: SeccompArch) -> Option<i32> {
    let number = syscalls::lookup(name)?.number(native.syscall_table())?;
    Some(i32::try_from(number).expect("syscall numbers fit in i32"))
}
