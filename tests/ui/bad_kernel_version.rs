use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    #[allow(engine_ignores_min_kernel)]
    when kernel >= 4.8.1 { allow read; }
};

fn main() {
    let _ = &POLICY;
}
