use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    when arch(s390, s390x) {
        when arch(amd64) { allow read; }
    }
};

fn main() {
    let _ = &POLICY;
}
