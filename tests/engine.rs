//! Equivalence in a real container engine: for each policy, the same
//! battery of syscalls runs twice, inside a podman container (runc) under
//! the policy's Docker JSON, and in a forked child under `install()` with
//! the container's capabilities. Every outcome must match.
//!
//! Needs podman, runc and busybox-static (Debian: `apt-get install podman
//! runc conmon catatonit busybox-static`) and root. Run with
//! `cargo test -p seccomp-dsl --test engine -- --ignored --nocapture`.

mod common;
#[path = "engine/policies.rs"]
mod policies;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::in_child;
use seccomp_dsl::profiles::{DOCKER_DEFAULT, DOCKER_DEFAULT_HARDENED};
use seccomp_dsl::Profile;
use seccomp_dsl_probe::{battery, Outcome};

const IMAGE: &str = "localhost/seccomp-dsl-probe:latest";

/// moby's own profile, run as it is: the container reads moby's JSON,
/// `install()` compares it with `DOCKER_DEFAULT`.
const MOBY_JSON: &str = seccomp_dsl::docker::MOBY_DEFAULT;

/// Each policy by name, the Docker JSON the container runs under, and the
/// profile `install()` applies.
fn policies() -> Vec<(&'static str, &'static str, &'static Profile)> {
    let ours: [(&'static str, &'static Profile); 11] = [
        ("DOCKER_DEFAULT", &DOCKER_DEFAULT),
        ("DOCKER_DEFAULT_HARDENED", &DOCKER_DEFAULT_HARDENED),
        ("ARGUMENTS", &policies::ARGUMENTS),
        ("ACTIONS", &policies::ACTIONS),
        ("CONDITIONS", &policies::CONDITIONS),
        ("DENY_LIST", &policies::DENY_LIST),
        ("WITH_X86", &policies::WITH_X86),
        ("NARROW", &policies::NARROW),
        ("STUB_ERRNO", &policies::STUB_ERRNO),
        ("STUB_KILL", &policies::STUB_KILL),
        ("SHARED_TESTS", &policies::SHARED_TESTS),
    ];
    let mut all = vec![("moby default.json", MOBY_JSON, &DOCKER_DEFAULT)];
    all.extend(
        ours.into_iter()
            .map(|(name, profile)| (name, profile.docker_json(), profile)),
    );
    all
}

fn run(command: &mut Command) -> std::process::Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Builds the probe as a static binary, which runs in an image with no libc.
fn build_probe(work: &Path) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let version = run(Command::new("rustc").arg("-vV"));
    let version = String::from_utf8(version.stdout).unwrap();
    let host = version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc -vV names the host");
    let target_dir = work.join("probe-target");
    run(Command::new(&cargo)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "seccomp-dsl-probe",
            "--target",
            host,
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    target_dir.join(host).join("release/syscall-probe")
}

