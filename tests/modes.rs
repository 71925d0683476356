//! The diagnostic modes on a real multi-threaded program (`tests/modes`:
//! a pool of threads, a channel, a lock, a child process), built with a
//! policy the test writes:
//!
//! - a policy tightened with complain mode until it reports nothing runs
//!   under `install()` unkilled: complain mode reports every call
//!   `install()` would deny, glibc's first-thread set-up included;
//! - naming mode names the kill glibc's first thread would die of, and the
//!   kill of a `posix_spawn` child's call, where every signal is blocked;
//! - recorded with `install()` in place, the program's policy comes back
//!   with what ran before `install()` in `startup { ... }`, and enforces.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("modes")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Builds the probe with the policy in `policy` and returns its executable,
/// a copy beside the policy: tests build it at once with other policies.
fn build_probe(policy: &Path) -> PathBuf {
    static BUILDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _alone = BUILDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let built = build("seccomp-dsl-modes-probe", Some(policy));
    let copy = policy.with_extension("probe");
    std::fs::copy(&built, &copy).unwrap();
    copy
}

/// Builds `package` (with `MODES_POLICY` set to `policy`, where given) and
/// returns its executable.
fn build(package: &str, policy: Option<&Path>) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(["build", "--quiet", "--message-format=json", "-p", package]);
    if let Some(policy) = policy {
        command.env("MODES_POLICY", policy);
    }
    let built = command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", text(&built.stderr));
    text(&built.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the executable")
}

fn run(probe: &Path, mode: &str) -> Output {
    Command::new(probe).arg(mode).output().unwrap()
}

/// The statements complain mode suggests, each once, in order.
fn suggestions(report: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for line in report.lines() {
        if let Some((_, rest)) = line.split_once("(to allow it: `") {
            let statement = rest.trim_end_matches("`)").to_string();
            if !found.contains(&statement) {
                found.push(statement);
            }
        }
    }
    found
}

#[test]
fn a_policy_complain_mode_has_nothing_more_to_say_about_runs_under_install() {
    let dir = work_dir("tightened");
    let policy = dir.join("policy.rs");
    let mut statements: Vec<String> = Vec::new();
    let write = |statements: &[String]| {
        let body: String = statements.iter().map(|s| format!("    {s}\n")).collect();
        std::fs::write(
            &policy,
            format!(
                "seccomp_dsl::seccomp_profile! {{\n    #[allow(engine_cannot_start)]\n    \
                 default kill_process;\n    allow exit_group, rt_sigreturn, restart_syscall;\n\
                 {body}}}\n"
            ),
        )
        .unwrap();
    };
    let mut rounds = 0;
    let probe = loop {
        write(&statements);
        let probe = build_probe(&policy);
        let complained = run(&probe, "complain");
        let report = text(&complained.stderr);
        assert!(
            complained.status.success() && text(&complained.stdout).starts_with("done "),
            "{report}"
        );
        let new: Vec<String> = suggestions(&report)
            .into_iter()
            .filter(|statement| !statements.contains(statement))
            .collect();
        if new.is_empty() {
            break probe;
        }
        if rounds == 0 {
            // What glibc sets up for the first thread, which seccomp-dsl's
            // own thread started first.
            assert!(
                report.contains("would kill rt_sigaction(33, ")
                    && report.contains("glibc, when the program starts its first thread"),
                "{report}"
            );
        }
        statements.extend(new);
        rounds += 1;
        assert!(rounds < 8, "complain mode keeps finding calls: {report}");
    };
    let installed = run(&probe, "install");
    assert_eq!(
        installed.status.code(),
        Some(0),
        "killed under install() after complain mode said nothing more ({rounds} rounds): {}",
        std::fs::read_to_string(&policy).unwrap()
    );
    assert!(
        text(&installed.stdout).ends_with(" true\n"),
        "{}",
        text(&installed.stdout)
    );
}

