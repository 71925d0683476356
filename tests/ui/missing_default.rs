use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    allow read, write;
};

fn main() {
    let _ = &POLICY;
}
