//! The DSL's front end: policy source read (`ast`), lowered to the model
//! (`lower`) and checked (`check`), every problem collected with its span
//! (`errors`). The `seccomp_profile!` macro and the `seccomp-dsl` command
//! share it, so a policy file means to the command what it means to the
//! compiler (feature `frontend`).
//!
//! ```
//! use seccomp_dsl_core::frontend;
//! let read = frontend::read("default errno; allow read, write;".parse().unwrap());
//! assert!(read.diagnostics.is_empty());
//! assert_eq!(read.policy.unwrap().rules.len(), 1);
//! let typo = frontend::read("default errno; allow rea;".parse().unwrap());
//! let messages = typo.diagnostics.messages();
//! let error = messages.iter().find(|message| !message.warning).unwrap();
//! assert_eq!(error.text, "unknown syscall `rea`\nhelp: did you mean `read`?");
//! assert_eq!((error.line, error.column), (1, 21));
//! ```

mod assertions;
mod ast;
mod check;
mod errors;
mod lower;

pub use errors::{Errors, Message, SpanRange};

use proc_macro2::TokenStream;

use crate::model::Policy;
use lower::RuleSource;

/// What [`read`] makes of a policy's source.
pub struct Read {
    /// The policy, when it has no error.
    pub policy: Option<Policy>,
    /// Every error (and warning) found, each at its tokens.
    pub diagnostics: Errors,
    /// The line of the statement each rule of the policy comes from (1 for
    /// the first line of the source; 0 where spans carry no lines).
    pub rule_lines: Vec<u32>,
    /// Each rule's conditions as written (empty for a rule without).
    pub rule_conditions: Vec<String>,
    /// How the containers the policy is shipped to run (`container ...;`).
    pub container: crate::container_start::Settings,
}

