use seccomp_dsl::{seccomp_profile, Profile};

// Syscalls the engine's libseccomp does not know, kept for `install()` alone
// and said so at the rule; the Docker profile says so in the rule's comment.
// Denied by default, `forbid` holds in a container as well.
static POLICY: Profile = seccomp_profile! {
    default errno;
    allow read, write, exit_group;
    #[allow(unknown_to_engine)]
    allow mseal;
    #[allow(unknown_to_engine)]
    errno(EACCES) statmount, listmount;
    forbid listmount;
};

fn main() {
    let json = POLICY.docker_json();
    assert!(json.contains("Left out of this rule by podman 4.3 (runc 1.1.5, libseccomp 2.5.4)"));
}
