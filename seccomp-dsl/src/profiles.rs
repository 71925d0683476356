//! Ready-made policies.

use crate::Profile;

/// Docker's default seccomp profile (moby's `profiles/seccomp/default.json`),
/// written in the DSL: its Docker JSON states the same entries as Docker's
/// own file. An allow-list: every syscall it does not name fails with
/// EPERM; some are allowed only with a capability (`CAP_SYS_ADMIN`, ...),
/// on some architectures or from some kernel version on, decided when it is
/// installed. It covers the x86 and x32 ABIs on x86_64 (and arm on aarch64)
/// as Docker does.
///
/// `docker_default.policy.rs` beside this file is generated from the
/// vendored `docker-default.json` by `generate.sh`.
///
/// ```
/// use seccomp_dsl::profiles::DOCKER_DEFAULT;
/// use seccomp_dsl::model::{Action, Context, KernelVersion};
/// let container = Context {
///     arch: "amd64".into(),
///     capabilities: vec!["CAP_CHOWN".into(), "CAP_NET_BIND_SERVICE".into()],
///     kernel: KernelVersion { major: 6, minor: 1 },
/// };
/// let resolved = DOCKER_DEFAULT.resolve(&container).unwrap();
/// assert_eq!(resolved.decide("read", &[0; 6]), Action::Allow);
/// assert_eq!(resolved.decide("mount", &[0; 6]), Action::Errno(1));
/// assert_eq!(resolved.decide("personality", &[0xffff_ffff, 0, 0, 0, 0, 0]), Action::Allow);
/// ```
pub static DOCKER_DEFAULT: Profile = include!("profiles/docker_default.policy.rs");
