//! The Security Profiles Operator's `SeccompProfile`: every object written
//! for the project's policies is valid under the operator's CRD schema
//! (vendored in `seccomp-dsl-core/data/spo/`), and what the format cannot
//! state is refused.

mod common;

use common::policies::{ACTIONS, CANONICAL, CONDITIONAL, WITH_X86};
use seccomp_dsl::model::{Context, KernelVersion, SeccompArch, DOCKER_CONTAINER_CAPABILITIES};
use seccomp_dsl::profiles::{
    DOCKER_DEFAULT, DOCKER_DEFAULT_HARDENED, DOCKER_DEFAULT_HARDENED_NATIVE, DOCKER_DEFAULT_NATIVE,
};
use seccomp_dsl::{k8s, seccomp_profile, Profile};

/// The README's worked example.
static CONTAINER_EXAMPLE: Profile = include!("../examples/container/policy.rs");

const SCHEMA: &str = include_str!("../seccomp-dsl-core/data/spo/seccompprofile.strict.schema.json");

fn context(arch: &'static str, capabilities: &[&'static str]) -> Context {
    Context {
        arch: arch.into(),
        capabilities: capabilities.iter().map(|&cap| cap.into()).collect(),
        kernel: KernelVersion { major: 6, minor: 1 },
    }
}

#[test]
fn every_object_is_valid_under_the_operators_schema() {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let policies: [(&str, &Profile); 9] = [
        ("docker-default", &DOCKER_DEFAULT),
        ("docker-default-native", &DOCKER_DEFAULT_NATIVE),
        ("docker-default-hardened", &DOCKER_DEFAULT_HARDENED),
        (
            "docker-default-hardened-native",
            &DOCKER_DEFAULT_HARDENED_NATIVE,
        ),
        ("canonical", &CANONICAL),
        ("actions", &ACTIONS),
        ("with-x86", &WITH_X86),
        ("conditional", &CONDITIONAL),
        ("no-raw-packets", &CONTAINER_EXAMPLE),
    ];
    let mut checked = 0;
    for (name, profile) in policies {
        for (arch, native) in [
            ("amd64", SeccompArch::X86_64),
            ("arm64", SeccompArch::Aarch64),
        ] {
            for capabilities in [&[][..], &DOCKER_CONTAINER_CAPABILITIES[..]] {
                let resolved = profile
                    .policy()
                    .resolve(&context(arch, capabilities), native);
                let object =
                    k8s::seccomp_profile(&resolved, name).unwrap_or_else(|e| panic!("{name}: {e}"));
                let errors: Vec<String> = validator
                    .iter_errors(&object)
                    .map(|e| e.to_string())
                    .collect();
                assert!(
                    errors.is_empty(),
                    "{name} on {arch}: {errors:?}\n{object:#}"
                );
                assert_eq!(object["metadata"]["name"], name);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 36);
    // The validator does reject what the operator would.
    let bad = serde_json::json!({
        "apiVersion": "security-profiles-operator.x-k8s.io/v1", "kind": "SeccompProfile",
        "metadata": {"name": "x"},
        "spec": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13},
    });
    assert!(!validator.is_valid(&bad));
}

#[test]
fn what_the_format_cannot_state_is_refused_with_the_reason() {
    let amd64 = || context("amd64", &[]);
    static EACCES_DEFAULT: Profile = seccomp_profile! {
        #[allow(engine_cannot_start, stops_exit)]
        default errno(EACCES);
        allow read;
    };
    let refused = |profile: &Profile| {
        k8s::seccomp_profile(
            &profile.policy().resolve(&amd64(), SeccompArch::X86_64),
            "x",
        )
        .unwrap_err()
        .to_string()
    };
    assert!(refused(&EACCES_DEFAULT).contains("the format has no `defaultErrnoRet`"));
    static HIGH_VALUE: Profile = seccomp_profile! {
        #[allow(engine_cannot_start, stops_exit)]
        default errno;
        #[allow(foreign_syscall)]
        rule tuxcall(arg0 == 0x8000_0000_0000_0000) => allow;
    };
    assert!(refused(&HIGH_VALUE).contains("compares with 0x8000000000000000, at or above 2^63"));
    let named = k8s::seccomp_profile(
        &CANONICAL.policy().resolve(&amd64(), SeccompArch::X86_64),
        "Bad_Name",
    );
    assert!(named
        .unwrap_err()
        .to_string()
        .contains("`Bad_Name` is no object name"));
    assert_eq!(
        k8s::security_context("operator/web.json")["securityContext"]["seccompProfile"]
            ["localhostProfile"],
        "operator/web.json"
    );
}
