use seccomp_dsl::{seccomp_profile, Profile};

// `mmap`'s `prot` is an `unsigned long`: compared on 64 bits, whose low
// halves 32-bit ABIs compare one comparison at a time.
static POLICY: Profile = seccomp_profile! {
    default errno;
    arches x86_64, x86;
    rule mmap(arg2 >= 1 && arg2 <= 3) => allow;
};

fn main() {
    let _ = &POLICY;
}
