//! Write a seccomp policy once, as a declarative DSL checked at compile
//! time, and get from that one source an installer for the running process
//! and the equivalent Docker seccomp profile.
//!
//! ```no_run
//! use seccomp_dsl::seccomp_profile;
//!
//! static POLICY: seccomp_dsl::Profile = seccomp_profile! {
//!     // For the program to install itself: it denies what a container
//!     // runtime calls to start a program, which the macro would warn of.
//!     #[allow(engine_cannot_start)]
//!     default errno;
//!     allow read, write, exit_group, rt_sigreturn, restart_syscall;
//!     rule personality(arg0 == 0x0) => allow;
//!     forbid ptrace;
//! };
//!
//! fn main() -> Result<(), seccomp_dsl::Error> {
//!     // The same policy, for `docker run --security-opt seccomp=profile.json`.
//!     std::fs::write("profile.json", POLICY.docker_json()).unwrap();
//!     // Every thread of this process is filtered from here on.
//!     POLICY.install()
//! }
//! ```
//!
//! The language, every action and constant, and every compile-time check
//! are described in the README.
//!
//! # Meaning of a policy
//!
//! A syscall gets the action of the rule that names it and whose conditions
//! hold, else the default action. The macro rejects policies whose meaning
//! would depend on rule order or that libseccomp or container engines would
//! silently alter, so the installed filter and the Docker profile decide
//! every call the same way. Calls from a foreign ABI (x32, or i386 through
//! `int 0x80` on x86_64) are killed by both.
//!
//! # How a policy is installed
//!
//! The macro compiles the policy to a BPF program ([`bpf`]) for x86_64 and
//! aarch64 and embeds it; [`Profile::install`] loads it with `seccomp(2)`,
//! with no C library involved. Rules that depend on the installing process
//! (`when cap(...)`, `when kernel >= ...`) are decided then, from programs
//! the macro made for common contexts or compiled on the spot. The feature
//! `libseccomp` adds `Profile::install_libseccomp`, which builds the
//! filter with libseccomp as container engines do.

#![warn(missing_docs)]
// Every example in the docs and the README compiles without a warning.
// (Statics an example only declares, and a `define_policy!` inside the
// function rustdoc wraps an example in, are the harness's, not the example's.)
#![doc(test(attr(deny(warnings), allow(dead_code, non_local_definitions))))]

// Lets the macro's `::seccomp_dsl::` paths resolve inside this crate's own tests.
extern crate self as seccomp_dsl;

mod command;
#[cfg(feature = "tools")]
mod diagnose;
pub mod export;
#[cfg(feature = "tools")]
pub mod inspect;
mod install;
#[cfg(feature = "profiles")]
pub mod profiles;
pub mod supervise;
pub use install::recorder;

use std::borrow::Cow;

pub use command::CommandExt;
#[cfg(feature = "tools")]
pub use diagnose::Report;
pub use install::{capabilities_in, context_of, current_context, Error};
pub use seccomp_dsl_core::{bpf, constants, engines, exact, model, preset, signatures, syscalls};
#[cfg(feature = "tools")]
pub use seccomp_dsl_core::{
    classes, compare, container_start, decide, docker, dsl, explain, groups, k8s, record,
    upper_half, validate,
};
pub use seccomp_dsl_macros::seccomp_profile;

use bpf::Instruction;
use model::{Action, Architectures, Context, Policy, Resolved, Rule, SeccompArch};
use preset::{Answers, Preset, Questions};

/// Installs a policy already resolved for this process (see
/// [`Profile::resolve_here`]): compiles it to BPF and loads it as
/// [`Profile::install`] does.
pub fn install_resolved(resolved: &Resolved<'_>) -> Result<(), Error> {
    let program = bpf::compile(resolved).map_err(Error::Compile)?;
    install_program(&program, resolved.flags)
}