#[test]
fn naming_mode_names_the_first_threads_kill_and_a_posix_spawn_childs() {
    let dir = work_dir("naming");
    let policy = dir.join("policy.rs");
    std::fs::write(
        &policy,
        "seccomp_dsl::seccomp_profile! {\n    default allow;\n    \
         rule rt_sigaction(arg0 == 33) => kill_process;\n}\n",
    )
    .unwrap();
    let probe = build_probe(&policy);
    // install() dies of it, at the first thread; naming mode says so first.
    let installed = run(&probe, "install");
    assert_eq!(installed.status.code(), None);
    let named = run(&probe, "naming");
    let said = text(&named.stderr);
    assert!(
        said.contains(
            "seccomp-dsl: the policy kills rt_sigaction(33, 4096, 0, 8) on x86_64, which glibc \
             makes when the program starts its first thread: under install() the process dies \
             there (kill_process, by line 3: rule rt_sigaction(arg0 == 33) => kill_process;)"
        ) || !cfg!(target_arch = "x86_64"),
        "{said}"
    );
    // `posix_spawn`'s child, every signal blocked, resets glibc's handler:
    // named, and killed.
    assert!(
        said.contains("seccomp-dsl: kill rt_sigaction(33, ")
            && said.contains(
                "kill_process, by line 3: rule rt_sigaction(arg0 == 33) => kill_process;"
            ),
        "{said}"
    );
    assert!(
        text(&named.stdout).ends_with(" false\n"),
        "{}",
        text(&named.stdout)
    );
    // Under `seccomp-dsl run` of a policy that kills nothing, the death by
    // the program's own filter is said, not left as a bare 159.
    let cli = build("seccomp-dsl-cli", None);
    let nothing = dir.join("nothing.rs");
    std::fs::write(&nothing, "default allow;").unwrap();
    let probe = probe.to_str().unwrap();
    let supervised = Command::new(cli)
        .args(["run", nothing.to_str().unwrap(), "--", probe, "install"])
        .output()
        .unwrap();
    assert_eq!(supervised.status.code(), Some(159));
    assert!(
        text(&supervised.stderr).contains("died by SIGSYS, which this policy did not send"),
        "{}",
        text(&supervised.stderr)
    );
}

/// `seccomp-dsl record --default kill_process -o recorded -- probe mode`.
fn record(cli: &Path, recorded: &Path, probe: &Path, mode: &str) -> Output {
    Command::new(cli)
        .args(["record", "--default", "kill_process", "-o"])
        .arg(recorded)
        .arg("--")
        .arg(probe)
        .arg(mode)
        .output()
        .unwrap()
}

/// The statements of `source` inside its `startup { ... }` block, and the
/// others, comments left out.
fn startup_and_rest(source: &str) -> (String, String) {
    let (before, block) = source
        .split_once("    startup {\n")
        .expect("a startup block");
    let (block, after) = block.split_once("\n    }\n").expect("the block closes");
    let statements = |text: &str| -> String {
        (text.lines())
            .filter(|line| !line.trim_start().starts_with("//"))
            .map(|line| format!("{}\n", line.trim()))
            .collect()
    };
    (statements(block), statements(&format!("{before}{after}")))
}

/// Whether `statements` name `syscall` in an `allow` list or a rule.
fn names(statements: &str, syscall: &str) -> bool {
    let words = statements.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    words.into_iter().any(|word| word == syscall)
}

