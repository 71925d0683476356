use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    when cap(CAP_SYS_ADMIN) { default allow; }
    default errno;
};

fn main() {
    let _ = &POLICY;
}
