use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default kill_process;
    errno(EACCESS) openat;
};

fn main() {
    let _ = &POLICY;
}
