use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    #[allow(engine_refuses_flags)]
    flags log, spec_alow;
};

fn main() {
    let _ = &POLICY;
}
