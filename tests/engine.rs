//! Equivalence in real container engines: for each policy, the same
//! battery of syscalls runs inside a container and in a forked child under
//! `install()` with the container's capabilities, and every outcome must
//! match. Then the filter runc actually loaded in a running container is
//! read back (`PTRACE_SECCOMP_GET_FILTER`) and proven to decide every class
//! of calls as the policy does in that container's context, but where
//! libseccomp is known to be wrong (each such error named and counted).
//!
//! - podman (runc) reads each policy's Docker JSON, as Docker users ship
//!   it; moby's own `default.json` is compared with `DOCKER_DEFAULT`.
//! - Docker 20.10 (a private dockerd) reads the same, but for policies
//!   whose default errno is not EPERM: it ignores `defaultErrnoRet`, which
//!   the suite asserts.
//! - containerd (runc, a private daemon driven by `ctr`, as a Kubernetes
//!   node runs a Localhost profile) reads each policy's OCI export for the
//!   container's context, and the Security Profiles Operator's object for
//!   it where that format can carry it. moby's `default.json` read as it is
//!   there is weaker than under Docker or podman: the suite asserts it, so
//!   that the README's warning stays true.
//!
//! Needs root and Debian's podman, runc, conmon, catatonit, containerd,
//! docker.io and busybox-static. Run with
//! `cargo test -p seccomp-dsl --test engine -- --ignored --nocapture`.

mod common;
#[path = "engine/engines.rs"]
mod engines;
#[path = "engine/policies.rs"]
mod policies;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use common::in_child;
use common::libseccomp_errors::known_error;
use engines::{hold, run, run_probe, Containerd, Docker, Engine, Podman};
use seccomp_dsl::model::{Action, Filter, SeccompArch};
use seccomp_dsl::profiles::{DOCKER_DEFAULT, DOCKER_DEFAULT_HARDENED};
use seccomp_dsl::Profile;
use seccomp_dsl_probe::{battery, Call, Outcome};

/// moby's own profile, run as it is: the container reads moby's JSON,
/// `install()` compares it with `DOCKER_DEFAULT`.
const MOBY_JSON: &str = seccomp_dsl::docker::MOBY_DEFAULT;
const MOBY: &str = "moby default.json";

/// The README's worked example, shipped to every engine.
static CONTAINER_EXAMPLE: Profile = include!("../examples/container/policy.rs");

/// Each policy by name, the Docker JSON the container runs under, and the
/// profile `install()` applies.
fn policies() -> Vec<(&'static str, &'static str, &'static Profile)> {
    let ours: [(&'static str, &'static Profile); 12] = [
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
        ("CONTAINER_EXAMPLE", &CONTAINER_EXAMPLE),
    ];
    let mut all = vec![(MOBY, MOBY_JSON, &DOCKER_DEFAULT)];
    all.extend(
        ours.into_iter()
            .map(|(name, profile)| (name, profile.docker_json(), profile)),
    );
    all
}

/// Builds the probe as a static binary, which runs in an image with no libc.
fn build_probe(work: &Path) -> PathBuf {
    build_static(work, "seccomp-dsl-probe", "syscall-probe")
}

/// Builds `binary` of `package` as a static binary for the host, in a
/// target directory of its own under `work`.
fn build_static(work: &Path, package: &str, binary: &str) -> PathBuf {
    build_static_installing(work, package, binary, None)
}

/// [`build_static`], for the example service with the feature `installed`
/// and the policy `installed` names embedded, where given: a copy beside
/// that policy.
fn build_static_installing(
    work: &Path,
    package: &str,
    binary: &str,
    installed: Option<&Path>,
) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let version = run(Command::new("rustc").arg("-vV"));
    let version = String::from_utf8(version.stdout).unwrap();
    let host = version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc -vV names the host");
    // Not where the plain build is: a test runs that one meanwhile.
    let kind = if installed.is_some() {
        "installing-"
    } else {
        ""
    };
    let target_dir = work.join(format!("{package}-{kind}target"));
    run(Command::new(&cargo)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            package,
            "--target",
            host,
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .args(installed.map(|_| "--features=installed"))
        .envs(installed.map(|policy| ("ECHO_SERVICE_POLICY", policy)))
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    let built = target_dir.join(host).join("release").join(binary);
    let Some(policy) = installed else {
        return built;
    };
    let copy = policy.with_extension("bin");
    std::fs::copy(&built, &copy).unwrap();
    copy
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
    for line in stdout
        .lines()
        .filter(|line| *line != seccomp_dsl_probe::END)
    {
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
        // The container's process has its standard streams only; descriptors
        // this harness holds (other tests' pipes) would answer calls on
        // them otherwise.
        // SAFETY: closes this (child) process's descriptors above stderr.
        unsafe { libc::syscall(libc::SYS_close_range, 3, u32::MAX, 0) };
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

/// What both engines' tests share: a work directory, the probe, and podman
/// with the image (containerd imports it from podman).
struct Setup {
    work: PathBuf,
    probe: PathBuf,
    image: Vec<u8>,
    podman: Podman,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("engine");
        std::fs::create_dir_all(&work).unwrap();
        let probe = build_probe(&work);
        let image = engines::image_tar(&work);
        let podman = Podman::new(&image);
        Setup {
            work,
            probe,
            image,
            podman,
        }
    })
}

