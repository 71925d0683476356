//! `seccomp-dsl verify` and `inspect` on real processes: the compiled
//! program of a policy proven equal to it, and the same program behind
//! backdoors a sampler misses (two arguments together, the instruction
//! pointer, a jump against X, ALU, scratch memory) found with a call that
//! uses each; stacked filters read in the kernel's order.

use std::process::{Command, Output};

use seccomp_dsl::bpf::{self, audit_arch, op, ret, Instruction};
use seccomp_dsl::model::SeccompArch;

fn seccomp_dsl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seccomp-dsl"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("seccomp-dsl-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// A child process that loads `filters` (the first loaded first) and
/// waits in `pause` until killed.
struct Paused(i32);

impl Paused {
    fn under(filters: &[Vec<Instruction>]) -> Paused {
        let programs: Vec<libc::sock_fprog> = filters
            .iter()
            .map(|filter| libc::sock_fprog {
                len: filter.len() as u16,
                filter: filter.as_ptr() as *mut libc::sock_filter,
            })
            .collect();
        // SAFETY: the child makes raw system calls only, on memory
        // allocated before the fork.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: as above.
            unsafe {
                libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
                for program in &programs {
                    if libc::syscall(libc::SYS_seccomp, libc::SECCOMP_SET_MODE_FILTER, 0, program)
                        != 0
                    {
                        libc::syscall(libc::SYS_exit_group, 99);
                    }
                }
                loop {
                    libc::syscall(libc::SYS_pause);
                }
            }
        }
        let wanted = format!("Seccomp_filters:\t{}", filters.len());
        for _ in 0..500 {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
            if status.lines().any(|line| line == wanted) {
                return Paused(pid);
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the child did not load its filters");
    }

    fn pid(&self) -> String {
        self.0.to_string()
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        // SAFETY: our own child, killed and reaped.
        unsafe {
            libc::kill(self.0, libc::SIGKILL);
            libc::waitpid(self.0, std::ptr::null_mut(), 0);
        }
    }
}

const POLICY: &str = "#[allow(engine_cannot_start)] default errno; \
    allow read, write, exit_group, exit, rt_sigreturn, restart_syscall, pause, nanosleep, \
    clock_nanosleep; rule socket(arg0 == AF_UNIX) => allow;";

static COMPILED: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    #[allow(engine_cannot_start)]
    default errno;
    allow read, write, exit_group, exit, rt_sigreturn, restart_syscall, pause, nanosleep,
        clock_nanosleep;
    rule socket(arg0 == AF_UNIX) => allow;
};

fn i(code: u16, jt: u8, jf: u8, k: u32) -> Instruction {
    Instruction::new(code, jt, jf, k)
}

/// `program` behind a block that allows an x86_64 `socket` call when
/// `condition` (ending in a jump that skips one instruction when it holds)
/// lets it through.
fn backdoored(program: &[Instruction], condition: &[Instruction]) -> Vec<Instruction> {
    let x86_64 = audit_arch(SeccompArch::X86_64).unwrap();
    let mut block = vec![
        i(op::LD | op::W | op::ABS, 0, 0, 4),
        i(op::JMP | op::JEQ | op::K, 0, 0, x86_64),
        i(op::LD | op::W | op::ABS, 0, 0, 0),
        i(op::JMP | op::JEQ | op::K, 0, 0, 41),
    ];
    block.extend_from_slice(condition);
    block.push(i(op::JMP | op::JA, 0, 0, 1));
    block.push(i(op::RET | op::K, 0, 0, ret::ALLOW));
    let length = block.len();
    for guard in [1, 3] {
        block[guard].jf = (length - guard - 1) as u8;
    }
    block.extend_from_slice(program);
    block
}

