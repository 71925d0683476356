use seccomp_dsl::{seccomp_profile, Profile};

// Docker 20.10 ignores defaultErrnoRet: its default denies with EPERM.
static DEFAULT_ERRNO: Profile = seccomp_profile! {
    engine docker;
    default errno(EACCES);
    allow read, write, exit_group;
};

static UNKNOWN_ENGINE: Profile = seccomp_profile! {
    engine dokcer;
    default errno;
    allow read, write, exit_group;
};

fn main() {
    let _ = (&DEFAULT_ERRNO, &UNKNOWN_ENGINE);
}
