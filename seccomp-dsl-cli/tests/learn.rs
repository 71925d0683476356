//! From a program to its checked policy, end to end on real programs:
//! `seccomp-dsl record` runs each (output compared with an unconfined
//! run), `seccomp-dsl run` runs it again under the recorded policy with
//! `default kill_process` (same output, exit 0), a call the program never
//! made is killed and named, and every recorded policy compiles through
//! `seccomp_profile!` unchanged.
//!
//! The programs are Debian's python3, sqlite3 and busybox (the CI installs
//! them) and this workspace's `echo-service` (std threads, a tokio echo
//! server on 127.0.0.1), debug and release builds merged into one policy.
//! Where one is missing the test says so and passes, except under CI
//! (`CI` set), where it fails.
//!
//! The Rust syscall groups (`@rust_std`, `@rust_threads`, `@tokio`) are
//! proven here too, on real Rust programs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn seccomp_dsl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_seccomp-dsl"))
}

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("learn")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether `program` is installed; under CI a missing one fails the test.
fn installed(program: &str) -> bool {
    if Path::new(program).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{program} is not installed; .ci/run installs it"
    );
    eprintln!("skipped: {program} is not installed");
    false
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `command` in `dir`, with `input` on its standard input.
fn output(mut command: Command, dir: &Path, input: Option<&Path>) -> Output {
    command.current_dir(dir);
    if let Some(input) = input {
        command.stdin(std::fs::File::open(input).unwrap());
    } else {
        command.stdin(Stdio::null());
    }
    command.output().unwrap()
}

fn plain(line: &[&str]) -> Command {
    let mut command = Command::new(line[0]);
    command.args(&line[1..]);
    command
}

/// `seccomp-dsl record --default kill_process [--merge policy] -o policy -- line`.
fn record(dir: &Path, policy: &Path, merge: bool, line: &[&str], input: Option<&Path>) -> Output {
    let mut command = seccomp_dsl();
    command.args(["record", "--default", "kill_process", "-o"]);
    command.arg(policy);
    if merge {
        command.arg("--merge").arg(policy);
    }
    command.arg("--").args(line);
    let recorded = output(command, dir, input);
    assert!(
        recorded.status.success(),
        "record {line:?}: {}",
        stderr(&recorded)
    );
    recorded
}

/// `seccomp-dsl run policy -- line`.
fn run_under(dir: &Path, policy: &Path, line: &[&str], input: Option<&Path>) -> Output {
    let mut command = seccomp_dsl();
    command.arg("run").arg(policy).arg("--").args(line);
    output(command, dir, input)
}

/// A real program, as a case runs it.
struct Program<'a> {
    line: &'a [&'a str],
    input: Option<&'a Path>,
    /// Something its output holds, to tell a real run.
    prints: &'a str,
    /// The same program making a call it never makes in `line`.
    escape: &'a [&'a str],
}

impl Program<'_> {
    /// Runs the program unconfined, records it into `dir/policy.rs`
    /// (`before_each` run first each time), [`check`]s it and returns the
    /// policy.
    fn record_then_confine(&self, dir: &Path, before_each: impl Fn()) -> PathBuf {
        before_each();
        let unconfined = stdout(&output(plain(self.line), dir, self.input));
        assert!(unconfined.contains(self.prints), "{unconfined}");
        let policy = dir.join("policy.rs");
        before_each();
        let recorded = record(dir, &policy, false, self.line, self.input);
        assert_eq!(stdout(&recorded), unconfined);
        before_each();
        check(
            dir,
            &policy,
            self.line,
            self.input,
            &unconfined,
            self.escape,
        );
        policy
    }
}

