//! Random policies, valid or not (rules may overlap with different
//! actions: the first that matches wins), compiled to BPF: the program is
//! proven to decide every call as the model does (by `decide`, against
//! the model's decision diagram), on every ABI, 64-bit and 32-bit; and
//! the diagram answers calls near the policy's constants as the model's
//! reference does. And what the checks accept, the port of libseccomp's
//! rule database builds as the model means it.

use proptest::prelude::*;
use seccomp_dsl_core::bpf::emulate::{run, SeccompData};
use seccomp_dsl_core::bpf::{self, audit_arch, reference, X32_SYSCALL_BIT};
use seccomp_dsl_core::model::{
    Action, ArgCondition, CmpOp, Context, KernelVersion, Policy, Rule, SeccompArch,
};
use seccomp_dsl_core::{decide, syscalls};

const SYSCALLS: [&str; 8] = [
    "read",
    "write",
    "personality",
    "getpid",
    "socket",
    "ioctl",
    "mmap",
    "_llseek",
];

const VALUES: [u64; 10] = [
    0,
    1,
    8,
    0x5400,
    0xffff_ffff,
    1 << 32,
    0x1_0000_0008,
    0x1234_0000_0000_0100,
    0xffff_ffff_0000_0000,
    u64::MAX,
];

const MASKS: [u64; 6] = [
    0xff,
    0xffff_ff00,
    0xffff_ffff,
    0xffff_0000_0000_ff00,
    0xffff_ffff_ffff_ff00,
    0x00ff_0000_0000_0001,
];

const ACTIONS: [Action; 5] = [
    Action::Allow,
    Action::Errno(1),
    Action::Errno(13),
    Action::KillProcess,
    Action::Log,
];

const ABI_SETS: [&[SeccompArch]; 4] = [
    &[SeccompArch::X86_64],
    &[SeccompArch::X86_64, SeccompArch::X86, SeccompArch::X32],
    &[SeccompArch::X86],
    &[SeccompArch::Aarch64, SeccompArch::Arm],
];

fn condition() -> impl Strategy<Value = ArgCondition> {
    (
        0..3u8,
        0..7usize,
        0..VALUES.len(),
        0..MASKS.len(),
        any::<u64>(),
        any::<bool>(),
    )
        .prop_map(|(index, op, value, mask, random, use_random)| {
            let value = if use_random { random } else { VALUES[value] };
            let op = match op {
                0 => CmpOp::Eq,
                1 => CmpOp::Ne,
                2 => CmpOp::Lt,
                3 => CmpOp::Le,
                4 => CmpOp::Gt,
                5 => CmpOp::Ge,
                _ => CmpOp::MaskedEq(MASKS[mask]),
            };
            let value = match op {
                CmpOp::MaskedEq(mask) => value & mask,
                _ => value,
            };
            ArgCondition::new(index, op, value)
        })
}

/// Rules on the syscalls above, or, to give the number search more to do,
/// on any of the table's.
fn rule() -> impl Strategy<Value = Rule> {
    let table = syscalls::all();
    (
        prop::sample::subsequence(SYSCALLS.to_vec(), 1..3),
        prop::collection::vec(0..table.len(), 0..12),
        prop::collection::vec(condition(), 0..3),
        0..ACTIONS.len(),
    )
        .prop_map(move |(names, others, mut conditions, action)| {
            // One comparison per argument, as the language allows.
            conditions.sort_by_key(|condition| condition.index);
            conditions.dedup_by_key(|condition| condition.index);
            let names = names
                .into_iter()
                .chain(others.into_iter().map(|index| table[index].name()));
            Rule::new(names, conditions, ACTIONS[action])
        })
}

