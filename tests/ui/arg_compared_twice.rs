use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    rule mmap(arg2 >= 1 && arg2 <= 3) => allow;
};

fn main() {
    let _ = &POLICY;
}
