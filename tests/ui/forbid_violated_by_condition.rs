use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    rule ptrace(arg0 == 0) => log;
    forbid ptrace;
};

fn main() {
    let _ = &POLICY;
}
