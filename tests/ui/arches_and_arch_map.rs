use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    arches x86_64, x86;
    arch_map x86_64 => x32;
};

fn main() {
    let _ = &POLICY;
}
