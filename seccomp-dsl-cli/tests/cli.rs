//! The `seccomp-dsl` command, run as a user runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn seccomp_dsl(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seccomp-dsl"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The command's standard output; it must succeed.
fn stdout_of(args: &[&str], stdin: &str) -> String {
    let output = seccomp_dsl(args, stdin);
    assert!(
        output.status.success(),
        "seccomp-dsl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

const PROFILE: &str = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}"#;

#[test]
fn import_prints_the_policy_as_macro_source() {
    let output = seccomp_dsl(&["import", "-"], PROFILE);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "seccomp_dsl::seccomp_profile! {\n    // Stops calls runc 1.1.5 makes after loading the filter: for \
         install() alone.\n    #[allow(engine_cannot_start)]\n    // The default stops `exit_group`, \
         `rt_sigreturn`, `restart_syscall`: what it protects cannot end or return from a signal \
         handler.\n    #[allow(stops_exit)]\n    default errno(EPERM);\n\n    allow read, write;\n\n    \
         // 64 bits of a narrower argument compared; `personality(0x1_0000_0000)` gets errno(1), \
         while the kernel runs it as `personality(0x0)`, which gets allow.\n    \
         #[allow(upper_half_bypass)]\n    rule personality(arg0 as u64 == 0) => allow;\n}\n"
    );
    // Denying more than meant is no walk around the policy: no warning.
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
}

#[test]
fn import_writes_to_a_file() {
    let path = std::env::temp_dir().join(format!("seccomp-dsl-cli-{}.rs", std::process::id()));
    let output = seccomp_dsl(&["import", "-", "-o", path.to_str().unwrap()], PROFILE);
    assert!(output.status.success());
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("rule personality(arg0 as u64 == 0) => allow;"));
    std::fs::remove_file(path).unwrap();
}

#[test]
fn import_warns_of_each_walk_around_a_64_bit_comparison() {
    // moby's rules for `socket`: families 38 (AF_ALG) and 40 (AF_VSOCK) are
    // denied on 64 bits, so an upper half lets them through.
    let moby = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 38, "op": "SCMP_CMP_LT"}]},
        {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 39, "op": "SCMP_CMP_EQ"}]},
        {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_GT"}]}]}"#;
    let output = seccomp_dsl(&["import", "-"], moby);
    assert!(output.status.success(), "a warning is no failure");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        "warning: -: a rule for `socket` compares all 64 bits of `arg0`, which `socket` reads as 32 bits: \
         `socket(0x1_0000_0028, …)` gets allow, while the kernel runs it as `socket(0x28, …)`, \
         which gets errno(1)\n"
    );
    let source = String::from_utf8(output.stdout).unwrap();
    assert_eq!(source.matches("#[allow(upper_half_bypass)]").count(), 3);
    assert!(source.contains("rule socket(arg0 as u64 > 40) => allow;"));
}

#[test]
fn import_warns_of_each_rule_the_engine_leaves_syscalls_out_of() {
    let profile = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["read", "mseal", "statmount"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["write"], "action": "SCMP_ACT_ALLOW"}]}"#;
    let output = seccomp_dsl(&["import", "-"], profile);
    assert!(output.status.success(), "a warning is no failure");
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "warning: -: a rule names mseal, statmount, which libseccomp 2.5.4 does not know: \
         podman 4.3 (runc 1.1.5, libseccomp 2.5.4) leaves them out of the rule; the source keeps \
         them for install() alone, with #[allow(unknown_to_engine)]\n"
    );
    let source = String::from_utf8(output.stdout).unwrap();
    assert!(
        source.contains(
            "    // Left out of this rule by podman 4.3 (runc 1.1.5, libseccomp 2.5.4), which does \
             not know:\n    // mseal, statmount.\n    #[allow(unknown_to_engine)]\n    allow read, \
             mseal, statmount;\n"
        ),
        "{source}"
    );
}

#[test]
fn dsl_source_is_read_by_the_macros_front_end_with_its_errors() {
    // A file as a program holds it: the statements inside the macro.
    let source = "use seccomp_dsl::{seccomp_profile, Profile};\n\
                  static POLICY: Profile = seccomp_profile! {\n\
                  \x20   #[allow(engine_cannot_start)]\n\
                  \x20   default errno;\n\
                  \x20   rule personality(arg0 == 0) => allow;\n\
                  };\n";
    let stdout = stdout_of(&["emulate", "-", "personality", "8"], source);
    assert!(stdout.starts_with("0x00050001 errno(1)"));
    // The statements alone, with the macro's errors at their lines.
    let output = seccomp_dsl(&["bpf", "-"], "default errno;\nallow rea, write;\n");
    assert!(!output.status.success());
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "-:2:7: error: unknown syscall `rea`\n  help: did you mean `read`?\n\
         seccomp-dsl: -: the policy has errors\n"
    );
}

#[test]
fn emulate_names_the_syscall_a_typo_likely_meant() {
    let output = seccomp_dsl(&["emulate", "-", "personalty", "8"], PROFILE);
    assert!(!output.status.success());
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "seccomp-dsl: unknown syscall `personalty`; did you mean `personality`?\n"
    );
}

#[test]
fn bad_input_fails_with_a_message_naming_the_field() {
    let output = seccomp_dsl(
        &["import", "-"],
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "ALLOW"}]}"#,
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "seccomp-dsl: -: invalid Docker seccomp profile: `syscalls[0].action`: unknown action `ALLOW`\n"
    );
    let missing = seccomp_dsl(&["import", "/nonexistent/profile.json"], "");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8(missing.stderr)
        .unwrap()
        .starts_with("seccomp-dsl: /nonexistent/profile.json: "));
}

