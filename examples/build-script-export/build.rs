//! Exports the policy that `src/main.rs` embeds as a Docker seccomp profile,
//! next to the build output (`target/<profile>/seccomp-profile.json`).

use std::path::PathBuf;

static POLICY: seccomp_dsl::Profile = include!("policy.rs");

fn main() {
    println!("cargo:rerun-if-changed=policy.rs");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // OUT_DIR is target/<profile>/build/<package>-<hash>/out.
    let profile_dir = out_dir.ancestors().nth(3).unwrap_or(&out_dir);
    let path = profile_dir.join("seccomp-profile.json");
    if let Err(error) = seccomp_dsl::export::write_docker_json(&POLICY, &path) {
        panic!("cannot write {}: {error}", path.display());
    }
    println!("cargo:rustc-env=SECCOMP_PROFILE_PATH={}", path.display());
}