#[test]
fn a_program_that_installs_its_policy_is_recorded_as_it_is_with_its_startup_apart() {
    let dir = work_dir("re-recorded");
    let cli = build("seccomp-dsl-cli", None);
    let first = dir.join("first.rs");
    std::fs::write(
        &first,
        "seccomp_dsl::seccomp_profile! {\n    default allow;\n    errno(EPERM) execve;\n}\n",
    )
    .unwrap();
    let probe = build_probe(&first);
    // The variable alone, without a recorder to answer, changes nothing:
    // the policy is installed, and the child cannot start.
    let alone = Command::new(&probe)
        .arg("install")
        .env("SECCOMP_DSL_RECORDING", "1")
        .output()
        .unwrap();
    assert!(!alone.status.success(), "{}", text(&alone.stdout));
    assert!(
        text(&alone.stderr).contains("`true` runs"),
        "{}",
        text(&alone.stderr)
    );
    // Under the recorder, install() records instead of enforcing.
    let recorded = dir.join("recorded.rs");
    let recording = record(&cli, &recorded, &probe, "install");
    let said = text(&recording.stderr);
    assert!(recording.status.success(), "{said}");
    assert!(text(&recording.stdout).ends_with(" true\n"), "{said}");
    assert!(said.contains("the program installed its policy"), "{said}");
    let source = std::fs::read_to_string(&recorded).unwrap();
    let (startup, installed) = startup_and_rest(&source);
    // What install() itself does comes before the policy.
    let no_new_privileges = "rule prctl(arg0 == PR_SET_NO_NEW_PRIVS) => allow;";
    assert!(startup.contains(no_new_privileges), "{source}");
    assert!(!installed.contains(no_new_privileges), "{source}");
    assert!(
        names(&startup, "seccomp") && !names(&installed, "seccomp"),
        "{source}"
    );
    // The threads, the child and its exec come after.
    for after in ["clone3", "execve", "wait4"] {
        assert!(
            names(&installed, after),
            "{after} not under install(): {source}"
        );
    }
    // Built with its recording, the program runs under install(), which
    // kills any call the recording left out.
    let probe = build_probe(&recorded);
    let enforced = run(&probe, "install");
    assert_eq!(
        enforced.status.code(),
        Some(0),
        "{}",
        text(&enforced.stderr)
    );
    assert!(text(&enforced.stdout).ends_with(" true\n"), "{source}");
}

/// Under `record`, `install_current_thread()` puts that thread alone under
/// the policy: what it calls after is the installed part, what the first
/// thread calls meanwhile only the `startup` part. Complain and naming
/// modes tell the recorder too.
#[test]
fn a_thread_that_installs_its_policy_is_recorded_apart_from_the_others() {
    let dir = work_dir("thread");
    let cli = build("seccomp-dsl-cli", None);
    let policy = dir.join("policy.rs");
    std::fs::write(
        &policy,
        "seccomp_dsl::seccomp_profile! {\n    default allow;\n}\n",
    )
    .unwrap();
    let probe = build_probe(&policy);
    let recorded = dir.join("recorded.rs");
    let recording = record(&cli, &recorded, &probe, "thread");
    let said = text(&recording.stderr);
    assert!(recording.status.success(), "{said}");
    assert!(
        text(&recording.stdout).starts_with("parent true in "),
        "{said}"
    );
    let source = std::fs::read_to_string(&recorded).unwrap();
    let (startup, installed) = startup_and_rest(&source);
    assert!(names(&installed, "getppid"), "{source}");
    assert!(
        names(&startup, "getcwd") && !names(&installed, "getcwd"),
        "{source}"
    );
    // The first thread's work after it is not under the policy either.
    assert!(
        names(&startup, "wait4") && !names(&installed, "wait4"),
        "{source}"
    );
    // Complain and naming modes, which load a listener of their own (one
    // the recorder's would refuse), stand in for the recorder too.
    for mode in ["complain", "naming"] {
        let recorded = dir.join(format!("{mode}.rs"));
        let recording = record(&cli, &recorded, &probe, mode);
        let said = text(&recording.stderr);
        assert!(recording.status.success(), "{mode}: {said}");
        assert!(
            said.contains("the program installed its policy"),
            "{mode}: {said}"
        );
        let source = std::fs::read_to_string(&recorded).unwrap();
        let (_, installed) = startup_and_rest(&source);
        assert!(names(&installed, "wait4"), "{mode}: {source}");
    }
}
