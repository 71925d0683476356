//! `install()` under `seccomp-dsl record`: the library tells the recorder
//! where the program installs its policy, and records instead of
//! enforcing, so that a program that embeds its policy is recorded as it
//! is, and the recording tells what it needs before `install()` (a
//! `startup { ... }` block) from what it needs after.
//!
//! The recorder sets [`VARIABLE`] in the command's environment. Where it is
//! set, an install first makes the marker call ([`is_marker`]: `prctl` with
//! an option no kernel has); a recorder answers it with [`ACKNOWLEDGED`],
//! and the install loads a filter that lets every call run, with the scope
//! the policy would have had (every thread, or the calling one), and
//! returns. The recorder tells the threads under it by the number of
//! filters the kernel says each has.
//!
//! A child's policy (`Command::seccomp_policy`), loaded between `fork` and
//! `exec`, is loaded as it is: the child's calls the recorder sees are
//! those its policy lets through.
//!
//! The variable alone changes nothing: without a recorder, the kernel
//! answers the marker `EINVAL` (an outer filter may deny it, never with a
//! positive value), and the policy is installed. Only a supervisor of the
//! process's calls (or a tracer), which controls the process already, can
//! answer it.

use seccomp_dsl_core::bpf::{op, ret, Instruction};

use super::kernel::{self, Scope};
use super::Error;

/// The environment variable under which `install()` asks for a recorder.
pub const VARIABLE: &str = "SECCOMP_DSL_RECORDING";

/// The marker's `prctl` option (its first argument): none the kernel has.
pub const MARKER_OPTION: u64 = 0x5ecc_0d5c;

/// The marker's second argument.
pub const MARKER_ARGUMENT: u64 = 0x7265_636f_7264_6572;

/// What a recorder answers the marker with: a value `prctl` never returns
/// for an unknown option, and no filter's `errno` can give.
pub const ACKNOWLEDGED: i64 = 0x5ecc_0d5c;

/// Whether a call of `syscall` with `args` is install()'s marker.
///
/// ```
/// use seccomp_dsl::recorder::{is_marker, MARKER_ARGUMENT, MARKER_OPTION};
/// assert!(is_marker("prctl", &[MARKER_OPTION, MARKER_ARGUMENT, 0, 0, 0, 0]));
/// assert!(!is_marker("prctl", &[MARKER_OPTION, 0, 0, 0, 0, 0]));
/// ```
pub fn is_marker(syscall: &str, args: &[u64; 6]) -> bool {
    syscall == "prctl" && args[0] as u32 as u64 == MARKER_OPTION && args[1] == MARKER_ARGUMENT
}

/// Under a recorder, loads a filter that lets every call run in `scope`
/// instead of the policy and returns what that load did; `None` where no
/// recorder answers, for the policy to be installed.
pub(crate) fn recorded_instead(scope: Scope) -> Option<Result<(), Error>> {
    std::env::var_os(VARIABLE)?;
    let thread_only = u64::from(scope == Scope::Thread);
    // SAFETY: prctl with integer arguments; an unknown option changes nothing.
    let answer = unsafe {
        libc::syscall(
            libc::SYS_prctl,
            MARKER_OPTION,
            MARKER_ARGUMENT,
            thread_only,
            0u64,
            0u64,
        )
    };
    if answer != ACKNOWLEDGED {
        return None;
    }
    let allow_every_call = [Instruction::new(op::RET | op::K, 0, 0, ret::ALLOW)];
    Some(kernel::load(&allow_every_call, &[], scope))
}