/// What every case checks once its policy is recorded: the program runs
/// to completion under it with the same output, and `escape` (the same
/// program making a call it never made) is killed, the call named.
fn check(
    dir: &Path,
    policy: &Path,
    line: &[&str],
    input: Option<&Path>,
    expected: &str,
    escape: &[&str],
) {
    let source = std::fs::read_to_string(policy).unwrap();
    assert!(source.contains("default kill_process;"), "{source}");
    let confined = run_under(dir, policy, line, input);
    assert_eq!(
        (confined.status.code(), stdout(&confined).as_str()),
        (Some(0), expected),
        "{line:?} under its recorded policy: {}",
        stderr(&confined)
    );
    assert!(
        !stderr(&confined).contains("seccomp-dsl: kill"),
        "{}",
        stderr(&confined)
    );
    let escaped = run_under(dir, policy, escape, None);
    let said = stderr(&escaped);
    assert_eq!(escaped.status.code(), Some(159), "{escape:?}: {said}");
    let named = said
        .lines()
        .find_map(|line| line.strip_prefix("seccomp-dsl: kill "))
        .unwrap_or_else(|| panic!("{escape:?}: no call named: {said}"));
    let syscall = named.split('(').next().unwrap();
    let allowed_whole = recorded_policy(&source)
        .rules
        .iter()
        .any(|rule| rule.names(syscall) && rule.is_unconditional() && rule.action.may_run_call());
    assert!(
        !allowed_whole,
        "{syscall} is allowed by the policy, yet named as killed: {said}"
    );
    assert!(named.contains("kill_process, the default action"), "{said}");
}

/// The policy a recorded file holds (`seccomp_dsl::seccomp_profile! { ...
/// }`), read by the macro's front end.
fn recorded_policy(source: &str) -> seccomp_dsl_core::model::Policy {
    let tokens: proc_macro2::TokenStream = source.parse().unwrap();
    let body = tokens
        .into_iter()
        .find_map(|tree| match tree {
            proc_macro2::TokenTree::Group(group)
                if group.delimiter() == proc_macro2::Delimiter::Brace =>
            {
                Some(group.stream())
            }
            _ => None,
        })
        .expect("a recorded policy is one `seccomp_profile! { ... }`");
    seccomp_dsl_core::frontend::read(body)
        .policy
        .expect("a recorded policy reads back")
}

/// One test, so that the recorded policies compile in one trybuild run.
#[test]
fn real_programs_recorded_then_confined() {
    let policies: Vec<PathBuf> = [
        python_reading_and_hashing_files,
        sqlite_creating_and_querying_a_database,
        busybox_tar_and_gzip_of_a_directory,
        a_rust_service_with_threads_and_tokio_debug_and_release_merged,
    ]
    .into_iter()
    .filter_map(|case| case())
    .collect();
    compiles_through_the_macro(&policies);
}

fn python_reading_and_hashing_files() -> Option<PathBuf> {
    let python = "/usr/bin/python3";
    if !installed(python) {
        return None;
    }
    let dir = work_dir("python");
    std::fs::create_dir(dir.join("data")).unwrap();
    for (name, text) in [
        ("a.txt", "alpha\n"),
        ("b.txt", "beta\n"),
        ("c.bin", "\0\x01\x02"),
    ] {
        std::fs::write(dir.join("data").join(name), text).unwrap();
    }
    std::fs::write(
        dir.join("hash.py"),
        "import hashlib, json, os, sys\n\
         digests = {}\n\
         for name in sorted(os.listdir(sys.argv[1])):\n\
         \x20   with open(os.path.join(sys.argv[1], name), 'rb') as f:\n\
         \x20       digests[name] = hashlib.sha256(f.read()).hexdigest()\n\
         print(json.dumps(digests, indent=1, sort_keys=True))\n",
    )
    .unwrap();
    std::fs::write(dir.join("escape.py"), "import os\nos.chroot('/')\n").unwrap();
    let program = Program {
        line: &[python, "hash.py", "data"],
        input: None,
        prints: "\"a.txt\"",
        escape: &[python, "escape.py"],
    };
    Some(program.record_then_confine(&dir, || ()))
}

