//! What a program that embeds a policy pays for it: the canonical example
//! (`seccomp_profile! { default errno; allow read, write; rule
//! personality(arg0 == 0x0) => allow; }`, installed in `main`) against a
//! hello world, both built cold (a fresh target directory, every
//! dependency compiled) with `cargo build --release`, stripped. Goals: at
//! most 150 KB more than the hello world, and a cold build in at most 15 s.
//!
//! `cargo bench -p seccomp-dsl --bench footprint`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SIZE_GOAL: u64 = 150 * 1024;
const BUILD_GOAL: Duration = Duration::from_secs(15);

const CANONICAL: &str = r#"static POLICY: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    default errno; allow read, write; rule personality(arg0 == 0x0) => allow;
};

fn main() {
    POLICY.install().expect("the policy installs");
    println!("hello");
}
"#;

const HELLO: &str = "fn main() {\n    println!(\"hello\");\n}\n";

/// A crate of its own (its own workspace), depending on this checkout's
/// `seccomp-dsl` where `embeds` says so.
fn write_crate(dir: &Path, name: &str, main: &str, embeds: bool) {
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dependency = match embeds {
        true => format!("seccomp-dsl = {{ path = {:?} }}\n", runtime.display()),
        false => String::new(),
    };
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\n{dependency}\n[profile.release]\nstrip = true\n\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
}

/// Builds the crate in `dir` cold; its binary's size and the build's time.
fn build_cold(dir: &Path, name: &str) -> (u64, Duration) {
    let target = dir.join("target");
    let _ = std::fs::remove_dir_all(&target);
    // The lock file is made first, so that the timed build only builds.
    let status = Command::new(env!("CARGO"))
        .args(["generate-lockfile", "--quiet"])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "cargo generate-lockfile in {}",
        dir.display()
    );
    let start = Instant::now();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .current_dir(dir)
        .status()
        .unwrap();
    let took = start.elapsed();
    assert!(status.success(), "cargo build in {}", dir.display());
    let binary: PathBuf = target.join("release").join(name);
    (std::fs::metadata(&binary).unwrap().len(), took)
}

fn verdict(within: bool) -> &'static str {
    if within {
        "within"
    } else {
        "OVER"
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let work = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/footprint");
    write_crate(&work.join("hello"), "hello", HELLO, false);
    write_crate(&work.join("canonical"), "canonical", CANONICAL, true);
    let (hello_size, hello_took) = build_cold(&work.join("hello"), "hello");
    let (size, took) = build_cold(&work.join("canonical"), "canonical");
    let overhead = size.saturating_sub(hello_size);
    println!(
        "hello world: {hello_size} bytes stripped, cold release build {:.1} s",
        hello_took.as_secs_f64()
    );
    println!(
        "canonical example: {size} bytes stripped: {} bytes ({:.0} KB) more ({} the {} KB goal)",
        overhead,
        overhead as f64 / 1024.0,
        verdict(overhead <= SIZE_GOAL),
        SIZE_GOAL / 1024
    );
    println!(
        "canonical example: cold release build {:.1} s ({} the {} s goal)",
        took.as_secs_f64(),
        verdict(took <= BUILD_GOAL),
        BUILD_GOAL.as_secs()
    );
}