/// Calls near the policy's constants, through each covered ABI.
fn calls(policy: &Policy, abis: &[SeccompArch], seed: u64) -> Vec<SeccompData> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let constants: Vec<u64> = policy
        .rules
        .iter()
        .flat_map(|rule| rule.conditions.iter())
        .flat_map(|condition| match condition.op {
            CmpOp::MaskedEq(mask) => vec![condition.value, condition.value | !mask],
            _ => vec![condition.value],
        })
        .chain(VALUES)
        .collect();
    let mut calls = Vec::new();
    for &abi in abis {
        let audit = audit_arch(abi).unwrap();
        let bias = bpf::number_bias(abi);
        let named = policy.rules.iter().flat_map(|rule| rule.syscalls.iter());
        let mut numbers: Vec<u32> = named
            .filter_map(|name| syscalls::lookup(name)?.number(abi.syscall_table()))
            .flat_map(|nr| [nr.saturating_sub(1), nr, nr + 1])
            .chain([0, 0x3fff_ffff, !X32_SYSCALL_BIT])
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        for nr in numbers {
            for _ in 0..8 {
                let mut args = [0u64; 6];
                for arg in &mut args[..3] {
                    let base = constants[next() as usize % constants.len()];
                    let nudged = base.wrapping_add(next() % 3).wrapping_sub(1);
                    *arg = match next() % 4 {
                        0 => next(),
                        1 => nudged ^ (next() << 32),
                        _ => nudged,
                    };
                }
                calls.push(SeccompData {
                    nr: (nr + bias) as i32,
                    arch: audit,
                    instruction_pointer: 0,
                    args,
                });
            }
        }
    }
    calls
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn compiled_programs_decide_as_the_model(
        rules in prop::collection::vec(rule(), 1..8),
        default in 0..ACTIONS.len(),
        abis in 0..ABI_SETS.len(),
        seed in any::<u64>(),
    ) {
        let abis = ABI_SETS[abis];
        let policy = Policy::new(ACTIONS[default], rules);
        let context = Context {
            arch: abis[0].docker_arch().unwrap().into(),
            capabilities: vec![],
            kernel: KernelVersion { major: 6, minor: 1 },
        };
        let mut resolved = policy.resolve(&context, abis[0]);
        resolved.architectures = abis.to_vec();
        let program = bpf::compile(&resolved).unwrap();
        let filters = [program.clone()];
        let verdict = decide::compare(&decide::Side::Filters(&filters), &decide::Side::Policy(&resolved));
        prop_assert!(matches!(verdict, decide::Verdict::Same(_)), "{:x?}", verdict);
        let diagram = decide::policy::Dag::of(&resolved);
        for call in calls(&policy, abis, seed) {
            let expected = reference::decide(&resolved, call.arch, call.nr as u32, &call.args);
            prop_assert_eq!(diagram.eval(&call), expected, "{:x?}", call);
            prop_assert_eq!(run(&program, &call), Ok(expected), "{:x?}", call);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// Two random policies: where the procedure says they answer alike,
    /// they do on every call tried near both policies' constants (where it
    /// finds a difference, it has confirmed it on the model itself).
    #[test]
    fn policies_said_alike_answer_alike(
        first in prop::collection::vec(rule(), 1..5),
        second in prop::collection::vec(rule(), 1..5),
        share in any::<bool>(),
        default in 0..ACTIONS.len(),
        seed in any::<u64>(),
    ) {
        let abis = ABI_SETS[1];
        let context = Context {
            arch: "amd64".into(),
            capabilities: vec![],
            kernel: KernelVersion { major: 6, minor: 1 },
        };
        // Often the same rules with one more: a small difference to find.
        let second = if share {
            first.iter().cloned().chain(second.into_iter().take(1)).collect()
        } else {
            second
        };
        let (before, after) = (Policy::new(ACTIONS[default], first), Policy::new(ACTIONS[default], second));
        let (mut old, mut new) = (before.resolve(&context, abis[0]), after.resolve(&context, abis[0]));
        old.architectures = abis.to_vec();
        new.architectures = abis.to_vec();
        let verdict = decide::compare(&decide::Side::Policy(&old), &decide::Side::Policy(&new));
        if let decide::Verdict::Same(_) = verdict {
            let mut both = before.clone();
            both.rules.to_mut().extend(after.rules.iter().cloned());
            for call in calls(&both, abis, seed) {
                prop_assert_eq!(
                    reference::decide(&old, call.arch, call.nr as u32, &call.args),
                    reference::decide(&new, call.arch, call.nr as u32, &call.args),
                    "said alike, differ on {:x?}", call
                );
            }
        } else {
            prop_assert!(matches!(verdict, decide::Verdict::Differ(_)), "{:?}", verdict);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// What the checks accept, libseccomp 2.5.4 takes as the model means it:
    /// each syscall's rules in the exact form the Docker export writes,
    /// added in order as runc adds them to the port of libseccomp's rule
    /// database, are never refused, never loop, and answer every call near
    /// the policy's constants as the model does, on x86_64. (Policies the
    /// `libseccomp_miscompiles` lint flags are left out: it says so.)
    #[test]
    fn accepted_policies_are_what_libseccomp_builds(
        rules in prop::collection::vec(rule(), 1..12),
        default in 0..ACTIONS.len(),
        seed in any::<u64>(),
    ) {
        use seccomp_dsl_core::engines::{self, libseccomp_db::SyscallRules};
        // The rules the checks refuse are left out, one at a time, so that
        // what remains is a policy they accept.
        let mut policy = Policy::new(ACTIONS[default], rules);
        while let Some(problem) = seccomp_dsl_core::validate::validate(&policy).first() {
            policy.rules.to_mut().remove(problem.rule);
        }
        if policy.rules.is_empty() || !engines::miscompiled_by_libseccomp(&policy).is_empty() {
            return Ok(());
        }
        let context = Context {
            arch: "amd64".into(),
            capabilities: vec![],
            kernel: KernelVersion { major: 6, minor: 1 },
        };
        let resolved = policy.applicable(&context, SeccompArch::X86_64);
        let calls = calls(&policy, &[SeccompArch::X86_64], seed);
        for name in policy.syscall_names() {
            let entries: Vec<(Vec<ArgCondition>, Action)> = (policy.rules.iter())
                .filter(|rule| rule.names(name))
                .flat_map(|rule| seccomp_dsl_core::exact::rules(rule).into_owned())
                .map(|rule| (rule.conditions.to_vec(), rule.action))
                .collect();
            let tree = SyscallRules::build(&entries, true);
            prop_assert!(tree.is_ok(), "{name}: {:?}: {:?}", tree.as_ref().err(), entries);
            let tree = tree.unwrap();
            let Some(number) = syscalls::lookup(name)
                .and_then(|entry| entry.number(SeccompArch::X86_64.syscall_table()))
            else {
                continue;
            };
            for call in calls.iter().filter(|call| call.nr as u32 == number) {
                let answer = tree.decide(&call.args, true).unwrap_or(policy.default_action);
                prop_assert_eq!(
                    answer,
                    resolved.decide(name, &call.args),
                    "{} {:x?}: {:?}", name, call.args, entries
                );
            }
        }
    }
}
