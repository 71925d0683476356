use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    #[allow(upper_half_bypas)]
    rule socket(arg0 as u64 == 1) => allow;
};

fn main() {
    let _ = &POLICY;
}
