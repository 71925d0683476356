use seccomp_dsl::{seccomp_profile, Profile};

// The rule that denies `mseal` is acknowledged as `install()`'s alone; but a
// container engine that leaves it out lets `mseal` run by default, which
// `forbid` does not allow.
static POLICY: Profile = seccomp_profile! {
    default allow;
    #[allow(unknown_to_engine)]
    kill_process mseal;
    forbid mseal;
};

fn main() {
    let _ = &POLICY;
}
