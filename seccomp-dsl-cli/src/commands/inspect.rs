//! `seccomp-dsl inspect`: the filters a running process is under, and
//! what they answer together.

use std::process::ExitCode;

use seccomp_dsl_core::bpf::emulate::SeccompData;
use seccomp_dsl_core::bpf::{audit_arch, disasm, Instruction};
use seccomp_dsl_core::model::SeccompArch;

use crate::process::process_filters;

/// The arguments of `seccomp-dsl inspect`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The process.
    pub(crate) pid: i32,
    /// Read the filters even where a thread is in a call the kernel
    /// resumes through `restart_syscall` after the stop (a timed
    /// sleep, wait or poll), which a filter that denies it fails or
    /// kills: without it, such a process is not stopped.
    #[arg(long)]
    pub(crate) stop_anyway: bool,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    print!("{}", inspect(args.pid, args.stop_anyway)?);
    Ok(ExitCode::SUCCESS)
}

/// The filters of process `pid`, their listings, and what they answer
/// together per native syscall: the answer with all arguments 0, and
/// every other answer some arguments (or instruction pointer) get,
/// decided exactly.
fn inspect(pid: i32, stop_anyway: bool) -> Result<String, String> {
    let Some(filters) = process_filters(pid, stop_anyway)? else {
        return Ok(format!(
            "process {pid}: strict mode: only read, write, exit and sigreturn\n"
        ));
    };
    let mut out = format!(
        "process {pid}: {} filter{}\n",
        filters.len(),
        if filters.len() == 1 { "" } else { "s" }
    );
    if filters.len() > 1 {
        out.push_str(
            "(the kernel runs every filter on each call, the newest first, and keeps the answer \
             of highest precedence; among equal ones, the newest filter's)\n",
        );
    }
    for (index, filter) in filters.iter().enumerate() {
        let age = match (index, filters.len()) {
            (_, 1) => "",
            (0, _) => ", the oldest",
            (i, n) if i + 1 == n => ", the newest",
            _ => "",
        };
        out.push_str(&format!(
            "\n# filter {index}{age}: {} instructions\n",
            filter.len()
        ));
        out.push_str(&disasm::listing(filter));
    }
    if filters.is_empty() {
        return Ok(out);
    }
    out.push_str(&together(pid, &filters)?);
    Ok(out)
}

/// What the filters answer together per native syscall, grouped by answer
/// (all arguments 0), with the other answers some arguments get.
fn together(pid: i32, filters: &[Vec<Instruction>]) -> Result<String, String> {
    use seccomp_dsl::decide::{answer::canonical, answers, Limits, Side};
    use seccomp_dsl::inspect::decide;
    let mut out = String::new();
    let native = SeccompArch::native().ok_or("this machine's architecture is unknown")?;
    let arch = audit_arch(native).ok_or("this machine's ABI has no audit number")?;
    let mut by_answer: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut others: Vec<String> = Vec::new();
    for entry in seccomp_dsl::syscalls::all() {
        let Some(number) = entry.number(native.syscall_table()) else {
            continue;
        };
        let zero = SeccompData {
            nr: number as i32,
            arch,
            instruction_pointer: 0,
            args: [0; 6],
        };
        let answer = canonical(decide(filters, &zero));
        let every = answers(
            &Side::Filters(filters),
            &[(0, number), (1, arch)],
            8,
            &Limits::default(),
        )
        .map_err(|undecided| format!("process {pid}: {}: {undecided}", entry.name()))?;
        let mut other: Vec<String> = every
            .iter()
            .filter(|(value, _)| *value != answer)
            .map(|(value, _)| disasm::action(*value))
            .collect();
        other.dedup();
        let name = format!(
            "{}{}",
            entry.name(),
            if other.is_empty() { "" } else { "*" }
        );
        if !other.is_empty() {
            others.push(format!("{}: {}", entry.name(), other.join(", ")));
        }
        by_answer
            .entry(disasm::action(answer))
            .or_default()
            .push(name);
    }
    out.push_str(&format!(
        "\n# together, on {} (all arguments 0; * where other arguments get other answers):\n",
        native.name()
    ));
    for (answer, names) in by_answer {
        out.push_str(&format!(
            "{answer} ({}): {}\n",
            names.len(),
            names.join(" ")
        ));
    }
    if !others.is_empty() {
        out.push_str("\n# * the other answers, for some arguments:\n");
        for line in others {
            out.push_str(&line);
            out.push('\n');
        }
    }
    Ok(out)
}
