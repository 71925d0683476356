//! Import: Docker profiles become DSL source that compiles back, through
//! `seccomp_profile!`, to a semantically identical profile.

use seccomp_dsl::model::Policy;
use seccomp_dsl::profiles::{DOCKER_DEFAULT, DOCKER_DEFAULT_NATIVE};
use seccomp_dsl::{docker, dsl, engines, Profile};

const DOCKER_DEFAULT_JSON: &str = seccomp_dsl::docker::MOBY_DEFAULT;

macro_rules! imported {
    ($($name:ident: $file:literal),* $(,)?) => {
        $(static $name: Profile = include!(concat!("import/", $file, ".policy.rs"));)*
        /// Every imported profile: its name, original JSON and compiled policy.
        fn imported() -> Vec<(&'static str, &'static str, &'static Profile)> {
            vec![$(($file, include_str!(concat!("import/", $file, ".json")), &$name)),*]
        }
    };
}

imported! {
    ALL_ACTIONS: "all-actions",
    ARGUMENTS: "arguments",
    CONDITIONS: "conditions",
    ARCHITECTURES: "architectures",
    DENY_LIST: "deny-list",
    // Debian's /usr/share/containers/seccomp.json (containers-common 0.50):
    // the profile podman, buildah and CRI-O read, in their dialect.
    CONTAINERS_COMMON: "containers-common",
    // Real profiles from public repositories (see import/SOURCES.md).
    WILD_CHROME: "wild-chrome",
    WILD_REDPWN_JAIL: "wild-redpwn-jail",
    WILD_MOBY_17: "wild-moby-17",
    WILD_MOBY_EXAMPLE: "wild-moby-example",
    WILD_CONTAINERS_GOLANG: "wild-containers-golang",
    WILD_ZOOM_DOCKED: "wild-zoom-docked",
    WILD_GREMLIN_HELM: "wild-gremlin-helm",
}

/// The policy without the notes this project adds to rules' comments (what
/// the target engine leaves out, the lints acknowledged).
fn without_our_notes(mut policy: Policy) -> Policy {
    for rule in policy.rules.to_mut() {
        let left_out = engines::TARGET.dropped_names(rule, &policy.architectures);
        let left_out = engines::TARGET.left_out_note(&left_out);
        let kept: Vec<&str> = (rule.comment.as_deref().unwrap_or_default().lines())
            .filter(|line| *line != left_out && !line.starts_with("Acknowledged ("))
            .collect();
        rule.comment = (!kept.is_empty()).then(|| kept.join("\n").into());
    }
    policy
}

/// The policy as engines read it: the names of an entry are a set, and a
/// masked comparison compares `value & mask`.
fn canonical(policy: Policy) -> Policy {
    let mut policy = without_our_notes(policy);
    for rule in policy.rules.to_mut() {
        rule.syscalls.to_mut().sort();
        for condition in rule.conditions.to_mut() {
            if let seccomp_dsl::model::CmpOp::MaskedEq(mask) = condition.op {
                condition.value &= mask;
            }
        }
    }
    policy
}

/// The profile as engines apply it: each syscall's first rule without
/// conditions decides it (what the importer keeps), with what runc and
/// libseccomp drop left out.
fn original_as_engines_read(json: &str) -> Policy {
    dsl::import_docker_as_engines(json).unwrap().0
}

#[test]
fn debians_containers_common_profile_is_the_one_tested() {
    let installed = "/usr/share/containers/seccomp.json";
    match std::fs::read_to_string(installed) {
        Ok(text) => assert_eq!(
            text,
            include_str!("import/containers-common.json"),
            "{installed} changed: copy it to tests/import/containers-common.json and regenerate"
        ),
        Err(_) => assert!(
            std::env::var_os("CI").is_none(),
            "{installed} is missing; .ci/run installs golang-github-containers-common"
        ),
    }
}

