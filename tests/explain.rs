//! `Profile::explain`: the rule that decides a call, at its source line.

use seccomp_dsl::explain::Decider;
use seccomp_dsl::model::{Action, Context, KernelVersion, SeccompArch};
use seccomp_dsl::{seccomp_profile, Profile};

/// The line of `default errno;` below.
const DEFAULT_LINE: u32 = line!() + 3;
static POLICY: Profile = seccomp_profile! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno;
    allow read, write;
    when cap(CAP_SYS_ADMIN) { allow mount; }
    rule socket(arg0 == AF_UNIX) => allow;
    errno(EACCES) openat;
};

fn context(capabilities: &[&'static str]) -> Context {
    Context {
        arch: "amd64".into(),
        capabilities: capabilities.iter().map(|&cap| cap.into()).collect(),
        kernel: KernelVersion { major: 6, minor: 1 },
    }
}

#[test]
fn each_call_is_explained_by_its_rule_at_its_line_or_the_default() {
    let x86_64 = SeccompArch::X86_64;
    let explain = |context: &Context, syscall, args: [u64; 6]| {
        POLICY.explain_in(context, syscall, &args, x86_64).unwrap()
    };
    let plain = context(&[]);
    let rule_at = |line| Some(DEFAULT_LINE + line);
    for (syscall, args, action, line) in [
        ("write", [1, 0, 0, 0, 0, 0], Action::Allow, rule_at(1)),
        ("socket", [1, 1, 0, 0, 0, 0], Action::Allow, rule_at(3)),
        ("socket", [2, 1, 0, 0, 0, 0], Action::Errno(1), None),
        ("openat", [0; 6], Action::Errno(13), rule_at(4)),
        ("mount", [0; 6], Action::Errno(1), None),
    ] {
        let explanation = explain(&plain, syscall, args);
        assert_eq!(explanation.action, action, "{syscall}");
        match explanation.decider {
            Decider::Rule { line: at, .. } => assert_eq!(at, line, "{syscall}"),
            Decider::Default => assert_eq!(line, None, "{syscall}"),
            other => panic!("{syscall}: {other:?}"),
        }
    }
    let admin = explain(&context(&["CAP_SYS_ADMIN"]), "mount", [0; 6]);
    assert_eq!(
        admin.to_string(),
        format!(
            "allow, by line {}: when cap(CAP_SYS_ADMIN) {{ allow mount; }}",
            DEFAULT_LINE + 2
        )
    );
}

#[test]
fn an_unknown_syscall_is_an_error_not_the_default_action() {
    let error = POLICY
        .explain_in(&context(&[]), "sokcet", &[0; 6], SeccompArch::X86_64)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown syscall `sokcet`; did you mean `socket`?"
    );
    let error = POLICY
        .explain_in(&context(&[]), "_llseek", &[0; 6], SeccompArch::X86_64)
        .unwrap_err();
    assert_eq!(error.to_string(), "`_llseek` does not exist on x86_64");
}
