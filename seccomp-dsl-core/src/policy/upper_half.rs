//! Comparisons of all 64 bits of an argument that the kernel reads
//! narrower, and the calls they decide differently from what the kernel
//! then does.
//!
//! The kernel reads an `int` argument from the low 32 bits of its register
//! (see [`crate::signatures`]). A rule that compares all 64 bits (a Docker
//! profile's, or one written `argN as u64`) sees the upper half too, so a
//! caller that sets it gets the decision of another value than the one the
//! kernel acts on. Docker's default profile denies `socket(40, …)`
//! (`AF_VSOCK`) with `arg0 > 40` and `arg0 < 38` on 64 bits; the call
//! `socket(0x1_0000_0028, …)` passes and the kernel creates an `AF_VSOCK`
//! socket. [`witnesses`] finds such calls for every comparison of a policy.

use std::fmt;

use crate::constants::CAPABILITIES;
use crate::model::{
    Action, ArgCondition, ArgWidth, CmpOp, Context, KernelVersion, Policy, Rule, SeccompArch,
    DOCKER_CONTAINER_CAPABILITIES,
};
use crate::signatures;

/// How the kernel reads argument `index` of `syscall` on the 64-bit ABIs:
/// `None` where its declaration is unknown or has no such argument.
///
/// ```
/// use seccomp_dsl_core::{model::ArgWidth, upper_half::kernel_width};
/// assert_eq!(kernel_width("socket", 0), Some(ArgWidth::I32));
/// assert_eq!(kernel_width("mmap", 2), Some(ArgWidth::U64));
/// assert_eq!(kernel_width("close", 3), None);
/// ```
pub fn kernel_width(syscall: &str, index: u8) -> Option<ArgWidth> {
    signatures::lookup(syscall)?
        .arguments()
        .get(usize::from(index))
        .map(signatures::Argument::width)
}

/// How the kernel reads the argument `condition` compares on all 64 bits,
/// where that is narrower and the comparison decides some call unlike the
/// kernel (so it wants `#[allow(upper_half_bypass)]`); `None` otherwise.
///
/// ```
/// use seccomp_dsl_core::model::{ArgCondition, ArgWidth, CmpOp};
/// use seccomp_dsl_core::upper_half::reads_narrower;
/// let vsock = ArgCondition::new(0, CmpOp::Eq, 40);
/// assert_eq!(reads_narrower("socket", &vsock), Some(ArgWidth::I32));
/// assert_eq!(reads_narrower("mmap", &vsock), None);
/// let low_bits = ArgCondition::new(0, CmpOp::MaskedEq(0xff), 40);
/// assert_eq!(reads_narrower("socket", &low_bits), None);
/// ```
pub fn reads_narrower(syscall: &str, condition: &ArgCondition) -> Option<ArgWidth> {
    if condition.width != ArgWidth::U64 {
        return None;
    }
    let width = kernel_width(syscall, condition.index)?;
    (width != ArgWidth::U64 && local_witness(condition, width).is_some()).then_some(width)
}

/// The same comparison made on the bits the kernel reads at `width`; `None`
/// when the value has bits the kernel never reads.
pub fn as_kernel_reads(condition: &ArgCondition, width: ArgWidth) -> Option<ArgCondition> {
    let (mask, value) = match condition.op {
        CmpOp::MaskedEq(mask) => (mask, condition.value & mask),
        _ => (u64::MAX, condition.value),
    };
    let fits = if width.is_signed() {
        // A sign-extended value is the same number.
        let sign_extended = value | !width.mask();
        value <= width.mask() || (value == sign_extended && mask == u64::MAX)
    } else {
        value <= width.mask()
    };
    let op = match condition.op {
        CmpOp::MaskedEq(mask) => CmpOp::MaskedEq(mask & width.mask()),
        op => op,
    };
    fits.then_some(ArgCondition {
        op,
        value: value & width.mask(),
        width,
        ..*condition
    })
}

