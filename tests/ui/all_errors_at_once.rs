use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    allow rea, write;
    rule personality(arg7 == 0) => alow;
    errno(EACCESS) openat;
    rule ioctl(arg1 & 0x0f == 0xf0) => allow;
};

fn main() {
    let _ = &POLICY;
}
