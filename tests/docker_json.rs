//! The Docker profile states exactly the policy the installer applies.

mod common;

use common::policies::{
    ACTIONS, ARGUMENTS, CANONICAL, CONDITIONAL, FOREIGN_NAMES, MULTI_NAME, NEWER_THAN_LIBSECCOMP,
    WITH_X86,
};
use seccomp_dsl::{docker, exact, Profile};

const GOLDEN_CANONICAL: &str = include_str!("golden/canonical.json");

fn all_policies() -> [(&'static str, &'static Profile); 8] {
    [
        ("MULTI_NAME", &MULTI_NAME),
        ("CONDITIONAL", &CONDITIONAL),
        ("WITH_X86", &WITH_X86),
        ("NEWER_THAN_LIBSECCOMP", &NEWER_THAN_LIBSECCOMP),
        ("CANONICAL", &CANONICAL),
        ("ARGUMENTS", &ARGUMENTS),
        ("ACTIONS", &ACTIONS),
        ("FOREIGN_NAMES", &FOREIGN_NAMES),
    ]
}

#[test]
fn json_reads_back_into_the_installed_model() {
    for (name, profile) in all_policies() {
        let read_back = docker::from_json(profile.docker_json())
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        // In the form every engine reads exactly: narrow comparisons as
        // masked comparisons of their bits (see `seccomp_dsl::exact`).
        assert_eq!(read_back, exact::policy(profile.policy()), "{name}");
    }
}

#[test]
fn json_made_at_compile_time_is_what_the_emitter_makes_now() {
    for (name, profile) in all_policies() {
        assert_eq!(
            profile.docker_json(),
            docker::to_json(profile.policy()),
            "{name}"
        );
    }
}

#[test]
fn json_is_in_dockers_format() {
    let json: serde_json::Value = serde_json::from_str(ARGUMENTS.docker_json()).unwrap();
    assert_eq!(json["defaultAction"], "SCMP_ACT_ERRNO");
    assert_eq!(json["defaultErrnoRet"], libc::ENOTTY);
    assert!(
        json.get("architectures").is_none(),
        "the native ABI only, as the installer"
    );
    let entries = json["syscalls"].as_array().unwrap();
    // `||` gives one entry per alternative.
    assert_eq!(entries.len(), 1 + 1 + 2 + 1 + 1 + 2);
    let masked = &entries[1];
    assert_eq!(masked["names"], serde_json::json!(["tuxcall"]));
    assert_eq!(masked["action"], "SCMP_ACT_ALLOW");
    assert_eq!(
        masked["args"],
        serde_json::json!([
            {"index": 0, "value": 1, "valueTwo": 0, "op": "SCMP_CMP_EQ"},
            {"index": 1, "value": 0xff00, "valueTwo": 0x1200, "op": "SCMP_CMP_MASKED_EQ"},
        ])
    );
    let errno = &entries[2];
    assert_eq!(errno["action"], "SCMP_ACT_ERRNO");
    assert_eq!(errno["errnoRet"], libc::EACCES);

    let actions: serde_json::Value = serde_json::from_str(ACTIONS.docker_json()).unwrap();
    let names: Vec<_> = actions["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["action"].as_str().unwrap(),
                entry["errnoRet"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("SCMP_ACT_ERRNO", Some(18)),
            ("SCMP_ACT_KILL_PROCESS", None),
            ("SCMP_ACT_KILL", None),
            ("SCMP_ACT_TRAP", None),
            ("SCMP_ACT_LOG", None),
            ("SCMP_ACT_TRACE", Some(7)),
            ("SCMP_ACT_KILL_PROCESS", None),
        ]
    );
}

#[test]
fn a_condition_on_several_syscalls_is_one_entry_per_alternative() {
    let json: serde_json::Value = serde_json::from_str(MULTI_NAME.docker_json()).unwrap();
    let entries = json["syscalls"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for entry in entries {
        assert_eq!(entry["names"], serde_json::json!(["tuxcall", "security"]));
    }
    assert_eq!(entries[1]["args"][0]["op"], "SCMP_CMP_MASKED_EQ");
}

#[test]
fn names_of_other_architectures_stay_in_the_json() {
    let json: serde_json::Value = serde_json::from_str(FOREIGN_NAMES.docker_json()).unwrap();
    assert_eq!(
        json["syscalls"][0]["names"],
        serde_json::json!(["exit_group", "getpid", "_llseek", "chown32"])
    );
}

/// The canonical example's profile is committed: a change to the emitted
/// JSON shows up in review. Regenerate with `UPDATE_GOLDEN=1`.
#[test]
fn canonical_example_matches_its_golden_file() {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/golden/canonical.json"
        );
        std::fs::write(path, CANONICAL.docker_json()).unwrap();
        return;
    }
    assert_eq!(CANONICAL.docker_json(), GOLDEN_CANONICAL);
}

