//! The policy the probe embeds: the file `MODES_POLICY` names (a policy
//! `seccomp-dsl record` writes, or one a test wrote), or `policy.rs`.

fn main() {
    let source = std::env::var("MODES_POLICY").unwrap_or_else(|_| "policy.rs".into());
    println!("cargo:rerun-if-env-changed=MODES_POLICY");
    println!("cargo:rerun-if-changed={source}");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("policy.rs");
    std::fs::copy(&source, out).expect("the policy file is readable");
}
