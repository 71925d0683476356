use seccomp_dsl::{seccomp_profile, Profile};

// `socket` reads its family as a 32-bit `int`: on 64 bits, `0x1_0000_0010`
// is no AF_NETLINK, but the kernel creates a netlink socket for it.
static POLICY: Profile = seccomp_profile! {
    default allow;
    rule socket(arg0 as u64 == AF_NETLINK) => errno(EACCES);
};

fn main() {
    let _ = &POLICY;
}
