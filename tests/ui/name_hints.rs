use seccomp_dsl::{seccomp_profile, Profile};

// Names as people write them elsewhere: a capability without its `CAP_`
// prefix gets a hint; `ENOTSUP`, the C library's name for `EOPNOTSUPP`, is
// accepted.
static POLICY: Profile = seccomp_profile! {
    default allow;
    errno(ENOTSUP) getppid;
    when cap(SYS_ADMIN) { errno(EPERM) getpgrp; }
};

fn main() {
    let _ = &POLICY;
}