/// Loads a BPF filter program into every thread of this process: sets
/// no_new_privs, then `seccomp(2)` with TSYNC and `flags`. On error no
/// filter is loaded.
pub fn install_program(program: &[Instruction], flags: &[model::Flag]) -> Result<(), Error> {
    install::kernel::load(program, flags, install::kernel::Scope::Process)
}

/// [`install_resolved`] through libseccomp (feature `libseccomp`).
#[cfg(feature = "libseccomp")]
pub fn install_resolved_libseccomp(resolved: &Resolved<'_>) -> Result<(), Error> {
    install::libseccomp::install(resolved)
}

/// The BPF program libseccomp makes of a resolved policy (see
/// [`Profile::libseccomp_program`]).
#[cfg(feature = "libseccomp")]
pub fn libseccomp_program_of(
    resolved: &Resolved<'_>,
    binary_tree: bool,
) -> Result<Vec<Instruction>, Error> {
    install::libseccomp::program(resolved, binary_tree)
}

/// Whether the installed libseccomp knows the syscall `name` on `abi`: the
/// libseccomp backend filters syscalls it does not know on the native ABI
/// only (feature `libseccomp`).
#[cfg(feature = "libseccomp")]
pub fn libseccomp_knows(name: &str, abi: model::SeccompArch) -> bool {
    install::libseccomp::knows(name, abi)
}