#[test]
fn verify_proves_the_compiled_program_and_finds_every_backdoor() {
    let policy = temp_file("policy.rs", POLICY);
    let policy = policy.to_str().unwrap();
    let program = COMPILED.compile_here().unwrap().into_owned();
    let honest = Paused::under(std::slice::from_ref(&program));
    let proven = seccomp_dsl(&["verify", &honest.pid(), policy]);
    assert_eq!(proven.status.code(), Some(0), "{}", text(&proven.stderr));
    assert!(
        text(&proven.stdout)
            .contains("proven: its 1 filter(s) answer every call as the policy does"),
        "{}",
        text(&proven.stdout)
    );
    let jeq = |k| i(op::JMP | op::JEQ | op::K, 1, 0, k);
    let load = |offset| i(op::LD | op::W | op::ABS, 0, 0, offset);
    let backdoors: Vec<(&str, Vec<Instruction>, &str)> = vec![
        (
            "two arguments",
            vec![
                load(16),
                i(op::JMP | op::JEQ | op::K, 0, 2, 2),
                load(24),
                jeq(3),
            ],
            "`socket(AF_INET, SOCK_RAW, ",
        ),
        (
            "instruction pointer",
            vec![load(8), jeq(0x4141_4141)],
            "at instruction pointer 0x41414141",
        ),
        (
            "against X",
            vec![
                load(24),
                i(op::MISC | op::TAX, 0, 0, 0),
                load(16),
                i(op::JMP | op::JEQ | op::X, 1, 0, 0),
            ],
            "`socket(",
        ),
        (
            "ALU",
            vec![
                load(16),
                i(op::ALU | op::XOR | op::K, 0, 0, 0x1234),
                jeq(0x123e),
            ],
            "`socket(AF_INET6, ",
        ),
        (
            "scratch memory",
            vec![
                load(16),
                i(op::ST, 0, 0, 0),
                i(op::LD | op::IMM, 0, 0, 0),
                i(op::LD | op::MEM, 0, 0, 0),
                jeq(10),
            ],
            "`socket(AF_INET6, ",
        ),
    ];
    for (name, condition, call) in backdoors {
        let filter = backdoored(&program, &condition);
        assert!(bpf::check::accepted(&filter).is_ok(), "{name}");
        let process = Paused::under(&[filter]);
        let found = seccomp_dsl(&["verify", &process.pid(), policy]);
        let said = text(&found.stdout);
        assert_eq!(
            found.status.code(),
            Some(1),
            "{name}: {said}{}",
            text(&found.stderr)
        );
        assert!(
            said.contains("differs from the policy: ")
                && said.contains(call)
                && said.contains("gets allow there, errno(1) under the policy"),
            "{name}: {said}"
        );
    }
}

static EPERM_GETPPID: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    #[allow(engine_cannot_start)]
    default allow;
    errno(EPERM) getppid;
};

static EACCES_GETPPID: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    #[allow(engine_cannot_start)]
    default allow;
    errno(EACCES) getppid;
};

/// A program that installed a policy with a `startup` block runs it
/// without the block: verify says so, and proves it.
#[test]
fn a_process_under_install_of_a_policy_with_startup_rules_is_proven_as_installed() {
    const SOURCE: &str = "seccomp_dsl::seccomp_profile! {
        #[allow(engine_cannot_start, stops_exit)]
        default errno;
        allow read, write;
        startup { allow getppid; }
    }";
    static WITH_STARTUP: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
        #[allow(engine_cannot_start, stops_exit)]
        default errno;
        allow read, write;
        startup { allow getppid; }
    };
    let policy = temp_file("startup.rs", SOURCE);
    let program = WITH_STARTUP.compile_here().unwrap().into_owned();
    let installed = Paused::under(std::slice::from_ref(&program));
    let proven = seccomp_dsl(&["verify", &installed.pid(), policy.to_str().unwrap()]);
    let said = text(&proven.stdout);
    assert_eq!(
        proven.status.code(),
        Some(0),
        "{said}{}",
        text(&proven.stderr)
    );
    assert!(
        said.contains(
            "answer every call as install() applies the policy (its `startup` rules left out)"
        ),
        "{said}"
    );
}

