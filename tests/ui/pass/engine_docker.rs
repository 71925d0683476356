use seccomp_dsl::{seccomp_profile, Profile};

// Docker honours minKernel: a kernel condition needs no acknowledgement
// when the policy targets it.
static POLICY: Profile = seccomp_profile! {
    engine docker;
    default errno(EPERM);
    allow read, write, exit_group;
    when kernel >= 4.8 { allow process_vm_readv; }
};

fn main() {
    let _ = &POLICY;
}