/// The battery's outcomes in a container and under `install()`, side by
/// side: the table goes to `log`, each difference to `differences`.
/// Returns the outcomes under `install()`.
fn compare(
    name: &str,
    container: &Report,
    profile: &'static Profile,
    log: &mut String,
    differences: &mut Vec<String>,
) -> Vec<Outcome> {
    let cases = battery();
    assert_eq!(
        container.outcomes.len(),
        cases.len(),
        "{name}: the probe did not finish in the container"
    );
    let host = installed(profile, container.capabilities);
    let _ = writeln!(
        log,
        "\n{name} (container capabilities {:#x})",
        container.capabilities.effective
    );
    let _ = writeln!(
        log,
        "  {:<44} {:<12} {:<12}",
        "call", "container", "install()"
    );
    for ((label, in_container), in_process) in container.outcomes.iter().zip(&host) {
        let mark = if in_container == in_process {
            ""
        } else {
            "  <-- differs"
        };
        let _ = writeln!(
            log,
            "  {label:<44} {:<12} {:<12}{mark}",
            in_container.to_string(),
            in_process.to_string()
        );
        if in_container != in_process {
            differences.push(format!(
                "{name}: {label}: container {in_container}, install() {in_process}"
            ));
        }
    }
    host
}

/// Reads the filter runc loaded in a container under `profile_file` and
/// proves it answers every call as `profile` does in that container's
/// context (every path through it and the policy followed; the number of
/// paths is returned). Each path on which libseccomp is known to err is
/// counted in `known` by the error's name; any other difference goes to
/// `differences`.
fn verify_loaded(
    engine: &dyn Engine,
    name: &str,
    profile_file: &Path,
    profile: &'static Profile,
    known: &mut BTreeMap<String, usize>,
    differences: &mut Vec<String>,
) -> usize {
    let held = hold(engine, &setup().probe, profile_file);
    let filters = seccomp_dsl::inspect::filters_of(held.pid)
        .unwrap_or_else(|e| panic!("{name}: reading the filters of {}: {e}", held.pid));
    let context = seccomp_dsl::context_of(held.pid).unwrap();
    drop(held);
    assert_eq!(filters.len(), 1, "{name}: runc loads one filter");
    let resolved = profile.resolve(&context).unwrap();
    let acknowledged =
        !seccomp_dsl::engines::miscompiled_by_libseccomp(profile.policy()).is_empty();
    let engine_knows = |syscall: &str, abi| seccomp_dsl::engines::TARGET.knows(syscall, abi);
    let mut unknown = 0;
    let explored = seccomp_dsl::inspect::each_difference(&filters, &resolved, |mismatch| {
        let error = known_error(
            &filters[0],
            &resolved,
            &mismatch.data,
            mismatch.left,
            engine_knows,
        )
        // A stale accumulator only where the macro asks for an
        // acknowledgement.
        .filter(|&error| acknowledged || error != "libseccomp_compares_a_stale_accumulator");
        match error {
            Some(error) => *known.entry(format!("{name}: {error}")).or_default() += 1,
            None => {
                unknown += 1;
                // The first few say enough.
                if unknown <= 3 {
                    differences.push(format!(
                        "{name}: runc's filter in {} answers {:x?} with {:#x}, the policy with {:#x}",
                        engine.name(),
                        mismatch.data,
                        mismatch.left,
                        mismatch.right
                    ));
                }
            }
        }
        ControlFlow::Continue(())
    })
    .unwrap_or_else(|undecided| panic!("{name}: {undecided}"));
    if unknown > 3 {
        differences.push(format!(
            "{name}: and {} more calls runc's filter in {} answers otherwise",
            unknown - 3,
            engine.name()
        ));
    }
    explored.paths as usize
}

/// What [`run_every_policy`] found: a printable log, every difference,
/// and the container's outcomes by policy label.
struct Runs {
    log: String,
    differences: Vec<String>,
    reports: BTreeMap<String, Vec<(String, Outcome)>>,
}

/// Runs every policy in `engine`, each under the file `file_for` writes
/// for it (a label and the text; an error: the engine cannot read that
/// policy, and the reason is logged), and checks the outcomes and the
/// loaded filter.
fn run_every_policy(
    engine: &dyn Engine,
    policies: &[(&'static str, &'static Profile)],
    mut file_for: impl FnMut(&'static str, &'static Profile) -> Result<(String, String), String>,
) -> Runs {
    let (mut log, mut differences) = (String::new(), Vec::new());
    let mut reports = BTreeMap::new();
    let mut known = BTreeMap::new();
    let (mut compared, mut classes) = (0, 0);
    for &(name, profile) in policies {
        let (label, text) = match file_for(name, profile) {
            Ok(file) => file,
            Err(reason) => {
                let _ = writeln!(log, "\n{name}: not run in {}: {reason}", engine.name());
                continue;
            }
        };
        let file = setup().work.join(format!(
            "{}-{}.json",
            engine.name(),
            label.replace([' ', '/'], "-")
        ));
        std::fs::write(&file, text).unwrap();
        let report = parse_report(&run_probe(engine, &setup().probe, Some(&file)));
        let _ = compare(&label, &report, profile, &mut log, &mut differences);
        compared += report.outcomes.len();
        classes += verify_loaded(engine, &label, &file, profile, &mut known, &mut differences);
        reports.insert(label, report.outcomes);
    }
    let _ = writeln!(
        log,
        "\n{}: {compared} outcomes compared; the filters runc loaded proven over {classes} paths; \
         libseccomp's known errors (paths): {known:?}; {} differ",
        engine.name(),
        differences.len()
    );
    Runs {
        log,
        differences,
        reports,
    }
}

