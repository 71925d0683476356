use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    kill_process personality;
    rule personality(arg0 == 0x0) => allow;
};

fn main() {
    let _ = &POLICY;
}