#[test]
fn stacked_filters_are_read_in_the_kernels_order() {
    // errno(EPERM) loaded first, errno(EACCES) second: the kernel answers
    // EACCES.
    let filters = [
        EPERM_GETPPID.compile_here().unwrap().into_owned(),
        EACCES_GETPPID.compile_here().unwrap().into_owned(),
    ];
    let process = Paused::under(&filters);
    let policy = |errno: &str| {
        temp_file(
            &format!("getppid-{errno}.rs"),
            &format!("#[allow(engine_cannot_start)] default allow; errno({errno}) getppid;"),
        )
    };
    let (eacces, eperm) = (policy("EACCES"), policy("EPERM"));
    let (eacces, eperm) = (eacces.to_str().unwrap(), eperm.to_str().unwrap());
    let newest = seccomp_dsl(&["verify", &process.pid(), eacces]);
    assert_eq!(newest.status.code(), Some(0), "{}", text(&newest.stdout));
    assert!(
        text(&newest.stdout).contains("proven: its 2 filter(s) answer every call"),
        "{}",
        text(&newest.stdout)
    );
    let oldest = seccomp_dsl(&["verify", &process.pid(), eperm]);
    assert_eq!(oldest.status.code(), Some(1));
    assert!(
        text(&oldest.stdout)
            .contains("`getppid()` on x86_64 gets errno(13) there, errno(1) under the policy"),
        "{}",
        text(&oldest.stdout)
    );
    let inspected = seccomp_dsl(&["inspect", &process.pid()]);
    let listing = text(&inspected.stdout);
    assert!(
        listing.contains("# filter 0, the oldest: ")
            && listing.contains("# filter 1, the newest: ")
            && listing.contains("errno(13) (1): getppid"),
        "{listing}"
    );
    // One filter of the stack: the oldest is the EPERM one.
    let first = seccomp_dsl(&["verify", &process.pid(), eperm, "--filter", "0"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stdout));
    let second = seccomp_dsl(&["verify", &process.pid(), eperm, "--filter", "1"]);
    assert_eq!(second.status.code(), Some(1), "{}", text(&second.stdout));
    let none = seccomp_dsl(&["verify", &process.pid(), eacces, "--filter", "2"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        text(&none.stderr).contains("no filter 2"),
        "{}",
        text(&none.stderr)
    );
}

#[test]
fn a_process_under_run_is_said_to_be_supervised() {
    let policy = temp_file(
        "supervised.rs",
        "#[allow(engine_cannot_start)] default allow; errno(EACCES) uname;",
    );
    let mut run = Command::new(env!("CARGO_BIN_EXE_seccomp-dsl"))
        .args(["run", policy.to_str().unwrap(), "--", "sleep", "10"])
        .spawn()
        .unwrap();
    // `sleep` under the filter: the child of `run`.
    let mut sleeper = None;
    for _ in 0..300 {
        // Started by one of `run`'s threads.
        let tasks = std::fs::read_dir(format!("/proc/{}/task", run.id())).unwrap();
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
        for pid in children {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            let sleeping = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "sleep");
            if sleeping && status.lines().any(|line| line == "Seccomp:\t2") {
                sleeper = Some(pid);
            }
        }
        if sleeper.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let sleeper = sleeper.expect("sleep runs under the filter");
    // Its filter allows `restart_syscall`: stopping it in its sleep is safe.
    let verified = seccomp_dsl(&[
        "verify",
        "--stop-anyway",
        &sleeper,
        policy.to_str().unwrap(),
    ]);
    let _ = run.kill();
    let _ = run.wait();
    assert_eq!(
        verified.status.code(),
        Some(3),
        "{}",
        text(&verified.stderr)
    );
    assert!(
        text(&verified.stdout)
            .contains("supervised: its 1 filter(s) answer every call the policy lets run"),
        "{}",
        text(&verified.stdout)
    );
}

/// `struct sock_filter` records, as libseccomp's `seccomp_export_bpf`
/// writes them.
fn bpf_file(name: &str, program: &[Instruction]) -> std::path::PathBuf {
    let bytes: Vec<u8> = program
        .iter()
        .flat_map(|i| {
            let mut record = Vec::with_capacity(8);
            record.extend(i.code.to_ne_bytes());
            record.extend([i.jt, i.jf]);
            record.extend(i.k.to_ne_bytes());
            record
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("seccomp-dsl-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn diff_takes_programs_and_processes_and_lists_what_a_backdoor_changes() {
    let policy = temp_file("diffed.rs", POLICY);
    let policy = policy.to_str().unwrap();
    let program = COMPILED.compile_here().unwrap().into_owned();
    let compiled = bpf_file("compiled.bpf", &program);
    let same = seccomp_dsl(&["diff", compiled.to_str().unwrap(), policy]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}{}",
        text(&same.stdout),
        text(&same.stderr)
    );
    assert_eq!(text(&same.stdout), "");
    let load = |offset| i(op::LD | op::W | op::ABS, 0, 0, offset);
    let backdoor = backdoored(
        &program,
        &[load(8), i(op::JMP | op::JEQ | op::K, 1, 0, 0x4141_4141)],
    );
    let process = Paused::under(std::slice::from_ref(&backdoor));
    let pid = format!("pid:{}", process.pid());
    for before in [
        pid.as_str(),
        &format!("bpf:{}", bpf_file("backdoor", &backdoor).display()),
    ] {
        let differed = seccomp_dsl(&["diff", before, policy]);
        let said = text(&differed.stdout);
        assert_eq!(
            differed.status.code(),
            Some(1),
            "{said}{}",
            text(&differed.stderr)
        );
        assert!(
            said.starts_with("socket on x86_64, in ")
                && said.contains("allow (")
                && said.contains("->  errno(1) (the default action)")
                && said.lines().count() == 2,
            "{before}: {said}"
        );
    }
    // A process against the program it runs: the same.
    let honest = Paused::under(std::slice::from_ref(&program));
    let same = seccomp_dsl(&[
        "diff",
        &format!("pid:{}", honest.pid()),
        compiled.to_str().unwrap(),
    ]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stdout));
}
