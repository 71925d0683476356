//! With the feature `installed`, the policy the service installs: the file
//! `ECHO_SERVICE_POLICY` names (a policy `seccomp-dsl record` wrote), or
//! `policy.rs`, the service recorded on one machine with `install()` in
//! place (record your own: what a program calls depends on its C library
//! and kernel).

fn main() {
    println!("cargo:rerun-if-env-changed=ECHO_SERVICE_POLICY");
    if std::env::var_os("CARGO_FEATURE_INSTALLED").is_none() {
        return;
    }
    let source = std::env::var("ECHO_SERVICE_POLICY").unwrap_or_else(|_| "policy.rs".into());
    println!("cargo:rerun-if-changed={source}");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("policy.rs");
    if let Err(error) = std::fs::copy(&source, out) {
        panic!("the policy to install, {source}: {error}");
    }
}
