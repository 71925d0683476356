use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default allow;
    kill_process execve;
    forbid ptrace, execve;
};

fn main() {
    let _ = &POLICY;
}