fn sqlite_creating_and_querying_a_database() -> Option<PathBuf> {
    let sqlite = "/usr/bin/sqlite3";
    if !installed(sqlite) {
        return None;
    }
    let dir = work_dir("sqlite");
    let script = dir.join("queries.sql");
    std::fs::write(
        &script,
        "create table fruit(id integer primary key, name text, kilos real);\n\
         insert into fruit(name, kilos) values ('apple', 1.5), ('pear', 2.25), ('plum', 0.5);\n\
         create index by_name on fruit(name);\n\
         select name, kilos from fruit where kilos > 1 order by name;\n\
         select count(*), sum(kilos) from fruit;\n",
    )
    .unwrap();
    let program = Program {
        line: &[sqlite, "fruit.db"],
        input: Some(&script),
        prints: "pear|2.25",
        escape: &[sqlite, "fruit.db", ".shell true"],
    };
    // Each run creates the database anew.
    let database = dir.join("fruit.db");
    Some(program.record_then_confine(&dir, || {
        let _ = std::fs::remove_file(&database);
    }))
}

fn busybox_tar_and_gzip_of_a_directory() -> Option<PathBuf> {
    let busybox = "/bin/busybox";
    if !installed(busybox) {
        return None;
    }
    let dir = work_dir("busybox");
    std::fs::create_dir_all(dir.join("tree/nested")).unwrap();
    std::fs::write(dir.join("tree/top.txt"), "top\n").unwrap();
    std::fs::write(dir.join("tree/nested/deep.txt"), "deep\n".repeat(1000)).unwrap();
    let script = "busybox tar -cf - -C tree . | busybox gzip -9 > tree.tgz \
                  && busybox tar -tzf tree.tgz | busybox sort";
    let program = Program {
        line: &[busybox, "sh", "-c", script],
        input: None,
        prints: "./nested/deep.txt",
        escape: &[busybox, "unshare", "-U", "true"],
    };
    Some(program.record_then_confine(&dir, || ()))
}

fn a_rust_service_with_threads_and_tokio_debug_and_release_merged() -> Option<PathBuf> {
    let debug = build_echo_service(false);
    let release = build_echo_service(true);
    let dir = work_dir("rust");
    let policy = dir.join("policy.rs");
    let (debug, release) = (debug.to_str().unwrap(), release.to_str().unwrap());
    let unconfined = stdout(&output(plain(&[debug]), &dir, None));
    assert!(unconfined.contains("echo: seccomp"), "{unconfined}");
    let recorded = record(&dir, &policy, false, &[debug], None);
    assert_eq!(stdout(&recorded), unconfined);
    let recorded = record(&dir, &policy, true, &[release], None);
    assert_eq!(stdout(&recorded), unconfined);
    let source = std::fs::read_to_string(&policy).unwrap();
    // Each after the locale it ran in, if any.
    let runs: Vec<&str> = (source.lines())
        .filter(|line| line.starts_with("//   $ "))
        .collect();
    assert!(
        runs.len() == 2 && runs[0].ends_with(debug) && runs[1].ends_with(release),
        "both runs are listed: {source}"
    );
    for binary in [debug, release] {
        check(
            &dir,
            &policy,
            &[binary],
            None,
            &unconfined,
            &[binary, "--interfaces"],
        );
    }
    let escaped = run_under(&dir, &policy, &[release, "--interfaces"], None);
    assert!(
        stderr(&escaped).contains("kill socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0)"),
        "{}",
        stderr(&escaped)
    );
    Some(policy)
}

/// Builds the example service and returns its executable.
fn build_echo_service(release: bool) -> PathBuf {
    build(&["-p", "echo-service"], release)
}

/// Builds what `selection` selects (one executable) and returns it.
fn build(selection: &[&str], release: bool) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--quiet", "--message-format=json"])
        .args(selection);
    if release {
        command.arg("--release");
    }
    let built = command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", stderr(&built));
    stdout(&built)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the executable")
}

/// This machine's musl target, if its standard library is installed
/// (`rustup target add`); under CI a missing one fails the test.
fn musl_target() -> Option<String> {
    let target = format!("{}-unknown-linux-musl", std::env::consts::ARCH);
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = PathBuf::from(stdout(&sysroot).trim());
    if sysroot.join("lib/rustlib").join(&target).exists() {
        return Some(target);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the {target} target is not installed; .ci/run installs it"
    );
    eprintln!("skipped: the {target} target is not installed");
    None
}

