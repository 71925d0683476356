use seccomp_dsl::Profile;
use seccomp_dsl_test_policies::service_base;

// The base forbids ptrace and @mount: what lets them run here is an error
// at this crate's tokens.
static DEBUGGER: Profile = service_base! {
    allow ptrace;
};

static PERMISSIVE: Profile = service_base! {
    #[allow(engine_cannot_start)]
    default allow;
};

fn main() {}
