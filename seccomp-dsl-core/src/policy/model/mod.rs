//! The policy model: one data structure that every emitter (installer,
//! Docker JSON, ...) reads.
//!
//! The types use [`Cow`] so that the `seccomp_profile!` macro can build a
//! policy in a `static` (borrowed, no allocation), while tools can build or
//! load one at run time (owned).
//!
//! A policy means: for a syscall, the action of the rule that names it and
//! whose conditions all hold, else the default action. Some rules apply only
//! in some [`Context`]s (capabilities, architecture, kernel), decided when
//! the policy is installed: [`Policy::resolve`]. [`crate::validate`]
//! rejects policies in which two rules with different actions could match
//! the same call in one context, so the order of rules never matters.

use std::borrow::Cow;
use std::fmt;

mod action;
mod context;
mod resolved;

pub use action::{Action, RangeError};
pub use context::{ArchMapEntry, Architectures, Context, Flag, KernelVersion};

pub use crate::tables::abi::{
    native_docker_arch, SeccompArch, DOCKER_ARCHES, DOCKER_CONTAINER_CAPABILITIES,
};
pub use crate::tables::signatures::ArgWidth;
pub use resolved::{DecidedBy, EnosysStub, Resolved, STUB_ACTION};

/// The highest errno a policy may return: one below the kernel's
/// `MAX_ERRNO` (4095), which runc 1.1.5 with libseccomp 2.5.4 cannot put
/// in a filter (the container does not start).
pub const MAX_ERRNO: u16 = 4094;

/// Why [`MAX_ERRNO`] is not the kernel's limit, for messages.
pub const MAX_ERRNO_REASON: &str =
    "the kernel takes up to 4095, but runc 1.1.5 (libseccomp 2.5.4) \
     cannot create a filter that returns 4095: the container does not start";

/// Syscalls take six arguments, `arg0` to `arg5`.
pub const ARG_COUNT: u8 = 6;

/// How an argument is compared with a rule's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `argN == value`
    Eq,
    /// `argN != value`
    Ne,
    /// `argN < value`
    Lt,
    /// `argN <= value`
    Le,
    /// `argN > value`
    Gt,
    /// `argN >= value`
    Ge,
    /// `argN & mask == value`
    MaskedEq(u64),
}

impl CmpOp {
    /// The operator as the DSL spells it (`==`, `!=`, ...; `&` for a mask).
    pub const fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq | CmpOp::MaskedEq(_) => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// One comparison of a syscall argument with a constant, on the bits of the
/// argument its [`ArgWidth`] reads. A 64-bit comparison compares all 64 bits,
/// but on ABIs whose syscalls take 32-bit arguments (see
/// [`SeccompArch::has_32_bit_arguments`]), where it compares low halves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArgCondition {
    /// Which argument, `0..=5`.
    pub index: u8,
    /// The comparison.
    pub op: CmpOp,
    /// The value compared with (for a narrow width, its bits as the
    /// register would hold them: `-100` as an `i32` is `0xffff_ff9c`).
    pub value: u64,
    /// How much of the argument is compared.
    pub width: ArgWidth,
}

impl ArgCondition {
    /// A comparison of all 64 bits.
    pub const fn new(index: u8, op: CmpOp, value: u64) -> ArgCondition {
        ArgCondition {
            index,
            op,
            value,
            width: ArgWidth::U64,
        }
    }

    /// Whether `arg` satisfies the comparison.
    ///
    /// A masked comparison is `arg & mask == value & mask`, as libseccomp
    /// evaluates it (the validator rejects values with bits outside the mask).
    ///
    /// ```
    /// use seccomp_dsl_core::model::{ArgCondition, ArgWidth, CmpOp};
    /// let flags = ArgCondition::new(0, CmpOp::MaskedEq(0xf0), 0x10);
    /// assert!(flags.holds_for(0x1f));
    /// assert!(!flags.holds_for(0x2f));
    /// // An `int` argument: the kernel reads the low 32 bits, signed.
    /// let vsock = ArgCondition { width: ArgWidth::I32, ..ArgCondition::new(0, CmpOp::Gt, 40) };
    /// assert!(!vsock.holds_for(0x1_0000_0028));
    /// assert!(!vsock.holds_for(-1i64 as u64));
    /// ```
    pub const fn holds_for(&self, arg: u64) -> bool {
        let width = self.width;
        let (arg, value) = (width.key(arg), width.key(self.value));
        match self.op {
            CmpOp::Eq => arg == value,
            CmpOp::Ne => arg != value,
            CmpOp::Lt => arg < value,
            CmpOp::Le => arg <= value,
            CmpOp::Gt => arg > value,
            CmpOp::Ge => arg >= value,
            CmpOp::MaskedEq(mask) => (arg ^ value) & mask & width.mask() == 0,
        }
    }

