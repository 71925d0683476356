//! Starting the command `record` and `run` watch, and reporting how it
//! ended, as a shell would.

use std::path::{Path, PathBuf};
use std::process::{ExitCode, ExitStatus};

/// The exit code that reports `status` as a shell does: the command's
/// code, or 128 + the signal that killed it.
pub(crate) fn exit_code(status: ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => ExitCode::from(code as u8),
        (None, Some(signal)) => ExitCode::from(128 + signal as u8),
        _ => ExitCode::FAILURE,
    }
}

/// The command to start for `line`, its program found on `PATH` here:
/// under the filter, a search that fails would itself be filtered, and a
/// missing program reported as whatever the policy answers.
pub(crate) fn command(line: &[String]) -> Result<std::process::Command, String> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let (program, arguments) = line.split_first().ok_or("no command given")?;
    let executable = |path: &Path| {
        std::fs::metadata(path)
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    };
    let path = if program.contains('/') {
        Some(PathBuf::from(program)).filter(|path| path.exists())
    } else {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(program))
                .find(|path| executable(path))
        })
    };
    let path = path.ok_or_else(|| start_error(program, &std::io::ErrorKind::NotFound.into()))?;
    let mut command = std::process::Command::new(path);
    command.arg0(program).args(arguments);
    Ok(command)
}

/// What went wrong running `program`, as a shell would say it when it
/// could not be started.
pub(crate) fn start_error(program: &str, error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => format!("`{program}`: command not found"),
        std::io::ErrorKind::PermissionDenied => format!("`{program}`: permission denied"),
        _ => format!("running `{program}`: {error}"),
    }
}
