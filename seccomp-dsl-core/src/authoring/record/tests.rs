//! The recording and the policy it writes, read back and merged.

use super::*;

const X86_64: SeccompArch = SeccompArch::X86_64;

#[test]
fn a_policy_written_from_a_recording_reads_back_as_it() {
    let mut recording = Recording::new(Action::Errno(1));
    recording.observe(X86_64, "read", &[3, 0, 0, 0, 0, 0]);
    recording.observe(X86_64, "openat", &[0, 0, 0x80000, 0, 0, 0]);
    recording.observe(X86_64, "openat", &[0, 0, 0x80241, 0, 0, 0]);
    recording.observe(X86_64, "socket", &[0xdead_0000_0002, 1, 0, 0, 0, 0]);
    let back = Recording::from_policy(&recording.to_policy()).unwrap();
    assert_eq!(back, recording);
    // The upper half an `int` argument's register held is not kept.
    assert!(back.has_seen(X86_64, "socket", &[2, 1, 0, 0, 0, 0]));
    assert!(!back.has_seen(X86_64, "socket", &[2, 2, 0, 0, 0, 0]));
    // Read-only, perhaps not blocking; not truncating, not writing.
    assert!(back.has_seen(X86_64, "openat", &[0, 0, 0, 0, 0, 0]));
    assert!(back.has_seen(X86_64, "openat", &[0, 0, 0x800, 0, 0, 0]));
    assert!(!back.has_seen(X86_64, "openat", &[0, 0, 0x200, 0, 0, 0]));
    assert!(!back.has_seen(X86_64, "openat", &[0, 0, 1, 0, 0, 0]));
    assert!(back.has_seen(X86_64, "openat", &[0, 0, 0x241, 0, 0, 0]));
}

#[test]
fn the_policy_allows_what_was_seen_and_nothing_else() {
    let mut recording = Recording::new(Action::KillProcess);
    recording.observe(X86_64, "fcntl", &[3, 1, 0, 0, 0, 0]);
    recording.observe(X86_64, "write", &[1, 0, 0, 0, 0, 0]);
    let policy = recording.to_policy();
    let context = crate::model::Context {
        arch: "amd64".into(),
        capabilities: vec![],
        kernel: crate::model::KernelVersion { major: 6, minor: 1 },
    };
    let resolved = policy.resolve(&context, X86_64);
    assert_eq!(resolved.decide("fcntl", &[9, 1, 0, 0, 0, 0]), Action::Allow);
    assert_eq!(
        resolved.decide("fcntl", &[9, 2, 0, 0, 0, 0]),
        Action::KillProcess
    );
    assert_eq!(resolved.decide("write", &[2, 0, 0, 0, 0, 0]), Action::Allow);
    assert_eq!(resolved.decide("read", &[0; 6]), Action::KillProcess);
}

#[test]
fn past_the_limit_ioctl_widens_around_the_terminals_requests_and_nothing_else_does() {
    const TCGETS: u64 = 0x5401;
    const TIOCSTI: u64 = 0x5412;
    let mut recording = Recording::new(Action::KillProcess);
    for request in (0..=MAX_COMBINATIONS as u64).chain([TCGETS]) {
        recording.observe(X86_64, "ioctl", &[0, request, 0, 0, 0, 0]);
        recording.observe(X86_64, "fcntl", &[0, request, 0, 0, 0, 0]);
    }
    let policy = recording.to_policy();
    let source = crate::dsl::to_source(&policy);
    assert!(source.contains("#[allow(ioctl_range)]"), "{source}");
    let back = Recording::from_policy(&policy).unwrap();
    assert_eq!(back, recording);
    for recording in [&recording, &back] {
        assert!(recording.has_seen(X86_64, "ioctl", &[0, 0x1234, 0, 0, 0, 0]));
        assert!(recording.has_seen(X86_64, "ioctl", &[0, TCGETS, 0, 0, 0, 0]));
        assert!(!recording.has_seen(X86_64, "ioctl", &[0, TIOCSTI, 0, 0, 0, 0]));
        // fcntl lists every command seen, and no other.
        assert!(recording.has_seen(X86_64, "fcntl", &[0, 16, 0, 0, 0, 0]));
        assert!(!recording.has_seen(X86_64, "fcntl", &[0, 1030, 0, 0, 0, 0]));
    }
    let context = crate::model::Context {
        arch: "amd64".into(),
        capabilities: vec![],
        kernel: crate::model::KernelVersion { major: 6, minor: 1 },
    };
    let resolved = policy.resolve(&context, X86_64);
    assert_eq!(
        resolved.decide("ioctl", &[0, TIOCSTI, 0, 0, 0, 0]),
        Action::KillProcess
    );
    assert_eq!(
        resolved.decide("ioctl", &[0, 0x1234, 0, 0, 0, 0]),
        Action::Allow
    );
}

