use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default kill_process;
    allow @basic_io, @file_sytem, read;
    forbid @debug;
    allow ptrace;
};

fn main() {}