/// Makes a local image holding busybox only: no registry is needed.
fn build_image(work: &Path) {
    let rootfs = work.join("rootfs");
    std::fs::create_dir_all(rootfs.join("bin")).unwrap();
    std::fs::copy("/bin/busybox", rootfs.join("bin/busybox"))
        .expect("/bin/busybox (Debian: busybox-static) makes the image");
    let tar = run(Command::new("tar").arg("-C").arg(&rootfs).args(["-c", "."]));
    let mut import = Command::new("podman")
        .args(["import", "--change", "ENV PATH=/bin", "-", IMAGE])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("podman is installed");
    use std::io::Write;
    import.stdin.take().unwrap().write_all(&tar.stdout).unwrap();
    let output = import.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "podman import failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What the probe reported: its capability sets and one outcome per case.
struct Report {
    capabilities: Capabilities,
    outcomes: Vec<(String, Outcome)>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Capabilities {
    inheritable: u64,
    permitted: u64,
    effective: u64,
    bounding: u64,
}

fn parse_report(stdout: &str) -> Report {
    let mut capabilities = Capabilities::default();
    let mut outcomes = Vec::new();
    for line in stdout.lines() {
        let (key, value) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("probe line {line:?}"));
        let hex = || u64::from_str_radix(value.trim(), 16).unwrap();
        match key {
            "CapInh:" => capabilities.inheritable = hex(),
            "CapPrm:" => capabilities.permitted = hex(),
            "CapEff:" => capabilities.effective = hex(),
            "CapBnd:" => capabilities.bounding = hex(),
            "CapAmb:" => {}
            label => outcomes.push((
                label.to_string(),
                Outcome::parse(value).unwrap_or_else(|| panic!("{line}")),
            )),
        }
    }
    Report {
        capabilities,
        outcomes,
    }
}

fn in_container(probe: &Path, profile_json: &Path) -> Report {
    // podman raises these limits by default and fails here; keep them.
    let limit = |resource| {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit fills the struct it is given.
        assert_eq!(unsafe { libc::getrlimit(resource, &mut limit) }, 0);
        limit.rlim_cur.min(limit.rlim_max).min(1 << 14)
    };
    let (files, processes) = (limit(libc::RLIMIT_NOFILE), limit(libc::RLIMIT_NPROC));
    let podman = || {
        let mut command = Command::new("podman");
        command
            .args(["run", "--rm", "--network", "none", "--runtime", "runc"])
            // Without it runc loads the filter before its own set-up; with it,
            // just before execve, as an in-process install compares to.
            .args(["--security-opt", "no-new-privileges"])
            .arg(format!("--security-opt=seccomp={}", profile_json.display()))
            .arg(format!("--ulimit=nofile={files}:{files}"))
            .arg(format!("--ulimit=nproc={processes}:{processes}"))
            .arg(format!("--volume={}:/probe:ro", probe.display()))
            .args([IMAGE, "/probe"]);
        command
    };
    // podman 4.3 with runc now and then loses a race with itself ("cannot
    // start an already running container"): the engine failed, not the
    // policy. That failure is retried twice; any other fails the test.
    let mut retries = 2;
    loop {
        let mut command = podman();
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success()
            && stderr.contains("cannot start an already running container")
            && retries > 0
        {
            retries -= 1;
            eprintln!("podman raced with itself; running the container again:\n{stderr}");
            continue;
        }
        assert!(
            output.status.success(),
            "{command:?} failed ({}):\n{}{stderr}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
        );
        return parse_report(&String::from_utf8(output.stdout).unwrap());
    }
}

/// Gives this process exactly `capabilities`, as the container's process has.
fn take_capabilities(capabilities: Capabilities) {
    for number in 0..64u64 {
        if capabilities.bounding & (1 << number) == 0 {
            // SAFETY: only narrows this (child) process's bounding set;
            // numbers the kernel does not have fail harmlessly.
            unsafe { libc::prctl(libc::PR_CAPBSET_DROP, number as libc::c_ulong) };
        }
    }
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    let half = |set: u64, high: bool| if high { (set >> 32) as u32 } else { set as u32 };
    let data = [false, true].map(|high| Data {
        effective: half(capabilities.effective, high),
        permitted: half(capabilities.permitted, high),
        inheritable: half(capabilities.inheritable, high),
    });
    let header = Header {
        version: VERSION_3,
        pid: 0,
    };
    // SAFETY: capset reads the header and two data words given.
    let result = unsafe { libc::syscall(libc::SYS_capset, &header, data.as_ptr()) };
    assert_eq!(result, 0, "capset: {}", std::io::Error::last_os_error());
}

fn code(outcome: Outcome) -> i64 {
    match outcome {
        Outcome::Returned => 0,
        Outcome::Errno(errno) => i64::from(errno),
        Outcome::Signal(signal) => -i64::from(signal),
    }
}

fn decode(code: i64) -> Outcome {
    match code {
        0 => Outcome::Returned,
        errno if errno > 0 => Outcome::Errno(errno as i32),
        signal => Outcome::Signal(-signal as i32),
    }
}

fn installed(profile: &'static Profile, capabilities: Capabilities) -> Vec<Outcome> {
    let observed = in_child(|recorder| {
        take_capabilities(capabilities);
        if let Err(error) = common::install_with_backend(profile) {
            panic!("install: {error}");
        }
        for case in battery() {
            recorder.record(code(seccomp_dsl_probe::run(case.call)));
        }
    });
    assert_eq!(
        observed.ending,
        common::Ending::Exited(0),
        "the installing child failed"
    );
    observed.values.into_iter().map(decode).collect()
}

#[test]
#[ignore = "starts podman: run with --ignored (see the README)"]
fn the_container_and_install_decide_every_call_the_same() {
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("engine");
    std::fs::create_dir_all(&work).unwrap();
    let version = run(Command::new("podman").arg("--version"));
    println!("{}", String::from_utf8_lossy(&version.stdout).trim());
    let probe = build_probe(&work);
    build_image(&work);

    let cases = battery();
    let mut differences = Vec::new();
    let mut compared = 0;
    let mut reports = std::collections::BTreeMap::new();
    for (name, json, profile) in policies() {
        let profile_json = work.join(format!("{}.json", name.replace(' ', "-")));
        std::fs::write(&profile_json, json).unwrap();
        let container = in_container(&probe, &profile_json);
        assert_eq!(
            container.outcomes.len(),
            cases.len(),
            "{name}: the probe did not finish in the container"
        );
        let host = installed(profile, container.capabilities);
        println!(
            "\n{name} (container capabilities {:#x})",
            container.capabilities.effective
        );
        println!("  {:<44} {:<12} {:<12}", "call", "container", "install()");
        for ((label, in_container), in_process) in container.outcomes.iter().zip(&host) {
            let mark = if in_container == in_process {
                ""
            } else {
                "  <-- differs"
            };
            println!(
                "  {label:<44} {:<12} {:<12}{mark}",
                in_container.to_string(),
                in_process.to_string()
            );
            if in_container != in_process {
                differences.push(format!(
                    "{name}: {label}: container {in_container}, install() {in_process}"
                ));
            }
            compared += 1;
        }
        reports.insert(name, container.outcomes);
    }
    println!(
        "\n{compared} outcomes compared, {} differ",
        differences.len()
    );
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    the_upper_half_bypass_is_moby_s_and_the_hardened_profile_closes_it(&reports);
}

/// moby's `socket` rules compare the 32-bit family on 64 bits: a family
/// with an upper half set walks around them, in moby's JSON and in
/// `DOCKER_DEFAULT` alike. The hardened variant decides every such call as
/// the kernel reads it, and everything else as moby does.
fn the_upper_half_bypass_is_moby_s_and_the_hardened_profile_closes_it(
    reports: &std::collections::BTreeMap<&str, Vec<(String, Outcome)>>,
) {
    let outcome = |policy: &str, label: &str| {
        reports[policy]
            .iter()
            .find(|(l, _)| l == label)
            .unwrap_or_else(|| panic!("no {label} in the battery"))
            .1
    };
    let eperm = Outcome::Errno(libc::EPERM);
    for family in ["AF_VSOCK", "AF_ALG"] {
        let plain = format!("socket({family}, SEQPACKET)");
        let raised = format!("socket(1<<32 | {family}, SEQPACKET)");
        for policy in ["moby default.json", "DOCKER_DEFAULT"] {
            assert_eq!(outcome(policy, &plain), eperm, "{policy}: {plain}");
            assert_ne!(outcome(policy, &raised), eperm, "{policy}: {raised} passes");
        }
        assert_eq!(outcome("DOCKER_DEFAULT_HARDENED", &raised), eperm);
    }
    for ((label, moby), (_, hardened)) in reports["moby default.json"]
        .iter()
        .zip(&reports["DOCKER_DEFAULT_HARDENED"])
    {
        if label.starts_with("socket(1<<32 | AF_VSOCK")
            || label.starts_with("socket(1<<32 | AF_ALG")
        {
            continue;
        }
        assert_eq!(
            moby, hardened,
            "the hardened profile decides {label} as moby's"
        );
    }
}
