use seccomp_dsl::{seccomp_profile, Profile};

// runc calls getpid, getppid and getuid itself after loading the filter: a
// profile that kills them leaves the container hung, never started.
static KILLED_BY_RULES: Profile = seccomp_profile! {
    default allow;
    kill getpid;
    kill_thread getppid;
    kill_process getuid;
};

// A default that kills, with the runtime's calls not allowed.
static KILLED_BY_DEFAULT: Profile = seccomp_profile! {
    default kill_process;
    allow read, write, close, execve, futex, exit_group;
};

// For install() alone, said so at `default`.
static IN_PROCESS_ONLY: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default kill_process;
    allow read, write, exit_group;
};

fn main() {
    let _ = (&KILLED_BY_RULES, &KILLED_BY_DEFAULT, &IN_PROCESS_ONLY);
}