#[test]
fn oci_decides_conditions_for_the_given_container() {
    let profile = r#"{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [
        {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}], "syscalls": [
        {"names": ["read"], "action": "SCMP_ACT_ALLOW", "comment": "always"},
        {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
        {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}}]}"#;
    let entries = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&stdout_of(args, profile)).unwrap()
    };
    let admin = entries(&[
        "oci",
        "-",
        "--arch",
        "amd64",
        "--kernel",
        "4.4",
        "--cap",
        "CAP_SYS_ADMIN",
    ]);
    assert_eq!(
        admin["architectures"],
        serde_json::json!(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"])
    );
    assert_eq!(
        admin["syscalls"],
        serde_json::json!([
            {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["mount"], "action": "SCMP_ACT_ALLOW"},
        ])
    );
    // The ABI map has no entry for arm64: the native ABI alone, which a
    // runtime reads from no list (a list would bring runc's ENOSYS stub).
    let plain = entries(&["oci", "-", "--arch", "arm64", "--kernel", "6.1"]);
    // `default`: a container's capabilities, without CAP_SYS_ADMIN.
    assert_eq!(
        entries(&["oci", "-", "--arch", "arm64", "--kernel", "6.1", "--cap", "default"]),
        plain
    );
    let typo = seccomp_dsl(&["oci", "-", "--cap", "CAP_SYS_ADMN"], profile);
    assert_eq!(
        text(&typo.stderr),
        "seccomp-dsl: unknown capability `CAP_SYS_ADMN`; did you mean `CAP_SYS_ADMIN`?\n"
    );
    assert_eq!(plain.get("architectures"), None);
    assert_eq!(
        plain["syscalls"],
        serde_json::json!([
            {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
            {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW"},
        ])
    );
    let bad = seccomp_dsl(&["oci", "-", "--arch", "amd46"], profile);
    assert_eq!(
        String::from_utf8(bad.stderr).unwrap(),
        "seccomp-dsl: unknown architecture `amd46`\n"
    );
}

const DOCKER_DEFAULT: &str = include_str!("../../seccomp-dsl-core/data/docker-default.json");

#[test]
fn bpf_prints_the_program_install_would_load() {
    let stdout = stdout_of(
        &[
            "bpf",
            "-",
            "--arch",
            "amd64",
            "--kernel",
            "6.1",
            "--native-only",
        ],
        DOCKER_DEFAULT,
    );
    let listing = stdout;
    let lines: Vec<&str> = listing.lines().collect();
    assert!(
        lines[0].ends_with("; arch") && lines[1].contains("jeq  #0xc000003e"),
        "{listing}"
    );
    assert!(lines.iter().any(|line| line.ends_with("; allow")));
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("; 95 instructions, ABIs x86_64"),
        "{listing}"
    );
}

#[test]
fn emulate_answers_as_the_kernel_would() {
    let answer = |args: &[&str]| {
        let mut all = vec!["emulate", "-"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--arch", "amd64", "--kernel", "6.1"]);
        stdout_of(&all, DOCKER_DEFAULT)
    };
    assert!(answer(&["personality", "0xffffffff"]).starts_with("0x7fff0000 allow ("));
    assert!(answer(&["personality", "0x1234"]).starts_with("0x00050001 errno(1) ("));
    assert!(answer(&["socket", "40"]).starts_with("0x00050001 errno(1) ("));
    assert!(answer(&["mount", "--cap", "CAP_SYS_ADMIN"]).starts_with("0x7fff0000 allow ("));
    assert!(answer(&["getpid", "--abi", "x86"]).starts_with("0x7fff0000 allow ("));
    assert!(answer(&["getpid", "--abi", "arm"]).starts_with("0x00000000 kill_thread ("));
    // By number, as the kernel's audit lines give it: named.
    assert!(
        answer(&["135", "0x1234"]).starts_with("personality (number 135): 0x00050001 errno(1) (")
    );
    assert!(answer(&["socket", "AF_VSOCK"]).starts_with("0x00050001 errno(1) ("));
    let unknown = seccomp_dsl(&["emulate", "-", "getpidd"], DOCKER_DEFAULT);
    assert_eq!(
        String::from_utf8(unknown.stderr).unwrap(),
        "seccomp-dsl: unknown syscall `getpidd`; did you mean `getpid`?\n"
    );
}

/// Debian's static busybox, the real program several tests run; `None`
/// where it is not installed, which fails the test under CI.
fn busybox() -> Option<&'static str> {
    let busybox = "/bin/busybox";
    if std::path::Path::new(busybox).exists() {
        return Some(busybox);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "busybox-static is not installed"
    );
    None
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Docker's default variant `variant` (`docker_default`,
/// `docker_default_hardened`, ...) written out as one policy file, the
/// base's statements and the variant's, in a directory of its own: the
/// library composes them with `define_policy!`, which a file read by the
/// command cannot name.
fn docker_default_file(variant: &str) -> String {
    let profiles = concat!(env!("CARGO_MANIFEST_DIR"), "/../seccomp-dsl/src/profiles");
    let read = |name: &str| std::fs::read_to_string(format!("{profiles}/{name}")).unwrap();
    let base = read("base.policy.rs");
    let base = base.split_once("docker_default_base;\n").unwrap().1;
    let base = base.trim_end().strip_suffix('}').unwrap();
    let extension = read(&format!("{variant}.policy.rs"));
    let extension = extension.split_once("docker_default_base! {\n").unwrap().1;
    let extension = extension.trim_end().strip_suffix('}').unwrap();
    let path = temp_dir(variant).join("policy.rs");
    let source = format!("seccomp_dsl::seccomp_profile! {{\n{base}\n{extension}}}\n");
    std::fs::write(&path, source).unwrap();
    path.display().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn record_passes_the_commands_status_through_and_writes_the_same_policy_each_time() {
    let dir = temp_dir("record-status");
    let policy = dir.join("policy.rs");
    let policy = policy.to_str().unwrap();
    let recorded = seccomp_dsl(
        &["record", "-o", policy, "--", "sh", "-c", "echo out; exit 7"],
        "",
    );
    assert_eq!(
        recorded.status.code(),
        Some(7),
        "{}",
        text(&recorded.stderr)
    );
    assert_eq!(text(&recorded.stdout), "out\n");
    let first = std::fs::read_to_string(policy).unwrap();
    // The command as a shell takes it, after the locale it ran in.
    assert!(first.starts_with("// Recorded by `seccomp-dsl record` from:\n//   $ "));
    let command = first.lines().nth(1).unwrap();
    assert!(
        command.ends_with(" sh -c 'echo out; exit 7'")
            || command == "//   $ sh -c 'echo out; exit 7'",
        "{command}"
    );
    assert!(first.contains("default errno(EPERM);"), "{first}");
    assert!(first.contains("execve"), "{first}");
    // Recorded again over it: the same bytes.
    seccomp_dsl(
        &["record", "-o", policy, "--", "sh", "-c", "echo out; exit 7"],
        "",
    );
    assert_eq!(std::fs::read_to_string(policy).unwrap(), first);
}

#[test]
fn record_and_run_say_a_command_does_not_exist() {
    let dir = temp_dir("no-command");
    let policy = dir.join("policy.rs");
    let output = seccomp_dsl(
        &[
            "record",
            "-o",
            policy.to_str().unwrap(),
            "--",
            "no-such-command-here",
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "seccomp-dsl: `no-such-command-here`: command not found\n"
    );
    assert!(!policy.exists());
    // A policy that lets the search for the program run.
    std::fs::write(&policy, "default errno; allow execve, read;").unwrap();
    let output = seccomp_dsl(
        &[
            "run",
            policy.to_str().unwrap(),
            "--",
            "no-such-command-here",
        ],
        "",
    );
    assert!(
        text(&output.stderr).ends_with("seccomp-dsl: `no-such-command-here`: command not found\n")
    );
}

#[test]
fn run_reports_a_policy_that_does_not_parse_where_the_macro_would() {
    let dir = temp_dir("bad-policy");
    let policy = dir.join("bad.rs");
    std::fs::write(
        &policy,
        "seccomp_profile! {\n    default errno;\n    allow rea;\n}\n",
    )
    .unwrap();
    let output = seccomp_dsl(&["run", policy.to_str().unwrap(), "--", "true"], "");
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output.stderr);
    assert!(
        said.contains(&format!(
            "{}:3:11: error: unknown syscall `rea`\n  help: did you mean `read`?",
            policy.display()
        )),
        "{said}"
    );
}

#[test]
fn record_refuses_to_overwrite_or_merge_a_file_it_did_not_write() {
    let dir = temp_dir("foreign-file");
    let mine = dir.join("main.rs");
    std::fs::write(&mine, "fn main() {}\n").unwrap();
    let mine = mine.to_str().unwrap();
    let overwrite = seccomp_dsl(&["record", "-o", mine, "--", "true"], "");
    assert_eq!(overwrite.status.code(), Some(1));
    assert!(text(&overwrite.stderr).contains("exists and is not a recorded policy"));
    let merge = seccomp_dsl(&["record", "--merge", mine, "-o", mine, "--", "true"], "");
    assert!(text(&merge.stderr).contains("not a policy `seccomp-dsl record` wrote"));
    assert_eq!(std::fs::read_to_string(mine).unwrap(), "fn main() {}\n");
}

#[test]
fn an_interrupted_recording_is_still_written_marked_partial() {
    use std::os::unix::process::CommandExt;
    let dir = temp_dir("interrupted");
    let policy = dir.join("policy.rs");
    // In a process group of its own, as a terminal's foreground job.
    let child = Command::new(env!("CARGO_BIN_EXE_seccomp-dsl"))
        .args([
            "record",
            "-o",
            policy.to_str().unwrap(),
            "--",
            "sleep",
            "30",
        ])
        .process_group(0)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    // SAFETY: Ctrl-C: SIGINT to the whole group.
    unsafe { libc_kill(-(child.id() as i32), 2) };
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("(interrupted: partial)"));
    let source = std::fs::read_to_string(&policy).unwrap();
    assert!(
        source.contains("// PARTIAL: a recording was interrupted"),
        "{source}"
    );
    assert!(source.contains("execve"), "{source}");
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, signal: i32) -> i32;
}

#[test]
fn run_names_each_denied_call_and_complain_mode_lists_what_to_add() {
    let Some(busybox) = busybox() else { return };
    let dir = temp_dir("complain");
    let policy = dir.join("policy.rs");
    let policy = policy.to_str().unwrap();
    let recorded = seccomp_dsl(&["record", "-o", policy, "--", busybox, "true"], "");
    assert!(recorded.status.success(), "{}", text(&recorded.stderr));
    // `cat` opens, reads and writes, which `true` never did.
    let cat = ["run", policy, "--", busybox, "cat", "/etc/hostname"];
    let denied = seccomp_dsl(&cat, "");
    assert_eq!(denied.status.code(), Some(1));
    let said = text(&denied.stderr);
    // The path, read from the process, not its address.
    assert!(
        said.contains("seccomp-dsl: deny openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY"),
        "{said}"
    );
    assert!(said.contains(": errno(1), the default action"), "{said}");
    let complain = [
        "run",
        "--complain",
        policy,
        "--",
        busybox,
        "cat",
        "/etc/hostname",
    ];
    let complained = seccomp_dsl(&complain, "");
    assert!(complained.status.success(), "{}", text(&complained.stderr));
    assert_eq!(
        text(&complained.stdout),
        std::fs::read_to_string("/etc/hostname").unwrap()
    );
    let said = text(&complained.stderr);
    assert_eq!(said.matches("would deny openat(").count(), 1, "{said}");
    let (_, additions) = said
        .split_once("to allow what was seen, add:\n")
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        additions.contains(
            "rule openat(arg2 & !(O_NOCTTY | O_NONBLOCK | O_CLOEXEC) == O_RDONLY) => allow;"
        ),
        "{said}"
    );
    // Added, they make the policy enough.
    let source = std::fs::read_to_string(policy).unwrap();
    let (head, _) = source.rsplit_once('}').unwrap();
    std::fs::write(policy, format!("{head}{additions}}}\n")).unwrap();
    let enough = seccomp_dsl(&cat, "");
    assert!(enough.status.success(), "{}", text(&enough.stderr));
    assert!(
        !text(&enough.stderr).contains("seccomp-dsl: "),
        "{}",
        text(&enough.stderr)
    );
}

