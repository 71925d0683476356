//! Installs the policy of `policy.rs`, whose Docker profile `build.rs` wrote.
//!
//! `cargo run -p build-script-export`

static POLICY: seccomp_dsl::Profile = include!("../policy.rs");

fn main() {
    println!(
        "Docker profile written by build.rs: {}",
        env!("SECCOMP_PROFILE_PATH")
    );
    if let Err(error) = POLICY.install() {
        eprintln!("{error}");
        std::process::exit(1);
    }
    println!("policy installed; opening a file is now denied:");
    match std::fs::File::open("Cargo.toml") {
        Ok(_) => println!("  unexpected: the file opened"),
        Err(error) => println!("  {error}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_exported_profile_is_the_embedded_policy() {
        let exported = std::fs::read_to_string(env!("SECCOMP_PROFILE_PATH")).unwrap();
        assert_eq!(exported, super::POLICY.docker_json());
    }
}
