use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    when cap(CAP_SYS_ADMN) { allow mount; }
};

fn main() {
    let _ = &POLICY;
}
