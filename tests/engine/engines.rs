//! The container engines the suite runs the probe in, each started as a
//! user of this machine would start it: podman (rootful, daemonless, with
//! runc), Docker (a private dockerd, with its containerd and runc), and
//! containerd (a private daemon, as under a Kubernetes node, with runc)
//! driven by `ctr`. Each reads the image built from busybox, with the probe
//! bind-mounted read-only at `/probe`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub const IMAGE: &str = "localhost/seccomp-dsl-probe:latest";

/// A container engine: how to run `/probe ARGS` under a profile file.
pub trait Engine {
    /// The engine's name, for reports.
    fn name(&self) -> &'static str;
    /// The command that runs the probe with `args` in a new container under
    /// the profile at `profile`, or under no filter when it is `None`.
    fn command(&self, probe: &Path, profile: Option<&Path>, args: &[&str]) -> Command;
    /// Whether a failed run is the engine's own flake, worth running again.
    fn flaked(&self, _stderr: &str) -> bool {
        false
    }
}

/// Runs `command` to completion and fails the test on a non-zero status.
pub fn run(command: &mut Command) -> std::process::Output {
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

/// The probe's standard output from one container run of the battery.
pub fn run_probe(engine: &dyn Engine, probe: &Path, profile: Option<&Path>) -> String {
    let end = format!("{}\n", seccomp_dsl_probe::END);
    run_whole(engine, probe, profile, &[], &|stdout| {
        stdout.ends_with(&end)
    })
}

/// The standard output of one container run of `binary` with `args`,
/// which must exit 0; `whole` tells output the program wrote to its end.
pub fn run_whole(
    engine: &dyn Engine,
    binary: &Path,
    profile: Option<&Path>,
    args: &[&str],
    whole: &dyn Fn(&str) -> bool,
) -> String {
    // An engine's own flake is retried twice; any other failure fails the
    // test. Output cut short although the program exited 0 is one: `ctr`
    // 1.6 now and then returns before it has copied all the container's
    // output (seen under load).
    let mut retries = 2;
    loop {
        let mut command = engine.command(binary, profile, args);
        let output = command
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8(output.stdout).unwrap();
        let flaked = match output.status.success() {
            true => !whole(&stdout),
            false => engine.flaked(&stderr),
        };
        if flaked && retries > 0 {
            retries -= 1;
            eprintln!(
                "{} flaked; running the container again:\n{stderr}",
                engine.name()
            );
            continue;
        }
        assert!(
            output.status.success(),
            "{command:?} failed ({}):\n{stdout}{stderr}",
            output.status,
        );
        return stdout;
    }
}

/// A container whose probe holds still under its filters until dropped.
pub struct Held {
    /// The probe's process id, as this machine sees it.
    pub pid: i32,
    engine_run: Child,
}

/// Starts the probe in a container under `profile` and waits until it
/// holds, its filters loaded.
pub fn hold(engine: &dyn Engine, probe: &Path, profile: &Path) -> Held {
    static HELD: AtomicUsize = AtomicUsize::new(0);
    let token = format!(
        "{}-{}",
        std::process::id(),
        HELD.fetch_add(1, Ordering::Relaxed)
    );
    let mut command = engine.command(probe, Some(profile), &["hold", &token]);
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_default();
    if line.trim() != format!("holding {token}") {
        let _ = child.kill();
        let output = child.wait_with_output().unwrap();
        panic!(
            "{command:?} did not hold ({}): {line:?}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // The probe is process 1 in its own PID namespace, and each engine
    // tells its host process id differently: it is found by the token on
    // its command line.
    let cmdline = format!("/probe\0hold\0{token}\0");
    let pid = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .find(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c == cmdline.as_bytes())
        })
        .unwrap_or_else(|| panic!("no process runs {cmdline:?}"));
    Held {
        pid,
        engine_run: child,
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // SAFETY: kills the held probe, which ends its container.
        unsafe { libc::kill(self.pid, libc::SIGKILL) };
        let _ = self.engine_run.wait();
    }
}

/// podman 4.3 with runc, rootful and daemonless.
pub struct Podman {
    files: u64,
    processes: u64,
}

/// The image's file system as a tar: busybox alone (no registry is
/// needed).
pub fn image_tar(work: &Path) -> Vec<u8> {
    let rootfs = work.join("rootfs");
    std::fs::create_dir_all(rootfs.join("bin")).unwrap();
    std::fs::copy("/bin/busybox", rootfs.join("bin/busybox"))
        .expect("/bin/busybox (Debian: busybox-static) makes the image");
    run(Command::new("tar").arg("-C").arg(&rootfs).args(["-c", "."])).stdout
}

/// Runs `command` with `input` on its standard input; it must succeed.
fn run_with_input(command: &mut Command, input: &[u8]) {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

impl Podman {
    /// Imports the image from `tar` (see [`image_tar`]).
    pub fn new(tar: &[u8]) -> Podman {
        let version = run(Command::new("podman").arg("--version"));
        println!("{}", String::from_utf8_lossy(&version.stdout).trim());
        run_with_input(
            Command::new("podman").args(["import", "--change", "ENV PATH=/bin", "-", IMAGE]),
            tar,
        );
        // The image it replaced, if any, is left untagged: remove those.
        let _ = Command::new("podman")
            .args(["image", "prune", "--force"])
            .output();
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
        Podman {
            files: limit(libc::RLIMIT_NOFILE),
            processes: limit(libc::RLIMIT_NPROC),
        }
    }

    /// `podman run` of `args` in the image under `profile`, with or without
    /// no-new-privileges (without, runc loads the filter before its own
    /// set-up, as podman does by default).
    pub fn run_under(&self, profile: &Path, no_new_privileges: bool, args: &[&str]) -> Command {
        let (files, processes) = (self.files, self.processes);
        let mut command = Command::new("podman");
        command.args(["run", "--rm", "--network", "none", "--runtime", "runc"]);
        if no_new_privileges {
            command.args(["--security-opt", "no-new-privileges"]);
        }
        command
            .arg(format!("--security-opt=seccomp={}", profile.display()))
            .arg(format!("--ulimit=nofile={files}:{files}"))
            .arg(format!("--ulimit=nproc={processes}:{processes}"))
            .arg(IMAGE)
            .args(args);
        command
    }

    /// The image as a docker-archive tar, for other engines to import.
    pub fn save_image(&self, archive: &Path) {
        let _ = std::fs::remove_file(archive);
        run(Command::new("podman")
            .args(["save", "--quiet", "--format", "docker-archive", "-o"])
            .arg(archive)
            .arg(IMAGE));
    }
}

impl Engine for Podman {
    fn name(&self) -> &'static str {
        "podman"
    }

    fn command(&self, probe: &Path, profile: Option<&Path>, args: &[&str]) -> Command {
        self.command_with(probe, profile, &[], args)
    }

    fn flaked(&self, stderr: &str) -> bool {
        // podman 4.3 with runc now and then loses a race with itself.
        stderr.contains("cannot start an already running container")
    }
}

impl Podman {
    /// [`Engine::command`], with `options` of `podman run` (such as
    /// `--cap-add`) before the image.
    pub fn command_with(
        &self,
        probe: &Path,
        profile: Option<&Path>,
        options: &[&str],
        args: &[&str],
    ) -> Command {
        let (files, processes) = (self.files, self.processes);
        let mut command = Command::new("podman");
        command
            .args(["run", "--rm", "--network", "none", "--runtime", "runc"])
            // Without it runc loads the filter before its own set-up; with it,
            // just before execve, as an in-process install compares to.
            .args(["--security-opt", "no-new-privileges"])
            .arg(match profile {
                Some(profile) => format!("--security-opt=seccomp={}", profile.display()),
                None => "--security-opt=seccomp=unconfined".into(),
            })
            .arg(format!("--ulimit=nofile={files}:{files}"))
            .arg(format!("--ulimit=nproc={processes}:{processes}"))
            .arg(format!("--volume={}:/probe:ro", probe.display()))
            .args(options)
            .args([IMAGE, "/probe"])
            .args(args);
        command
    }
}

/// A daemon the suite started, with its state and log in a directory of
/// its own: stopped (SIGTERM, so that it stops what it started in turn)
/// and the directory removed when dropped.
struct Daemon {
    dir: PathBuf,
    child: Child,
}

impl Daemon {
    /// A fresh directory `work/NAME-PID` for a daemon's state.
    fn directory(work: &Path, name: &str) -> PathBuf {
        let dir = work.join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Starts `command`, its output logged to `dir/NAME.log`, and waits
    /// (up to 20 s) until `ready` says it serves.
    fn start(
        dir: PathBuf,
        name: &str,
        mut command: Command,
        ready: impl Fn(&Path) -> bool,
    ) -> Daemon {
        let log_path = dir.join(format!("{name}.log"));
        let log = std::fs::File::create(&log_path).unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({command:?}): {e}"));
        let daemon = Daemon { dir, child };
        let serving = (0..200).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            ready(&daemon.dir)
        });
        assert!(
            serving,
            "{name} did not start:\n{}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
        daemon
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // SAFETY: asks the daemon this test started to stop.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Debian's Docker 20.10: a private dockerd (its own data, exec root,
/// socket, and containerd), driven by its own client (`/usr/bin/docker`:
/// another client may come first on PATH).
pub struct Docker {
    daemon: Daemon,
}

const DOCKER: &str = "/usr/bin/docker";

impl Docker {
    /// Starts the daemon under `work` and imports the image from `tar`.
    pub fn start(work: &Path, tar: &[u8]) -> Docker {
        Docker::start_with(work, tar, None)
    }

    /// [`Docker::start`], with `runtime` (a link to `seccomp-dsl` named
    /// `seccomp-dsl-runtime`) registered as the runtime `seccomp-dsl`.
    pub fn start_with(work: &Path, tar: &[u8], runtime: Option<&Path>) -> Docker {
        let dir = Daemon::directory(work, "docker");
        let mut dockerd = Command::new("dockerd");
        if let Some(runtime) = runtime {
            dockerd.arg(format!("--add-runtime=seccomp-dsl={}", runtime.display()));
        }
        dockerd
            .arg(format!("--host=unix://{}/docker.sock", dir.display()))
            .arg(format!("--data-root={}/data", dir.display()))
            .arg(format!("--exec-root={}/exec", dir.display()))
            .arg(format!("--pidfile={}/dockerd.pid", dir.display()))
            // No network set-up: the probe runs with `--network none`.
            .args([
                "--iptables=false",
                "--ip6tables=false",
                "--bridge=none",
                "--ip-masq=false",
            ]);
        let daemon = Daemon::start(dir, "dockerd", dockerd, |dir| {
            Docker::client_in(dir)
                .arg("version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
        let docker = Docker { daemon };
        let version = run(docker.client().arg("--version"));
        println!("{}", String::from_utf8_lossy(&version.stdout).trim());
        run_with_input(
            docker
                .client()
                .args(["import", "--change", "ENV PATH=/bin", "-", IMAGE]),
            tar,
        );
        docker
    }

    fn client(&self) -> Command {
        Docker::client_in(&self.daemon.dir)
    }

    /// The client of the daemon whose directory is `dir`.
    fn client_in(dir: &Path) -> Command {
        let mut command = Command::new(DOCKER);
        command.arg(format!("--host=unix://{}/docker.sock", dir.display()));
        command
    }
}

impl Engine for Docker {
    fn name(&self) -> &'static str {
        "docker"
    }

    fn command(&self, probe: &Path, profile: Option<&Path>, args: &[&str]) -> Command {
        self.command_with(probe, profile, &[], args)
    }
}

impl Docker {
    /// [`Engine::command`], with `options` of `docker run` (such as
    /// `--runtime`) before the image.
    pub fn command_with(
        &self,
        probe: &Path,
        profile: Option<&Path>,
        options: &[&str],
        args: &[&str],
    ) -> Command {
        let mut command = self.client();
        command
            .args(["run", "--rm", "--network", "none"])
            .args(options)
            // As with podman: runc loads the filter just before execve.
            .args(["--security-opt", "no-new-privileges"])
            .arg(match profile {
                Some(profile) => format!("--security-opt=seccomp={}", profile.display()),
                None => "--security-opt=seccomp=unconfined".into(),
            })
            .arg(format!("--volume={}:/probe:ro", probe.display()))
            .args([IMAGE, "/probe"])
            .args(args);
        command
    }
}

/// A private containerd 1.6 (its own root, state and sockets; no CRI
/// plugin) with runc, driven by `ctr`, the way a Kubernetes node's
/// containerd runs a Localhost profile: `ctr run --seccomp-profile` reads
/// the file as the OCI runtime-spec `linux.seccomp` object.
pub struct Containerd {
    daemon: Daemon,
}

const NAMESPACE: &str = "seccomp-dsl";

impl Containerd {
    /// Starts the daemon under `work` and imports the image `archive`.
    pub fn start(work: &Path, archive: &Path) -> Containerd {
        let dir = Daemon::directory(work, "containerd");
        let config = format!(
            "version = 2\n\
             root = \"{dir}/root\"\n\
             state = \"{dir}/state\"\n\
             disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n\
             [grpc]\n  address = \"{dir}/containerd.sock\"\n\
             [ttrpc]\n  address = \"{dir}/containerd.sock.ttrpc\"\n",
            dir = dir.display()
        );
        std::fs::write(dir.join("config.toml"), config).unwrap();
        let mut command = Command::new("containerd");
        command.arg("--config").arg(dir.join("config.toml"));
        let daemon = Daemon::start(dir, "containerd", command, |dir| {
            Containerd::ctr_in(dir)
                .arg("version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
        let containerd = Containerd { daemon };
        let version = run(Command::new("containerd").arg("--version"));
        println!("{}", String::from_utf8_lossy(&version.stdout).trim());
        run(containerd.ctr().args(["image", "import"]).arg(archive));
        containerd
    }

    fn ctr(&self) -> Command {
        Containerd::ctr_in(&self.daemon.dir)
    }

    /// `ctr` for the daemon whose directory is `dir`.
    fn ctr_in(dir: &Path) -> Command {
        let mut command = Command::new("ctr");
        command
            .arg("--address")
            .arg(dir.join("containerd.sock"))
            // ctr otherwise retries a dead socket for ten seconds.
            .args(["--connect-timeout", "5s", "--namespace", NAMESPACE]);
        command
    }
}

impl Engine for Containerd {
    fn name(&self) -> &'static str {
        "containerd"
    }

    fn command(&self, probe: &Path, profile: Option<&Path>, args: &[&str]) -> Command {
        static CONTAINERS: AtomicUsize = AtomicUsize::new(0);
        let id = format!(
            "probe-{}-{}",
            std::process::id(),
            CONTAINERS.fetch_add(1, Ordering::Relaxed)
        );
        let mut command = self.ctr();
        // ctr sets no-new-privileges itself: runc loads the filter just
        // before execve.
        command.args(["run", "--rm"]);
        if let Some(profile) = profile {
            command
                .arg("--seccomp")
                .arg("--seccomp-profile")
                .arg(profile);
        }
        command
            .arg("--mount")
            .arg(format!(
                "type=bind,src={},dst=/probe,options=rbind:ro",
                probe.display()
            ))
            .args([IMAGE, &id, "/probe"])
            .args(args);
        command
    }
}
