use seccomp_dsl::{seccomp_profile, Profile};

// A group stands for its members wherever a list of names may stand.
static POLICY: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default kill_process;
    allow @rust_std, @rust_threads, read;
    errno(EPERM) @mount;
    forbid @debug, @module;
};

fn main() {
    let rules = POLICY.rules();
    assert!(rules[0].names("clone3") && rules[0].names("read") && rules[0].names("exit_group"));
    assert!(rules[1].names("mount") && rules[1].names("pivot_root"));
}
