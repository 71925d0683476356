use seccomp_dsl::{seccomp_profile, Profile};

// podman ignores minKernel: on a 6.x kernel it allows both calls, while
// install() (and Docker) allow neither.
static POLICY: Profile = seccomp_profile! {
    default errno;
    allow read, write, exit_group;
    when kernel >= 7.0 { allow getpid; }
    unless kernel >= 5.0 { allow getppid; }
};

fn main() {
    let _ = &POLICY;
}
