use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    rule socket(arg0 == AF_INET) => allow;
    rule socket(arg1 == 1) => errno(EACCES);
};

fn main() {
    let _ = &POLICY;
}
