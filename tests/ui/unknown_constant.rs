use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    rule socket(arg0 == AF_INTE) => allow;
};

fn main() {
    let _ = &POLICY;
}
