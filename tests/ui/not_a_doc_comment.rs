use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    #[inline]
    allow read;
};

fn main() {
    let _ = &POLICY;
}
