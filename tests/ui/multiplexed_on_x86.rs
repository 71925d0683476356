use seccomp_dsl::{seccomp_profile, Profile};

// On x86, libseccomp also applies rules on `socket` to `socketcall(SYS_SOCKET,
// …)`, which it cannot filter by the socket's arguments: i386's socketcall
// would create any socket in a container, while install() denies it.
static POLICY: Profile = seccomp_profile! {
    default errno(ENOSYS);
    arches x86_64, x86;
    allow read, write, exit_group;
    rule socket(arg0 == AF_UNIX) => allow;
    rule socket(arg0 == AF_INET && arg1 == 1) => allow;
};

fn main() {
    let _ = &POLICY;
}