    /// Whether `arg`, passed to a syscall of `abi`, satisfies the
    /// comparison: on an ABI with 32-bit arguments, the low half of the
    /// argument against the low half of the value (and mask).
    ///
    /// ```
    /// use seccomp_dsl_core::model::{ArgCondition, CmpOp, SeccompArch};
    /// let eight = ArgCondition::new(0, CmpOp::Eq, 8);
    /// // Through `int 0x80` the syscall sees 8 whatever the high half.
    /// assert!(eight.holds_on(SeccompArch::X86, 0x1_0000_0008));
    /// assert!(!eight.holds_on(SeccompArch::X86_64, 0x1_0000_0008));
    /// ```
    pub const fn holds_on(&self, abi: SeccompArch, arg: u64) -> bool {
        if abi.has_32_bit_arguments() {
            self.low_half().holds_for(arg & LOW_HALF)
        } else {
            self.holds_for(arg)
        }
    }

    /// Whether the comparison reads all 64 bits of its argument: a 64-bit
    /// comparison (of a 64-bit argument, or `as u64`) but a mask of the low
    /// half, which engines compare on the low word alone.
    ///
    /// ```
    /// use seccomp_dsl_core::model::{ArgCondition, ArgWidth, CmpOp};
    /// assert!(ArgCondition::new(1, CmpOp::Eq, 0).compares_64_bits());
    /// assert!(!ArgCondition::new(0, CmpOp::MaskedEq(0xff), 0).compares_64_bits());
    /// let narrow = ArgCondition { width: ArgWidth::U32, ..ArgCondition::new(0, CmpOp::Lt, 38) };
    /// assert!(!narrow.compares_64_bits());
    /// ```
    pub const fn compares_64_bits(&self) -> bool {
        matches!(self.width, ArgWidth::U64)
            && !matches!(self.op, CmpOp::MaskedEq(mask) if mask >> 32 == 0)
    }

    /// The comparison of low halves: the value's and the mask's low 32
    /// bits, as libseccomp compares on 32-bit ABIs. A narrow comparison
    /// reads no more than the low half already.
    pub const fn low_half(&self) -> ArgCondition {
        if !matches!(self.width, ArgWidth::U64) {
            return *self;
        }
        let op = match self.op {
            CmpOp::MaskedEq(mask) => CmpOp::MaskedEq(mask & LOW_HALF),
            op => op,
        };
        ArgCondition {
            index: self.index,
            op,
            value: self.value & LOW_HALF,
            width: ArgWidth::U64,
        }
    }
}

const LOW_HALF: u64 = 0xffff_ffff;

impl fmt::Display for ArgCondition {
    /// The comparison as the DSL writes it for an argument of its width
    /// (`arg0 > 40`, `arg0 == -100`, `arg0 & 0xf0 == 0x10`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.width.render(self.value);
        match self.op {
            CmpOp::MaskedEq(mask) => write!(f, "arg{} & {:#x} == {value}", self.index, mask),
            op => write!(f, "arg{} {} {value}", self.index, op.symbol()),
        }
    }
}

/// When a rule is part of the filter: Docker's `includes` and `excludes`,
/// decided at install time against the [`Context`].
///
/// A rule applies when its `includes` all hold and none of its `excludes`
/// does: `includes` needs every listed capability, the native architecture
/// among `arches` and a kernel at least `min_kernel`; `excludes` skips the
/// rule on any listed capability, on a listed architecture, or on a kernel
/// at least `min_kernel`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Filter {
    /// Capability names (`CAP_SYS_ADMIN`), tested in the bounding set.
    pub caps: Cow<'static, [Cow<'static, str>]>,
    /// Architecture names as Docker spells them (`amd64`, `arm64`, `s390x`).
    pub arches: Cow<'static, [Cow<'static, str>]>,
    /// A kernel version.
    pub min_kernel: Option<KernelVersion>,
}

