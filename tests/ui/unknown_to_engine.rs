use seccomp_dsl::{seccomp_profile, Profile};

// libseccomp 2.5.4, with which runc 1.1.5 builds a container's filter, does
// not know the newest syscalls: it leaves them out of every rule, silently.
// Here `mseal` would be denied in-process and run in a container.
static DENIED_HERE_RUNS_THERE: Profile = seccomp_profile! {
    default allow;
    errno(EACCES) mseal, statmount, listmount;
};

// And here it would run in-process and be denied in a container.
static ALLOWED_HERE_DENIED_THERE: Profile = seccomp_profile! {
    default errno;
    allow read, write, exit_group;
    rule mseal(arg0 == 0) => allow;
};

fn main() {
    let _ = (&DENIED_HERE_RUNS_THERE, &ALLOWED_HERE_DENIED_THERE);
}