/// A register value whose low bits the kernel reads as `kernel_reads`, and
/// which `condition` decides unlike `kernel_reads` passed as the kernel
/// reads it; `None` when the comparison decides every call as the kernel
/// reads it (a mask within the narrow bits).
pub fn local_witness(condition: &ArgCondition, width: ArgWidth) -> Option<(u64, u64)> {
    let read = as_kernel_reads(condition, width);
    candidates(&[condition.value], width).find(|&(register, kernel_reads)| {
        let as_read = read.is_some_and(|read| read.holds_for(kernel_reads));
        condition.holds_for(register) != as_read
    })
}

/// `(register, what the kernel reads of it)` pairs around the constants:
/// the read value with another upper half, zero-extended and sign-extended.
fn candidates(constants: &[u64], width: ArgWidth) -> impl Iterator<Item = (u64, u64)> {
    let mask = width.mask();
    let mut reads = Vec::new();
    for &constant in constants {
        for delta in [0u64, 1, u64::MAX, 2, u64::MAX - 1] {
            reads.push(constant.wrapping_add(delta) & mask);
        }
    }
    reads.extend([0, 1, mask, width.sign_bit(), mask >> 1]);
    // The values nearest the first constants come first; each once.
    let mut seen = std::collections::HashSet::new();
    reads.retain(|read| seen.insert(*read));
    let above = mask.wrapping_add(1);
    reads.into_iter().flat_map(move |read| {
        let sign_extended = if width.is_signed() && read & width.sign_bit() != 0 {
            read | !mask
        } else {
            read
        };
        [
            (read | above, read),
            (sign_extended, sign_extended),
            (read, sign_extended),
            (sign_extended, read),
            (read | !mask, read),
        ]
        .into_iter()
        .filter(move |&(register, _)| register & mask == read)
    })
}

/// A call that a 64-bit comparison of a narrow argument decides unlike the
/// call the kernel then runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// The rule with the comparison, an index into [`Policy::rules`].
    pub rule: usize,
    /// The comparison, an index into that rule's conditions.
    pub condition: usize,
    /// The syscall called.
    pub syscall: String,
    /// How the kernel reads the argument.
    pub width: ArgWidth,
    /// The arguments as passed, upper half set.
    pub passed: [u64; 6],
    /// The same call as the kernel reads it: the argument's upper half as
    /// the type would have it (zero, or the sign extended).
    pub read: [u64; 6],
    /// What the policy does with `passed`.
    pub passed_action: Action,
    /// What the policy does with `read`, which the kernel runs the same way.
    pub read_action: Action,
}

impl Witness {
    /// Whether the call as passed runs while the call the kernel runs the
    /// same way does not: a walk around the policy.
    pub fn is_bypass(&self) -> bool {
        self.passed_action.may_run_call() && !self.read_action.may_run_call()
    }
}

/// `name(0x1_0000_0028, …)`: the arguments up to `shown`, and `…` for
/// the rest of the `count` the syscall takes.
pub fn render_call(name: &str, args: &[u64; 6], shown: usize, count: usize) -> String {
    let shown = shown.min(count).min(6);
    let mut parts: Vec<String> = args[..shown].iter().map(|&v| grouped_hex(v)).collect();
    if shown < count {
        parts.push("…".to_string());
    }
    format!("{name}({})", parts.join(", "))
}

/// `0x1_0000_0028`: hex in groups of four digits.
pub fn grouped_hex(value: u64) -> String {
    let digits = format!("{value:x}");
    let mut out = String::new();
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position) % 4 == 0 {
            out.push('_');
        }
        out.push(digit);
    }
    format!("0x{out}")
}

