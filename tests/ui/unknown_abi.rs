use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    arches x86_64, i386;
};

fn main() {
    let _ = &POLICY;
}