/// Runs every policy's Docker JSON in `engine` (which reads Docker's
/// format), but those `unreadable` gives the engine's reason for, and
/// fails on any difference.
fn every_docker_json_in(
    engine: &dyn Engine,
    unreadable: impl Fn(&Profile) -> Option<String>,
) -> Runs {
    let all = policies();
    let json_of: BTreeMap<&str, &str> = all.iter().map(|&(name, json, _)| (name, json)).collect();
    let policies: Vec<(&'static str, &'static Profile)> = all
        .iter()
        .map(|&(name, _, profile)| (name, profile))
        .collect();
    let runs = run_every_policy(engine, &policies, |name, profile| {
        match unreadable(profile) {
            Some(reason) => Err(reason),
            None => Ok((name.to_string(), json_of[name].to_string())),
        }
    });
    println!("{}", runs.log);
    assert!(
        runs.differences.is_empty(),
        "{}",
        runs.differences.join("\n")
    );
    runs
}

#[test]
#[ignore = "starts podman: run with --ignored (see the README)"]
fn podman_and_install_decide_every_call_the_same() {
    let runs = every_docker_json_in(&setup().podman, |_| None);
    the_upper_half_bypass_is_moby_s_and_the_hardened_profile_closes_it(&runs.reports);
    // podman 4.3 ignores `minKernel`: the rule applies on this kernel.
    let future = getppid_under_a_rule_for_a_future_kernel(&setup().podman);
    assert_eq!(
        future,
        (Outcome::Errno(libc::EACCES), Outcome::Returned),
        "podman ignores minKernel"
    );
}

#[test]
#[ignore = "starts dockerd: run with --ignored (see the README)"]
fn docker_and_install_decide_every_call_the_same() {
    let setup = setup();
    let docker = Docker::start(&setup.work, &setup.image);
    // Docker 20.10 ignores `defaultErrnoRet`: `engine docker;` refuses such
    // a default, and the suite does not run it there.
    let runs = every_docker_json_in(&docker, |profile| match profile.default_action() {
        Action::Errno(errno)
            if errno != 1 && !seccomp_dsl::engines::DOCKER.honours_default_errno =>
        {
            Some(format!(
                "its default errno({errno}) is EPERM to Docker, which ignores `defaultErrnoRet`"
            ))
        }
        _ => None,
    });
    the_upper_half_bypass_is_moby_s_and_the_hardened_profile_closes_it(&runs.reports);
    docker_ignores_default_errno_ret(&docker);
    let future = getppid_under_a_rule_for_a_future_kernel(&docker);
    assert_eq!(
        future,
        (Outcome::Returned, Outcome::Returned),
        "Docker honours minKernel"
    );
}

/// `getppid()` in `engine`'s container and under `install()`, under a rule
/// that denies it from kernel 99.0 on.
fn getppid_under_a_rule_for_a_future_kernel(engine: &dyn Engine) -> (Outcome, Outcome) {
    let file = setup()
        .work
        .join(format!("{}-future-kernel.json", engine.name()));
    std::fs::write(&file, policies::FUTURE_KERNEL.docker_json()).unwrap();
    let report = parse_report(&run_probe(engine, &setup().probe, Some(&file)));
    let installed = installed(&policies::FUTURE_KERNEL, report.capabilities);
    let index = (report.outcomes.iter())
        .position(|(label, _)| label == "getppid()")
        .expect("getppid() is in the battery");
    (report.outcomes[index].1, installed[index])
}

/// Why `engine docker;` refuses a default errno other than EPERM: Docker
/// 20.10 answers EPERM where the profile's default says otherwise.
fn docker_ignores_default_errno_ret(docker: &Docker) {
    let file = setup().work.join("docker-default-errno.json");
    std::fs::write(&file, policies::ARGUMENTS.docker_json()).unwrap();
    let report = parse_report(&run_probe(docker, &setup().probe, Some(&file)));
    let (mut log, mut differences) = (String::new(), Vec::new());
    let installed = compare(
        "ARGUMENTS (default errno(EDOM)) in docker",
        &report,
        &policies::ARGUMENTS,
        &mut log,
        &mut differences,
    );
    println!("{log}");
    let by_default = (report.outcomes.iter().zip(&installed))
        .filter(|((_, in_container), in_process)| in_container != *in_process)
        .inspect(|((label, in_container), in_process)| {
            assert_eq!(
                (*in_container, **in_process),
                (Outcome::Errno(libc::EPERM), Outcome::Errno(libc::EDOM)),
                "{label}"
            )
        })
        .count();
    assert!(by_default > 0, "no call met the default");
}

