//! Exports the policy that `src/main.rs` embeds as a Docker seccomp profile,
//! next to the build output (`target/<profile>/<package>.seccomp.json`, so
//! that crates sharing a target directory each have their own), and says
//! (as a cargo warning) when a container would not start under it.

use std::path::PathBuf;

static POLICY: seccomp_dsl::Profile = include!("policy.rs");

fn main() {
    println!("cargo:rerun-if-changed=policy.rs");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // OUT_DIR is target/<profile>/build/<package>-<hash>/out.
    let profile_dir = out_dir.ancestors().nth(3).unwrap_or(&out_dir);
    let package = std::env::var("CARGO_PKG_NAME").expect("cargo sets CARGO_PKG_NAME");
    let path = profile_dir.join(format!("{package}.seccomp.json"));
    if let Err(error) = seccomp_dsl::export::write_docker_json(&POLICY, &path) {
        panic!("cannot write {}: {error}", path.display());
    }
    if let Some(problem) = POLICY.container_start_problem() {
        println!("cargo:warning={}: {problem}", path.display());
    }
    println!("cargo:rustc-env=SECCOMP_PROFILE_PATH={}", path.display());
}