#[test]
fn containers_commons_dialect_is_read_and_checked() {
    let profile = |default: &str, entry: &str| {
        format!(
            r#"{{"defaultAction": "SCMP_ACT_ERRNO", {default} "syscalls": [
                {{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", {entry} "args": []}}]}}"#
        )
    };
    // Names beside numbers that agree: the number.
    let policy = dsl::import_docker(&profile(
        r#""defaultErrno": "ENOSYS", "defaultErrnoRet": 38,"#,
        r#""errno": "EACCES", "errnoRet": 13,"#,
    ))
    .unwrap();
    assert_eq!(policy.default_action, seccomp_dsl::model::Action::Errno(38));
    assert_eq!(
        policy.rules[0].action,
        seccomp_dsl::model::Action::Errno(13)
    );
    // Names that disagree, a name alone, or an unknown name: refused.
    let refused = |default: &str, entry: &str| {
        dsl::import_docker(&profile(default, entry))
            .unwrap_err()
            .to_string()
    };
    assert!(
        refused(r#""defaultErrno": "ENOSYS", "defaultErrnoRet": 1,"#, "")
            .contains("`defaultErrno`: `ENOSYS` is 38, but `defaultErrnoRet` says 1"),
    );
    assert!(refused("", r#""errno": "EACCES","#).contains(
        "`syscalls[0].errno`: `EACCES` without `syscalls[0].errnoRet`: readers that know only"
    ));
    assert!(refused("", r#""errno": "EACCESS", "errnoRet": 13,"#)
        .contains("unknown errno `EACCESS`; did you mean `EACCES`?"));
    // A field no engine defines stays an error that names it.
    assert!(
        refused(r#""listenerPath": "/run/x.sock","#, "").contains("unknown field `listenerPath`")
    );
    // A later entry without conditions for a syscall an earlier one decides
    // everywhere is never applied: left out, and said.
    let (policy, shadowed) = dsl::import_docker_noting(
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["read", "setns"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["setns"], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_SYS_ADMIN"]}}]}"#,
    )
    .unwrap();
    assert_eq!(policy.rules.len(), 1);
    assert_eq!(
        shadowed,
        [dsl::Shadowed {
            entry: 1,
            syscall: "setns".into(),
            by: 0
        }]
    );
}

#[test]
fn import_writes_the_committed_source() {
    let directory = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/import");
    for (name, json, _) in imported() {
        let source = dsl::import_docker_as_engines(json)
            .map(|(policy, _)| dsl::to_source(&policy))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let path = format!("{directory}/{name}.policy.rs");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &source).unwrap();
        }
        assert_eq!(
            source,
            std::fs::read_to_string(&path).unwrap(),
            "{name}: regenerate with UPDATE_GOLDEN=1"
        );
    }
}

#[test]
fn imported_source_compiles_back_to_the_same_profile() {
    for (name, json, compiled) in imported() {
        let original = original_as_engines_read(json);
        let exported = docker::from_json(compiled.docker_json()).unwrap();
        assert_eq!(
            without_our_notes(exported.clone()),
            without_our_notes(original),
            "{name}"
        );
        // And the same entries as engines read the file itself.
        assert_eq!(
            canonical(exported),
            canonical(original_as_engines_read(json)),
            "{name}"
        );
    }
}

#[test]
fn the_import_covers_every_action_condition_and_architecture_form() {
    let all: Vec<&Policy> = imported()
        .iter()
        .map(|(_, _, profile)| profile.policy())
        .collect();
    let actions: std::collections::BTreeSet<String> = all
        .iter()
        .flat_map(|p| p.rules.iter().map(|r| r.action.to_string()))
        .collect();
    for action in [
        "allow",
        "errno(13)",
        "kill_thread",
        "kill_process",
        "trap",
        "trace(7)",
        "log",
    ] {
        assert!(actions.contains(action), "no {action} among {actions:?}");
    }
    let filtered = |check: fn(&seccomp_dsl::model::Rule) -> bool| {
        all.iter().any(|p| p.rules.iter().any(check))
    };
    assert!(filtered(|r| !r.includes.caps.is_empty()));
    assert!(filtered(
        |r| !r.includes.is_empty() && !r.excludes.is_empty()
    ));
    assert!(filtered(|r| !r.includes.arches.is_empty()));
    assert!(filtered(|r| r.includes.min_kernel.is_some()));
    assert!(filtered(|r| r.excludes.min_kernel.is_some()));
    assert!(filtered(|r| r.comment.is_some()));
    assert!(filtered(
        |r| r.conditions.len() == 2 && r.syscalls.len() == 2
    ));
}

/// Rules sorted, for comparing two policies whose meaning does not depend
/// on the order of their rules (the macro refuses those that do): the
/// composed profile states moby's entries, its `socket` and `personality`
/// rules last.
fn sorted(mut policy: Policy) -> Policy {
    policy
        .rules
        .to_mut()
        .sort_by_key(|rule| format!("{rule:?}"));
    policy
}

#[test]
fn docker_default_in_the_dsl_states_dockers_own_entries() {
    let ours = sorted(canonical(
        docker::from_json(DOCKER_DEFAULT.docker_json()).unwrap(),
    ));
    let dockers = sorted(canonical(docker::from_json(DOCKER_DEFAULT_JSON).unwrap()));
    assert_eq!(ours.rules.len(), dockers.rules.len());
    for (index, (a, b)) in ours.rules.iter().zip(dockers.rules.iter()).enumerate() {
        assert_eq!(a, b, "entry {index}");
    }
    assert_eq!(ours, dockers);
    // What the importer makes of Docker's file means the same.
    let imported = sorted(canonical(dsl::import_docker(DOCKER_DEFAULT_JSON).unwrap()));
    assert_eq!(imported, dockers);
}

#[test]
fn profiles_the_dsl_cannot_express_exactly_are_refused_with_the_reason() {
    let conflicting = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["read"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
        {"names": ["reed"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}"#;
    let error = dsl::import_docker(conflicting).unwrap_err().to_string();
    assert!(
        error.starts_with("the profile cannot be written exactly in the DSL:"),
        "{error}"
    );
    assert!(
        error.contains("syscalls[1] `read`: conditional rule for `read` can never apply"),
        "{error}"
    );
    assert!(
        error.contains("syscalls[2] `reed`: unknown syscall `reed` (did you mean `read`?)"),
        "{error}"
    );
    // Engines would compare a register the syscall never reads.
    assert!(
        error.contains(
            "syscalls[3] `getpid`: `getpid` takes no arguments (remove the condition: write \
             `rule getpid => ACTION;`)"
        ),
        "{error}"
    );
}

#[test]
fn the_native_variant_is_dockers_default_without_the_arch_map() {
    let mut expected = docker::from_json(DOCKER_DEFAULT.docker_json()).unwrap();
    expected.architectures = seccomp_dsl::model::Architectures::Native;
    assert_eq!(
        without_our_notes(docker::from_json(DOCKER_DEFAULT_NATIVE.docker_json()).unwrap()),
        without_our_notes(expected)
    );
}

/// The hardened variant decides every call as moby's profile does when each
/// narrow argument's upper half is what its type gives it (zero, or the
/// sign of an `int` extended), and only then: with another upper half,
/// moby's lets `socket(AF_VSOCK)` through and the hardened one does not.
#[test]
fn the_hardened_variant_is_dockers_default_on_extended_arguments() {
    use seccomp_dsl::model::{ArgWidth, Context, KernelVersion};
    use seccomp_dsl::profiles::DOCKER_DEFAULT_HARDENED;
    use seccomp_dsl::upper_half::kernel_width;
    let containers = [
        Context {
            arch: "amd64".into(),
            capabilities: vec![],
            kernel: KernelVersion { major: 6, minor: 1 },
        },
        Context {
            arch: "amd64".into(),
            capabilities: vec!["CAP_SYS_ADMIN".into(), "CAP_SYS_PTRACE".into()],
            kernel: KernelVersion {
                major: 6,
                minor: 18,
            },
        },
    ];
    let mut lows: Vec<u64> = vec![
        0,
        8,
        0x2_0000,
        0x2_0008,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
    ];
    for constant in [0u64, 8, 37, 38, 39, 40, 41, 0x2_0000, 0x2_0008, 0xffff_ffff] {
        lows.extend([constant.wrapping_sub(1), constant, constant + 1].map(|v| v & 0xffff_ffff));
    }
    let mut compared = 0;
    for context in &containers {
        let moby = DOCKER_DEFAULT.resolve(context).unwrap();
        let hardened = DOCKER_DEFAULT_HARDENED.resolve(context).unwrap();
        for name in ["socket", "personality"] {
            let width = kernel_width(name, 0).unwrap();
            for &low in &lows {
                let mut registers = vec![low];
                if width == ArgWidth::I32 && low & 0x8000_0000 != 0 {
                    registers.push(low | 0xffff_ffff_0000_0000);
                }
                for register in registers {
                    let args = [register, 5, 0, 0, 0, 0];
                    assert_eq!(
                        hardened.decide(name, &args),
                        moby.decide(name, &args),
                        "{name}({register:#x})"
                    );
                    compared += 1;
                }
            }
        }
        let vsock = [0x1_0000_0028, 5, 0, 0, 0, 0];
        assert_ne!(
            hardened.decide("socket", &vsock),
            moby.decide("socket", &vsock)
        );
    }
    assert!(compared > 100, "{compared}");
}

/// containers/common's current `socket` rules, which overlap, written apart
/// as libseccomp answers them, alone and in the whole current profile
/// (whose x86 ABI needs each rule to compare an argument once): the
/// committed source is what `import` writes, and the macro compiles it to
/// the imported policy. (Its Docker export states `arg0 != 16 && arg0 !=
/// 40` in the exact form, as masked entries, so it is compared by meaning
/// in `import.rs`'s unit test, not entry by entry.)
#[test]
fn overlapping_rules_are_imported_written_apart() {
    static OVERLAPPING: Profile = include!("import/overlapping-socket.policy.rs");
    static CURRENT: Profile = include!("import/containers-common-main.policy.rs");
    for (name, json, compiled) in [
        (
            "overlapping-socket",
            include_str!("import/overlapping-socket.json"),
            &OVERLAPPING,
        ),
        (
            "containers-common-main",
            include_str!("import/containers-common-main.json"),
            &CURRENT,
        ),
    ] {
        let (imported, notes) = dsl::import_docker_as_engines(json).unwrap();
        assert!(
            notes
                .iter()
                .any(|note| note.contains("overlap for `socket`")),
            "{name}: {notes:?}"
        );
        let source = dsl::to_source(&imported);
        let path = format!(
            "{}/../tests/import/{name}.policy.rs",
            env!("CARGO_MANIFEST_DIR")
        );
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &source).unwrap();
        }
        assert_eq!(
            source,
            std::fs::read_to_string(&path).unwrap(),
            "{name}: regenerate with UPDATE_GOLDEN=1"
        );
        assert_eq!(
            without_our_notes(compiled.policy().clone()),
            without_our_notes(imported),
            "{name}"
        );
    }
}

/// A name an entry lists twice is one rule to libseccomp (runc adds it
/// again, which changes nothing): named once, with a note.
#[test]
fn a_name_listed_twice_is_named_once() {
    let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["alarm", "read", "alarm"], "action": "SCMP_ACT_ALLOW"}]}"#;
    let (policy, notes) = dsl::import_docker_as_engines(json).unwrap();
    assert_eq!(policy.rules[0].syscalls.join(", "), "alarm, read");
    assert!(
        notes.iter().any(|note| note
            .contains("syscalls[0] names `alarm` more than once: runc adds the same rule again")),
        "{notes:?}"
    );
}
