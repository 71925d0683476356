//! How far the number search may go for each syscall: no further than
//! libseccomp's binary tree would, counting what runc's ENOSYS stub runs
//! before it.

use super::*;

/// Each syscall number of a section covering `arches`, in order, with how
/// many tests the number search may run before reaching it: as many as
/// libseccomp's binary tree, filtering the numbers `filtered`, runs beyond
/// our one load of the number.
///
/// Where the engine puts its ENOSYS stub before libseccomp's filter, what
/// the stub runs counts too: a number it answers may take what the stub
/// runs to answer, less what we run before the search (the load of the
/// ABI, a test per section before this one, `section` of them, the
/// section's own, the load of the number); any other, that much more.
pub(super) fn dispatch_bounds(
    filtered: &[u32],
    arches: &[SeccompArch],
    stub: &crate::model::EnosysStub,
    section: u32,
) -> Vec<(u32, u32)> {
    let mut stub_program = stub.program();
    // Where the stub lets a call through, a `ret` that tells it apart.
    stub_program.push(Instruction::new(op::RET | op::K, 0, 0, ret::ALLOW));
    let audit = audit_arch(arches[0]).unwrap_or(0);
    // The stub's path depends on the number only through whether it
    // answers, the x32 bit and (on s390) whether it is 0: one run each.
    let mut runs: [Option<(bool, u32)>; 8] = [None; 8];
    let mut stub_run = |nr: u32| -> (bool, u32) {
        if stub.is_empty() {
            return (false, 0);
        }
        let class = usize::from(stub.answers(arches[0], nr))
            | usize::from(nr & X32_SYSCALL_BIT != 0) << 1
            | usize::from(nr == 0) << 2;
        if let Some(run) = runs[class] {
            return run;
        }
        let call = super::super::emulate::SeccompData {
            nr: nr as i32,
            arch: audit,
            instruction_pointer: 0,
            args: [0; 6],
        };
        let (value, count) = super::super::emulate::run_counting(&stub_program, &call)
            .expect("the stub is a valid program");
        let run = (value != ret::ALLOW, count as u32 - 1);
        runs[class] = Some(run);
        run
    };
    let mut numbers: Vec<u32> = arches
        .iter()
        .flat_map(|&arch| {
            let bias = number_bias(arch);
            syscalls::all()
                .iter()
                .filter_map(move |entry| Some(entry.number(arch.syscall_table())? + bias))
        })
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let theirs = libseccomp_tree::Dispatch::new(filtered, x86_64_without_x32(arches));
    numbers
        .into_iter()
        .map(|number| {
            let bound = match stub_run(number) {
                (true, length) => length.saturating_sub(3 + section),
                (false, length) => theirs.cost(number).saturating_sub(1) + length,
            };
            (number, bound)
        })
        .collect()
}

/// Whether a section is x86_64's without x32, whose numbers (with the x32
/// bit) are then another ABI.
pub(super) fn x86_64_without_x32(arches: &[SeccompArch]) -> bool {
    arches.contains(&SeccompArch::X86_64) && !arches.contains(&SeccompArch::X32)
}
