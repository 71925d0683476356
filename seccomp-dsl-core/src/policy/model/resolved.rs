//! A policy as installed in one context ([`Resolved`]): the rules that
//! apply there, the ABIs covered, and what the engine answers before the
//! filter ([`EnosysStub`], filled in by [`crate::engines`]).

use crate::policy::model::{Action, Flag, Rule};
use crate::tables::abi::{number_bias, SeccompArch, X32_SYSCALL_BIT};
use crate::tables::syscalls;

/// What decides a call under a [`Resolved`] policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecidedBy {
    /// The rule at this index of [`Resolved::rules`].
    Rule(usize),
    /// The default action: no rule matches.
    Default,
    /// The ENOSYS stub the target engine puts before the filter.
    EnosysStub,
}

/// A policy as installed in one [`Context`](crate::model::Context): the rules that apply there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved<'a> {
    /// The policy's default action.
    pub default_action: Action,
    /// The rules that apply, in source order.
    pub rules: Vec<&'a Rule>,
    /// The ABIs covered, native first.
    pub architectures: Vec<SeccompArch>,
    /// Whether the profile lists its ABIs for this native one
    /// (`architectures`, or an `archMap` entry for it). Engines read a
    /// profile that does not as the native ABI alone, with no ENOSYS stub,
    /// so the OCI export leaves the list out too.
    pub listed: bool,
    /// The policy's flags.
    pub flags: &'a [Flag],
    /// The ENOSYS stub the target engine puts before the filter, which
    /// `install()` applies too (see [`EnosysStub`]).
    pub enosys_stub: EnosysStub,
}

impl Resolved<'_> {
    /// The action for `syscall` called with `args` through the native ABI.
    /// A name no rule mentions gets the default action, even one that is no
    /// syscall: [`crate::explain::explain`] checks the name first.
    ///
    /// ```
    /// use seccomp_dsl_core::model::*;
    /// let policy = Policy::new(
    ///     Action::Errno(1),
    ///     vec![Rule::new(["personality"], [ArgCondition::new(0, CmpOp::Eq, 0)], Action::Allow)],
    /// );
    /// let context = Context { arch: "amd64".into(), capabilities: vec![], kernel: KernelVersion { major: 6, minor: 1 } };
    /// let resolved = policy.resolve(&context, SeccompArch::X86_64);
    /// assert_eq!(resolved.decide("personality", &[0; 6]), Action::Allow);
    /// assert_eq!(resolved.decide("personality", &[8, 0, 0, 0, 0, 0]), Action::Errno(1));
    /// ```
    pub fn decide(&self, syscall: &str, args: &[u64; 6]) -> Action {
        match self.architectures.first() {
            Some(&native) => self.decide_on(native, syscall, args),
            None => self.first_match(|rule| rule.matches(syscall, args)),
        }
    }

    /// [`Resolved::decide`] for a call through `abi`, whose syscalls may
    /// take 32-bit arguments (see [`ArgCondition::holds_on`](crate::model::ArgCondition::holds_on)).
    pub fn decide_on(&self, abi: SeccompArch, syscall: &str, args: &[u64; 6]) -> Action {
        self.explain_on(abi, syscall, args).0
    }

    /// [`Resolved::decide_on`], and what decided: the rule, the default
    /// action, or the engine's ENOSYS stub. (An ABI the policy does not
    /// cover is the filter's to kill, before any of these.)
    ///
    /// ```
    /// use seccomp_dsl_core::model::*;
    /// let policy = Policy::new(Action::Errno(1), vec![Rule::new(["read"], [], Action::Allow)]);
    /// let context = Context { arch: "amd64".into(), capabilities: vec![], kernel: KernelVersion { major: 6, minor: 1 } };
    /// let resolved = policy.resolve(&context, SeccompArch::X86_64);
    /// let read = resolved.explain_on(SeccompArch::X86_64, "read", &[0; 6]);
    /// assert_eq!(read, (Action::Allow, DecidedBy::Rule(0)));
    /// let write = resolved.explain_on(SeccompArch::X86_64, "write", &[0; 6]);
    /// assert_eq!(write, (Action::Errno(1), DecidedBy::Default));
    /// ```
    pub fn explain_on(
        &self,
        abi: SeccompArch,
        syscall: &str,
        args: &[u64; 6],
    ) -> (Action, DecidedBy) {
        if !self.enosys_stub.is_empty() {
            let number = syscalls::lookup(syscall)
                .and_then(|entry| entry.number(abi.syscall_table()))
                .map(|number| number + number_bias(abi));
            if number.is_some_and(|number| self.enosys_stub.answers(abi, number)) {
                return (STUB_ACTION, DecidedBy::EnosysStub);
            }
        }
        match (self.rules.iter()).position(|rule| rule.matches_on(abi, syscall, args)) {
            Some(index) => (self.rules[index].action, DecidedBy::Rule(index)),
            None => (self.default_action, DecidedBy::Default),
        }
    }

    /// The policy for the native ABI only, as the same profile without its
    /// ABI list: no other ABI, and no ENOSYS stub.
    pub fn native_only(mut self) -> Self {
        self.architectures.truncate(1);
        self.listed = false;
        self.enosys_stub = EnosysStub::default();
        self
    }

    fn first_match(&self, matches: impl Fn(&Rule) -> bool) -> Action {
        self.rules
            .iter()
            .find(|rule| matches(rule))
            .map_or(self.default_action, |rule| rule.action)
    }
}

