use seccomp_dsl::{seccomp_profile, Profile};

// Valid rules that are usually a mistake: errors unless acknowledged.
static SANDBOX: Profile = seccomp_profile! {
    #[allow(engine_cannot_start)]
    default kill_process;
    allow read, write, exit_group, rt_sigreturn, ptrace, clone3;
    rule clone(arg0 & CLONE_NEWUSER == 0) => allow;
    allow personality, socket;
    errno(EPERM) restart_syscall;
    allow _llseek, uselib;
};

static THREADS: Profile = seccomp_profile! {
    #[allow(engine_cannot_start, stops_exit)]
    default kill;
};

fn main() {}
