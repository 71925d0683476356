use seccomp_dsl::Profile;
use seccomp_dsl_test_policies::{service_base, SERVICE_BASE};

// Another crate's base, extended here: more rules, a tighter default.
static WEB: Profile = service_base! {
    #[allow(engine_cannot_start)]
    default errno(EACCES);
    allow @tokio, accept4, bind, listen;
    rule socket(arg0 == AF_INET) => allow;
    assert allows socket(AF_INET);
};

fn main() {
    assert_eq!(WEB.default_action(), seccomp_dsl::model::Action::Errno(13));
    assert_eq!(SERVICE_BASE.default_action(), seccomp_dsl::model::Action::KillProcess);
    // Every rule of the base, then the extension's.
    assert_eq!(WEB.rules()[..SERVICE_BASE.rules().len()], *SERVICE_BASE.rules());
    assert!(WEB.rules().len() > SERVICE_BASE.rules().len());
}
