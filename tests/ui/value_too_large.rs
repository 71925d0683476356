use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    rule read(arg0 == 0x1_0000_0000_0000_0000) => allow;
};

fn main() {
    let _ = &POLICY;
}