/// Makes `getpid` through `int 0x80`: the i386 ABI of an x86_64 process.
#[cfg(target_arch = "x86_64")]
#[test]
#[ignore = "a helper: run by record_keeps_each_abi_a_program_calls_through"]
fn getpid_through_int_0x80() {
    let pid: i64;
    // SAFETY: i386 getpid (20) takes no argument and touches no memory.
    unsafe { std::arch::asm!("int 0x80", inout("rax") 20i64 => pid) };
    assert!(pid > 0);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn record_keeps_each_abi_a_program_calls_through() {
    let dir = temp_dir("abis");
    let policy = dir.join("policy.rs");
    let policy = policy.to_str().unwrap();
    let me = std::env::current_exe().unwrap();
    let me = me.to_str().unwrap();
    let helper = [
        me,
        "getpid_through_int_0x80",
        "--exact",
        "--ignored",
        "--test-threads=1",
        "-q",
    ];
    let mut record = vec!["record", "--default", "kill_process", "-o", policy, "--"];
    record.extend(helper);
    let recorded = seccomp_dsl(&record, "");
    assert!(recorded.status.success(), "{}", text(&recorded.stderr));
    let source = std::fs::read_to_string(policy).unwrap();
    assert!(source.contains("    arches x86_64, x86;\n"), "{source}");
    let mut run = vec!["run", policy, "--"];
    run.extend(helper);
    let confined = seccomp_dsl(&run, "");
    assert!(confined.status.success(), "{}", text(&confined.stderr));
    // Without the i386 ABI, the same call is killed, and named.
    std::fs::write(policy, source.replace("    arches x86_64, x86;\n", "")).unwrap();
    let killed = seccomp_dsl(&run, "");
    assert_eq!(killed.status.code(), Some(159));
    assert!(
        text(&killed.stderr).contains("kill getpid() on x86 "),
        "{}",
        text(&killed.stderr)
    );
}

#[test]
fn record_says_what_a_default_action_can_be() {
    let dir = temp_dir("bad-default");
    let policy = dir.join("policy.rs");
    let output = seccomp_dsl(
        &[
            "record",
            "--default",
            "kil",
            "-o",
            policy.to_str().unwrap(),
            "--",
            "true",
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "seccomp-dsl: --default `kil` is not an action: `errno`, `errno(EACCES)`, `kill_process`, \
         `kill_thread`, `trap`, `log`\n"
    );
    assert!(!policy.exists());
}

#[test]
fn explain_names_the_rule_and_its_line_or_the_default() {
    let dir = temp_dir("explain");
    let policy = dir.join("policy.rs");
    std::fs::write(
        &policy,
        "static POLICY: Profile = seccomp_profile! {\n    #[allow(engine_cannot_start, stops_exit)] default errno;\n    \
         allow read, write;\n    rule personality(arg0 == 0x0) => allow;\n};\n",
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let cases = [
        (
            &["personality", "0"][..],
            "allow, by line 4: rule personality(arg0 == 0x0) => allow;\n",
        ),
        (&["personality", "8"][..], "errno(1), the default action\n"),
        (
            &["write", "1"][..],
            "allow, by line 3: allow read, write;\n",
        ),
    ];
    for (call, expected) in cases {
        let mut args = vec!["explain", policy];
        args.extend(call);
        let output = seccomp_dsl(&args, "");
        assert_eq!(text(&output.stdout), expected, "{}", text(&output.stderr));
    }
    let typo = seccomp_dsl(&["explain", policy, "wrte"], "");
    assert_eq!(typo.status.code(), Some(1));
    assert_eq!(
        text(&typo.stderr),
        "seccomp-dsl: unknown syscall `wrte`; did you mean `write`?\n"
    );
    // Docker JSON has no lines: the rule's number.
    let json = seccomp_dsl(&["explain", "-", "read"], PROFILE);
    assert_eq!(text(&json.stdout), "allow, by rule 1: allow read, write;\n");
}

/// `explain` takes a call as a person or the kernel's audit line writes
/// it (negative numbers, constants, a syscall number), and cites the rule
/// as written, by the line of the alternative that decides.
#[test]
fn explain_takes_calls_as_written_and_cites_rules_as_written() {
    let dir = temp_dir("explain-written");
    let policy = dir.join("policy.rs");
    std::fs::write(
        &policy,
        "seccomp_profile! {\n\
         \x20   #[allow(engine_cannot_start, stops_exit)] default errno;\n\
         \x20   rule openat(arg2 & (O_ACCMODE | O_CREAT | O_TRUNC) == O_RDONLY) => allow;\n\
         \x20   rule socket(\n\
         \x20       arg0 == AF_UNIX\n\
         \x20       || arg0 == 0x2 && arg1 & SOCK_STREAM == SOCK_STREAM\n\
         \x20   ) => allow;\n\
         \x20   rule mremap(arg3 == MREMAP_MAYMOVE) => allow;\n\
         \x20   rule fcntl(arg1 == F_SETFD && arg2 == FD_CLOEXEC) => allow;\n\
         \x20   assert allows openat(AT_FDCWD, _, O_RDONLY);\n\
         \x20   assert allows openat(-100, _, O_RDONLY);\n\
         }\n",
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let openat = "allow, by line 3: rule openat(arg2 & (O_ACCMODE | O_CREAT | O_TRUNC) == O_RDONLY) => allow;\n";
    let cases = [
        (&["openat", "-100", "0", "0x80000"][..], openat),
        (&["openat", "AT_FDCWD", "0", "O_RDONLY|O_CLOEXEC"][..], openat),
        (&["openat", "AT_FDCWD", "0", "O_RDONLY | O_TRUNC"][..], "errno(1), the default action\n"),
        (
            &["socket", "AF_INET", "SOCK_STREAM"][..],
            "allow, by line 6: rule socket(arg0 == 0x2 && arg1 & SOCK_STREAM == SOCK_STREAM) => allow;\n",
        ),
        (
            &["41", "1"][..],
            "socket (number 41): allow, by line 5: rule socket(arg0 == AF_UNIX) => allow;\n",
        ),
        (
            &["mremap", "0", "0", "0", "MREMAP_MAYMOVE"][..],
            "allow, by line 8: rule mremap(arg3 == MREMAP_MAYMOVE) => allow;\n",
        ),
        (
            &["999"][..],
            "errno(1), the default action: no syscall has number 999 on x86_64\n",
        ),
    ];
    for (call, expected) in cases {
        let mut args = vec!["explain", policy];
        args.extend(call);
        let output = seccomp_dsl(&args, "");
        assert_eq!(
            text(&output.stdout),
            expected,
            "{call:?}: {}",
            text(&output.stderr)
        );
    }
    // A misspelt constant: a name of its own family only, never one of
    // another value (`O_CLOEXEC` is 0x80000, `FD_CLOEXEC` 1).
    let typo = seccomp_dsl(
        &["explain", policy, "fcntl", "3", "F_SETFD", "FD_CLOEXC"],
        "",
    );
    assert_eq!(
        text(&typo.stderr),
        "seccomp-dsl: `FD_CLOEXC` is neither a number nor a constant name; did you mean `FD_CLOEXEC`?\n"
    );
    let other_family = seccomp_dsl(
        &["explain", policy, "fcntl", "3", "F_SETFD", "XD_CLOEXEC"],
        "",
    );
    assert_eq!(
        text(&other_family.stderr),
        "seccomp-dsl: `XD_CLOEXEC` is neither a number nor a constant name\n"
    );
}

/// A suggestion `run --complain` prints that the policy refuses (here a
/// `forbid`) is commented out with the reason, never offered as is.
#[test]
fn complain_mode_comments_out_what_the_policy_forbids() {
    let dir = temp_dir("complain-forbid");
    let policy = dir.join("policy.rs");
    std::fs::write(
        &policy,
        "seccomp_profile! {\n\
         \x20   #[allow(engine_cannot_start, stops_exit)] default errno;\n\
         \x20   forbid socket;\n\
         }\n",
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let script = "import socket; socket.socket(socket.AF_UNIX)";
    let complained = seccomp_dsl(
        &["run", "--complain", policy, "--", "python3", "-c", script],
        "",
    );
    assert!(complained.status.success(), "{}", text(&complained.stderr));
    let said = text(&complained.stderr);
    let (_, additions) = said
        .split_once("to allow what was seen, add:\n")
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        additions.contains(
            "    // refused by the policy: `socket` is forbidden, but this rule lets it run\n"
        ) && additions.contains("    // rule socket(arg0 == AF_UNIX"),
        "{additions}"
    );
    assert!(
        !additions
            .lines()
            .any(|line| line.trim_start().starts_with("rule socket")),
        "{additions}"
    );
}

#[test]
fn groups_lists_each_group_and_one_groups_syscalls_on_an_abi() {
    let all = seccomp_dsl(&["groups", "--abi", "x86_64"], "");
    let listing = text(&all.stdout);
    assert!(
        listing.starts_with("syscall groups, version 1, on x86_64:\n"),
        "{listing}"
    );
    assert!(listing.contains("\n@rust_std "), "{listing}");
    let one = seccomp_dsl(&["groups", "@tokio", "--abi", "aarch64"], "");
    let members: Vec<String> = text(&one.stdout)
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect();
    assert_eq!(
        members,
        [
            "epoll_create1",
            "epoll_ctl",
            "epoll_pwait",
            "epoll_pwait2",
            "eventfd2",
            "pipe2",
            "socketpair"
        ]
    );
    // epoll_wait is x86_64's only.
    let x86_64 = seccomp_dsl(&["groups", "tokio", "--abi", "x86_64"], "");
    assert!(text(&x86_64.stdout).contains("\nepoll_wait\n"));
    let typo = seccomp_dsl(&["groups", "tokoi"], "");
    assert_eq!(
        text(&typo.stderr),
        "seccomp-dsl: unknown syscall group `@tokoi`; did you mean `@tokio`?\n"
    );
}

#[test]
fn diff_lists_each_class_of_calls_two_policies_decide_differently() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let moby = format!("{root}/seccomp-dsl-core/data/docker-default.json");
    let faithful = docker_default_file("docker_default");
    let hardened = docker_default_file("docker_default_hardened");
    // The DSL profile is moby's: nothing differs.
    let same = seccomp_dsl(&["diff", &moby, &faithful], "");
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert_eq!(text(&same.stdout), "");
    // The hardened one differs on upper halves only, both ways.
    let changed = seccomp_dsl(&["diff", &moby, &hardened], "");
    assert_eq!(changed.status.code(), Some(1));
    let listing = text(&changed.stdout);
    assert!(
        listing.starts_with("personality on x86_64, with no capabilities"),
        "{listing}"
    );
    assert!(listing.contains(
        "  personality(0x100000000): errno(1) (the default action)  ->  allow (`rule personality(arg0 == 0) => allow;`)\n"
    ));
    assert!(
        listing.contains("  socket(0x100000026, 0x0, 0x0): allow ("),
        "{listing}"
    );
    let syscalls: std::collections::BTreeSet<&str> = listing
        .lines()
        .filter(|line| !line.starts_with(' '))
        .map(|line| line.split(' ').next().unwrap())
        .collect();
    assert_eq!(syscalls, ["personality", "socket"].into());
    // The same as JSON.
    let json = seccomp_dsl(&["diff", "--json", &moby, &hardened], "");
    let entries: serde_json::Value = serde_json::from_str(&text(&json.stdout)).unwrap();
    assert_eq!(
        entries.as_array().unwrap().len(),
        listing.lines().filter(|l| l.starts_with(' ')).count()
    );
    assert_eq!(entries[0]["after"]["action"], "allow");
    assert_eq!(entries[0]["args"][0], 0x1_0000_0000u64);
}

/// `cat` under `profile` (loaded between fork and exec), once it waits in
/// `read` for the input this process holds open (a call the kernel
/// restarts as it was after a stop).
fn sleeping_under(profile: &'static seccomp_dsl::Profile) -> std::process::Child {
    use seccomp_dsl::CommandExt;
    let child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .seccomp_policy(profile)
        .unwrap()
        .spawn()
        .unwrap();
    // Until it runs `sleep`, the child may still be starting.
    std::thread::sleep(std::time::Duration::from_millis(300));
    child
}

#[test]
fn inspect_reads_the_filters_a_running_process_is_under() {
    static NO_UNAME: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
        #[allow(engine_cannot_start)]
        default allow;
        errno(EACCES) uname;
    };
    let mut sleeper = sleeping_under(&NO_UNAME);
    let pid = sleeper.id().to_string();
    let inspected = seccomp_dsl(&["inspect", &pid], "");
    let _ = sleeper.kill();
    let _ = sleeper.wait();
    let listing = text(&inspected.stdout);
    assert!(inspected.status.success(), "{}", text(&inspected.stderr));
    assert!(
        listing.starts_with(&format!("process {pid}: 1 filter\n")),
        "{listing}"
    );
    let program = NO_UNAME.compile_here().unwrap();
    assert!(
        listing.contains(&seccomp_dsl::bpf::disasm::listing(&program)),
        "the filter read is the one loaded: {listing}"
    );
    let errno = listing
        .lines()
        .find(|line| line.starts_with("errno(13) (1): "))
        .unwrap_or_else(|| panic!("{listing}"));
    assert_eq!(errno, "errno(13) (1): uname");
    let missing = seccomp_dsl(&["inspect", "999999999"], "");
    assert_eq!(
        text(&missing.stderr),
        "seccomp-dsl: process 999999999: no such process\n"
    );
}

/// A process in a timed sleep goes on with `restart_syscall` after a
/// stop: `inspect` and `verify` say so and stop nothing, and the hazard is
/// real (with `--stop-anyway`, a filter that denies `restart_syscall`
/// makes the sleep fail).
#[test]
fn inspect_and_verify_do_not_stop_a_process_a_stop_would_kill() {
    // A filter no policy of the macro's would be (it refuses to deny
    // `restart_syscall`): EPERM for it, everything else allowed.
    let deny_restart = [
        libc::sock_filter {
            code: 0x20,
            jt: 0,
            jf: 0,
            k: 0,
        }, // ld nr
        libc::sock_filter {
            code: 0x15,
            jt: 0,
            jf: 1,
            k: libc::SYS_restart_syscall as u32,
        },
        libc::sock_filter {
            code: 0x06,
            jt: 0,
            jf: 0,
            k: 0x0005_0001,
        }, // errno(1)
        libc::sock_filter {
            code: 0x06,
            jt: 0,
            jf: 0,
            k: 0x7fff_0000,
        }, // allow
    ];
    let mut sleeper = {
        use std::os::unix::process::CommandExt;
        let mut command = Command::new("sleep");
        command.arg("10");
        // SAFETY: between fork and exec, two system calls on memory the
        // parent set up before forking.
        unsafe {
            command.pre_exec(move || {
                let program = libc::sock_fprog {
                    len: deny_restart.len() as u16,
                    filter: deny_restart.as_ptr() as *mut libc::sock_filter,
                };
                if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
                    || libc::syscall(libc::SYS_seccomp, 1, 0, &program) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            })
        };
        command.spawn().unwrap()
    };
    let pid = sleeper.id().to_string();
    let mut asleep = false;
    for _ in 0..300 {
        let call = std::fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
        // clock_nanosleep on x86_64 and aarch64 (230, 115).
        let number = call.split_whitespace().next().unwrap_or_default();
        if ["230", "115", "35", "101"].contains(&number) {
            asleep = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(asleep, "sleep sleeps");
    let inspected = seccomp_dsl(&["inspect", &pid], "");
    let verified = seccomp_dsl(&["verify", &pid, "-"], "default allow;");
    for refused in [&inspected, &verified] {
        assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stderr));
        let said = text(&refused.stderr);
        assert!(
            said.contains(&format!(
                "process {pid}: thread {pid} is in `clock_nanosleep`"
            )) && said.contains("nothing was stopped")
                && said.contains("`--stop-anyway`"),
            "{said}"
        );
    }
    assert_eq!(
        sleeper.try_wait().unwrap(),
        None,
        "the sleeper was left alone"
    );
    let anyway = seccomp_dsl(&["inspect", "--stop-anyway", &pid], "");
    assert!(anyway.status.success(), "{}", text(&anyway.stderr));
    // `sleep` ends at once, failing: its sleep was resumed through the
    // call the filter denies.
    let started = std::time::Instant::now();
    let status = sleeper.wait().unwrap();
    assert!(!status.success(), "the stop made its sleep fail: {status}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn inspect_says_strict_mode_and_reads_no_filter_where_there_is_none() {
    let (mut ends, mut ready) = ([0; 2], [0; 2]);
    // SAFETY: a pipe for the child to wait on, and one to say it is in
    // strict mode.
    assert_eq!(unsafe { libc::pipe(ends.as_mut_ptr()) }, 0);
    assert_eq!(unsafe { libc::pipe(ready.as_mut_ptr()) }, 0);
    // SAFETY: the child makes raw system calls only, then exits.
    let child = unsafe { libc::fork() };
    if child == 0 {
        // SAFETY: strict mode, then a write that says so and a read that
        // waits until the parent closes the pipe, and `exit`: the calls
        // strict mode allows.
        unsafe {
            libc::close(ends[1]);
            libc::close(ready[0]);
            libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_STRICT);
            let mut byte = 0u8;
            libc::syscall(libc::SYS_write, ready[1], &byte, 1);
            libc::syscall(libc::SYS_read, ends[0], &mut byte, 1);
            libc::syscall(libc::SYS_exit, 0);
        }
    }
    // SAFETY: the parent's copies of the ends it does not use, then a
    // read that returns once the child is in strict mode.
    unsafe {
        libc::close(ends[0]);
        libc::close(ready[1]);
        let mut byte = 0u8;
        assert_eq!(libc::read(ready[0], (&mut byte as *mut u8).cast(), 1), 1);
        libc::close(ready[0]);
    }
    let inspected = seccomp_dsl(&["inspect", &child.to_string()], "");
    let verified = seccomp_dsl(&["verify", &child.to_string(), "-"], "default allow;");
    // SAFETY: ends the child's wait; it exits.
    unsafe { libc::close(ends[1]) };
    let mut status = 0;
    // SAFETY: reaps our own child.
    unsafe { libc::waitpid(child, &mut status, 0) };
    assert_eq!(
        text(&inspected.stdout),
        format!("process {child}: strict mode: only read, write, exit and sigreturn\n")
    );
    assert!(
        text(&verified.stderr).contains("strict mode"),
        "{}",
        text(&verified.stderr)
    );
    // Where the harness runs under no filter (as here), nothing is stopped
    // or read.
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    if status.lines().any(|line| line == "Seccomp:\t0") {
        let here = seccomp_dsl(&["inspect", &std::process::id().to_string()], "");
        let expected = format!("process {}: 0 filters\n", std::process::id());
        assert!(text(&here.stdout).starts_with(&expected));
    }
}

#[test]
fn verify_proves_a_processs_filters_equal_a_policy_or_names_a_call() {
    static NO_UNAME: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
        #[allow(engine_cannot_start)]
        default allow;
        errno(EACCES) uname;
        rule socket(arg0 == AF_VSOCK) => errno(EAFNOSUPPORT);
    };
    let dir = temp_dir("verify");
    let same = dir.join("same.rs");
    std::fs::write(
        &same,
        "#[allow(engine_cannot_start)] default allow; errno(EACCES) uname; \
         rule socket(arg0 == AF_VSOCK) => errno(EAFNOSUPPORT);",
    )
    .unwrap();
    let other = dir.join("other.rs");
    std::fs::write(
        &other,
        "#[allow(engine_cannot_start)] default allow; errno(EACCES) uname; \
         rule socket(arg0 == AF_VSOCK || arg0 == AF_ALG) => errno(EAFNOSUPPORT);",
    )
    .unwrap();
    let mut sleeper = sleeping_under(&NO_UNAME);
    let pid = sleeper.id().to_string();
    let agreed = seccomp_dsl(&["verify", &pid, same.to_str().unwrap()], "");
    let differed = seccomp_dsl(&["verify", &pid, other.to_str().unwrap()], "");
    let _ = sleeper.kill();
    let _ = sleeper.wait();
    assert_eq!(agreed.status.code(), Some(0), "{}", text(&agreed.stderr));
    assert!(
        text(&agreed.stdout)
            .contains("proven: its 1 filter(s) answer every call as the policy does"),
        "{}",
        text(&agreed.stdout)
    );
    assert_eq!(
        differed.status.code(),
        Some(1),
        "{}",
        text(&differed.stderr)
    );
    let said = text(&differed.stdout);
    assert!(
        said.contains("differs from the policy: `socket(AF_ALG, ")
            && said.contains("gets allow there, errno(97) under the policy"),
        "{said}"
    );
}

#[test]
fn k8s_writes_the_operators_object_or_the_kubelet_file_and_says_how_a_pod_uses_it() {
    let policy = docker_default_file("docker_default");
    let args = [
        "k8s", &policy, "--name", "web", "--arch", "amd64", "--kernel", "6.1",
    ];
    let object = seccomp_dsl(&args, "");
    assert!(object.status.success(), "{}", text(&object.stderr));
    let value: serde_json::Value = serde_json::from_str(&text(&object.stdout)).unwrap();
    assert_eq!(
        value["apiVersion"],
        "security-profiles-operator.x-k8s.io/v1"
    );
    assert_eq!(value["spec"]["architectures"][0], "SCMP_ARCH_X86_64");
    assert!(text(&object.stderr).contains("\"localhostProfile\": \"operator/web.json\""));
    let mut localhost = args.to_vec();
    localhost.push("--localhost");
    let file = seccomp_dsl(&localhost, "");
    let value: serde_json::Value = serde_json::from_str(&text(&file.stdout)).unwrap();
    assert_eq!(value["defaultAction"], "SCMP_ACT_ERRNO");
    assert!(text(&file.stderr).contains("\"localhostProfile\": \"web.json\""));
}

/// The README's container example, compiled by the macro.
static CONTAINER_POLICY: seccomp_dsl::Profile = include!("../../examples/container/policy.rs");

#[test]
fn docker_writes_the_profile_the_macro_gives() {
    let policy = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/container/policy.rs"
    );
    let exported = seccomp_dsl(&["docker", policy], "");
    assert_eq!(text(&exported.stdout), CONTAINER_POLICY.docker_json());
    // A container starts under it: nothing to say.
    assert_eq!(text(&exported.stderr), "");
    // One for install() alone is exported, with a warning, by every
    // container format.
    let install_only = "#[allow(engine_cannot_start)] default errno; \
        allow read, write, exit_group, rt_sigreturn, restart_syscall;";
    for format in [
        &["docker", "-"][..],
        &["oci", "-"],
        &["k8s", "-", "--name", "x"],
    ] {
        let exported = seccomp_dsl(format, install_only);
        assert!(exported.status.success(), "{format:?}");
        assert!(
            text(&exported.stderr).contains(
                "seccomp-dsl: warning: podman 4.3 (runc 1.1.5, libseccomp 2.5.4) calls `capget(_, _)`"
            ) && text(&exported.stderr).contains("a container does not start under this profile"),
            "{format:?}: {}",
            text(&exported.stderr)
        );
    }
    // A Docker profile is read back, checked, and written normalised.
    let again = seccomp_dsl(&["docker", "-"], CONTAINER_POLICY.docker_json());
    assert_eq!(
        String::from_utf8(again.stdout).unwrap(),
        CONTAINER_POLICY.docker_json()
    );
    let typo = seccomp_dsl(&["docker", "-"], "default errno; allow raed;");
    assert_eq!(typo.status.code(), Some(1));
    let message = String::from_utf8(typo.stderr).unwrap();
    assert!(
        message.contains("unknown syscall `raed`") && message.contains("`read`"),
        "{message}"
    );
}

