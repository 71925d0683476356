//! What recording and enforcing cost a syscall-heavy command, beside
//! strace: `cargo bench -p seccomp-dsl-cli --bench record` (strace is
//! needed for its line only: `apt-get install strace`).
//!
//! Prints, for `find /usr -type f` (one `newfstatat` or `getdents64` per
//! file, about a call per microsecond unconfined), the median wall time of
//! five runs each: unconfined, under `seccomp-dsl record`, under `strace
//! -f -qq -o /dev/null`, and under `seccomp-dsl run` with the recorded
//! policy.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 5;
const COMMAND: [&str; 4] = ["find", "/usr", "-type", "f"];

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The median wall time of `prefix` + [`COMMAND`], output discarded.
fn time(prefix: &[&str]) -> Duration {
    let line: Vec<&str> = prefix.iter().chain(COMMAND.iter()).copied().collect();
    median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let status = Command::new(line[0])
                    .args(&line[1..])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .unwrap_or_else(|error| panic!("{}: {error}", line[0]));
                assert!(status.success(), "{line:?}: {status}");
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let tool = env!("CARGO_BIN_EXE_seccomp-dsl");
    let policy = std::env::temp_dir().join(format!("seccomp-dsl-bench-{}.rs", std::process::id()));
    let policy = policy.to_str().unwrap();
    let plain = time(&[]);
    let record = time(&[tool, "record", "-o", policy, "--"]);
    let run = time(&[tool, "run", policy, "--"]);
    let strace = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok()
        .then(|| time(&["strace", "-f", "-qq", "-o", "/dev/null"]));
    let _ = std::fs::remove_file(policy);
    let row = |name: &str, taken: Duration| {
        println!(
            "{name:<32} {:>9.1} ms  {:>5.1} x unconfined",
            taken.as_secs_f64() * 1e3,
            taken.as_secs_f64() / plain.as_secs_f64()
        );
    };
    println!("`{}`, median of {RUNS} runs", COMMAND.join(" "));
    row("unconfined", plain);
    row("seccomp-dsl record", record);
    match strace {
        Some(strace) => row("strace -f -qq -o /dev/null", strace),
        None => println!(
            "strace -f -qq -o /dev/null       (strace not installed: apt-get install strace)"
        ),
    }
    row("seccomp-dsl run (recorded policy)", run);
}