#[test]
fn export_writes_the_profile_and_leaves_an_identical_file_alone() {
    let dir = std::env::temp_dir().join(format!("seccomp-dsl-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("profile.json");
    seccomp_dsl::export::write_docker_json(&CANONICAL, &path).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        CANONICAL.docker_json()
    );
    let written = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    seccomp_dsl::export::write_docker_json(&CANONICAL, &path).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        written
    );
    seccomp_dsl::export::write_docker_json(&ARGUMENTS, &path).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        ARGUMENTS.docker_json()
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file left"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_macro_works_in_const_and_let_too() {
    use seccomp_dsl::seccomp_profile;
    const IN_CONST: Profile = seccomp_profile! { #[allow(stops_exit, engine_cannot_start)] default errno; allow read, write; };
    let in_let = seccomp_profile! { #[allow(stops_exit, engine_cannot_start)] default errno; allow read, write; };
    assert_eq!(IN_CONST.policy(), in_let.policy());
    assert_eq!(IN_CONST.docker_json(), in_let.docker_json());
}

#[test]
fn conditions_comments_architectures_and_flags_are_in_dockers_format() {
    let json: serde_json::Value = serde_json::from_str(CONDITIONAL.docker_json()).unwrap();
    let entries = json["syscalls"].as_array().unwrap();
    assert_eq!(
        entries[1]["includes"],
        serde_json::json!({"caps": ["CAP_SYS_ADMIN"]})
    );
    assert_eq!(
        entries[1]["comment"],
        "Only a process that keeps CAP_SYS_ADMIN may ask for its pid."
    );
    assert_eq!(
        entries[2]["excludes"],
        serde_json::json!({"caps": ["CAP_SYS_ADMIN"]})
    );
    assert!(
        entries[2].get("comment").is_none(),
        "a comment belongs to one statement"
    );
    assert_eq!(
        entries[3]["includes"],
        serde_json::json!({"minKernel": "4.8"})
    );
    assert_eq!(
        entries[5]["includes"],
        serde_json::json!({"arches": ["amd64", "arm64"]})
    );
    assert_eq!(
        entries[6]["excludes"],
        serde_json::json!({"arches": ["amd64", "arm64"]})
    );
    assert_eq!(
        entries[7],
        serde_json::json!({
            "names": ["getegid"],
            "action": "SCMP_ACT_ERRNO",
            "errnoRet": libc::EDOM,
            "includes": {"caps": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"], "minKernel": "3.0"},
            "excludes": {"caps": ["CAP_BPF"]},
        })
    );

    let json: serde_json::Value = serde_json::from_str(WITH_X86.docker_json()).unwrap();
    assert_eq!(
        json["archMap"],
        serde_json::json!([
            {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},
            {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]},
        ])
    );
    assert_eq!(
        json["flags"],
        serde_json::json!(["SECCOMP_FILTER_FLAG_LOG"])
    );
}

#[test]
fn bad_profiles_get_errors_naming_the_field() {
    let cases = [
        ("{", "invalid Docker seccomp profile: EOF while parsing an object at line 1 column 1"),
        (
            r#"{"defaultAction": 1}"#,
            "invalid Docker seccomp profile: `defaultAction`: invalid type: integer `1`, expected a string at line 1 column 19",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQUAL"}]}]}"#,
            "invalid Docker seccomp profile: `syscalls[0].args[0].op`: unknown operator `SCMP_CMP_EQUAL`; did you mean `SCMP_CMP_EQ`?",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}]}"#,
            "invalid Docker seccomp profile: `syscalls[0]`: an entry has either `name` or `names`, not both",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}"#,
            "invalid Docker seccomp profile: `architectures`: a profile has either `architectures` or `archMap`, not both",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMN"]}}]}"#,
            "invalid Docker seccomp profile: `syscalls[0].includes.caps[0]`: unknown capability `CAP_SYS_ADMN`; did you mean `CAP_SYS_ADMIN`?",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 0, "op": "SCMP_CMP_EQ"}]}]}"#,
            "invalid Docker seccomp profile: `syscalls[0].args[0].index`: argument index 6 is not 0 to 5",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5000}]}"#,
            "invalid Docker seccomp profile: `syscalls[0].action`: errno 5000 is out of range: it must be between 1 and 4094",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "four"}}]}"#,
            "invalid Docker seccomp profile: `syscalls[0].excludes.minKernel`: `four` is not a kernel version such as `4.8`",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}"#,
            "invalid Docker seccomp profile: `flags[0]`: `wait_killable_recv` applies only to a filter with a user-notification listener, which a policy never has: the kernel refuses the filter (EINVAL)",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "listenerPath": "/run/x"}"#,
            "invalid Docker seccomp profile: `listenerPath`: unknown field `listenerPath`, expected one of `defaultAction`, `defaultErrnoRet`, `defaultErrno`, `architectures`, `archMap`, `flags`, `syscalls` at line 1 column 50",
        ),
    ];
    for (json, expected) in cases {
        let error = docker::from_json(json).expect_err(json);
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn oci_export_lists_the_abis_and_the_rules_of_one_container() {
    use seccomp_dsl::model::{Context, KernelVersion};
    use seccomp_dsl::profiles::DOCKER_DEFAULT;
    let container = Context {
        arch: "amd64".into(),
        capabilities: vec!["CAP_SYS_PTRACE".into()],
        kernel: KernelVersion { major: 6, minor: 1 },
    };
    let oci: serde_json::Value =
        serde_json::from_str(&DOCKER_DEFAULT.oci_json(&container).unwrap()).unwrap();
    assert_eq!(oci["defaultAction"], "SCMP_ACT_ERRNO");
    assert_eq!(
        oci["architectures"],
        serde_json::json!(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
    );
    let entries = oci["syscalls"].as_array().unwrap();
    let names = |entry: &serde_json::Value| entry["names"].as_array().unwrap().clone();
    assert!(
        entries.iter().any(|e| names(e).contains(&"kcmp".into())),
        "CAP_SYS_PTRACE entry kept"
    );
    assert!(
        !entries.iter().any(|e| names(e).contains(&"mount".into())),
        "CAP_SYS_ADMIN entry dropped"
    );
    assert!(entries
        .iter()
        .all(|e| e.get("includes").is_none() && e.get("comment").is_none()));
    let resolved = DOCKER_DEFAULT.resolve(&container).unwrap();
    assert_eq!(entries.len(), resolved.rules.len());
}
