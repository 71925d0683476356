//! The libseccomp backend (feature `libseccomp`): builds the filter with
//! libseccomp, as container engines do, and loads it.

use libseccomp::error::SeccompError;
use libseccomp::{
    ScmpAction, ScmpArch, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall,
};
use seccomp_dsl_core::model::{Action, ArgCondition, CmpOp, Flag, Resolved, Rule, SeccompArch};

use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom};
use std::os::fd::FromRawFd;

use seccomp_dsl_core::bpf::Instruction;

use super::{native_number, Error};

/// Builds the whole filter first, then loads it in one step: with
/// no_new_privs set and TSYNC, so that every thread of the process gets it,
/// or none does.
///
/// The native ABI's rules use the kernel's syscall numbers from the table,
/// so syscalls newer than the installed libseccomp are filtered too. Other
/// ABIs (`arches`, `arch_map`) go in a second filter context, where
/// libseccomp translates each name for each ABI as container engines have
/// it do, and the two are merged into one filter.
///
/// Where the policy has the engine's ENOSYS stub, libseccomp's program is
/// exported, the stub put before it, and the whole loaded as one program,
/// as runc does.
pub(crate) fn install(resolved: &Resolved<'_>) -> Result<(), Error> {
    if resolved.enosys_stub.is_empty() {
        return filter(resolved)?
            .load()
            .map_err(build("loading the filter"));
    }
    super::kernel::load(
        &program(resolved, false)?,
        resolved.flags,
        super::kernel::Scope::Process,
    )
}

/// The BPF program libseccomp makes of `resolved`, at libseccomp's default
/// optimization level or with its binary tree (`binary_tree`, level 2),
/// after the engine's ENOSYS stub where the policy has one.
pub(crate) fn program(
    resolved: &Resolved<'_>,
    binary_tree: bool,
) -> Result<Vec<Instruction>, Error> {
    let mut filter = filter(resolved)?;
    if binary_tree {
        filter
            .set_ctl_optimize(2)
            .map_err(build("choosing the binary tree"))?;
    }
    // SAFETY: memfd_create takes a NUL-terminated name and flags.
    let descriptor = unsafe { libc::memfd_create(c"seccomp-dsl-bpf".as_ptr(), libc::MFD_CLOEXEC) };
    if descriptor < 0 {
        return Err(Error::Load(std::io::Error::last_os_error()));
    }
    // SAFETY: a descriptor we just opened and own.
    let mut file = unsafe { std::fs::File::from_raw_fd(descriptor) };
    filter
        .export_bpf(&file)
        .map_err(build("exporting the program"))?;
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.read_to_end(&mut bytes))
        .map_err(Error::Load)?;
    let mut program = resolved.enosys_stub.program();
    program.extend(bytes.chunks_exact(8).map(|c| {
        Instruction::new(
            u16::from_ne_bytes([c[0], c[1]]),
            c[2],
            c[3],
            u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
        )
    }));
    Ok(program)
}

/// Whether the installed libseccomp can name the syscall on `abi`.
pub fn knows(name: &str, abi: SeccompArch) -> bool {
    ScmpSyscall::from_name_by_arch(name, scmp_arch(abi))
        .is_ok_and(|syscall| i32::from(syscall) >= 0)
}

/// The whole filter, built but not loaded.
fn filter(resolved: &Resolved<'_>) -> Result<ScmpFilterContext, Error> {
    let native = SeccompArch::native().ok_or(Error::UnsupportedArchitecture)?;
    let mut filter = new_filter(resolved)?;
    // Each rule in the form libseccomp compares exactly (borrowed where it
    // already is).
    let exact: Vec<Cow<'_, [Rule]>> = (resolved.rules.iter())
        .map(|rule| seccomp_dsl_core::exact::rules(rule))
        .collect();
    for rule in exact.iter().flat_map(|rules| rules.iter()) {
        let comparisons: Vec<ScmpArgCompare> =
            rule.conditions.iter().map(scmp_comparison).collect();
        for name in rule.syscalls.iter() {
            let Some(number) = native_number(name, native) else {
                continue; // absent on this architecture: see `skipped_syscalls`
            };
            filter
                .add_rule_conditional(
                    scmp_action(rule.action),
                    ScmpSyscall::from(number),
                    &comparisons,
                )
                .map_err(build(&format!("adding the rule for `{name}`")))?;
        }
    }
    let other_arches = &resolved.architectures[1..];
    if !other_arches.is_empty() {
        let mut others = new_filter(resolved)?;
        for arch in other_arches {
            others
                .add_arch(scmp_arch(*arch))
                .map_err(build(&format!("adding the architecture `{}`", arch.name())))?;
        }
        others
            .remove_arch(ScmpArch::Native)
            .map_err(build("setting up the other architectures"))?;
        for rule in exact.iter().flat_map(|rules| rules.iter()) {
            let comparisons: Vec<ScmpArgCompare> =
                rule.conditions.iter().map(scmp_comparison).collect();
            for name in rule.syscalls.iter() {
                let Ok(syscall) = ScmpSyscall::from_name(name) else {
                    // This libseccomp cannot name the syscall on any ABI.
                    // Leaving the rule out falls back on the default
                    // action: refuse where that would let more calls run.
                    if resolved.default_action.may_run_call() && !rule.action.may_run_call() {
                        return Err(Error::UnknownToLibseccomp(name.to_string()));
                    }
                    continue;
                };
                others
                    .add_rule_conditional(scmp_action(rule.action), syscall, &comparisons)
                    .map_err(build(&format!(
                        "adding the rule for `{name}` on the other architectures"
                    )))?;
            }
        }
        filter
            .merge(others)
            .map_err(build("merging the architectures' filters"))?;
    }
    Ok(filter)
}

