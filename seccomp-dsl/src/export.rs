//! Writing a profile's Docker JSON to a file, typically from a build script.

use std::io;
use std::path::Path;

use crate::Profile;

/// Writes `profile`'s Docker seccomp JSON to `path`.
///
/// The file is replaced atomically (written beside it, then renamed), so a
/// reader never sees half a profile, and it is left untouched when its
/// content is already the same, so build scripts do not trigger rebuilds.
///
/// ```no_run
/// use seccomp_dsl::seccomp_profile;
/// static POLICY: seccomp_dsl::Profile = seccomp_profile! { #[allow(engine_cannot_start)] default errno; allow read, write, exit_group, rt_sigreturn, restart_syscall; };
/// seccomp_dsl::export::write_docker_json(&POLICY, "target/profile.json")?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_docker_json(profile: &Profile, path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref();
    let json = profile.docker_json();
    if std::fs::read_to_string(path).is_ok_and(|existing| existing == json) {
        return Ok(());
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    std::fs::write(&temporary, json)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}
