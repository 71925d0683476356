use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    rule personality(arg0 & 0x0f != 0x1) => allow;
};

fn main() {
    let _ = &POLICY;
}
