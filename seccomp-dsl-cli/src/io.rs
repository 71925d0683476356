//! What every command reads and writes: files or the standard streams,
//! and what the tool says on standard error.

use std::path::{Path, PathBuf};

/// Says `message` on standard error, as `seccomp-dsl: message`; a closed
/// or full standard error is no reason to stop supervising.
pub(crate) fn say(message: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "seccomp-dsl: {message}");
}

/// The text of `path`; `-` reads standard input.
pub(crate) fn read(path: &Path) -> Result<String, String> {
    if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| format!("standard input: {e}"))
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Writes `text` to `output`, or to standard output without one.
pub(crate) fn write(output: Option<PathBuf>, text: &str) -> Result<(), String> {
    match output {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display())),
    }
}
