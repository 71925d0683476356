use super::*;
use crate::bpf::emulate::{run, SeccompData};
use crate::bpf::reference;
use crate::model::{Action, Architectures, Context, KernelVersion, Policy, Rule};
use std::borrow::Cow;

fn cond(index: u8, op: CmpOp, value: u64) -> ArgCondition {
    ArgCondition::new(index, op, value)
}

/// A small xorshift generator: the same inputs on every run.
struct Inputs(u64);

impl Inputs {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value near one of `interesting`, or a random one.
    fn value(&mut self, interesting: &[u64]) -> u64 {
        let pick = self.next();
        match pick % 4 {
            0 => self.next(),
            _ => {
                let base = interesting[(pick >> 8) as usize % interesting.len()];
                let delta = (self.next() % 5) as i64 - 2;
                let high_flip = if self.next() % 4 == 0 {
                    self.next() << 32
                } else {
                    0
                };
                base.wrapping_add_signed(delta) ^ high_flip
            }
        }
    }
}

fn check(policy: &Policy, arches: &[SeccompArch], calls: usize) {
    let context = Context {
        arch: "amd64".into(),
        capabilities: vec![],
        kernel: KernelVersion { major: 6, minor: 1 },
    };
    let mut resolved = policy.resolve(&context, arches[0]);
    resolved.architectures = arches.to_vec();
    let program = compile(&resolved).unwrap();
    let constants: Vec<u64> = policy
        .rules
        .iter()
        .flat_map(|rule| {
            rule.conditions
                .iter()
                .flat_map(|c| [c.value, if let CmpOp::MaskedEq(m) = c.op { m } else { 0 }])
        })
        .chain([0, u64::MAX, 1 << 32, 0xffff_ffff])
        .collect();
    let audits: Vec<u32> = arches
        .iter()
        .filter_map(|a| audit_arch(*a))
        .chain([0x4000_0028, 0xdead])
        .collect();
    let mut inputs = Inputs(0x9e37_79b9_7f4a_7c15);
    for _ in 0..calls {
        let arch = audits[inputs.next() as usize % audits.len()];
        let nr = match inputs.next() % 3 {
            0 => (inputs.next() % 500) as u32,
            1 => X32_SYSCALL_BIT | (inputs.next() % 600) as u32,
            _ => inputs.next() as u32,
        };
        let args = [0; 6].map(|_| inputs.value(&constants));
        let data = SeccompData {
            nr: nr as i32,
            arch,
            instruction_pointer: 0,
            args,
        };
        let expected = reference::decide(&resolved, arch, nr, &args);
        assert_eq!(
            run(&program, &data),
            Ok(expected),
            "{data:x?}\n{}",
            crate::bpf::disasm::listing(&program)
        );
    }
}

#[test]
fn every_shape_of_rule_decides_as_the_model() {
    let policy = Policy::new(
        Action::Errno(1),
        vec![
            Rule::new(["read", "write", "close"], [], Action::Allow),
            Rule::new(
                ["getpid"],
                [
                    cond(0, CmpOp::Eq, 1),
                    cond(1, CmpOp::MaskedEq(0xff00), 0x1200),
                ],
                Action::Allow,
            ),
            Rule::new(
                ["getpid"],
                [cond(0, CmpOp::Eq, 2), cond(2, CmpOp::Gt, 0xffff_ffff)],
                Action::Errno(13),
            ),
            Rule::new(
                ["getpid"],
                [cond(0, CmpOp::Eq, 3), cond(5, CmpOp::Ne, 1 << 63)],
                Action::Log,
            ),
            Rule::new(["getpid"], [cond(0, CmpOp::Ge, 1 << 32)], Action::Errno(9)),
            Rule::new(["getppid"], [cond(3, CmpOp::Lt, 4)], Action::Errno(7)),
            Rule::new(
                ["getppid"],
                [cond(3, CmpOp::Ge, 4), cond(4, CmpOp::Le, 0x1_0000_0064)],
                Action::Allow,
            ),
            Rule::new(["socket"], [cond(0, CmpOp::Lt, 38)], Action::Allow),
            Rule::new(["socket"], [cond(0, CmpOp::Eq, 39)], Action::Allow),
            Rule::new(["socket"], [cond(0, CmpOp::Gt, 40)], Action::Trace(3)),
            Rule::new(
                ["personality"],
                [cond(0, CmpOp::Eq, 0xffff_ffff)],
                Action::Allow,
            ),
            Rule::new(
                ["personality"],
                [cond(0, CmpOp::Ne, 8)],
                Action::KillProcess,
            ),
            Rule::new(
                ["mmap"],
                [cond(2, CmpOp::MaskedEq(0xf_0000_0004), 0x1_0000_0004)],
                Action::Trap,
            ),
            Rule::new(["ioctl"], [cond(1, CmpOp::MaskedEq(0), 0)], Action::Allow),
            Rule::new(["_llseek", "chown32"], [], Action::Allow),
            Rule::new(["ptrace"], [], Action::KillThread),
        ],
    );
    check(&policy, &[SeccompArch::X86_64], 50_000);
    check(
        &policy,
        &[SeccompArch::X86_64, SeccompArch::X86, SeccompArch::X32],
        50_000,
    );
    check(&policy, &[SeccompArch::Aarch64, SeccompArch::Arm], 50_000);
}

#[test]
fn a_permissive_default_is_compiled_too() {
    let mut policy = Policy::new(
        Action::Allow,
        vec![
            Rule::new(["reboot", "kexec_load"], [], Action::KillProcess),
            Rule::new(
                ["personality"],
                [cond(0, CmpOp::Ne, 0xffff_ffff)],
                Action::Errno(22),
            ),
        ],
    );
    check(&policy, &[SeccompArch::X86_64], 20_000);
    policy.architectures = Architectures::List(Cow::Borrowed(&[SeccompArch::X86]));
    check(&policy, &[SeccompArch::X86_64, SeccompArch::X86], 20_000);
}

#[test]
fn unsupported_abis_and_overlong_programs_are_errors() {
    let policy = Policy::new(
        Action::Errno(1),
        vec![Rule::new(["read"], [], Action::Allow)],
    );
    let context = Context {
        arch: "s390x".into(),
        capabilities: vec![],
        kernel: KernelVersion { major: 6, minor: 1 },
    };
    let resolved = policy.resolve(&context, SeccompArch::S390x);
    assert_eq!(
        compile(&resolved),
        Err(CompileError::UnsupportedAbi(SeccompArch::S390x))
    );
    let many: Vec<Rule> = (0..1500u64)
        .map(|i| {
            Rule::new(
                ["getpid"],
                [cond(0, CmpOp::Eq, i * 2), cond(1, CmpOp::Eq, i)],
                Action::Allow,
            )
        })
        .collect();
    let policy = Policy::new(Action::Errno(1), many);
    let context = Context {
        arch: "amd64".into(),
        capabilities: vec![],
        kernel: KernelVersion { major: 6, minor: 1 },
    };
    assert!(matches!(
        compile(&policy.resolve(&context, SeccompArch::X86_64)),
        Err(CompileError::TooLong(_))
    ));
}