#[test]
#[ignore = "starts containerd: run with --ignored (see the README)"]
fn containerd_and_install_decide_every_call_the_same() {
    let setup = setup();
    let archive = setup.work.join("image.tar");
    setup.podman.save_image(&archive);
    let containerd = Containerd::start(&setup.work, &archive);
    // The container's context, which the node's profile is decided for.
    let unconfined = parse_report(&run_probe(&containerd, &setup.probe, None));
    let context = seccomp_dsl::model::Context {
        capabilities: seccomp_dsl::capabilities_in(unconfined.capabilities.bounding),
        ..seccomp_dsl::current_context().unwrap()
    };
    // What `seccomp-dsl oci --cap default` stands for.
    let mut defaults = seccomp_dsl::model::DOCKER_CONTAINER_CAPABILITIES.to_vec();
    defaults.sort_unstable();
    assert_eq!(
        context.capabilities, defaults,
        "containerd's default capabilities"
    );
    let ours: Vec<(&'static str, &'static Profile)> = policies()
        .into_iter()
        .filter(|&(name, _, _)| name != MOBY)
        .map(|(name, _, profile)| (name, profile))
        .collect();
    // What the operator writes to the node (`operator/NAME.json`) is the
    // object's spec: run for each policy its format can carry.
    let mut specs = BTreeMap::new();
    let mut refused = String::new();
    for &(name, profile) in &ours {
        let resolved = profile.resolve(&context).unwrap();
        let object_name = name.to_lowercase().replace('_', "-");
        match seccomp_dsl::k8s::seccomp_profile(&resolved, &object_name) {
            Ok(object) => {
                specs.insert(name, serde_json::to_string_pretty(&object["spec"]).unwrap());
            }
            Err(reason) => {
                let _ = writeln!(
                    refused,
                    "\n{name}: the operator's format refuses it: {reason}"
                );
            }
        }
    }
    let oci_runs = run_every_policy(&containerd, &ours, |name, profile| {
        let oci = profile.oci_json(&context).map_err(|e| e.to_string())?;
        Ok((format!("{name} (OCI export)"), oci))
    });
    println!("{}", oci_runs.log);
    let carried: Vec<(&'static str, &'static Profile)> = (ours.iter())
        .filter(|(name, _)| specs.contains_key(name))
        .copied()
        .collect();
    let operator_runs = run_every_policy(&containerd, &carried, |name, _| {
        Ok((format!("{name} (operator object)"), specs[name].clone()))
    });
    println!("{refused}{}", operator_runs.log);
    let mut differences = oci_runs.differences;
    differences.extend(operator_runs.differences);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    mobys_profile_is_weaker_under_containerd(&containerd);
    // `includes.minKernel` is dropped too: the rule applies on every kernel.
    let future = getppid_under_a_rule_for_a_future_kernel(&containerd);
    assert_eq!(
        future,
        (Outcome::Errno(libc::EACCES), Outcome::Returned),
        "containerd drops minKernel"
    );
}

/// containerd reads a profile as the OCI `linux.seccomp` object and drops
/// what it does not know: moby's `default.json` as it is loses its
/// conditions (the rules Docker keeps for CAP_SYS_ADMIN apply to every
/// container) and its ABI map.
fn mobys_profile_is_weaker_under_containerd(containerd: &Containerd) {
    let file = setup().work.join("containerd-moby-as-it-is.json");
    std::fs::write(&file, MOBY_JSON).unwrap();
    let report = parse_report(&run_probe(containerd, &setup().probe, Some(&file)));
    let (mut log, mut differences) = (String::new(), Vec::new());
    let installed = compare(
        "moby default.json as it is, in containerd",
        &report,
        &DOCKER_DEFAULT,
        &mut log,
        &mut differences,
    );
    println!("{log}");
    println!(
        "differences from Docker's reading:\n{}",
        differences.join("\n")
    );
    // Every difference is one of containerd's drops: a native call decided
    // by a rule moby keeps for a capability or an ABI (now applied to
    // every container), a number past the ENOSYS stub that `archMap`
    // brought (now the default's), or a foreign ABI (now killed).
    let conditional: std::collections::BTreeSet<&str> = (DOCKER_DEFAULT.rules().iter())
        .filter(|rule| rule.includes != Filter::NONE || rule.excludes != Filter::NONE)
        .flat_map(|rule| rule.syscalls.iter().map(|name| &**name))
        .collect();
    for ((case, (_, in_container)), in_process) in
        battery().iter().zip(&report.outcomes).zip(&installed)
    {
        if in_container == in_process {
            continue;
        }
        match case.call {
            Call::Native(number, _) => {
                let name = (seccomp_dsl::syscalls::by_number(
                    SeccompArch::X86_64.syscall_table(),
                    number as u32,
                ))
                .map(|entry| entry.name());
                let beyond_the_stub = name.is_none_or(|name| {
                    !seccomp_dsl::engines::TARGET.knows(name, SeccompArch::X86_64)
                });
                assert!(
                    name.is_some_and(|name| conditional.contains(name))
                        || beyond_the_stub && *in_container == Outcome::Errno(libc::EPERM),
                    "{}: containerd {in_container}, Docker's reading {in_process}: unexplained",
                    case.label
                );
            }
            Call::X32(_) | Call::Int80(..) => assert_eq!(
                *in_container,
                Outcome::Signal(libc::SIGSYS),
                "{}: a foreign ABI, which `archMap` admits, is killed",
                case.label
            ),
        }
    }
    let outcome = |label: &str| {
        (report.outcomes.iter())
            .find(|(l, _)| l == label)
            .unwrap_or_else(|| panic!("no {label} in the battery"))
            .1
    };
    assert_eq!(outcome("unshare(CLONE_NEWUSER)"), Outcome::Returned);
    // EFAULT: the call reached the kernel, which read its bad pointers.
    assert_eq!(outcome("mount(bad pointers)"), Outcome::Errno(libc::EFAULT));
}

