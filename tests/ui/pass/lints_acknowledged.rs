use seccomp_dsl::{seccomp_profile, Profile};

// Each lint, acknowledged where it is meant; the Docker profile says so.
static POLICY: Profile = seccomp_profile! {
    // A debugger: it traces its children.
    #[allow(engine_cannot_start, kill_thread_default)]
    default kill;
    allow read, write, exit_group, rt_sigreturn, restart_syscall;
    #[allow(dangerous_permission)]
    allow ptrace;
    // Privileged: no acknowledgement needed.
    when cap(CAP_SYS_ADMIN) { allow mount; }
};

fn main() {
    let profile: serde_json::Value = serde_json::from_str(POLICY.docker_json()).unwrap();
    let comment = profile["syscalls"][1]["comment"].as_str().unwrap();
    assert_eq!(
        comment,
        "Acknowledged (dangerous_permission): `ptrace` is let run whatever its arguments, \
         outside a `when cap(...)` block."
    );
}
