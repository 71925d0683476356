//! A running process's filters, read for `inspect`, `verify` and `diff`.

use seccomp_dsl_core::bpf;
use seccomp_dsl_core::bpf::emulate::SeccompData;

/// The filters process `pid` is under; `None` in strict mode, which has
/// none but lets only four calls run.
/// `stop_anyway`: even where stopping it could make it fail (see
/// [`seccomp_dsl::inspect::filters_of`]).
pub(crate) fn process_filters(
    pid: i32,
    stop_anyway: bool,
) -> Result<Option<Vec<Vec<bpf::Instruction>>>, String> {
    use seccomp_dsl::inspect::{confinement_of, filters_of, filters_of_stopping_anyway};
    let read_error = |error: std::io::Error| match error.kind() {
        std::io::ErrorKind::WouldBlock => {
            format!("process {pid}: {error}; `--stop-anyway` reads its filters all the same")
        }
        _ => process_error(pid, &error),
    };
    match confinement_of(pid).map_err(read_error)? {
        seccomp_dsl::inspect::Confinement::Strict => Ok(None),
        _ if stop_anyway => filters_of_stopping_anyway(pid)
            .map(Some)
            .map_err(read_error),
        _ => filters_of(pid).map(Some).map_err(read_error),
    }
}

/// What went wrong reading process `pid`.
pub(crate) fn process_error(pid: i32, error: &std::io::Error) -> String {
    match error.raw_os_error() {
        Some(libc::EPERM) => {
            format!("process {pid}: reading its filters needs CAP_SYS_ADMIN ({error})")
        }
        Some(libc::ESRCH | libc::ENOENT) => format!("process {pid}: no such process"),
        _ => format!("process {pid}: {error}"),
    }
}

/// A call found by the decision procedure, as a person reads it: the
/// syscall and its arguments, the ABI, and the instruction pointer where
/// it is not 0.
pub(crate) fn witness_call(data: &SeccompData) -> String {
    let mut call = match bpf::syscall_of(data.arch, data.nr as u32) {
        Some((abi, Some(name))) => format!(
            "`{}` on {}",
            seccomp_dsl::compare::call(name, &data.args),
            abi.name()
        ),
        Some((abi, None)) => format!(
            "syscall {} of {} (args {:#x?})",
            data.nr as u32,
            abi.name(),
            data.args
        ),
        None => format!(
            "syscall {} of ABI {:#x} (args {:#x?})",
            data.nr as u32, data.arch, data.args
        ),
    };
    if data.instruction_pointer != 0 {
        call.push_str(&format!(
            " at instruction pointer {:#x}",
            data.instruction_pointer
        ));
    }
    call
}