/// Defines a policy that others extend, in this crate or any crate that
/// depends on it: `define_policy! { NAME; STATEMENTS }` makes the macro
/// `NAME!` (exported at the crate's root), and `NAME! { MORE STATEMENTS }`
/// is the `seccomp_profile!` of the base's statements and the extension's
/// together: the macro checks the whole, so a `forbid` of the base holds in
/// every extension, reported at the extension's tokens. An extension may
/// add rules, `forbid`s and `assert`s, and its own `default`, which
/// replaces the base's (tighter or looser: a base's `forbid` still holds).
/// `NAME! {}` is the base alone.
///
/// ```
/// seccomp_dsl::define_policy! {
///     /// What every service of ours starts from.
///     service_base;
///     #[allow(engine_cannot_start)]
///     default kill_process;
///     allow @rust_std;
///     forbid ptrace, @mount;
/// }
///
/// static BASE: seccomp_dsl::Profile = service_base! {};
/// static WEB: seccomp_dsl::Profile = service_base! {
///     allow @rust_threads, @tokio;
///     errno(ENOSYS) clone3;
///     rule clone(arg0 & CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET == 0) => allow;
///     rule socket(arg0 == AF_INET) => allow;
/// };
/// assert!(WEB.rules().len() > BASE.rules().len());
/// ```
///
/// In another crate: `static WEB: Profile = policies::service_base! { ... };`.
#[macro_export]
macro_rules! define_policy {
    ($(#[$attribute:meta])* $name:ident; $($statement:tt)*) => {
        $crate::__define_policy! { ($) $(#[$attribute])* $name; $($statement)* }
    };
}

/// [`define_policy!`], given a `$` to write the inner macro's own
/// repetition with.
#[doc(hidden)]
#[macro_export]
macro_rules! __define_policy {
    (($d:tt) $(#[$attribute:meta])* $name:ident; $($statement:tt)*) => {
        $(#[$attribute])*
        #[macro_export]
        macro_rules! $name {
            ($d($d extension:tt)*) => {
                $crate::seccomp_profile! { extends $name { $($statement)* } $d($d extension)* }
            };
        }
    };
}

/// How `install()` compiles a policy for a process no preset fits: the
/// process's context read, the rules that apply there compiled. The macro
/// hands it over only where some process can need it, so that a program
/// whose presets fit every process carries neither the compiler nor the
/// syscall tables.
#[doc(hidden)]
pub type Compiler = fn(&Profile) -> Result<Vec<Instruction>, Error>;

#[doc(hidden)]
pub fn __compile_at_install(profile: &Profile) -> Result<Vec<Instruction>, Error> {
    bpf::compile(&profile.resolve_installed_here()?).map_err(Error::Compile)
}

/// A compiled policy, made by [`seccomp_profile!`]: its model, its Docker
/// profile and its installer.
#[derive(Debug)]
pub struct Profile {
    policy: Policy,
    docker_json: &'static str,
    /// The source line of each rule's statement (0 where unknown).
    #[cfg_attr(not(feature = "tools"), allow(dead_code))]
    rule_lines: &'static [u32],
    /// What the rules ask of the installing process (none when no rule
    /// waits for install time).
    questions: Questions,
    /// How the containers it is shipped to run (`container ...;`).
    container: model::ContainerSettings,
    /// Programs the macro compiled for this target, by answers.
    presets: &'static [Preset],
    /// The compiler for processes no preset fits; `None` where one fits
    /// every process, so that a program that only installs the policy
    /// carries no compiler.
    compiler: Option<Compiler>,
}

impl Profile {
    #[doc(hidden)]
    pub const fn __from_macro(
        policy: Policy,
        docker_json: &'static str,
        rule_lines: &'static [u32],
        questions: Questions,
        presets: &'static [Preset],
        compiler: Option<Compiler>,
        container: model::ContainerSettings,
    ) -> Profile {
        Profile {
            policy,
            docker_json,
            rule_lines,
            questions,
            presets,
            compiler,
            container,
        }
    }

    /// Stands in for the macro's output when the policy has errors, so that
    /// only those errors are reported.
    #[doc(hidden)]
    pub const fn __placeholder() -> Profile {
        Profile {
            policy: Policy {
                default_action: Action::Allow,
                rules: Cow::Borrowed(&[]),
                architectures: Architectures::Native,
                flags: Cow::Borrowed(&[]),
            },
            docker_json: "",
            rule_lines: &[],
            questions: Questions::NONE,
            presets: &[],
            compiler: None,
            container: model::ContainerSettings {
                no_new_privileges: false,
            },
        }
    }

    /// The policy model: default action and rules.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The action for calls no rule applies to.
    pub fn default_action(&self) -> Action {
        self.policy.default_action
    }

    /// The rules, in source order; a condition with `||` gives one rule per
    /// alternative.
    pub fn rules(&self) -> &[Rule] {
        &self.policy.rules
    }

    /// The equivalent Docker seccomp profile (moby's JSON format), computed
    /// at compile time. Deterministic: the same policy gives the same bytes.
    ///
    /// ```
    /// static POLICY: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    ///     #[allow(engine_cannot_start)]
    ///     default errno;
    ///     allow read, write, exit_group, rt_sigreturn, restart_syscall;
    ///     rule personality(arg0 == 0x0) => allow;
    /// };
    /// let profile: serde_json::Value = serde_json::from_str(POLICY.docker_json()).unwrap();
    /// assert_eq!(profile["defaultAction"], "SCMP_ACT_ERRNO");
    /// let names = serde_json::json!(["read", "write", "exit_group", "rt_sigreturn", "restart_syscall"]);
    /// assert_eq!(profile["syscalls"][0]["names"], names);
    /// ```
    pub fn docker_json(&self) -> &'static str {
        self.docker_json
    }

    /// Syscalls the policy names that do not exist on the architecture this
    /// program runs on (such as `_llseek` on x86_64). [`Profile::install`]
    /// skips them; the Docker profile keeps them, as Docker's own does.
    ///
    /// ```
    /// static POLICY: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    ///     #[allow(engine_cannot_start)]
    ///     default errno;
    ///     #[allow(foreign_syscall)]
    ///     allow read, _llseek, exit_group, rt_sigreturn, restart_syscall;
    /// };
    /// #[cfg(target_arch = "x86_64")]
    /// assert_eq!(POLICY.skipped_syscalls(), ["_llseek"]);
    /// ```
    pub fn skipped_syscalls(&self) -> Vec<&str> {
        install::skipped_syscalls(&self.policy)
    }

    /// The policy as it would be installed in `context`: the rules whose
    /// `when`/`unless` conditions hold there, and the ABIs covered.
    ///
    /// ```
    /// use seccomp_dsl::model::{Action, Context, KernelVersion};
    /// static POLICY: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    ///     #[allow(engine_cannot_start, stops_exit)]
    ///     default errno;
    ///     when cap(CAP_SYS_ADMIN) { allow mount; }
    /// };
    /// let unprivileged = Context {
    ///     arch: "amd64".into(),
    ///     capabilities: vec![],
    ///     kernel: KernelVersion { major: 6, minor: 1 },
    /// };
    /// let resolved = POLICY.resolve(&unprivileged).unwrap();
    /// assert!(resolved.rules.is_empty());
    /// assert_eq!(resolved.decide("mount", &[0; 6]), Action::Errno(1));
    /// ```
    pub fn resolve(&self, context: &Context) -> Result<Resolved<'_>, Error> {
        let native = SeccompArch::native().ok_or(Error::UnsupportedArchitecture)?;
        Ok(self.policy.resolve(context, native))
    }

    #[cfg(feature = "tools")]
    /// What the policy does to `syscall(args)` called through `abi` in this
    /// process, and why: the rule, with its statement and source line, or
    /// the default. A syscall no architecture has is an error that says
    /// what it likely meant, not the default action.
    ///
    /// ```
    /// use seccomp_dsl::model::{Action, SeccompArch};
    /// static POLICY: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    ///     #[allow(engine_cannot_start)]
    ///     default errno;
    ///     allow read, write, exit_group, rt_sigreturn, restart_syscall;
    ///     rule personality(arg0 == 0x0) => allow;
    /// };
    /// let native = SeccompArch::native().unwrap();
    /// let why = POLICY.explain("personality", &[8, 0, 0, 0, 0, 0], native).unwrap();
    /// assert_eq!(why.action, Action::Errno(1));
    /// assert_eq!(why.to_string(), "errno(1), the default action");
    /// let why = POLICY.explain("read", &[0; 6], native).unwrap();
    /// assert!(why.to_string().starts_with("allow, by line "), "{why}");
    /// let typo = POLICY.explain("presonality", &[0; 6], native).unwrap_err();
    /// assert_eq!(typo.to_string(), "unknown syscall `presonality`; did you mean `personality`?");
    /// ```
    ///
    /// Feature `tools`.
    pub fn explain(
        &self,
        syscall: &str,
        args: &[u64; 6],
        abi: SeccompArch,
    ) -> Result<explain::Explanation, Error> {
        self.explain_in(&current_context()?, syscall, args, abi)
    }

    #[cfg(feature = "tools")]
    /// [`Profile::explain`] for a process in `context`.
    ///
    /// Feature `tools`.
    pub fn explain_in(
        &self,
        context: &Context,
        syscall: &str,
        args: &[u64; 6],
        abi: SeccompArch,
    ) -> Result<explain::Explanation, Error> {
        let native =
            SeccompArch::from_docker_arch(&context.arch).ok_or(Error::UnsupportedArchitecture)?;
        explain::explain(
            &self.policy,
            explain::Sources::lines(self.rule_lines),
            context,
            native,
            abi,
            syscall,
            args,
        )
        .map_err(Error::Explain)
    }

    #[cfg(feature = "tools")]
    /// Why a container does not start under this policy's profile (the
    /// container runtime's own calls after it loads the filter are denied
    /// or killed), for a build script or a tool to say before shipping it;
    /// `None` when they pass. See [`seccomp_dsl_core::container_start`].
    ///
    /// ```
    /// static STRICT: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    ///     #[allow(engine_cannot_start)]
    ///     default errno; allow read, write, exit_group, rt_sigreturn, restart_syscall;
    /// };
    /// assert!(STRICT.container_start_problem().is_some());
    /// ```
    ///
    /// Feature `tools`.
    pub fn container_start_problem(&self) -> Option<String> {
        container_start::start_problem(&engines::TARGET, &self.policy, self.container)
    }

    /// How the containers the policy is shipped to run, as its `container`
    /// statement says (`container no_new_privileges;`): the runtime's own
    /// calls are checked for exactly those, and the container must be run
    /// so (`--security-opt no-new-privileges`; Kubernetes'
    /// `allowPrivilegeEscalation: false`).
    pub const fn container_settings(&self) -> model::ContainerSettings {
        self.container
    }

    #[cfg(feature = "tools")]
    /// The OCI runtime-spec `linux.seccomp` object for a runc or crun
    /// `config.json`, with the rules' conditions decided for `context`
    /// (a container's architecture, capability bounding set and kernel).
    ///
    /// Feature `tools`.
    pub fn oci_json(&self, context: &Context) -> Result<String, Error> {
        let native =
            SeccompArch::from_docker_arch(&context.arch).ok_or(Error::UnsupportedArchitecture)?;
        Ok(docker::to_oci_json(&self.policy.resolve(context, native)))
    }

    /// The policy as [`Profile::install`] would install it in this process.
    pub fn resolve_here(&self) -> Result<Resolved<'_>, Error> {
        self.resolve(&current_context()?)
    }

    /// [`Profile::resolve_here`] as [`Profile::install`] applies it: the
    /// rules of `startup` blocks left out (see
    /// [`model::Policy::installed`]).
    pub fn resolve_installed_here(&self) -> Result<Resolved<'_>, Error> {
        let native = SeccompArch::native().ok_or(Error::UnsupportedArchitecture)?;
        Ok(self.policy.resolve_installed(&current_context()?, native))
    }

    /// The BPF program for a child process started under the policy
    /// ([`CommandExt::seccomp_policy`]): the whole policy, its `startup`
    /// rules included, since the child's start runs under it.
    pub(crate) fn compile_for_a_child(&self) -> Result<Cow<'static, [Instruction]>, Error> {
        if !self.policy.rules.iter().any(|rule| rule.startup) {
            return self.compile_here();
        }
        bpf::compile(&self.resolve_here()?)
            .map(Cow::Owned)
            .map_err(Error::Compile)
    }

    /// The BPF program the macro compiled for this target, when no rule
    /// waits for install time (rules in `when cap(...)` or `when kernel`
    /// blocks do).
    pub fn precompiled(&self) -> Option<&'static [Instruction]> {
        self.presets
            .first()
            .filter(|_| self.questions.is_empty())
            .map(|preset| preset.program)
    }

    /// The BPF program [`Profile::install`] loads in `context`: one the
    /// macro compiled ahead of time for a context that answers the rules'
    /// questions the same way, else one compiled now.
    pub fn compile_in(&self, context: &Context) -> Result<Cow<'static, [Instruction]>, Error> {
        if model::native_docker_arch() == Some(&*context.arch) {
            if let Some(program) = self.preset_for(self.questions.answers(context)) {
                return Ok(Cow::Borrowed(program));
            }
        }
        bpf::compile(&self.resolve(context)?)
            .map(Cow::Owned)
            .map_err(Error::Compile)
    }

    /// The BPF program [`Profile::install`] loads in this process.
    ///
    /// ```
    /// static POLICY: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    ///     #[allow(engine_cannot_start)]
    ///     default errno; allow read, write, exit_group, rt_sigreturn, restart_syscall;
    /// };
    /// let program = POLICY.compile_here().unwrap();
    /// print!("{}", seccomp_dsl::bpf::disasm::listing(&program));
    /// ```
    pub fn compile_here(&self) -> Result<Cow<'static, [Instruction]>, Error> {
        if !self.presets.is_empty() {
            // Asks the kernel only what the rules ask, without allocating.
            if let Some(program) = self.preset_for(install::answers_here(&self.questions)?) {
                return Ok(Cow::Borrowed(program));
            }
        }
        // The macro leaves the compiler out only where a preset fits every
        // process on this target, which the lookup above found.
        let compile = self.compiler.ok_or(Error::UnsupportedArchitecture)?;
        compile(self).map(Cow::Owned)
    }

    /// The preset the macro made for processes that answer the rules'
    /// questions with `answers`, if it made one.
    fn preset_for(&self, answers: Answers) -> Option<&'static [Instruction]> {
        self.presets
            .iter()
            .find(|preset| preset.answers == answers)
            .map(|preset| preset.program)
    }

    /// Applies the policy to every thread of the running process, for the
    /// rest of its life (and its children's): sets no_new_privs, then loads
    /// the BPF program ([`Profile::compile_here`]) with `seccomp(2)` and
    /// thread synchronization (TSYNC). No C library is involved.
    ///
    /// Rules in `when`/`unless` blocks are decided against this process
    /// (see [`current_context`]). On error no filter is loaded;
    /// no_new_privs, which cannot be cleared and only ever takes privileges
    /// away, may already be set if the kernel refused the filter itself.
    ///
    /// Under `seccomp-dsl record`, it tells the recorder where it stands and
    /// lets every call run instead, so that the recording tells what the
    /// program needs before it from what it needs after (see [`recorder`]).
    pub fn install(&self) -> Result<(), Error> {
        self.load(&self.compile_here()?, install::kernel::Scope::Process)
    }

    /// Loads `program`, the policy's, in `scope`; under `seccomp-dsl
    /// record`, tells the recorder and lets every call run instead (see
    /// [`recorder`]), once what the install does before loading (deciding
    /// the rules' conditions) has run, as it runs then.
    fn load(&self, program: &[Instruction], scope: install::kernel::Scope) -> Result<(), Error> {
        if let Some(recorded) = recorder::recorded_instead(scope) {
            return recorded;
        }
        install::kernel::load(program, &self.policy.flags, scope)
    }

    /// Applies the policy to the calling thread only (no TSYNC), and to
    /// the threads and processes it starts from here on; the process's
    /// other threads stay unfiltered.
    ///
    /// Fits a thread that handles untrusted input for a process whose
    /// other threads need more than the policy allows (a parser thread
    /// beside a network one). It is no boundary between threads: they share
    /// memory, so an attacker in the filtered thread can reach an
    /// unfiltered one. To confine code against itself, filter the whole
    /// process ([`Profile::install`]) or a child process
    /// ([`CommandExt::seccomp_policy`]).
    ///
    /// ```no_run
    /// static PARSER: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    ///     #[allow(engine_cannot_start)]
    ///     default kill_process;
    ///     allow read, write, futex, munmap, madvise, exit, sigaltstack, rt_sigprocmask, exit_group, rt_sigreturn, restart_syscall;
    /// };
    /// std::thread::spawn(|| {
    ///     PARSER.install_current_thread().unwrap();
    ///     // parse untrusted bytes here
    /// });
    /// ```
    pub fn install_current_thread(&self) -> Result<(), Error> {
        self.load(&self.compile_here()?, install::kernel::Scope::Thread)
    }

    /// [`Profile::install`] through libseccomp instead, which builds the
    /// filter as container engines do (feature `libseccomp`).
    #[cfg(feature = "libseccomp")]
    pub fn install_libseccomp(&self) -> Result<(), Error> {
        let resolved = self.resolve_installed_here()?;
        if let Some(recorded) = recorder::recorded_instead(install::kernel::Scope::Process) {
            return recorded;
        }
        install_resolved_libseccomp(&resolved)
    }

    /// The BPF program libseccomp makes of the policy resolved in `context`,
    /// as [`Profile::install_libseccomp`] would load it there: at
    /// libseccomp's default optimization, or with its binary tree
    /// (`binary_tree`, level 2). For comparisons with [`bpf::compile()`]
    /// (feature `libseccomp`).
    #[cfg(feature = "libseccomp")]
    pub fn libseccomp_program(
        &self,
        context: &Context,
        binary_tree: bool,
    ) -> Result<Vec<Instruction>, Error> {
        libseccomp_program_of(&self.resolve(context)?, binary_tree)
    }
}

/// Compiles the README's examples as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
