//! Programs compiled ahead of time for the contexts a policy can meet, and
//! how an installing process finds the one made for it.
//!
//! Rules in `when`/`unless` blocks depend on the process that installs the
//! policy: its capability bounding set and its kernel version (the
//! architecture is fixed by the target the program is compiled for). Those
//! are the policy's [`Questions`]. The [`Answers`] decide exactly which
//! rules apply, so a program made for the same answers is the program for
//! that process, found without looking at the rules.
//!
//! ```
//! use seccomp_dsl_core::model::{Action, Context, Filter, KernelVersion, Policy, Rule};
//! use seccomp_dsl_core::preset::{Answers, Questions};
//! let mut mount = Rule::new(["mount"], [], Action::Allow);
//! mount.includes = Filter { caps: vec!["CAP_SYS_ADMIN".into()].into(), ..Filter::NONE };
//! let policy = Policy::new(Action::Errno(1), vec![mount]);
//!
//! let questions = Questions::of(&policy).unwrap();
//! assert_eq!(questions.capabilities, 1 << 21); // CAP_SYS_ADMIN
//! let root = Context {
//!     arch: "amd64".into(),
//!     capabilities: vec!["CAP_SYS_ADMIN".into(), "CAP_KILL".into()],
//!     kernel: KernelVersion { major: 6, minor: 1 },
//! };
//! assert_eq!(questions.answers(&root), Answers { capabilities: 1 << 21, kernels: 0 });
//! ```

use crate::bpf::Instruction;
use crate::constants::CAPABILITIES;
use crate::model::{Context, KernelVersion, Policy};

/// At most this many kernel versions can be asked about.
pub const MAX_KERNEL_QUESTIONS: usize = 8;

/// What a policy's rules ask of the installing process. Plain values, so
/// that the macro's `Profile` holds them inline and `install()` reads no
/// other table to answer them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Questions {
    /// The capabilities asked about: bit `n` for capability number `n`
    /// (`CAP_SYS_ADMIN` is 21). Is each in the bounding set?
    pub capabilities: u64,
    /// The kernel versions asked about, in increasing order, unused slots
    /// last. Is the kernel at least each?
    pub kernels: [Option<KernelVersion>; MAX_KERNEL_QUESTIONS],
}

/// How a process answers a policy's [`Questions`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Answers {
    /// The capabilities asked about that are in the bounding set.
    pub capabilities: u64,
    /// Bit `i`: the kernel is at least `kernels[i]`.
    pub kernels: u8,
}

/// A program compiled ahead of time (by the `seccomp_profile!` macro) for
/// the processes that answer the policy's questions this way.
#[derive(Debug)]
pub struct Preset {
    /// The answers the program was made for.
    pub answers: Answers,
    /// The program for the rules that apply then.
    pub program: &'static [Instruction],
}

impl Questions {
    /// No questions: every rule applies everywhere.
    pub const NONE: Questions = Questions {
        capabilities: 0,
        kernels: [None; MAX_KERNEL_QUESTIONS],
    };

    /// What the rules of `policy` ask. `None` when answers could not
    /// decide its rules: it names a capability numbered 64 or more (or one
    /// this crate does not know), or more than [`MAX_KERNEL_QUESTIONS`]
    /// kernel versions.
    pub fn of(policy: &Policy) -> Option<Questions> {
        let mut capabilities = 0u64;
        let mut kernels: Vec<KernelVersion> = Vec::new();
        for rule in policy.rules.iter() {
            for filter in [&rule.includes, &rule.excludes] {
                for name in filter.caps.iter() {
                    capabilities |= 1u64.checked_shl(CAPABILITIES.get(name)?.try_into().ok()?)?;
                }
                kernels.extend(filter.min_kernel);
            }
        }
        kernels.sort_unstable();
        kernels.dedup();
        if kernels.len() > MAX_KERNEL_QUESTIONS {
            return None;
        }
        let mut questions = Questions {
            capabilities,
            ..Questions::NONE
        };
        for (slot, kernel) in questions.kernels.iter_mut().zip(kernels) {
            *slot = Some(kernel);
        }
        Some(questions)
    }

    /// Whether there is nothing to ask.
    pub fn is_empty(&self) -> bool {
        *self == Questions::NONE
    }

    /// Whether any question is about the kernel.
    pub fn ask_kernel(&self) -> bool {
        self.kernels[0].is_some()
    }

    /// The kernel versions asked about.
    pub fn kernels(&self) -> impl Iterator<Item = KernelVersion> + '_ {
        self.kernels.iter().map_while(|kernel| *kernel)
    }

    /// How `context` answers.
    pub fn answers(&self, context: &Context) -> Answers {
        self.answers_with(context.kernel, |number| {
            context
                .capabilities
                .iter()
                .any(|held| CAPABILITIES.get(held) == Some(u64::from(number)))
        })
    }

    /// [`Questions::answers`] with the context given piecemeal: the kernel
    /// (not looked at when no question is about it), and a test of the
    /// bounding set by capability number, asked once per capability.
    #[inline]
    pub fn answers_with(
        &self,
        kernel: KernelVersion,
        mut has_capability: impl FnMut(u8) -> bool,
    ) -> Answers {
        let mut answers = Answers::default();
        let mut asked = self.capabilities;
        while asked != 0 {
            let number = asked.trailing_zeros();
            asked &= asked - 1;
            if has_capability(number as u8) {
                answers.capabilities |= 1 << number;
            }
        }
        for (index, version) in self.kernels().enumerate() {
            if kernel >= version {
                answers.kernels |= 1 << index;
            }
        }
        answers
    }
}