/// moby's `socket` rules compare the 32-bit family on 64 bits: a family
/// with an upper half set walks around them, in moby's JSON and in
/// `DOCKER_DEFAULT` alike. The hardened variant decides every such call as
/// the kernel reads it, and everything else as moby does.
fn the_upper_half_bypass_is_moby_s_and_the_hardened_profile_closes_it(
    reports: &BTreeMap<String, Vec<(String, Outcome)>>,
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
    for ((label, moby), (_, hardened)) in reports[MOBY]
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

/// A policy that lets run exactly the calls of the engine's model of runc
/// (with their argument values) and what `busybox true` makes, everything
/// else denied.
fn runtime_and_true(left_out: Option<&str>) -> seccomp_dsl::model::Policy {
    use seccomp_dsl::model::{ArgCondition, ArgWidth, CmpOp, Policy, Rule};
    use seccomp_dsl::upper_half::kernel_width;
    let mut rules = Vec::new();
    for call in seccomp_dsl::engines::TARGET.runtime_calls {
        if Some(call.syscall) == left_out {
            continue;
        }
        let conditions = (call.args.iter().enumerate())
            .filter_map(|(index, value)| Some((index as u8, (*value)?)))
            .map(|(index, value)| {
                let width = kernel_width(call.syscall, index).unwrap_or(ArgWidth::U64);
                ArgCondition {
                    width,
                    ..ArgCondition::new(index, CmpOp::Eq, value & width.mask())
                }
            });
        rules.push(Rule::new([call.syscall], conditions, Action::Allow));
    }
    let program = [
        "brk",
        "arch_prctl",
        "set_tid_address",
        "set_robust_list",
        "rseq",
        "prlimit64",
        "readlink",
        "getrandom",
        "mprotect",
        "exit_group",
    ];
    rules.push(Rule::new(program, [], Action::Allow));
    let get_name = ArgCondition {
        width: ArgWidth::I32,
        ..ArgCondition::new(0, CmpOp::Eq, 16)
    };
    rules.push(Rule::new(["prctl"], [get_name], Action::Allow));
    Policy::new(Action::Errno(1), rules)
}

/// `busybox true` in podman under the profile in `file`, with or without
/// no-new-privileges: its exit code, and the engine's stderr.
fn busybox_true_under(file: &Path, no_new_privileges: bool) -> (Option<i32>, String) {
    let output = setup()
        .podman
        .run_under(file, no_new_privileges, &["/bin/busybox", "true"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), said)
}

/// The exit codes of podman when the container does not start.
const NOT_STARTED: std::ops::RangeInclusive<i32> = 125..=127;

/// What the check of runc's own calls accepts starts a container in
/// podman, with and without no-new-privileges; a policy it flags (one
/// call of runc's left out) does not start without.
#[test]
#[ignore = "starts podman: run with --ignored (see the README)"]
fn a_policy_the_runtime_check_accepts_starts_a_container() {
    use seccomp_dsl::container_start::{stopped, Settings};
    let engine = seccomp_dsl::engines::TARGET;
    let accepted = runtime_and_true(None);
    assert_eq!(stopped(&engine, &accepted, Settings::default()), []);
    let file = setup().work.join("runtime-and-true.json");
    std::fs::write(&file, seccomp_dsl::docker::to_json(&accepted)).unwrap();
    for no_new_privileges in [false, true] {
        let (code, said) = busybox_true_under(&file, no_new_privileges);
        assert_eq!(
            code,
            Some(0),
            "no-new-privileges {no_new_privileges}: {said}"
        );
    }
    // runc checks that /proc/self/fd is on procfs before closing
    // descriptors: denied, it fails.
    let flagged = runtime_and_true(Some("fstatfs"));
    let found = stopped(&engine, &flagged, Settings::default());
    assert!(
        found
            .iter()
            .any(|stopped| stopped.call.syscall == "fstatfs"),
        "{found:?}"
    );
    std::fs::write(&file, seccomp_dsl::docker::to_json(&flagged)).unwrap();
    let (code, said) = busybox_true_under(&file, false);
    assert!(
        code.is_some_and(|code| NOT_STARTED.contains(&code)),
        "{code:?}: {said}"
    );
}

/// A policy that states `container no_new_privileges;` is checked for
/// runc's calls with no-new-privileges only: it compiles without the
/// warning, and it starts a container run so (and not one run without).
#[test]
#[ignore = "starts podman: run with --ignored (see the README)"]
fn a_policy_for_no_new_privileges_starts_a_container_run_so() {
    use seccomp_dsl::container_start::{stopped, Settings};
    static WITH_NNP: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
        container no_new_privileges;
        default errno;
        // runc's own calls with no-new-privileges.
        allow close, execve, futex, fstatfs, getdents64, read, write, epoll_ctl, getpid, gettid,
            getuid, rt_sigreturn, restart_syscall;
        rule openat(arg2 == O_RDONLY | O_CLOEXEC || arg2 == O_WRONLY | O_CLOEXEC) => allow;
        // busybox true.
        allow brk, arch_prctl, set_tid_address, set_robust_list, rseq, prlimit64, readlink,
            getrandom, mprotect, exit_group;
    };
    assert_eq!(
        WITH_NNP.container_settings(),
        Settings {
            no_new_privileges: true
        }
    );
    assert_eq!(WITH_NNP.container_start_problem(), None);
    let engine = seccomp_dsl::engines::TARGET;
    // Without the setting, runc's other calls are stopped.
    assert!(!stopped(&engine, WITH_NNP.policy(), Settings::default()).is_empty());
    let file = setup().work.join("with-nnp.json");
    std::fs::write(&file, WITH_NNP.docker_json()).unwrap();
    let (code, said) = busybox_true_under(&file, true);
    assert_eq!(code, Some(0), "{said}");
    let (code, said) = busybox_true_under(&file, false);
    assert!(
        code.is_some_and(|code| NOT_STARTED.contains(&code)),
        "without no-new-privileges: {code:?}: {said}"
    );
}

