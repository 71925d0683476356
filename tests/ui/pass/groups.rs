use seccomp_dsl::{seccomp_profile, Profile};

// A group stands for its members wherever a list of names may stand.
static POLICY: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default kill_process;
    allow @rust_std, @rust_threads, read;
    errno(ENOSYS) clone3;
    rule clone(arg0 & CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET == 0) => allow;
    errno(EPERM) @mount;
    forbid @debug, @module;
};

fn main() {
    let rules = POLICY.rules();
    assert!(rules[0].names("futex") && rules[0].names("read") && rules[0].names("exit_group"));
    assert!(rules[3].names("mount") && rules[3].names("pivot_root"));
}
