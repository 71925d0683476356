//! The `seccomp_profile!` macro. Use it through the `seccomp-dsl` crate,
//! whose documentation describes the language.
//!
//! The macro reads a policy with the front end it shares with the
//! `seccomp-dsl` command (`seccomp_dsl_core::frontend`: `ast` parses the
//! tokens, `lower` builds the shared policy model, `check` validates it,
//! every error collected and reported together); `expand` here emits the
//! `Profile` constant.

mod expand;
mod pipeline;

use proc_macro::TokenStream;

/// Compiles a seccomp policy into a `seccomp_dsl::Profile`; see the
/// `seccomp-dsl` crate for the language.
#[proc_macro]
pub fn seccomp_profile(input: TokenStream) -> TokenStream {
    pipeline::expand_policy(input.into()).into()
}

#[cfg(test)]
mod fuzz {
    //! The macro must answer every input with an expansion or diagnostics,
    //! never a panic: random token soups and mutations of valid policies.

    use proptest::prelude::*;

    const VALID: [&str; 5] = [
        "default errno; allow read, write; rule personality(arg0 == 0x0) => allow;",
        "#[allow(engine_cannot_start)] default kill_process; errno(EACCES) openat; rule socket(arg0 == AF_INET || arg0 == AF_UNIX) => allow; forbid ptrace;",
        "default allow; kill ptrace; rule clone(arg0 & CLONE_NEWUSER | CLONE_NEWNS == 0) => log; rule ioctl(arg1 > 0x5400 && arg2 <= 0o777) => errno(4094);",
        "default errno(ENOSYS); trace(7) getuid; trap getpgid; rule mmap((arg2 == 1 || arg2 == 3) && arg3 != 0b10) => allow;",
        "default errno; arch_map x86_64 => x86, x32; #[allow(engine_refuses_flags)] flags log; /// note\n #[allow(engine_ignores_min_kernel)] when cap(CAP_SYS_ADMIN), kernel >= 4.8 { allow mount; unless arch(s390) { #[allow(x32_low_halves, foreign_syscall)] allow tuxcall, security if arg0 == 1; } }",
    ];

    const WORDS: [&str; 58] = [
        "default",
        "allow",
        "errno",
        "kill",
        "kill_thread",
        "kill_process",
        "trap",
        "trace",
        "log",
        "rule",
        "forbid",
        "read",
        "write",
        "rea",
        "personality",
        "arg0",
        "arg5",
        "arg6",
        "arg99999",
        "AF_INET",
        "EPERM",
        "EACCESS",
        "0",
        "0x0",
        "0xffff_ffff_ffff_ffff",
        "0x1_0000_0000_0000_0000",
        "4096",
        "1u8",
        "1.5",
        "\"str\"",
        "'c'",
        "_llseek",
        "break",
        "self",
        "r#type",
        "-",
        "!",
        "&",
        "|",
        "=>",
        "when",
        "unless",
        "cap",
        "arch",
        "kernel",
        "arches",
        "arch_map",
        "flags",
        "engine",
        "docker",
        "podman",
        "if",
        "CAP_SYS_ADMIN",
        "amd64",
        "x86_64",
        "4.8",
        "#",
        "[doc = \"x\"]",
    ];

    const PUNCT: [&str; 17] = [
        ";", ",", "(", ")", "&&", "||", "==", "!=", "<", "<=", ">", ">=", "&", "|", "=>", "{", "}",
    ];

    fn expands_without_panicking(source: &str) {
        if let Ok(tokens) = source.parse::<proc_macro2::TokenStream>() {
            let first = crate::pipeline::expand_policy(tokens.clone()).to_string();
            assert_eq!(
                first,
                crate::pipeline::expand_policy(tokens).to_string(),
                "not deterministic"
            );
            assert!(
                first.contains("__from_macro") ^ first.contains("compile_error"),
                "{first}"
            );
        }
    }

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(&WORDS[..]).prop_map(str::to_string),
            prop::sample::select(&PUNCT[..]).prop_map(str::to_string),
            "[a-z_][a-z0-9_]{0,8}",
            any::<u64>().prop_map(|n| format!("{n:#x}")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn random_token_soup(tokens in prop::collection::vec(token(), 0..40)) {
            expands_without_panicking(&tokens.join(" "));
        }

        #[test]
        fn mutated_valid_policies(
            which in 0..VALID.len(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, token()), 1..6),
        ) {
            // Token by token, parentheses included; an unbalanced mutation
            // does not tokenize and is skipped.
            let mut tokens: Vec<String> = VALID[which]
                .parse::<proc_macro2::TokenStream>()
                .unwrap()
                .to_string()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            for (at, edit, replacement) in edits {
                let index = at.index(tokens.len() + 1);
                match edit {
                    0 if index < tokens.len() => { tokens.remove(index); }
                    1 => tokens.insert(index.min(tokens.len()), replacement),
                    _ if index < tokens.len() => tokens[index] = replacement,
                    _ => {}
                }
            }
            expands_without_panicking(&tokens.join(" "));
        }
    }

    #[test]
    fn valid_policies_expand() {
        for source in VALID {
            let output = crate::pipeline::expand_policy(source.parse().unwrap()).to_string();
            assert!(output.contains("__from_macro"), "{source}: {output}");
        }
    }
}

#[cfg(test)]
mod engine_warnings {
    use crate::pipeline::expand_policy;

    /// The warning about calls a container runtime makes: present for the
    /// canonical example, which denies them, and gone where `default` says
    /// the policy is for `install()` alone.
    #[test]
    fn a_policy_that_denies_the_runtimes_calls_warns_unless_acknowledged() {
        let expand = |source: &str| expand_policy(source.parse().unwrap()).to_string();
        let canonical =
            expand("default errno; allow read, write; rule personality(arg0 == 0x0) => allow;");
        assert!(canonical.contains("deprecated"), "{canonical}");
        assert!(canonical.contains("calls `capget(_, _)`, `capset(_, _)`, `chdir(_)`, `close(_)`"));
        assert!(!canonical.contains("compile_error"));
        let acknowledged = expand(
            "#[allow(engine_cannot_start, stops_exit)] default errno; allow read, write; \
             rule personality(arg0 == 0x0) => allow;",
        );
        assert!(!acknowledged.contains("deprecated"), "{acknowledged}");
    }
}

#[cfg(test)]
mod compiler_at_install {
    use crate::pipeline::expand_policy;

    /// How many targets' `COMPILER` hands `install()` the compiler.
    fn compilers(source: &str) -> usize {
        let output = expand_policy(source.parse().unwrap()).to_string();
        output.matches("__compile_at_install").count()
    }

    /// Where a preset fits every process on a target (no rule waits for
    /// install time), that target's program carries no compiler; where a
    /// process can answer otherwise than every preset, it does. Targets the
    /// macro has no presets for always do.
    #[test]
    fn the_compiler_is_handed_over_only_where_a_process_can_need_it() {
        assert_eq!(compilers("default errno; allow read, write;"), 1);
        assert_eq!(
            compilers("default errno; allow read; when cap(CAP_SYS_ADMIN) { allow mount; }"),
            3
        );
    }
}