impl fmt::Display for Witness {
    /// "`socket(0x1_0000_0028, …)` gets allow, while the kernel runs it as
    /// `socket(0x28, …)`, which gets errno(1)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = signatures::lookup(&self.syscall).map_or(6, |s| s.arguments().len());
        // Up to the last argument that differs from zero or between the two.
        let shown = (0..6)
            .rev()
            .find(|&i| self.passed[i] != 0 || self.read[i] != 0)
            .map_or(1, |i| i + 1);
        write!(
            f,
            "`{}` gets {}, while the kernel runs it as `{}`, which gets {}",
            render_call(&self.syscall, &self.passed, shown, count),
            self.passed_action,
            render_call(&self.syscall, &self.read, shown, count),
            self.read_action,
        )
    }
}

/// For each 64-bit comparison of a policy on an argument the kernel reads
/// narrower, and each syscall of its rule, the call (if any) it makes the
/// policy decide unlike the call the kernel runs (see [`witness`]); in rule
/// order.
///
/// ```
/// use seccomp_dsl_core::{model::*, upper_half::witnesses};
/// let netlink = ArgCondition::new(0, CmpOp::Eq, 16);
/// let policy = Policy::new(Action::Allow, vec![Rule::new(["socket"], [netlink], Action::Errno(13))]);
/// let found = witnesses(&policy);
/// assert!(found[0].is_bypass());
/// assert_eq!(found[0].passed[0], 0x1_0000_0010);
/// ```
pub fn witnesses(policy: &Policy) -> Vec<Witness> {
    let mut found = Vec::new();
    for (rule_index, rule) in policy.rules.iter().enumerate() {
        for condition_index in 0..rule.conditions.len() {
            for name in rule.syscalls.iter() {
                found.extend(witness(policy, rule_index, condition_index, name));
            }
        }
    }
    found
}

/// A call to `syscall` that condition `condition_index` of rule
/// `rule_index` makes the policy decide unlike the call the kernel runs, a
/// bypass preferred; `None` if the comparison reads what the kernel reads,
/// or if the rest of the policy decides every such call the same.
pub fn witness(
    policy: &Policy,
    rule_index: usize,
    condition_index: usize,
    syscall: &str,
) -> Option<Witness> {
    let rule = policy.rules.get(rule_index)?;
    let condition = rule.conditions.get(condition_index)?;
    let width = reads_narrower(syscall, condition)?;
    let (context, abi) = context_where_applies(rule)?;
    let resolved = policy.resolve(&context, abi);
    let base = satisfying_arguments(rule);
    let constants: Vec<u64> = std::iter::once(condition.value)
        .chain(
            (policy.rules.iter())
                .filter(|other| other.names(syscall))
                .flat_map(|other| other.conditions.iter())
                .filter(|other| other.index == condition.index)
                .map(|other| other.value),
        )
        .collect();
    let index = usize::from(condition.index);
    let mut first: Option<Witness> = None;
    for (register, kernel_reads) in candidates(&constants, width) {
        let (mut passed, mut read) = (base, base);
        passed[index] = register;
        read[index] = kernel_reads;
        // A call this comparison decides: the rule matches one of the two
        // and not the other.
        if rule.matches_on(abi, syscall, &passed) == rule.matches_on(abi, syscall, &read) {
            continue;
        }
        let passed_action = resolved.decide_on(abi, syscall, &passed);
        let read_action = resolved.decide_on(abi, syscall, &read);
        if passed_action == read_action {
            continue;
        }
        let witness = Witness {
            rule: rule_index,
            condition: condition_index,
            syscall: syscall.to_string(),
            width,
            passed,
            read,
            passed_action,
            read_action,
        };
        if witness.is_bypass() {
            return Some(witness);
        }
        first.get_or_insert(witness);
    }
    first
}

/// Arguments that meet every comparison of `rule` that is easy to meet.
fn satisfying_arguments(rule: &Rule) -> [u64; 6] {
    let mut args = [0u64; 6];
    for condition in rule.conditions.iter() {
        let value = condition.value;
        let chosen = match condition.op {
            CmpOp::Eq | CmpOp::Le | CmpOp::Ge | CmpOp::MaskedEq(_) => value,
            CmpOp::Ne | CmpOp::Gt => value.wrapping_add(1),
            CmpOp::Lt => value.wrapping_sub(1),
        };
        if let Some(slot) = args.get_mut(usize::from(condition.index)) {
            *slot = chosen;
        }
    }
    args
}