/// What the engine model says a denial of each of runc's calls does to the
/// start, measured: a profile that denies that call alone (with the
/// argument values the model gives it), in podman with and without
/// no-new-privileges.
#[test]
#[ignore = "starts podman: run with --ignored (see the README)"]
fn a_denial_of_each_runtime_call_does_what_the_engine_model_says() {
    use seccomp_dsl::engines::Denied;
    use seccomp_dsl::model::{ArgCondition, ArgWidth, CmpOp, Policy, Rule};
    let podman = &setup().podman;
    let file = setup().work.join("one-denial.json");
    let mut wrong = Vec::new();
    for call in seccomp_dsl::engines::TARGET.runtime_calls {
        let conditions = (call.args.iter().enumerate())
            .filter_map(|(index, value)| Some((index as u8, (*value)?)))
            .map(|(index, value)| {
                let width = seccomp_dsl::upper_half::kernel_width(call.syscall, index)
                    .unwrap_or(ArgWidth::U64);
                ArgCondition {
                    width,
                    ..ArgCondition::new(index, CmpOp::Eq, value & width.mask())
                }
            });
        let rule = Rule::new([call.syscall], conditions, Action::Errno(1));
        std::fs::write(
            &file,
            seccomp_dsl::docker::to_json(&Policy::new(Action::Allow, vec![rule])),
        )
        .unwrap();
        let modes: &[bool] = if call.without_no_new_privileges_only {
            &[false]
        } else {
            &[false, true]
        };
        for &no_new_privileges in modes {
            let ran = podman
                .run_under(&file, no_new_privileges, &["/bin/busybox", "true"])
                .output()
                .unwrap();
            let started = ran.status.success();
            let expected = match call.denied {
                Denied::Fails => Some(false),
                Denied::FailsWithoutNoNewPrivileges => Some(no_new_privileges),
                Denied::Ignored => Some(true),
                // Whether this start makes the call is the scheduler's.
                Denied::FailsWhenMade => None,
            };
            if expected.is_some_and(|expected| started != expected) {
                wrong.push(format!(
                    "{} (no-new-privileges {no_new_privileges}): started {started}: {}",
                    seccomp_dsl::container_start::Written(call),
                    String::from_utf8_lossy(&ran.stderr).trim()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// containers/common's current profile, whose `socket` rules overlap with
/// different actions (and whose x86 ABI makes the importer write each
/// rule comparing an argument once): the original and its import, exported
/// again, answer the probe's battery and every `socket` family from 0 to
/// 45 with protocol 0 and 9 alike in podman, with CAP_AUDIT_WRITE and
/// without; and the answers are the ones measured for that profile.
#[test]
#[ignore = "starts podman: run with --ignored (see the README)"]
fn imported_overlapping_rules_answer_as_the_original_in_podman() {
    let original = include_str!("import/containers-common-main.json");
    let (policy, notes) = seccomp_dsl::dsl::import_docker_as_engines(original).unwrap();
    assert!(
        notes
            .iter()
            .any(|note| note.contains("overlap for `socket`")),
        "{notes:?}"
    );
    let imported = seccomp_dsl::docker::to_json(&policy);
    let dir = setup().work.join("overlapping");
    std::fs::create_dir_all(&dir).unwrap();
    let (original_file, imported_file) = (dir.join("original.json"), dir.join("imported.json"));
    std::fs::write(&original_file, original).unwrap();
    std::fs::write(&imported_file, &imported).unwrap();
    let answers = |profile: &Path, audit_write: bool, mode: &[&str]| -> BTreeMap<String, String> {
        let options: &[&str] = match audit_write {
            true => &["--cap-add", "AUDIT_WRITE"],
            false => &[],
        };
        let mut command =
            (setup().podman).command_with(&setup().probe, Some(profile), options, mode);
        let output = run(&mut command);
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            stdout.ends_with(&format!("{}\n", seccomp_dsl_probe::END)),
            "{}: {stdout}",
            profile.display()
        );
        (stdout.lines())
            .filter_map(|line| line.split_once('\t'))
            .map(|(label, outcome)| (label.to_string(), outcome.to_string()))
            .collect()
    };
    for audit_write in [false, true] {
        for (mode, count) in [
            (&["sockets"][..], 94),
            (&[][..], seccomp_dsl_probe::battery().len()),
        ] {
            let (theirs, ours) = (
                answers(&original_file, audit_write, mode),
                answers(&imported_file, audit_write, mode),
            );
            // Each call of the battery, beside the capability sets.
            let calls = theirs.keys().filter(|label| !label.starts_with("Cap"));
            assert_eq!(calls.count(), count, "{theirs:?}");
            assert_eq!(theirs, ours, "CAP_AUDIT_WRITE {audit_write}, {mode:?}");
            if mode == ["sockets"] {
                let eperm = Outcome::Errno(libc::EPERM).to_string();
                assert_eq!(theirs["socket(40, 0xff, 0)"], eperm, "AF_VSOCK");
                let audit = &theirs["socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)"];
                let einval = Outcome::Errno(libc::EINVAL).to_string();
                assert_eq!(*audit == einval, !audit_write, "the audit socket: {audit}");
            }
            println!("CAP_AUDIT_WRITE {audit_write}, {mode:?}: {count} calls answered alike");
        }
    }
}

/// The command-line tool, built in a target directory of its own.
fn build_cli(work: &Path) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target_dir = work.join("cli-target");
    run(Command::new(&cargo)
        .args(["build", "--quiet", "-p", "seccomp-dsl-cli"])
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    target_dir.join("debug/seccomp-dsl")
}

/// The example service (`examples/echo-service`, built static) recorded in
/// podman, containerd and Docker by `seccomp-dsl record` (runc's seccomp
/// agent: every call from the moment the filter is loaded, runc's own
/// included; in Docker through `seccomp-dsl runtime`),
/// with a default that kills; each recording's export then runs the service
/// under load (400 lines over four connections on 127.0.0.1) in podman, in
/// containerd and in Docker: it starts the first time, prints what it
/// prints unconfined, and nothing is killed. Exporting says nothing of a
/// container that cannot start.
#[test]
#[ignore = "starts podman, containerd and Docker: run with --ignored (see the README)"]
fn the_example_service_recorded_in_each_engine_runs_under_its_recording_in_every_engine() {
    let setup = setup();
    let service = build_static(&setup.work, "echo-service", "echo-service");
    let cli = build_cli(&setup.work);
    let archive = setup.work.join("image.tar");
    setup.podman.save_image(&archive);
    let containerd = Containerd::start(&setup.work, &archive);
    // Docker drops a profile's `listenerPath`: it records through
    // `seccomp-dsl runtime`, registered with the daemon.
    let runtime = setup.work.join("seccomp-dsl-runtime");
    let _ = std::fs::remove_file(&runtime);
    std::os::unix::fs::symlink(&cli, &runtime).unwrap();
    let docker = Docker::start_with(&setup.work, &setup.image, Some(&runtime));
    let recording_docker = ThroughRuntime(&docker);
    let recorders: [&dyn Engine; 3] = [&setup.podman, &containerd, &recording_docker];
    let engines: [&dyn Engine; 3] = [&setup.podman, &containerd, &docker];
    let load = ["--load", "400"];
    let unconfined = service_output(engines[0], &service, None, &load);
    assert!(
        unconfined.contains("load: 400 of 400 lines echoed over 4 connections"),
        "{unconfined}"
    );
    let dir = setup.work.join("service");
    std::fs::create_dir_all(&dir).unwrap();
    for recorder in recorders {
        let name = recorder.name();
        let policy = dir.join(format!("recorded-in-{name}.rs"));
        let engine_command = recorder.command(&service, Some(Path::new("{profile}")), &load);
        let recorded = record_killing(&cli, &policy, &engine_command);
        assert_eq!(
            String::from_utf8_lossy(&recorded.stdout),
            unconfined,
            "{name}: the service under the recording"
        );
        let profile = dir.join(format!("recorded-in-{name}.json"));
        export_starting(&cli, &policy, &profile);
        for runner in engines {
            let output = service_output(runner, &service, Some(&profile), &load);
            assert_eq!(
                output,
                unconfined,
                "recorded in {name}, run in {}",
                runner.name()
            );
            println!(
                "recorded in {name}, run under load in {}: alike",
                runner.name()
            );
        }
    }
}

/// The example service with its policy installed at the top of `main`
/// (feature `installed`), as a program author ships it: recorded on
/// the host, embedded, then re-recorded in podman with `install()` in
/// place, which records instead of enforcing. The recording puts what ran
/// only before `install()` (runc's calls, the program's start) in
/// `startup { ... }`; built with it, the service runs under
/// load in podman under the whole policy's export, and on the host under
/// `install()`, which applies the part after and kills anything else.
#[test]
#[ignore = "starts podman: run with --ignored (see the README)"]
fn the_example_service_installing_its_policy_is_re_recorded_in_podman_with_its_startup_apart() {
    let setup = setup();
    let cli = build_cli(&setup.work);
    let dir = setup.work.join("installed-service");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let plain = build_static(&setup.work, "echo-service", "echo-service");
    let load = ["--load", "400"];
    let unconfined = service_output(&setup.podman, &plain, None, &load);
    let first = dir.join("first.rs");
    let mut on_the_host = Command::new(&plain);
    on_the_host.args(load);
    record_killing(&cli, &first, &on_the_host);
    let embedding =
        build_static_installing(&setup.work, "echo-service", "echo-service", Some(&first));
    let policy = dir.join("recorded.rs");
    let in_podman = setup
        .podman
        .command(&embedding, Some(Path::new("{profile}")), &load);
    let recorded = record_killing(&cli, &policy, &in_podman);
    assert_eq!(String::from_utf8_lossy(&recorded.stdout), unconfined);
    let said = String::from_utf8_lossy(&recorded.stderr);
    assert!(said.contains("the program installed its policy"), "{said}");
    let source = std::fs::read_to_string(&policy).unwrap();
    assert!(source.contains("\n    startup {\n"), "{source}");
    let confined =
        build_static_installing(&setup.work, "echo-service", "echo-service", Some(&policy));
    let profile = dir.join("recorded.json");
    export_starting(&cli, &policy, &profile);
    let output = service_output(&setup.podman, &confined, Some(&profile), &load);
    assert_eq!(output, unconfined, "in podman under the export: {source}");
    println!("re-recorded with install() in place, run under load in podman: alike");
    let output = run(Command::new(&confined).args(load));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        unconfined,
        "under install(): {source}"
    );
    println!("re-recorded with install() in place, run under load under install(): alike");
}

/// `seccomp-dsl record --default kill_process -o policy -- command`, which
/// must succeed.
fn record_killing(cli: &Path, policy: &Path, command: &Command) -> std::process::Output {
    let mut record = Command::new(cli);
    record
        .arg("record")
        .arg("-o")
        .arg(policy)
        .args(["--default", "kill_process", "--"])
        .arg(command.get_program())
        .args(command.get_args());
    run(record.stdin(Stdio::null()))
}

/// `seccomp-dsl docker policy -o profile`, which must say nothing of a
/// container that cannot start.
fn export_starting(cli: &Path, policy: &Path, profile: &Path) {
    let exported = run(Command::new(cli)
        .arg("docker")
        .arg(policy)
        .arg("-o")
        .arg(profile));
    let said = String::from_utf8_lossy(&exported.stderr);
    assert!(
        !said.contains("does not start"),
        "{}: {said}",
        policy.display()
    );
}

/// Docker with `--runtime seccomp-dsl`, which `record` needs there.
struct ThroughRuntime<'a>(&'a Docker);

impl Engine for ThroughRuntime<'_> {
    fn name(&self) -> &'static str {
        "docker"
    }

    fn command(&self, probe: &Path, profile: Option<&Path>, args: &[&str]) -> Command {
        (self.0).command_with(probe, profile, &["--runtime", "seccomp-dsl"], args)
    }
}

/// The service's standard output from one container run, which must exit
/// 0 with its load's line.
fn service_output(
    engine: &dyn Engine,
    service: &Path,
    profile: Option<&Path>,
    args: &[&str],
) -> String {
    engines::run_whole(engine, service, profile, args, &|stdout| {
        stdout.contains("load: ")
    })
}

/// `seccomp-dsl verify` of a container under containers/common's current
/// profile: the calls podman's libseccomp cannot carry as the policy says
/// (a syscall it cannot name on x32; x32 arguments compared on their low
/// halves) are named, and every other call is proven answered as the
/// policy does; it still exits 1, since they differ.
#[test]
#[ignore = "starts podman: run with --ignored (see the README)"]
fn verify_names_what_the_engine_cannot_carry_and_proves_the_rest() {
    let setup = setup();
    let cli = build_cli(&setup.work);
    let profile = setup.work.join("containers-common-main.json");
    std::fs::write(&profile, include_str!("import/containers-common-main.json")).unwrap();
    let held = hold(&setup.podman, &setup.probe, &profile);
    let verified = Command::new(&cli)
        .arg("verify")
        .arg(held.pid.to_string())
        .arg(&profile)
        .output()
        .unwrap();
    drop(held);
    let said = String::from_utf8_lossy(&verified.stdout);
    assert_eq!(verified.status.code(), Some(1), "{said}");
    for part in [
        "cannot carry the policy",
        "does not know `map_shadow_stack` on x32 (errno(38) there, errno(1) under the policy)",
        "compares only the low halves of `socket`'s arguments on x32",
        "every other call is answered as the policy does",
    ] {
        assert!(said.contains(part), "{part}: {said}");
    }
}
