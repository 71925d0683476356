//! The ENOSYS stub runc puts before the filter libseccomp builds: which
//! numbers it answers for a profile, and the stub as a program.

use super::*;

impl EnosysStub {
    /// The stub as a program to put before a filter, as runc puts it before
    /// libseccomp's: each of its ABIs checked, then the number; a call it
    /// does not answer goes on to the instruction after it.
    ///
    /// ```
    /// use seccomp_dsl_core::bpf::emulate::{run, SeccompData};
    /// use seccomp_dsl_core::engines::EnosysStub;
    /// use seccomp_dsl_core::model::SeccompArch;
    /// let stub = EnosysStub { thresholds: vec![(SeccompArch::Aarch64, 400)] };
    /// let mut program = stub.program();
    /// program.push(seccomp_dsl_core::bpf::Instruction::new(0x06, 0, 0, 0x7fff_0000));
    /// let call = |nr| SeccompData { nr, arch: 0xc000_00b7, instruction_pointer: 0, args: [0; 6] };
    /// assert_eq!(run(&program, &call(401)).unwrap(), 0x0005_0026);
    /// assert_eq!(run(&program, &call(400)).unwrap(), 0x7fff_0000);
    /// ```
    pub fn program(&self) -> Vec<Instruction> {
        if self.is_empty() {
            return Vec::new();
        }
        let (enosys, filter) = (0, 1);
        let mut next_label = 2;
        let mut code: Vec<Ir> = Vec::new();
        let jump = |code: u16, k: u32, on_true: Target, on_false: Target| Ir::Jump {
            code,
            k,
            on_true,
            on_false,
        };
        let above = |code: &mut Vec<Ir>, threshold: Option<u32>| match threshold {
            Some(t) => code.push(jump(
                op::JGT,
                t,
                Target::Label(enosys),
                Target::Label(filter),
            )),
            None => code.push(Ir::Goto(filter)),
        };
        let mut sections: Vec<(u32, Vec<(SeccompArch, u32)>)> = Vec::new();
        for &(abi, threshold) in &self.thresholds {
            let Some(audit) = audit_arch(abi) else {
                continue;
            };
            match sections.iter_mut().find(|(known, _)| *known == audit) {
                Some((_, abis)) => abis.push((abi, threshold)),
                None => sections.push((audit, vec![(abi, threshold)])),
            }
        }
        for (audit, abis) in sections {
            let next_section = next_label;
            next_label += 1;
            let threshold = |abi| abis.iter().find(|(a, _)| *a == abi).map(|(_, t)| *t);
            code.push(Ir::Load(offset::ARCH));
            code.push(jump(
                op::JEQ,
                audit,
                Target::Next,
                Target::Label(next_section),
            ));
            code.push(Ir::Load(offset::NR));
            match abis[0].0 {
                SeccompArch::X86_64 | SeccompArch::X32 => {
                    let x32 = next_label;
                    next_label += 1;
                    code.push(jump(
                        op::JSET,
                        X32_SYSCALL_BIT,
                        Target::Label(x32),
                        Target::Next,
                    ));
                    above(&mut code, threshold(SeccompArch::X86_64));
                    code.push(Ir::Label(x32));
                    above(&mut code, threshold(SeccompArch::X32));
                }
                abi @ (SeccompArch::S390 | SeccompArch::S390x) => {
                    code.push(jump(op::JEQ, 0, Target::Label(enosys), Target::Next));
                    above(&mut code, threshold(abi));
                }
                abi => above(&mut code, threshold(abi)),
            }
            code.push(Ir::Label(next_section));
        }
        code.push(Ir::Goto(filter));
        code.push(Ir::Label(enosys));
        code.push(Ir::Return(return_value(STUB_ACTION)));
        code.push(Ir::Label(filter));
        assemble(code, next_label)
    }
}

impl Engine {
    /// The ENOSYS stub the engine's runtime puts before the filter of a
    /// profile with `default` and `rules`, covering `abis`; `listed`: the
    /// profile lists its ABIs (a native-only profile gets no stub).
    pub fn enosys_stub(
        &self,
        default: Action,
        listed: bool,
        rules: &[&Rule],
        abis: &[SeccompArch],
    ) -> EnosysStub {
        // runc leaves permissive defaults alone: a tracer or a log handles
        // calls it does not know.
        if !listed || matches!(default, Action::Allow | Action::Log | Action::Trace(_)) {
            return EnosysStub::default();
        }
        let mut thresholds = Vec::new();
        for &abi in abis {
            if thresholds.iter().any(|(listed, _)| *listed == abi) {
                continue;
            }
            let highest = (rules.iter())
                .flat_map(|rule| rule.syscalls.iter())
                .filter(|name| self.knows(name, abi) && !self.multiplexes(name, abi))
                .filter_map(|name| syscalls::lookup(name)?.number(abi.syscall_table()))
                .map(|number| number + number_bias(abi))
                .max();
            // runc skips an ABI where the profile names nothing above 0.
            if let Some(highest) = highest.filter(|&highest| highest != 0) {
                thresholds.push((abi, highest));
            }
        }
        EnosysStub { thresholds }
    }
}
