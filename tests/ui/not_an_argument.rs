use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    rule read(fd == 0) => allow;
};

fn main() {
    let _ = &POLICY;
}
