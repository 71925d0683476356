//! Recording a container where it runs: the engine's command line given
//! the recording profile, a seccomp agent ([`super::agent`]) handed the
//! container's calls by runc, and what the recording adds unseen.

use std::path::Path;
use std::sync::atomic::Ordering;

use seccomp_dsl::model::{ContainerSettings as Settings, SeccompArch};
use seccomp_dsl::record::Recording;
use seccomp_dsl::recorder;

use super::agent::{self, Phase};
use super::{COMMAND, PROFILE_PLACEHOLDER};
use crate::child::{command, start_error};
use crate::io::say;

/// The container settings a recording states: where every container
/// recorded ran so; a host run keeps what the earlier recording stated.
pub(super) fn merged_settings(
    earlier: Option<Settings>,
    in_container: bool,
    line: &[String],
) -> Settings {
    match (earlier, in_container) {
        (Some(earlier), true) => Settings {
            no_new_privileges: earlier.no_new_privileges
                && container_settings(line).no_new_privileges,
        },
        (None, true) => container_settings(line),
        (earlier, false) => earlier.unwrap_or_default(),
    }
}

/// What a container's recording lets run without seeing it: `write`
/// (runc hands no `write` to an agent), allowed whole, and the runtime's
/// calls after loading the filter, as the engine's model has them for
/// `settings` (a start makes some of them only now and then, as Go's
/// scheduler goes, and the next start may).
pub(super) fn observe_unseen(run: &mut Recording, native: SeccompArch, settings: Settings) {
    run.observe(native, "write", &[0; 6]);
    for call in seccomp_dsl::engines::RUNC_1_1_5_CALLS {
        if !(call.without_no_new_privileges_only && settings.no_new_privileges) {
            let args = call.args.map(|arg| arg.unwrap_or(0));
            // The runtime's calls come before the program's install().
            run.observe_before_install(native, call.syscall, &args);
        }
    }
}

/// How the container a command line runs is set up, as far as the
/// runtime's calls after loading the filter go: with no-new-privileges
/// where the line asks for it (`--security-opt no-new-privileges`) or its
/// engine sets it by default (`ctr run`).
fn container_settings(line: &[String]) -> Settings {
    let program = Path::new(&line[0]).file_name().unwrap_or_default();
    let asked = line.iter().any(|arg| {
        let option = arg.strip_prefix("--security-opt=").unwrap_or(arg);
        matches!(
            option,
            "no-new-privileges" | "no-new-privileges:true" | "no-new-privileges=true"
        )
    });
    Settings {
        no_new_privileges: asked || program == "ctr",
    }
}

/// Runs `line`, a container engine's command line with the recording
/// profile where it says `{profile}`, and observes every call the
/// container makes, from the moment its filter is loaded, with who made
/// it: the runtime, the program, or the program under the policy it
/// installed. The engine's exit status, and whether a program installed
/// its policy.
pub(super) fn container(
    line: &[String],
    native: SeccompArch,
    observe: &mut dyn FnMut(&seccomp_dsl::supervise::Call, Phase),
) -> Result<(std::process::ExitStatus, bool), String> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = std::env::temp_dir().join(format!("seccomp-dsl-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|error| format!("{}: {error}", dir.display()))?;
    let socket = dir.join("agent.sock");
    let profile = dir.join("profile.json");
    std::fs::write(&profile, agent::recording_profile(&socket, native))
        .map_err(|error| format!("{}: {error}", profile.display()))?;
    let agent =
        agent::Agent::start(&socket).map_err(|error| format!("{}: {error}", socket.display()))?;
    let mut line: Vec<String> = line
        .iter()
        .map(|arg| arg.replace(PROFILE_PLACEHOLDER, &profile.to_string_lossy()))
        .collect();
    name_the_recorder(&mut line, &socket);
    let status = command(&line)?.spawn().and_then(|mut child| {
        COMMAND.store(child.id() as i32, Ordering::Relaxed);
        child.wait()
    });
    let status = status.map_err(|error| start_error(&line[0], &error));
    let calls = agent.finish();
    let _ = std::fs::remove_dir_all(&dir);
    let status = status?;
    if calls.seen.is_empty() {
        let docker = match is_docker(&line) {
            true => {
                " (Docker drops a profile's `listenerPath`: register `seccomp-dsl runtime` with the \
                 daemon, `dockerd --add-runtime seccomp-dsl=PATH` where PATH is a link to \
                 seccomp-dsl named `seccomp-dsl-runtime`, and pass `--runtime seccomp-dsl`)"
            }
            false => "",
        };
        return Err(format!(
            "no call of a container reached the recorder: does `{}` run a container with runc and \
             the profile given at `{PROFILE_PLACEHOLDER}`?{docker}",
            line[0]
        ));
    }
    for seen in &calls.seen {
        observe(&seen.call, seen.phase);
    }
    warn_of_unmodelled(&calls.seen);
    Ok((status, calls.boundary.installed()))
}

/// Says what the runtime did that its model lacks: the recording allows
/// it, but exports of policies written by hand rely on the model.
fn warn_of_unmodelled(seen: &[agent::Seen]) {
    let mut unmodelled: Vec<String> = Vec::new();
    for seen in seen {
        if let (Phase::Runtime, Some(name)) = (seen.phase, seen.call.syscall) {
            let engine = seccomp_dsl::engines::TARGET;
            if !seccomp_dsl_core::container_start::modelled(&engine, name, &seen.call.data.args) {
                let call = seccomp_dsl::compare::call_as_read(name, &seen.call.data.args);
                if !unmodelled.contains(&call) {
                    unmodelled.push(call);
                }
            }
        }
    }
    if !unmodelled.is_empty() {
        say(format_args!(
            "warning: the container runtime made {} after loading the filter, which the model of \
             {} lacks: the recording allows {}, but a policy written by hand is not checked for \
             {}",
            unmodelled.join(", "),
            seccomp_dsl::engines::TARGET.runtime,
            if unmodelled.len() == 1 { "it" } else { "them" },
            if unmodelled.len() == 1 { "it" } else { "them" },
        ));
    }
}

/// Whether `line` runs Docker's client.
fn is_docker(line: &[String]) -> bool {
    Path::new(&line[0]).file_name() == Some("docker".as_ref())
}

/// Tells the container it is recorded, so that the program's `install()`
/// asks for the recorder (see [`super::boundary`]): `--env` after `run`,
/// as podman, Docker, nerdctl and `ctr` take it. Docker drops a profile's
/// `listenerPath`: for `docker run` (or `docker container run`), the
/// agent's socket goes in the container's environment too, for
/// `seccomp-dsl runtime` to take out into the profile.
fn name_the_recorder(line: &mut Vec<String>, socket: &Path) {
    let Some(at) = line.iter().position(|argument| argument == "run") else {
        return;
    };
    line.insert(at + 1, format!("--env={}=1", recorder::VARIABLE));
    if is_docker(line) {
        let variable = crate::commands::runtime::AGENT_VARIABLE;
        line.insert(at + 1, format!("--env={variable}={}", socket.display()));
    }
}