impl Filter {
    /// A filter that states nothing.
    pub const NONE: Filter = Filter {
        caps: Cow::Borrowed(&[]),
        arches: Cow::Borrowed(&[]),
        min_kernel: None,
    };

    /// Whether the filter states nothing.
    pub fn is_empty(&self) -> bool {
        self.caps.is_empty() && self.arches.is_empty() && self.min_kernel.is_none()
    }
}

/// One rule: an action for some syscalls, taken when every condition holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// The syscalls the rule applies to, by name.
    pub syscalls: Cow<'static, [Cow<'static, str>]>,
    /// Conditions that must all hold; none means the rule always applies.
    pub conditions: Cow<'static, [ArgCondition]>,
    /// What happens when the rule applies.
    pub action: Action,
    /// The rule is part of the filter only where these all hold.
    pub includes: Filter,
    /// The rule is left out where any of these holds.
    pub excludes: Filter,
    /// A note kept in the Docker profile.
    pub comment: Option<Cow<'static, str>>,
    /// Only for what runs before `install()` (a `startup { ... }` block):
    /// a program's start, a container's runtime. `install()` leaves the
    /// rule out ([`Policy::installed`]); a container, `seccomp-dsl run` and
    /// a child process started under the policy have it.
    pub startup: bool,
}

impl Rule {
    /// A rule for `syscalls`, with no filters and no comment.
    ///
    /// ```
    /// use seccomp_dsl_core::model::{Action, Rule};
    /// let rule = Rule::new(["read", "write"], [], Action::Allow);
    /// assert!(rule.names("read") && rule.is_unconditional());
    /// ```
    pub fn new<'a>(
        syscalls: impl IntoIterator<Item = &'a str>,
        conditions: impl IntoIterator<Item = ArgCondition>,
        action: Action,
    ) -> Rule {
        Rule {
            syscalls: syscalls
                .into_iter()
                .map(|name| Cow::Owned(name.to_string()))
                .collect(),
            conditions: conditions.into_iter().collect(),
            action,
            includes: Filter::NONE,
            excludes: Filter::NONE,
            comment: None,
            startup: false,
        }
    }

    /// Whether the rule has no argument conditions.
    pub fn is_unconditional(&self) -> bool {
        self.conditions.is_empty()
    }

    /// Whether the rule is part of the filter in every context.
    pub fn applies_everywhere(&self) -> bool {
        self.includes.is_empty() && self.excludes.is_empty()
    }

    /// Whether the rule names `syscall`.
    pub fn names(&self, syscall: &str) -> bool {
        self.syscalls.iter().any(|name| name == syscall)
    }

    /// Whether the rule is part of the filter installed in `context`, as
    /// Docker decides it.
    pub fn applies_in(&self, context: &Context) -> bool {
        self.applies_where(&context.arch, context.kernel, &|cap| {
            context.capabilities.iter().any(|held| held == cap)
        })
    }

    /// [`Rule::applies_in`] with the context given piecemeal: the native
    /// architecture (Docker's name), the kernel, and a test of the bounding
    /// set, asked only for the capabilities the rule names.
    pub fn applies_where(
        &self,
        arch: &str,
        kernel: KernelVersion,
        has_capability: &dyn Fn(&str) -> bool,
    ) -> bool {
        let kernel_at_least = |version: Option<KernelVersion>| version.map(|v| kernel >= v);
        let (includes, excludes) = (&self.includes, &self.excludes);
        let excluded = excludes.arches.iter().any(|a| a == arch)
            || excludes.caps.iter().any(|cap| has_capability(cap))
            || kernel_at_least(excludes.min_kernel) == Some(true);
        let included = (includes.arches.is_empty() || includes.arches.iter().any(|a| a == arch))
            && includes.caps.iter().all(|cap| has_capability(cap))
            && kernel_at_least(includes.min_kernel) != Some(false);
        included && !excluded
    }

    /// Whether the rule matches `syscall` called with `args`, filters aside.
    pub fn matches(&self, syscall: &str, args: &[u64; 6]) -> bool {
        self.names(syscall)
            && self
                .conditions
                .iter()
                .all(|condition| condition.holds_for(args[usize::from(condition.index)]))
    }

    /// [`Rule::matches`] for a call through `abi` (see [`ArgCondition::holds_on`]).
    pub fn matches_on(&self, abi: SeccompArch, syscall: &str, args: &[u64; 6]) -> bool {
        self.names(syscall)
            && self
                .conditions
                .iter()
                .all(|condition| condition.holds_on(abi, args[usize::from(condition.index)]))
    }
}

