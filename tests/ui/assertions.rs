use seccomp_dsl::{seccomp_profile, Profile};

static SOCKETS: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default errno;
    rule socket(arg0 != AF_VSOCK) => allow;
    rule openat(arg2 & O_ACCMODE == O_RDONLY) => allow;
    assert denies socket(AF_ALG, _, _);
    assert allows openat(_, _, O_RDWR);
    assert denies socket(AF_VSOCK);
};

static TOO_OPEN: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default errno;
    allow read, write, syslog;
    when cap(CAP_SYS_ADMIN) { #[allow(dangerous_permission)] allow unshare; }
    assert no_more_than DOCKER_DEFAULT;
};

static PERSONAS: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default errno;
    rule personality(arg0 == 0xffffffff) => allow;
    assert no_more_than DOCKER_DEFAULT;
    assert no_more_than PODMAN_DEFAULT;
    assert denies presonality;
    assert allows read(0, 0, 0, 0);
};

fn main() {}
