use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default errno;
    rule openat(arg2 & O_DIRECTORY == O_DIRECTORY) => allow;
    rule open(arg1 == O_RDONLY | O_DIRECTROY) => allow;
};

fn main() {}