fn build(step: &str) -> impl FnOnce(SeccompError) -> Error {
    let step = step.to_string();
    move |source| Error::Libseccomp { step, source }
}

/// A filter with the policy's default action and attributes, for the native ABI.
fn new_filter(resolved: &Resolved<'_>) -> Result<ScmpFilterContext, Error> {
    let mut filter = ScmpFilterContext::new(scmp_action(resolved.default_action))
        .map_err(build("creating the filter"))?;
    filter
        .set_ctl_nnp(true)
        .map_err(build("setting no_new_privs"))?;
    filter
        .set_ctl_tsync(true)
        .map_err(build("enabling thread synchronization"))?;
    for flag in resolved.flags {
        match flag {
            Flag::Log => filter.set_ctl_log(true),
            Flag::SpecAllow => filter.set_ctl_ssb(true),
            Flag::WaitKillableRecv => filter.set_ctl_waitkill(true),
        }
        .map_err(build(&format!("setting the flag `{}`", flag.name())))?;
    }
    Ok(filter)
}

fn scmp_action(action: Action) -> ScmpAction {
    match action {
        Action::Allow => ScmpAction::Allow,
        Action::Errno(errno) => ScmpAction::Errno(i32::from(errno)),
        Action::KillThread => ScmpAction::KillThread,
        Action::KillProcess => ScmpAction::KillProcess,
        Action::Trap => ScmpAction::Trap,
        Action::Trace(message) => ScmpAction::Trace(message),
        Action::Log => ScmpAction::Log,
    }
}

fn scmp_arch(arch: SeccompArch) -> ScmpArch {
    match arch {
        SeccompArch::X86 => ScmpArch::X86,
        SeccompArch::X86_64 => ScmpArch::X8664,
        SeccompArch::X32 => ScmpArch::X32,
        SeccompArch::Arm => ScmpArch::Arm,
        SeccompArch::Aarch64 => ScmpArch::Aarch64,
        SeccompArch::Mips => ScmpArch::Mips,
        SeccompArch::Mipsel => ScmpArch::Mipsel,
        SeccompArch::Mips64 => ScmpArch::Mips64,
        SeccompArch::Mipsel64 => ScmpArch::Mipsel64,
        SeccompArch::Mips64N32 => ScmpArch::Mips64N32,
        SeccompArch::Mipsel64N32 => ScmpArch::Mipsel64N32,
        SeccompArch::Ppc => ScmpArch::Ppc,
        SeccompArch::Ppc64 => ScmpArch::Ppc64,
        SeccompArch::Ppc64le => ScmpArch::Ppc64Le,
        SeccompArch::S390 => ScmpArch::S390,
        SeccompArch::S390x => ScmpArch::S390X,
        SeccompArch::Parisc => ScmpArch::Parisc,
        SeccompArch::Parisc64 => ScmpArch::Parisc64,
        SeccompArch::Riscv64 => ScmpArch::Riscv64,
        SeccompArch::Loongarch64 => ScmpArch::Loongarch64,
        SeccompArch::M68k => ScmpArch::M68k,
        SeccompArch::Sh => ScmpArch::Sh,
    }
}

fn scmp_comparison(condition: &ArgCondition) -> ScmpArgCompare {
    let op = match condition.op {
        CmpOp::Eq => ScmpCompareOp::Equal,
        CmpOp::Ne => ScmpCompareOp::NotEqual,
        CmpOp::Lt => ScmpCompareOp::Less,
        CmpOp::Le => ScmpCompareOp::LessOrEqual,
        CmpOp::Gt => ScmpCompareOp::Greater,
        CmpOp::Ge => ScmpCompareOp::GreaterEqual,
        CmpOp::MaskedEq(mask) => ScmpCompareOp::MaskedEqual(mask),
    };
    ScmpArgCompare::new(u32::from(condition.index), op, condition.value)
}
