//! What the kernel must answer for a call, by the model alone: the oracle
//! the compiled programs (ours and libseccomp's) are checked against. It
//! shares no code with the compiler.

use super::{audit_arch, number_bias, return_value, BAD_ARCH_RETURN, X32_SYSCALL_BIT};
use crate::model::STUB_ACTION;
use crate::model::{Resolved, SeccompArch};
use crate::syscalls;

/// The return value the filter for `resolved` must give a call of number
/// `nr` with `args` from the ABI whose `AUDIT_ARCH` is `arch`.
pub fn decide(resolved: &Resolved<'_>, arch: u32, nr: u32, args: &[u64; 6]) -> u32 {
    let covered =
        |abi: SeccompArch| resolved.architectures.contains(&abi) && audit_arch(abi) == Some(arch);
    // The engine's ENOSYS stub goes before the filter, the check of the
    // ABI included.
    let stub_section = (resolved.architectures.iter().copied()).find(|&abi| covered(abi));
    if stub_section.is_some_and(|abi| resolved.enosys_stub.answers(abi, nr)) {
        return return_value(STUB_ACTION);
    }
    let abi = if covered(SeccompArch::X86_64) && !covered(SeccompArch::X32) {
        // As libseccomp: x86_64's numbers from the x32 bit up belong to
        // another ABI, but for -1 (a tracer's skipped call).
        if nr >= X32_SYSCALL_BIT && nr != u32::MAX {
            return BAD_ARCH_RETURN;
        }
        SeccompArch::X86_64
    } else if covered(SeccompArch::X86_64) && nr & X32_SYSCALL_BIT != 0 {
        SeccompArch::X32
    } else {
        match resolved
            .architectures
            .iter()
            .copied()
            .find(|&abi| covered(abi))
        {
            Some(SeccompArch::X32) if covered(SeccompArch::X86_64) => SeccompArch::X86_64,
            Some(abi) => abi,
            None => return BAD_ARCH_RETURN,
        }
    };
    let number = nr & !number_bias(abi);
    if abi == SeccompArch::X32 && nr & X32_SYSCALL_BIT == 0 {
        return return_value(resolved.default_action);
    }
    let Some(name) = syscalls::by_number(abi.syscall_table(), number).map(|s| s.name()) else {
        return return_value(resolved.default_action);
    };
    return_value(resolved.decide_on(abi, name, args))
}
