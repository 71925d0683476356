//! `seccomp-dsl runtime`: an OCI runtime that hands a container to runc
//! with the recorder's seccomp agent set, for the engines that drop a
//! profile's `listenerPath` (Docker 20.10). Registered with the daemon
//! (`dockerd --add-runtime seccomp-dsl=PATH`, or `"runtimes"` in
//! `daemon.json`, with `"runtimeArgs": ["runtime"]`), it is chosen per
//! container (`docker run --runtime seccomp-dsl`); `seccomp-dsl record`
//! passes the agent's socket in the container's environment
//! ([`AGENT_VARIABLE`]), which this takes out of the bundle's
//! `config.json` into `linux.seccomp.listenerPath` before runc reads it.
//! Every other container passes through unchanged.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The environment variable through which `record` names its agent's
/// socket to the runtime; the container's program never sees it.
pub const AGENT_VARIABLE: &str = "SECCOMP_DSL_AGENT";

/// runc, where the runtime is not told otherwise (`SECCOMP_DSL_RUNC`).
const RUNC: &str = "runc";

#[derive(clap::Args)]
pub(crate) struct Args {
    /// runc's own arguments, as the engine gives them (`--root DIR create
    /// --bundle DIR ID`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    arguments: Vec<String>,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    if let Some(bundle) = bundle_created(&args.arguments) {
        set_listener(&bundle.join("config.json"))?;
    }
    let runc = std::env::var_os("SECCOMP_DSL_RUNC").unwrap_or_else(|| RUNC.into());
    let error = std::os::unix::process::CommandExt::exec(
        std::process::Command::new(&runc).args(&args.arguments),
    );
    Err(format!("{}: {error}", Path::new(&runc).display()))
}

/// The bundle of a `create` (or `run`) among runc's arguments: `--bundle
/// DIR` (`-b`), else the working directory.
fn bundle_created(arguments: &[String]) -> Option<PathBuf> {
    let at = arguments
        .iter()
        .position(|argument| argument == "create" || argument == "run")?;
    let rest = &arguments[at + 1..];
    let given = rest
        .iter()
        .enumerate()
        .find_map(|(index, argument)| match argument.as_str() {
            "--bundle" | "-b" => rest.get(index + 1).cloned(),
            other => other
                .strip_prefix("--bundle=")
                .or_else(|| other.strip_prefix("-b="))
                .map(str::to_string),
        });
    Some(given.map_or_else(|| PathBuf::from("."), PathBuf::from))
}

/// Moves [`AGENT_VARIABLE`] from the process's environment in `config` to
/// `linux.seccomp.listenerPath`; a configuration without it is left as it
/// is.
fn set_listener(config: &Path) -> Result<(), String> {
    let at = |error: &dyn std::fmt::Display| format!("{}: {error}", config.display());
    let text = std::fs::read_to_string(config).map_err(|e| at(&e))?;
    let mut spec: serde_json::Value = serde_json::from_str(&text).map_err(|e| at(&e))?;
    let prefix = format!("{AGENT_VARIABLE}=");
    let Some(environment) = spec
        .pointer_mut("/process/env")
        .and_then(serde_json::Value::as_array_mut)
    else {
        return Ok(());
    };
    let Some(index) = environment
        .iter()
        .position(|entry| entry.as_str().is_some_and(|e| e.starts_with(&prefix)))
    else {
        return Ok(());
    };
    let entry = environment.remove(index);
    let socket = entry.as_str().unwrap_or_default()[prefix.len()..].to_string();
    let seccomp = spec
        .pointer_mut("/linux/seccomp")
        .and_then(serde_json::Value::as_object_mut)
        .ok_or_else(|| at(&"the container has no seccomp profile to record with"))?;
    seccomp.insert("listenerPath".into(), socket.into());
    seccomp.insert("listenerMetadata".into(), "seccomp-dsl record".into());
    let written = serde_json::to_string(&spec).map_err(|e| at(&e))?;
    let beside = config.with_extension("json.seccomp-dsl");
    std::fs::write(&beside, written).map_err(|e| at(&e))?;
    std::fs::rename(&beside, config).map_err(|e| at(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_of_a_create_is_found_however_it_is_given() {
        let args = |line: &str| line.split(' ').map(str::to_string).collect::<Vec<_>>();
        let bundle = bundle_created(&args("--root /r --log l create --bundle /b id"));
        assert_eq!(bundle, Some(PathBuf::from("/b")));
        let bundle = bundle_created(&args("create --bundle=/c id"));
        assert_eq!(bundle, Some(PathBuf::from("/c")));
        assert_eq!(bundle_created(&args("create id")), Some(PathBuf::from(".")));
        assert_eq!(bundle_created(&args("--root /r start id")), None);
    }

    #[test]
    fn the_agent_moves_from_the_environment_to_the_profile() {
        let dir = std::env::temp_dir().join(format!("seccomp-dsl-runtime-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("config.json");
        std::fs::write(
            &config,
            r#"{"process": {"env": ["PATH=/bin", "SECCOMP_DSL_AGENT=/run/a.sock"]},
                "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO"}}}"#,
        )
        .unwrap();
        set_listener(&config).unwrap();
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
        assert_eq!(spec["process"]["env"], serde_json::json!(["PATH=/bin"]));
        assert_eq!(spec["linux"]["seccomp"]["listenerPath"], "/run/a.sock");
        // Without the variable, nothing changes.
        let before = std::fs::read_to_string(&config).unwrap();
        set_listener(&config).unwrap();
        assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
