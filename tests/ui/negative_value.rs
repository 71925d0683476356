use seccomp_dsl::{seccomp_profile, Profile};

// `mmap`'s `prot` is an `unsigned long`, compared as an unsigned 64-bit
// integer; a negative value only means something for narrower types.
static POLICY: Profile = seccomp_profile! {
    default errno;
    rule mmap(arg2 == -1) => allow;
};

fn main() {
    let _ = &POLICY;
}