/// A context in which `rule` is part of the filter, and its native 64-bit ABI.
fn context_where_applies(rule: &Rule) -> Option<(Context, SeccompArch)> {
    let all_caps: Vec<&str> = CAPABILITIES
        .constants
        .iter()
        .map(|(name, _)| *name)
        .collect();
    let cap_sets: [&[&str]; 3] = [&[], &DOCKER_CONTAINER_CAPABILITIES, &all_caps];
    let arches = rule
        .includes
        .arches
        .iter()
        .map(|a| a.as_ref())
        .chain(["amd64", "arm64"]);
    let kernels = [
        rule.includes.min_kernel,
        Some(KernelVersion { major: 6, minor: 1 }),
        Some(KernelVersion { major: 3, minor: 0 }),
    ];
    for arch in arches {
        let Some(abi) = SeccompArch::from_docker_arch(arch).filter(|a| !a.has_32_bit_arguments())
        else {
            continue;
        };
        for caps in cap_sets {
            for kernel in kernels.into_iter().flatten() {
                let context = Context {
                    arch: arch.to_string().into(),
                    capabilities: caps.iter().map(|c| (*c).into()).collect(),
                    kernel,
                };
                if rule.applies_in(&context) {
                    return Some((context, abi));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docker_style_socket_policy() -> Policy {
        let rules = vec![
            Rule::new(
                ["socket"],
                [ArgCondition::new(0, CmpOp::Lt, 38)],
                Action::Allow,
            ),
            Rule::new(
                ["socket"],
                [ArgCondition::new(0, CmpOp::Eq, 39)],
                Action::Allow,
            ),
            Rule::new(
                ["socket"],
                [ArgCondition::new(0, CmpOp::Gt, 40)],
                Action::Allow,
            ),
        ];
        Policy::new(Action::Errno(1), rules)
    }

    #[test]
    fn docker_socket_rules_let_af_vsock_through_with_an_upper_half() {
        let found = witnesses(&docker_style_socket_policy());
        let bypass = found.iter().find(|w| w.is_bypass()).expect("a bypass");
        assert_eq!(bypass.syscall, "socket");
        assert_eq!(bypass.passed[0] & 0xffff_ffff, bypass.read[0] & 0xffff_ffff);
        assert!(matches!(bypass.read[0] & 0xffff_ffff, 38 | 40));
        assert_eq!(bypass.passed_action, Action::Allow);
    }

    #[test]
    fn masks_within_the_narrow_bits_decide_as_the_kernel_reads() {
        let condition = ArgCondition::new(0, CmpOp::MaskedEq(0xff), 0x10);
        assert_eq!(local_witness(&condition, ArgWidth::I32), None);
        let wide_mask = ArgCondition::new(0, CmpOp::MaskedEq(u64::MAX), 0x10);
        assert!(local_witness(&wide_mask, ArgWidth::I32).is_some());
        let policy = Policy::new(
            Action::Errno(1),
            vec![Rule::new(["socket"], [condition], Action::Allow)],
        );
        assert!(witnesses(&policy).is_empty());
    }

    #[test]
    fn hex_is_grouped_by_four_digits() {
        assert_eq!(grouped_hex(0x1_0000_0028), "0x1_0000_0028");
        assert_eq!(grouped_hex(0x28), "0x28");
        assert_eq!(
            render_call("close", &[3, 0, 0, 0, 0, 0], 1, 1),
            "close(0x3)"
        );
        assert_eq!(
            render_call("socket", &[40, 0, 0, 0, 0, 0], 1, 3),
            "socket(0x28, …)"
        );
    }
}
