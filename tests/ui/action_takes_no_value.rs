use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    allow(1) read;
};

fn main() {
    let _ = &POLICY;
}