/// The Rust groups, proven: `default kill_process` and the groups alone
/// run real Rust programs, debug and release, for glibc and for musl, to
/// the end with the same output as unconfined.
#[test]
fn the_rust_runtime_groups_run_real_rust_programs() {
    let dir = work_dir("groups");
    let std_only = dir.join("std.rs");
    std::fs::write(
        &std_only,
        "#[allow(engine_cannot_start)] default kill_process; allow @rust_std;",
    )
    .unwrap();
    let service = dir.join("service.rs");
    // tokio names its worker threads, which is prctl(PR_SET_NAME); the
    // service's sockets are IPv4 ones.
    std::fs::write(
        &service,
        "#[allow(engine_cannot_start)] default kill_process;\n\
         allow @rust_std, @rust_threads, @tokio;\n\
         errno(ENOSYS) clone3;\n\
         rule clone(arg0 & (CLONE_THREAD | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
         CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET) == CLONE_THREAD) => allow;\n\
         allow accept4, bind, connect, getsockname, getsockopt, listen, recvfrom, sendto, \
         setsockopt, shutdown;\n\
         rule socket(arg0 == AF_INET) => allow;\n\
         rule prctl(arg0 == PR_SET_NAME) => allow;\n",
    )
    .unwrap();
    let targets: Vec<Option<String>> = std::iter::once(None)
        .chain(musl_target().map(Some))
        .collect();
    for target in &targets {
        for release in [false, true] {
            let mut selection = vec!["-p", "hello"];
            if let Some(target) = target {
                selection.extend(["--target", target.as_str()]);
            }
            let hello = build(&selection, release);
            selection[1] = "echo-service";
            let echo = build(&selection, release);
            prove_groups(&dir, &std_only, &service, &hello, &echo);
        }
    }
}

/// The groups' proof on one build of each program.
fn prove_groups(dir: &Path, std_only: &Path, service: &Path, hello: &Path, echo: &Path) {
    let (hello, echo) = (hello.to_str().unwrap(), echo.to_str().unwrap());
    for (policy, line, status) in [
        (std_only, vec![hello], 0),
        (std_only, vec![hello, "panic"], 101),
        (service, vec![echo], 0),
    ] {
        let unconfined = output(plain(&line), dir, None);
        assert_eq!(unconfined.status.code(), Some(status), "{line:?}");
        let confined = run_under(dir, policy, &line, None);
        assert_eq!(
            (confined.status.code(), stdout(&confined)),
            (Some(status), stdout(&unconfined)),
            "{line:?} under {}: {}",
            policy.display(),
            stderr(&confined)
        );
        // Denied calls are named (clone3, by design); none is killed.
        assert!(
            !stderr(&confined).contains("seccomp-dsl: kill"),
            "{}",
            stderr(&confined)
        );
    }
    // The groups are all they allow: the service is killed at its network
    // interfaces' netlink socket.
    let escaped = run_under(dir, service, &[echo, "--interfaces"], None);
    assert_eq!(escaped.status.code(), Some(159), "{}", stderr(&escaped));
}

/// Each recorded policy, as written, in a program that embeds it.
fn compiles_through_the_macro(policies: &[PathBuf]) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("learn/macro");
    std::fs::create_dir_all(&dir).unwrap();
    let cases = trybuild::TestCases::new();
    for policy in policies {
        let name = policy
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let case = dir.join(format!("{name}.rs"));
        std::fs::write(
            &case,
            format!(
                "static POLICY: seccomp_dsl::Profile = include!({:?});\n\
                 fn main() {{\n    assert!(!POLICY.rules().is_empty());\n}}\n",
                policy.display().to_string()
            ),
        )
        .unwrap();
        cases.pass(&case);
    }
}

