use seccomp_dsl::{seccomp_profile, Profile};

// libseccomp 2.5.4 lets `mmap(…, …, 8, …)` through to the default here,
// while both rules deny it.
static ORDERED: Profile = seccomp_profile! {
    default errno(ENOSYS);
    allow read, write, exit_group;
    rule mmap(arg2 < 8) => errno(EPERM);
    rule mmap(arg2 <= 0x1_0000_0000) => errno(EPERM);
};

// And it never finishes adding these: runc would hang building the filter.
static NEVER_BUILT: Profile = seccomp_profile! {
    default errno(ENOSYS);
    allow read, write, exit_group;
    rule mmap(arg2 == 1) => errno(EPERM);
    rule mmap(arg1 > 0xffff_ffff && arg2 == 0xffff_ffff) => errno(EPERM);
    rule mmap(arg1 > 0xffff_ffff && arg2 & 0xffff_ffff_ffff_ffff == 0x1_0000_0008) => errno(EACCES);
};

fn main() {
    let _ = (&ORDERED, &NEVER_BUILT);
}
