use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    when cap(CAP_SYS_ADMIN) { allow clone3; }
    when cap(CAP_BPF) { errno(ENOSYS) clone3; }
};

fn main() {
    let _ = &POLICY;
}
