use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default allow;
    kill_process execve;
    forbid ptrace, execve;
};

fn main() {
    let _ = &POLICY;
}