#[test]
fn what_ran_only_before_install_is_written_in_a_startup_block() {
    const F_GETFD: u64 = 1;
    const F_SETFD: u64 = 2;
    let mut recording = Recording::new(Action::KillProcess);
    recording.observe_before_install(X86_64, "execve", &[0; 6]);
    // What every policy allows is not allowed again in the block.
    recording.observe_before_install(X86_64, "rt_sigreturn", &[0; 6]);
    recording.observe_before_install(X86_64, "read", &[0; 6]);
    recording.observe_before_install(X86_64, "fcntl", &[3, F_SETFD, 0, 0, 0, 0]);
    recording.observe_before_install(X86_64, "fcntl", &[3, F_GETFD, 0, 0, 0, 0]);
    // Without an install, it is all the program's.
    let whole = recording.to_policy();
    assert!(whole.rules.iter().all(|rule| !rule.startup));
    recording.note_install();
    recording.observe(X86_64, "read", &[0; 6]);
    recording.observe(X86_64, "fcntl", &[3, F_GETFD, 0, 0, 0, 0]);
    let policy = recording.to_policy();
    let source = crate::dsl::to_source(&policy);
    assert!(source.contains("    startup {\n"), "{source}");
    assert_eq!(source.matches("startup {").count(), 1, "{source}");
    let startup: Vec<String> = (policy.rules.iter())
        .filter(|rule| rule.startup)
        .map(crate::dsl::rule_source)
        .collect();
    assert_eq!(
        startup,
        [
            "startup { rule fcntl(arg1 == F_SETFD) => allow; }",
            "startup { allow execve; }"
        ],
    );
    let context = crate::model::Context {
        arch: "amd64".into(),
        capabilities: vec![],
        kernel: crate::model::KernelVersion { major: 6, minor: 1 },
    };
    let installed_policy = policy.installed();
    let installed = installed_policy.resolve(&context, X86_64);
    let whole = policy.resolve(&context, X86_64);
    for (call, args, under_install) in [
        ("read", [0; 6], Action::Allow),
        ("fcntl", [3, F_GETFD, 0, 0, 0, 0], Action::Allow),
        ("fcntl", [3, F_SETFD, 0, 0, 0, 0], Action::KillProcess),
        ("execve", [0; 6], Action::KillProcess),
    ] {
        assert_eq!(installed.decide(call, &args), under_install, "{call}");
        assert_eq!(whole.decide(call, &args), Action::Allow, "{call}");
    }
    // Read back, it stands for the same policy, and merges so.
    let back = Recording::from_policy(&policy).unwrap();
    assert!(back.installs());
    assert_eq!(back.to_policy(), policy);
    let mut later = Recording::new(Action::KillProcess);
    later.observe_before_install(X86_64, "openat", &[0, 0, 0, 0, 0, 0]);
    let mut merged = back.clone();
    merged.merge(&later);
    let merged = merged.to_policy();
    assert!((merged.rules.iter()).any(|rule| rule.startup && rule.syscalls[..] == ["openat"]));
}

#[test]
fn merging_keeps_both_runs() {
    let mut debug = Recording::new(Action::KillProcess);
    debug.observe(X86_64, "fcntl", &[3, 1, 0, 0, 0, 0]);
    let mut release = Recording::new(Action::Errno(1));
    release.observe(X86_64, "fcntl", &[3, 2, 0, 0, 0, 0]);
    release.observe(X86_64, "read", &[0; 6]);
    debug.merge(&release);
    assert!(debug.has_seen(X86_64, "fcntl", &[0, 1, 0, 0, 0, 0]));
    assert!(debug.has_seen(X86_64, "fcntl", &[0, 2, 0, 0, 0, 0]));
    assert!(debug.has_seen(X86_64, "read", &[0; 6]));
    assert_eq!(debug.default_action, Action::KillProcess);
}

#[test]
fn an_edited_policy_is_not_merged() {
    let policy = Policy::new(
        Action::Errno(1),
        vec![Rule::new(
            ["read"],
            [ArgCondition::new(0, CmpOp::Eq, 0)],
            Action::Allow,
        )],
    );
    let error = Recording::from_policy(&policy).unwrap_err();
    assert!(error.contains("rule 1 (`read`)"), "{error}");
}