/// A whole seccomp policy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    /// The action for every call no rule applies to.
    pub default_action: Action,
    /// The rules, in source order.
    pub rules: Cow<'static, [Rule]>,
    /// The ABIs the filter covers.
    pub architectures: Architectures,
    /// Filter flags.
    pub flags: Cow<'static, [Flag]>,
}

/// How a syscall can get to run under a policy; see [`Policy::first_permit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permit {
    /// The rule at this index lets it run (perhaps only for some arguments).
    Rule(usize),
    /// The default action lets it run for calls no rule covers.
    Default,
}

impl Policy {
    /// A policy covering the native ABI, without flags.
    pub fn new(default_action: Action, rules: Vec<Rule>) -> Policy {
        Policy {
            default_action,
            rules: Cow::Owned(rules),
            architectures: Architectures::Native,
            flags: Cow::Borrowed(&[]),
        }
    }

    /// The policy `install()` applies: without the rules of `startup`
    /// blocks, which only what runs before it needs.
    ///
    /// ```
    /// use seccomp_dsl_core::model::{Action, Policy, Rule};
    /// let mut start = Rule::new(["execve"], [], Action::Allow);
    /// start.startup = true;
    /// let policy = Policy::new(Action::Errno(1), vec![Rule::new(["read"], [], Action::Allow), start]);
    /// assert_eq!(policy.installed().rules.len(), 1);
    /// assert_eq!(policy.rules.len(), 2);
    /// ```
    pub fn installed(&self) -> Cow<'_, Policy> {
        if !self.rules.iter().any(|rule| rule.startup) {
            return Cow::Borrowed(self);
        }
        Cow::Owned(Policy {
            rules: (self.rules.iter())
                .filter(|rule| !rule.startup)
                .cloned()
                .collect::<Vec<_>>()
                .into(),
            ..self.clone()
        })
    }

    /// The rules that apply in `context` on the `native` ABI, and the ABIs
    /// covered: what the policy means there, before any engine adds to it.
    /// [`Policy::resolve`] is this, as the target engine installs it.
    pub fn applicable(&self, context: &Context, native: SeccompArch) -> Resolved<'_> {
        Resolved {
            default_action: self.default_action,
            rules: (self.rules.iter())
                .filter(|rule| rule.applies_in(context))
                .collect(),
            architectures: self.architectures.covered(native),
            listed: self.architectures.lists_for(native),
            flags: &self.flags,
            enosys_stub: EnosysStub::default(),
        }
    }

    /// The first way `syscall` can get to run (by `allow`, `log` or
    /// `trace`), for some arguments in some context at least; `None` if it
    /// never can.
    pub fn first_permit(&self, syscall: &str) -> Option<Permit> {
        let mut rules = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.names(syscall));
        if let Some((index, _)) = rules.clone().find(|(_, rule)| rule.action.may_run_call()) {
            return Some(Permit::Rule(index));
        }
        let always_covered =
            rules.any(|(_, rule)| rule.is_unconditional() && rule.applies_everywhere());
        (!always_covered && self.default_action.may_run_call()).then_some(Permit::Default)
    }

    /// Every syscall name the policy mentions, once each, in order of appearance.
    pub fn syscall_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for name in self.rules.iter().flat_map(|rule| rule.syscalls.iter()) {
            if !names.contains(&name.as_ref()) {
                names.push(name);
            }
        }
        names
    }
}

/// How the containers a policy is shipped to run, as far as their
/// runtime's calls go (`container ...;` in the DSL).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContainerSettings {
    /// With no-new-privileges (`--security-opt no-new-privileges`, `ctr
    /// run`'s default, Kubernetes' `allowPrivilegeEscalation: false`): runc
    /// loads the filter just before `execve`, and makes fewer calls after.
    pub no_new_privileges: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_docker_architecture_name_stands_for_one_abi() {
        for name in DOCKER_ARCHES {
            let arch = SeccompArch::from_docker_arch(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(arch.docker_arch(), Some(name));
        }
        assert_eq!(SeccompArch::from_docker_arch("x86_64"), None);
        #[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
        assert_eq!(native_docker_arch(), Some("amd64"));
    }
}