/// Reads the statements of a policy (what stands between the braces of
/// `seccomp_profile! { ... }`): parses, lowers and checks them.
pub fn read(source: TokenStream) -> Read {
    let mut diagnostics = Errors::default();
    let ast = ast::parse_policy(source, &mut diagnostics);
    let lowered = lower::lower(&ast, &mut diagnostics);
    // A policy whose statements all lowered means something: its
    // assertions are decided even where a check refuses it (a `forbid`), so
    // that every error is said at once.
    let meaningful = diagnostics.is_empty();
    check::check(&lowered, &mut diagnostics);
    if meaningful {
        assertions::check(&lowered, &mut diagnostics);
    }
    let policy = diagnostics.is_empty().then_some(lowered.policy);
    let rule_lines = lowered.sources.iter().map(RuleSource::line).collect();
    let rule_conditions = (lowered.sources.iter())
        .map(|source| source.written.clone())
        .collect();
    Read {
        policy,
        diagnostics,
        rule_lines,
        rule_conditions,
        container: lowered.container,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(source: &str) -> Policy {
        let read = read(source.parse().unwrap());
        let errors: Vec<String> = read
            .diagnostics
            .messages()
            .into_iter()
            .map(|m| m.text)
            .collect();
        read.policy.unwrap_or_else(|| panic!("{errors:?}"))
    }

    /// Rules of a `startup` block (nested blocks too) are marked, the
    /// rest not; the writer puts them back in one, and what it writes
    /// reads back the same; statements about the whole policy stay out.
    #[test]
    fn startup_blocks_mark_their_rules_and_are_written_back() {
        let read = policy(
            "default errno; allow read; startup { allow execve; \
             when cap(CAP_SYS_ADMIN) { allow mount; } } allow write;",
        );
        let marked: Vec<(String, bool)> = (read.rules.iter())
            .map(|rule| (rule.syscalls.join(","), rule.startup))
            .collect();
        let expected = [
            ("read", false),
            ("execve", true),
            ("mount", true),
            ("write", false),
        ];
        assert_eq!(
            marked,
            expected.map(|(name, startup)| (name.to_string(), startup))
        );
        assert_eq!(read.installed().rules.len(), 2);
        let written = crate::dsl::to_source(&read);
        assert!(written.contains("startup {"), "{written}");
        let body = &written[written.find('{').unwrap() + 1..written.rfind('}').unwrap()];
        assert_eq!(policy(body), read, "{written}");
        let refused = read_errors("default errno; startup { default allow; }");
        assert!(
            refused
                .iter()
                .any(|e| e.contains("cannot stand in a `when`, `unless` or `startup` block")),
            "{refused:?}"
        );
    }

    fn read_errors(source: &str) -> Vec<String> {
        let read = read(source.parse().unwrap());
        read.diagnostics
            .messages()
            .into_iter()
            .map(|m| m.text)
            .collect()
    }

    #[test]
    fn a_constant_the_headers_define_negative_means_its_literal() {
        assert_eq!(
            policy("default errno; rule openat(arg0 == AT_FDCWD) => allow;"),
            policy("default errno; rule openat(arg0 == -100) => allow;"),
        );
    }
}

#[cfg(test)]
mod assertion_tests {
    use super::*;

    /// The statements of a `seccomp_dsl::seccomp_profile! { ... }` source.
    fn body(source: &str) -> &str {
        let start = source.find('{').unwrap() + 1;
        &source[start..source.rfind('}').unwrap()]
    }

    /// A variant of Docker's default (`profiles/*.policy.rs` of the
    /// runtime crate) as one policy's statements: the base's, then its own.
    fn docker_default(variant: &str) -> String {
        let base = include_str!("../../../../seccomp-dsl/src/profiles/base.policy.rs");
        let base = body(base).split_once("docker_default_base;").unwrap().1;
        format!("{base}\n{}", body(variant))
    }

    fn errors(source: &str) -> Vec<String> {
        let read = read(source.parse().unwrap());
        let messages = read.diagnostics.messages().into_iter();
        messages.filter(|m| !m.warning).map(|m| m.text).collect()
    }

    /// A negative value (`AT_FDCWD`, `-100`) is claimed of an `int`
    /// argument as the kernel reads it, whatever upper half comes with it.
    #[test]
    fn an_assertion_takes_negative_values_as_rules_do() {
        let source = "#[allow(stops_exit, engine_cannot_start)] default errno;
            rule openat(arg0 == AT_FDCWD && arg2 & !(O_CLOEXEC) == O_RDONLY) => allow;
            assert allows openat(AT_FDCWD, _, O_RDONLY);
            assert allows openat(-100, _, O_RDONLY | O_CLOEXEC);
            assert denies openat(-100, _, O_WRONLY);
            assert denies openat(3, _, O_RDONLY);";
        assert_eq!(errors(source), Vec::<String>::new());
        let wrong = "#[allow(stops_exit, engine_cannot_start)] default errno;
            allow read;
            assert allows openat(AT_FDCWD, _, O_RDONLY);";
        let said = errors(wrong);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].starts_with("assertion fails: the policy does not let run `openat(AT_FDCWD"),
            "{said:?}"
        );
        let unsigned = "default errno; allow read; assert allows mmap(-1);";
        let said = errors(unsigned);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].starts_with("negative value -1 given for argument 0 of `mmap`"),
            "{said:?}"
        );
    }

    /// `container no_new_privileges;` checks runc's calls for containers
    /// run so: a policy that allows those alone compiles without the
    /// warning it gets for containers run without.
    #[test]
    fn the_container_setting_decides_which_runtime_calls_are_checked() {
        let body = "default errno;
            allow close, execve, futex, fstatfs, getdents64, read, write, epoll_ctl, getpid,
                gettid, getuid, rt_sigreturn, restart_syscall, exit_group;
            rule openat(arg2 == O_RDONLY | O_CLOEXEC || arg2 == O_WRONLY | O_CLOEXEC) => allow;";
        let warnings = |source: &str| {
            let read = read(source.parse().unwrap());
            assert!(read.policy.is_some());
            (read.diagnostics.messages().into_iter())
                .filter(|message| message.warning)
                .count()
        };
        assert_eq!(warnings(&format!("container no_new_privileges; {body}")), 0);
        assert_eq!(warnings(body), 1);
    }

    /// Every error at once: a `forbid` the policy breaks does not hide an
    /// assertion that fails.
    #[test]
    fn a_forbid_error_does_not_hide_a_failing_assertion() {
        let source = "#[allow(stops_exit, engine_cannot_start)] default errno;
            allow read, socket;
            forbid socket;
            assert denies read;";
        let said = errors(source);
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(
            said.iter()
                .any(|error| error.contains("`socket` is forbidden")),
            "{said:?}"
        );
        assert!(
            said.iter()
                .any(|error| error.starts_with("assertion fails")),
            "{said:?}"
        );
    }

    /// Constants of calls the Rust standard library, glibc's allocator and
    /// tokio make; a misspelt one suggests a name of its own family only.
    #[test]
    fn constants_of_common_calls_are_known_and_typos_suggest_their_family() {
        let source = "#[allow(stops_exit, engine_cannot_start)] default errno;
            rule mremap(arg3 == MREMAP_MAYMOVE) => allow;
            rule fcntl(arg1 == F_SETFD && arg2 == FD_CLOEXEC) => allow;
            rule epoll_ctl(arg1 == EPOLL_CTL_ADD || arg1 == EPOLL_CTL_MOD) => allow;
            rule eventfd2(arg1 == EFD_CLOEXEC | EFD_NONBLOCK) => allow;
            rule getrandom(arg2 == GRND_NONBLOCK || arg2 == GRND_INSECURE) => allow;
            rule clock_nanosleep(arg0 == CLOCK_MONOTONIC) => allow;
            rule shutdown(arg1 == SHUT_WR) => allow;
            rule lseek(arg2 == SEEK_SET) => allow;
            rule wait4(arg2 == WNOHANG) => allow;";
        assert_eq!(errors(source), Vec::<String>::new());
        let typo = "default errno; rule fcntl(arg2 == FD_CLOEXC) => allow;";
        let read = read(typo.parse().unwrap());
        let messages = read.diagnostics.messages();
        let error = messages.iter().find(|m| !m.warning).unwrap();
        assert!(
            error.text.contains("did you mean `FD_CLOEXEC`?"),
            "{}",
            error.text
        );
        let other = "default errno; rule fcntl(arg2 == XD_CLOEXEC) => allow;";
        let read = super::read(other.parse().unwrap());
        let messages = read.diagnostics.messages();
        let error = messages.iter().find(|m| !m.warning).unwrap();
        assert!(!error.text.contains("did you mean"), "{}", error.text);
    }

    #[test]
    fn no_more_than_compares_every_call_with_dockers_default() {
        let faithful =
            include_str!("../../../../seccomp-dsl/src/profiles/docker_default.policy.rs");
        let asserted = format!(
            "{}\nassert no_more_than DOCKER_DEFAULT;",
            docker_default(faithful)
        );
        assert_eq!(errors(&asserted), Vec::<String>::new());
        // The hardened variant decides on the bits the kernel reads, so it
        // lets run a call whose register has an upper half Docker's 64-bit
        // comparison refuses (the kernel runs it as `personality(0)`).
        let hardened =
            include_str!("../../../../seccomp-dsl/src/profiles/docker_default_hardened.policy.rs");
        let asserted = format!(
            "{}\nassert no_more_than DOCKER_DEFAULT;",
            docker_default(hardened)
        );
        let said = errors(&asserted);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("`personality(0x"), "{said:?}");
        assert!(!said[0].contains("`personality(0x0)`"), "{said:?}");
        // And the faithful profile lets through the upper half the
        // hardened one denies.
        let native =
            include_str!("../../../../seccomp-dsl/src/profiles/docker_default_native.policy.rs");
        let asserted = format!(
            "{}\nassert denies socket(0x1_0000_0028);",
            docker_default(native)
        );
        let said = errors(&asserted);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("lets run `socket(0x100000028"), "{said:?}");
    }
}
