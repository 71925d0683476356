use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    rule socket(arg0 == 0x1_0000_0028) => allow;
    rule fcntl(arg1 & 0xffff_ffff_0000_0000 == 0) => allow;
    rule kill(arg1 > 0xffff_fff0) => allow;
    rule fchmodat(arg2 == 0x1_0000) => allow;
};

fn main() {
    let _ = &POLICY;
}
