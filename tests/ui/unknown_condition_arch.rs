use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    when arch(amd46) { allow arch_prctl; }
};

fn main() {
    let _ = &POLICY;
}
