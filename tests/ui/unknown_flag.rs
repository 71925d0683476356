use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    flags log, spec_alow;
};

fn main() {
    let _ = &POLICY;
}
