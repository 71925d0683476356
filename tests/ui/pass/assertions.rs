use seccomp_dsl::{seccomp_profile, Profile};

// What a policy promises, checked when it compiles.
static POLICY: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default errno;
    allow read, write, exit_group;
    rule socket(arg0 == AF_UNIX || arg0 == AF_INET) => allow;
    rule openat(arg2 & O_ACCMODE == O_RDONLY) => allow;
    assert denies socket(AF_ALG);
    assert denies socket(AF_NETLINK, _, _);
    assert allows socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert allows openat(_, _, O_RDONLY | O_CLOEXEC);
    assert denies ptrace;
    assert no_more_than DOCKER_DEFAULT;
};

fn main() {
    assert_eq!(POLICY.rules().len(), 4);
}
