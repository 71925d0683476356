use seccomp_dsl::{seccomp_profile, Profile};

// A 64-bit comparison of a 32-bit argument is meant here (as in a Docker
// profile kept exactly as written), and says so at the rule.
static POLICY: Profile = seccomp_profile! {
    default allow;
    /// Kept as the imported profile wrote it.
    #[allow(upper_half_bypass)]
    rule socket(arg0 as u64 == AF_NETLINK) => errno(EACCES);
    // Compared as the kernel reads it: no acknowledgement needed.
    rule socket(arg0 == AF_VSOCK) => errno(EACCES);
    rule openat(arg0 == -100 && arg2 & O_ACCMODE == O_RDONLY) => errno(EPERM);
};

fn main() {
    let _ = &POLICY;
}