/// A program that opened a file read-only and made 21 `ioctl` requests
/// (past the value limit) is recorded so that, under `seccomp-dsl run`, the
/// same program cannot truncate, create or write that file, nor push input
/// into a terminal: the recording keeps every flag but the harmless ones,
/// and widens `ioctl` around the terminal's requests only.
#[test]
fn a_recording_denies_truncation_creation_writing_and_terminal_input() {
    let python = "/usr/bin/python3";
    if !installed(python) {
        return;
    }
    let dir = work_dir("exact");
    std::fs::write(dir.join("data.txt"), "keep me\n").unwrap();
    std::fs::write(
        dir.join("probe.py"),
        "import fcntl, os, pty, sys, termios\n\
         master, slave = pty.openpty()\n\
         def attempt(what, action):\n\
         \x20   try:\n\
         \x20       action()\n\
         \x20       print(what, 'ran')\n\
         \x20   except OSError as error:\n\
         \x20       print(what, 'denied' if error.errno == 1 else 'failed %d' % error.errno)\n\
         fd = os.open('data.txt', os.O_RDONLY)\n\
         print(os.read(fd, 100))\n\
         os.close(fd)\n\
         for request in range(0x1000, 0x1014):\n\
         \x20   attempt('ioctl', lambda: fcntl.ioctl(slave, request, bytes(8)))\n\
         attempt('tcgetattr', lambda: termios.tcgetattr(slave))\n\
         if sys.argv[1] == 'attack':\n\
         \x20   attempt('truncate', lambda: os.close(os.open('data.txt', os.O_RDONLY | os.O_TRUNC)))\n\
         \x20   attempt('create', lambda: os.close(os.open('new.txt', os.O_RDONLY | os.O_CREAT, 0o600)))\n\
         \x20   attempt('write', lambda: os.close(os.open('data.txt', os.O_WRONLY)))\n\
         \x20   attempt('inject', lambda: fcntl.ioctl(slave, termios.TIOCSTI, b'x'))\n",
    )
    .unwrap();
    let policy = dir.join("policy.rs");
    let mut command = seccomp_dsl();
    command.arg("record").arg("-o").arg(&policy);
    command.args(["--", python, "probe.py", "learn"]);
    let recorded = output(command, &dir, None);
    assert!(recorded.status.success(), "{}", stderr(&recorded));
    let source = std::fs::read_to_string(&policy).unwrap();
    assert!(source.contains("#[allow(ioctl_range)]"), "{source}");
    // Unconfined, every attempt runs (and the file is emptied): the run
    // under the policy is then known to stop what would have happened.
    let attacked = run_under(&dir, &policy, &[python, "probe.py", "attack"], None);
    let said = stdout(&attacked);
    for attempt in ["truncate", "create", "write", "inject"] {
        assert!(
            said.contains(&format!("{attempt} denied")),
            "{attempt}: {said}{}",
            stderr(&attacked)
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("data.txt")).unwrap(),
        "keep me\n"
    );
    assert!(!dir.join("new.txt").exists());
    let unconfined = output(plain(&[python, "probe.py", "attack"]), &dir, None);
    let said = stdout(&unconfined);
    assert!(
        said.contains("truncate ran") && said.contains("create ran") && said.contains("write ran"),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(dir.join("data.txt")).unwrap(), "");
}

/// The library builds for musl (the static build a `FROM scratch` image
/// needs), and a program built with it installs its policy there: the
/// build-script example, whose policy answers `openat` with EACCES.
#[test]
fn a_program_using_the_library_builds_and_installs_its_policy_on_musl() {
    let Some(target) = musl_target() else { return };
    let program = build(&["-p", "build-script-export", "--target", &target], false);
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/build-script-export");
    let ran = Command::new(&program)
        .current_dir(example)
        .output()
        .unwrap();
    assert!(ran.status.success(), "{}", stderr(&ran));
    let said = stdout(&ran);
    assert!(
        said.contains("policy installed; opening a file is now denied:\n  Permission denied"),
        "{said}"
    );
}