/// Output into a pipe closed early (`| head`) ends the command quietly, by
/// SIGPIPE, as other command-line tools: no panic message.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let allow_all = std::env::temp_dir().join(format!("allow-all-{}.rs", std::process::id()));
    std::fs::write(&allow_all, "default allow;\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_seccomp-dsl"))
        .args(["diff", "-"])
        .arg(&allow_all)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(DOCKER_DEFAULT.as_bytes()).unwrap();
    drop(stdin);
    // Megabytes of differences: read a line's worth, then close the pipe.
    let mut start = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut start).unwrap();
    let output = child.wait_with_output().unwrap();
    std::fs::remove_file(&allow_all).unwrap();
    assert_eq!(output.status.signal(), Some(libc::SIGPIPE));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// SIGTERM and SIGHUP (what `timeout`, `kill`, systemd and `docker stop`
/// send) end the recording as Ctrl-C does: the command gets the signal, and
/// what was seen is written, marked partial; so is a recording whose
/// command is killed.
#[test]
fn a_recording_is_kept_through_sigterm_sighup_timeout_and_a_killed_command() {
    if busybox().is_none() {
        return;
    }
    let dir = temp_dir("terminated");
    let written = |policy: &std::path::Path| {
        let source = std::fs::read_to_string(policy)
            .unwrap_or_else(|error| panic!("{}: {error}", policy.display()));
        assert!(
            source.contains("// PARTIAL: a recording was interrupted"),
            "{source}"
        );
        // The server got as far as listening.
        assert!(
            source.contains("bind") && source.contains("listen"),
            "{source}"
        );
    };
    let record = |policy: &std::path::Path, port: u16| {
        Command::new(env!("CARGO_BIN_EXE_seccomp-dsl"))
            .args([
                "record",
                "-o",
                policy.to_str().unwrap(),
                "--",
                "/bin/busybox",
                "httpd",
                "-f",
            ])
            .arg("-p")
            .arg(format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let port = 20_000 + (std::process::id() % 20_000) as u16;
    // The server the recorder runs.
    let server_of = |recorder: u32| -> i32 {
        let tasks = std::fs::read_dir(format!("/proc/{recorder}/task")).unwrap();
        let children: Vec<String> = tasks
            .flatten()
            .flat_map(|task| {
                let children = std::fs::read_to_string(task.path().join("children"));
                let children = children.unwrap_or_default();
                children
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        children.first().expect("the server runs").parse().unwrap()
    };
    // SIGTERM ends the server, and the recording.
    let policy = dir.join("sigterm.rs");
    let child = record(&policy, port);
    std::thread::sleep(std::time::Duration::from_millis(800));
    // SAFETY: signals our own child, the recorder alone.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(143), "{}", text(&output.stderr));
    written(&policy);
    // busybox httpd takes SIGHUP to reload and goes on: what was seen is
    // written at once, and again when the server ends.
    let policy = dir.join("sighup.rs");
    let child = record(&policy, port + 1);
    std::thread::sleep(std::time::Duration::from_millis(800));
    // SAFETY: as above.
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !policy.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    written(&policy);
    // SAFETY: the recorder's child, the server.
    unsafe { libc::kill(server_of(child.id()), libc::SIGKILL) };
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(137), "{}", text(&output.stderr));
    written(&policy);
    // `timeout` signals the recorder (and its group).
    let policy = dir.join("timeout.rs");
    let timed = Command::new("timeout")
        .arg("1")
        .arg(env!("CARGO_BIN_EXE_seccomp-dsl"))
        .args([
            "record",
            "-o",
            policy.to_str().unwrap(),
            "--",
            "/bin/busybox",
            "httpd",
            "-f",
        ])
        .arg("-p")
        .arg(format!("127.0.0.1:{}", port + 100))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(timed.status.code(), Some(124), "{}", text(&timed.stderr));
    written(&policy);
    // The command killed by a signal the recorder never saw.
    let policy = dir.join("killed.rs");
    let child = record(&policy, port + 101);
    std::thread::sleep(std::time::Duration::from_millis(800));
    // SAFETY: the recorder's child, the server.
    unsafe { libc::kill(server_of(child.id()), libc::SIGKILL) };
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(137), "{}", text(&output.stderr));
    written(&policy);
}

/// `--merge FILE` adds a run to FILE itself (not to a `policy.rs` beside
/// it, which may be the user's), lists each command once, with the
/// environment that changes what a program calls (the locale).
#[test]
fn merge_adds_to_the_file_merged_each_command_once_with_its_locale() {
    let Some(busybox) = busybox() else { return };
    let dir = temp_dir("merge");
    let policy = dir.join("recorded.rs");
    let policy = policy.to_str().unwrap();
    let mine = dir.join("policy.rs");
    std::fs::write(&mine, "// mine\n").unwrap();
    let record = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_seccomp-dsl"))
            .current_dir(&dir)
            .env_remove("LANG")
            .env_remove("LANGUAGE")
            .env_remove("TZ")
            .env("LC_ALL", "C")
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
    };
    record(&["record", "-o", policy, "--", busybox, "true"]);
    record(&["record", "--merge", policy, "--", busybox, "echo", "a b"]);
    record(&["record", "--merge", policy, "--", busybox, "true"]);
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "// mine\n");
    let source = std::fs::read_to_string(policy).unwrap();
    let header: Vec<&str> = source.lines().take(3).collect();
    assert_eq!(
        header,
        [
            "// Recorded by `seccomp-dsl record` from:",
            "//   $ LC_ALL=C /bin/busybox true",
            "//   $ LC_ALL=C /bin/busybox echo 'a b'",
        ]
    );
    assert!(
        source.contains("allow write"),
        "the echo's write is merged: {source}"
    );
}
