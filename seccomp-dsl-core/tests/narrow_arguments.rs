//! Random policies over arguments the kernel reads as 32 or 16 bits: a
//! call, and the same call with the upper halves of those arguments changed
//! (zero, sign-extended, garbage), get one decision, the one the bits the
//! kernel reads call for, from the model, the BPF program and the Docker
//! profile read back alike.

use proptest::prelude::*;
use seccomp_dsl_core::bpf::emulate::{run, SeccompData};
use seccomp_dsl_core::bpf::{self, audit_arch, reference};
use seccomp_dsl_core::model::{
    Action, ArgCondition, ArgWidth, CmpOp, Context, KernelVersion, Policy, Rule, SeccompArch,
};
use seccomp_dsl_core::{docker, syscalls};

/// Narrow arguments: syscall, index, and how the kernel reads it.
const ARGUMENTS: [(&str, u8, ArgWidth); 6] = [
    ("socket", 0, ArgWidth::I32),
    ("socket", 1, ArgWidth::I32),
    ("fcntl", 1, ArgWidth::U32),
    ("fchmodat", 2, ArgWidth::U16),
    ("kill", 0, ArgWidth::I32),
    ("personality", 0, ArgWidth::U32),
];

const VALUES: [i64; 15] = [
    -100,
    -2,
    -1,
    0,
    1,
    2,
    38,
    40,
    0x7fff,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    -0x8000_0000,
    0x8000_0000,
    0xffff_ffff,
];

const MASKS: [u64; 5] = [0xff, 0xf0, 0xffff, 0x8000_0000, 0xffff_ff00];

const OPS: [CmpOp; 6] = [
    CmpOp::Eq,
    CmpOp::Ne,
    CmpOp::Lt,
    CmpOp::Le,
    CmpOp::Gt,
    CmpOp::Ge,
];

const ACTIONS: [Action; 4] = [
    Action::Allow,
    Action::Errno(1),
    Action::Errno(13),
    Action::Log,
];

fn condition(argument: usize) -> impl Strategy<Value = ArgCondition> {
    let (_, index, width) = ARGUMENTS[argument];
    (0..OPS.len() + 1, 0..VALUES.len(), 0..MASKS.len()).prop_map(move |(op, value, mask)| {
        let value = VALUES[value] as u64 & width.mask();
        let op = match OPS.get(op) {
            Some(op) => *op,
            None => CmpOp::MaskedEq(MASKS[mask] & width.mask()),
        };
        let value = match op {
            CmpOp::MaskedEq(mask) => value & mask,
            _ => value,
        };
        ArgCondition {
            index,
            op,
            value,
            width,
        }
    })
}

/// A rule of one or two comparisons of one narrow argument.
fn rule() -> impl Strategy<Value = Rule> {
    (0..ARGUMENTS.len(), 0..ACTIONS.len())
        .prop_flat_map(|(argument, action)| {
            (
                Just(argument),
                Just(action),
                prop::collection::vec(condition(argument), 1..3),
            )
        })
        .prop_map(|(argument, action, conditions)| {
            Rule::new([ARGUMENTS[argument].0], conditions, ACTIONS[action])
        })
}

/// The register values whose narrow bits are `bits`: zero-extended,
/// sign-extended, and with garbage above.
fn registers(bits: u64, width: ArgWidth, garbage: u64) -> [u64; 4] {
    let sign_extended = if width.sign_bit() & bits != 0 || !width.is_signed() {
        bits | !width.mask()
    } else {
        bits
    };
    [
        bits,
        sign_extended,
        bits | (garbage & !width.mask()),
        bits | (1 << 32),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn upper_halves_never_change_a_decision(
        rules in prop::collection::vec(rule(), 1..5),
        default in 0..ACTIONS.len(),
        with_x86 in any::<bool>(),
        garbage in any::<u64>(),
    ) {
        let abis: &[SeccompArch] = if with_x86 {
            &[SeccompArch::X86_64, SeccompArch::X86]
        } else {
            &[SeccompArch::X86_64]
        };
        let policy = Policy::new(ACTIONS[default], rules);
        let context = Context {
            arch: "amd64".into(),
            capabilities: vec![],
            kernel: KernelVersion { major: 6, minor: 1 },
        };
        let mut resolved = policy.resolve(&context, SeccompArch::X86_64);
        resolved.architectures = abis.to_vec();
        let program = bpf::compile(&resolved).unwrap();
        let read_back = docker::from_json(&docker::to_json(&policy)).unwrap();
        let mut read_back_resolved = read_back.resolve(&context, SeccompArch::X86_64);
        read_back_resolved.architectures = abis.to_vec();
        for &(name, index, width) in &ARGUMENTS {
            let Some(entry) = syscalls::lookup(name) else { continue };
            for &value in &VALUES {
                for delta in [0u64, 1, u64::MAX] {
                    let bits = (value as u64).wrapping_add(delta) & width.mask();
                    let mut canonical = [0u64; 6];
                    canonical[usize::from(index)] = bits;
                    let expected = resolved.decide_on(SeccompArch::X86_64, name, &canonical);
                    for register in registers(bits, width, garbage) {
                        let mut args = canonical;
                        args[usize::from(index)] = register;
                        let model = resolved.decide_on(SeccompArch::X86_64, name, &args);
                        prop_assert_eq!(model, expected, "model: {}{:x?}", name, args);
                        let from_json = read_back_resolved.decide_on(SeccompArch::X86_64, name, &args);
                        prop_assert_eq!(from_json, expected, "Docker JSON: {}{:x?}", name, args);
                        for &abi in abis {
                            let Some(nr) = entry.number(abi.syscall_table()) else { continue };
                            let call = SeccompData {
                                nr: (nr + bpf::number_bias(abi)) as i32,
                                arch: audit_arch(abi).unwrap(),
                                instruction_pointer: 0,
                                args,
                            };
                            let want = reference::decide(&resolved, call.arch, nr, &args);
                            prop_assert_eq!(run(&program, &call), Ok(want), "BPF: {}{:x?} on {:?}", name, args, abi);
                            if abi == SeccompArch::X86_64 {
                                prop_assert_eq!(want, bpf::return_value(expected));
                            }
                        }
                    }
                }
            }
        }
    }
}