/// What the stub answers: `errno(ENOSYS)`.
pub const STUB_ACTION: Action = Action::Errno(38);

/// runc's ENOSYS stub: for a profile that lists its ABIs (`architectures`
/// or `archMap`) and denies by default, runc answers ENOSYS, before the
/// filter, for every syscall number above the highest one the profile names
/// (among those its libseccomp can name), per ABI, so that a program can
/// tell a syscall too new for the profile from one it denies. `install()`
/// applies the same stub, so both decide those numbers alike.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct EnosysStub {
    /// For each ABI the stub covers, the highest syscall number (as the
    /// filter sees it: x32's with its bit) it leaves to the filter.
    pub thresholds: Vec<(SeccompArch, u32)>,
}

impl EnosysStub {
    /// Whether the stub answers ENOSYS to number `nr` (as the filter sees
    /// it) from a call through `abi` or an ABI sharing its `AUDIT_ARCH`.
    ///
    /// ```
    /// use seccomp_dsl_core::engines::EnosysStub;
    /// use seccomp_dsl_core::model::SeccompArch;
    /// let stub = EnosysStub { thresholds: vec![(SeccompArch::X86_64, 456)] };
    /// assert!(!stub.answers(SeccompArch::X86_64, 456));
    /// assert!(stub.answers(SeccompArch::X86_64, 1000));
    /// // x32 numbers go on to the filter when x32 is not listed.
    /// assert!(!stub.answers(SeccompArch::X86_64, 0x4000_1000));
    /// ```
    pub fn answers(&self, abi: SeccompArch, nr: u32) -> bool {
        let threshold = |abi: SeccompArch| {
            (self.thresholds.iter())
                .find(|(listed, _)| *listed == abi)
                .map(|(_, threshold)| *threshold)
        };
        let above = |abi: SeccompArch| threshold(abi).is_some_and(|highest| nr > highest);
        match abi {
            // One AUDIT_ARCH: the x32 bit tells the two apart.
            SeccompArch::X86_64 | SeccompArch::X32 => {
                if nr & X32_SYSCALL_BIT != 0 {
                    above(SeccompArch::X32)
                } else {
                    above(SeccompArch::X86_64)
                }
            }
            // s390's setup(0) multiplexes syscalls the kernel does not know.
            SeccompArch::S390 | SeccompArch::S390x => {
                threshold(abi).is_some_and(|highest| nr > highest || nr == 0)
            }
            _ => above(abi),
        }
    }

    /// Whether the stub answers nothing.
    pub fn is_empty(&self) -> bool {
        self.thresholds.is_empty()
    }
}
