use seccomp_dsl::{seccomp_profile, Profile};

// runc 1.1.5 refuses to start a container whose profile has any flags, and
// the kernel refuses `wait_killable_recv` without a notification listener.
static UNACKNOWLEDGED: Profile = seccomp_profile! {
    default allow;
    flags log;
    errno(EACCES) getppid;
};

static NEVER_LOADS: Profile = seccomp_profile! {
    default allow;
    #[allow(engine_refuses_flags)]
    flags spec_allow, wait_killable_recv;
    errno(EACCES) getppid;
};

fn main() {
    let _ = (&UNACKNOWLEDGED, &NEVER_LOADS);
}
