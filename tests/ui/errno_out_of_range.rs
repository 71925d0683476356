use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default kill_process;
    errno(4096) openat;
    errno(0) open;
    errno(4095) getppid;
};

fn main() {
    let _ = &POLICY;
}
