//! The compiler: a resolved policy to a BPF program.
//!
//! Layout: load the ABI's `AUDIT_ARCH` and dispatch to one section per ABI
//! (native first, so native calls run the fewest instructions); a call from
//! any other ABI gets [`BAD_ARCH_RETURN`]. A section loads the syscall number
//! and searches the ranges of numbers that share an outcome, so only the
//! number and the architecture are read on the way to a fixed answer (the
//! kernel can then cache always-allowed syscalls); the search reaches no
//! syscall later than libseccomp's binary tree would. An outcome that
//! depends on arguments is a block of 32-bit comparisons on the halves of
//! each argument (see `outcome`); identical blocks and identical return
//! instructions are shared.

use std::fmt;

use super::assemble::{assemble, Ir, Label, Target};
use super::condition::condition_code;
use super::libseccomp_tree;
use super::outcome::{arguments_outcome, search_leaves, Outcome, ALL_NARROW};
use super::search::{self, Shape};
use super::{
    audit_arch, number_bias, offset, op, ret, return_value, Instruction, BAD_ARCH_RETURN,
    MAX_INSTRUCTIONS, X32_SYSCALL_BIT,
};
use crate::model::STUB_ACTION;
use crate::model::{ArgCondition, ArgWidth, CmpOp, Resolved, Rule, SeccompArch};
use crate::syscalls;

mod dispatch;

use dispatch::{dispatch_bounds, x86_64_without_x32};

/// A policy the compiler cannot turn into a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// The compiler does not support this ABI (big-endian ones, mips, ...);
    /// the libseccomp backend does.
    UnsupportedAbi(SeccompArch),
    /// The program would be longer than the kernel accepts.
    TooLong(usize),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::UnsupportedAbi(arch) => {
                write!(f, "the BPF compiler does not support the `{}` ABI", arch.name())
            }
            CompileError::TooLong(length) => write!(
                f,
                "the filter needs {length} BPF instructions, more than the kernel's limit of {MAX_INSTRUCTIONS}"
            ),
        }
    }
}

impl std::error::Error for CompileError {}

/// Compiles `resolved` (a policy whose conditions are decided, see
/// [`crate::model::Policy::resolve`]).
///
/// ```
/// use seccomp_dsl_core::{bpf, model::*};
/// let policy = Policy::new(Action::Errno(1), vec![Rule::new(["read", "write"], [], Action::Allow)]);
/// let context = Context { arch: "amd64".into(), capabilities: vec![], kernel: KernelVersion { major: 6, minor: 1 } };
/// let program = bpf::compile(&policy.resolve(&context, SeccompArch::X86_64)).unwrap();
/// let read = bpf::emulate::SeccompData { nr: 0, arch: 0xc000_003e, ..Default::default() };
/// assert_eq!(bpf::emulate::run(&program, &read), Ok(bpf::ret::ALLOW));
/// ```
pub fn compile(resolved: &Resolved<'_>) -> Result<Vec<Instruction>, CompileError> {
    // ABIs grouped by the AUDIT_ARCH the kernel reports (x86_64 and x32 share one).
    let mut sections: Vec<(u32, Vec<SeccompArch>)> = Vec::new();
    for &arch in &resolved.architectures {
        let audit = audit_arch(arch).ok_or(CompileError::UnsupportedAbi(arch))?;
        match sections.iter_mut().find(|(known, _)| *known == audit) {
            Some((_, arches)) => arches.push(arch),
            None => sections.push((audit, vec![arch])),
        }
    }
    let mut compiler = Compiler::new(resolved);
    compiler.code.push(Ir::Load(offset::ARCH));
    for (index, (audit, arches)) in sections.iter().enumerate() {
        let next_section = compiler.label();
        let on_false = if index + 1 == sections.len() {
            Target::Label(compiler.return_label(BAD_ARCH_RETURN))
        } else {
            Target::Label(next_section)
        };
        compiler.code.push(Ir::Jump {
            code: op::JEQ,
            k: *audit,
            on_true: Target::Next,
            on_false,
        });
        let (ranges, filtered) = compiler.section_ranges(arches);
        if let [(_, outcome)] = &ranges[..] {
            // One outcome for every number: no need to load it.
            let label = compiler.outcome_label(outcome);
            compiler.code.push(Ir::Goto(label));
        } else {
            let bounds = dispatch_bounds(
                &filtered,
                arches,
                &compiler.resolved.enosys_stub,
                index as u32,
            );
            compiler.code.push(Ir::Load(offset::NR));
            compiler.search_numbers(&ranges, &bounds);
        }
        compiler.code.push(Ir::Label(next_section));
    }
    let program = compiler.finish();
    if program.len() > MAX_INSTRUCTIONS {
        return Err(CompileError::TooLong(program.len()));
    }
    Ok(program)
}

struct Compiler<'r> {
    resolved: &'r Resolved<'r>,
    code: Vec<Ir>,
    next_label: Label,
    /// Blocks emitted after the sections, with their labels.
    blocks: Vec<(Label, Outcome)>,
    /// Every (rule, syscall) pair, looked up in the table once.
    names: Vec<(usize, &'static syscalls::SyscallEntry)>,
    /// Each block's outcome, label and index in `blocks` (few: a linear
    /// search beats hashing).
    block_labels: Vec<(Outcome, Label, usize)>,
    /// How many of `blocks` are emitted.
    emitted_blocks: usize,
    returns: Vec<(u32, Label)>,
}

impl<'r> Compiler<'r> {
    fn new(resolved: &'r Resolved<'r>) -> Compiler<'r> {
        Compiler {
            resolved,
            code: Vec::new(),
            next_label: 0,
            blocks: Vec::new(),
            names: resolved
                .rules
                .iter()
                .enumerate()
                .flat_map(|(index, rule)| {
                    rule.syscalls
                        .iter()
                        .filter_map(move |name| Some((index, syscalls::lookup(name)?)))
                })
                .collect(),
            block_labels: Vec::new(),
            emitted_blocks: 0,
            returns: Vec::new(),
        }
    }

    fn label(&mut self) -> Label {
        self.next_label += 1;
        self.next_label - 1
    }

    fn return_label(&mut self, value: u32) -> Label {
        if let Some(&(_, label)) = self.returns.iter().find(|(known, _)| *known == value) {
            return label;
        }
        let label = self.label();
        self.returns.push((value, label));
        label
    }

    /// Where code for `outcome` starts: a shared return, or a block.
    fn outcome_label(&mut self, outcome: &Outcome) -> Label {
        match outcome {
            Outcome::Return(value) => self.return_label(*value),
            other => {
                // Jumps only go forward: a block already emitted is shared
                // no more, and a copy of it is emitted later.
                let known = self
                    .block_labels
                    .iter()
                    .position(|(known, _, _)| known == other);
                if let Some(at) = known {
                    let (_, label, block) = self.block_labels[at];
                    if block >= self.emitted_blocks {
                        return label;
                    }
                }
                let label = self.label();
                let entry = (other.clone(), label, self.blocks.len());
                match known {
                    Some(at) => self.block_labels[at] = entry,
                    None => self.block_labels.push(entry),
                }
                self.blocks.push((label, other.clone()));
                label
            }
        }
    }

    /// The outcome of every number of a section, as sorted ranges `(first
    /// number, outcome)` covering all 32-bit numbers, and the numbers rules
    /// give an outcome other than the default (those libseccomp filters).
    fn section_ranges(&self, arches: &[SeccompArch]) -> (Vec<(u32, Outcome)>, Vec<u32>) {
        let default = return_value(self.resolved.default_action);
        let points = self.named_outcomes(arches);
        let x86_64_only = x86_64_without_x32(arches);
        let mut ranges: Vec<(u32, Outcome)> = Vec::new();
        let filtered: Vec<u32> = points
            .iter()
            .filter(|(_, outcome)| *outcome != Outcome::Return(default))
            .map(|(number, _)| *number)
            .collect();
        let mut cursor = 0u64;
        for (number, outcome) in points {
            if u64::from(number) > cursor {
                push_range(cursor as u32, Outcome::Return(default), &mut ranges);
            }
            push_range(number, outcome, &mut ranges);
            cursor = u64::from(number) + 1;
        }
        let end = if x86_64_only {
            u64::from(X32_SYSCALL_BIT)
        } else {
            1 << 32
        };
        if cursor < end {
            push_range(cursor as u32, Outcome::Return(default), &mut ranges);
        }
        if x86_64_only {
            // As libseccomp: numbers from the x32 bit up are another ABI,
            // but for -1 (a tracer's skipped call).
            push_range(
                X32_SYSCALL_BIT,
                Outcome::Return(BAD_ARCH_RETURN),
                &mut ranges,
            );
            push_range(u32::MAX, Outcome::Return(default), &mut ranges);
        }
        if !self.resolved.enosys_stub.is_empty() {
            return (self.under_the_stub(&ranges, arches[0]), filtered);
        }
        (ranges, filtered)
    }

    /// The outcome of each number a rule names on these ABIs, sorted.
    fn named_outcomes(&self, arches: &[SeccompArch]) -> Vec<(u32, Outcome)> {
        // (number, rule) for every name of every rule on these ABIs, sorted:
        // a number's rules are then side by side, in rule order.
        let mut numbered: Vec<(u32, usize)> = Vec::with_capacity(self.names.len() * arches.len());
        for &arch in arches {
            let bias = number_bias(arch);
            numbered.extend(self.names.iter().filter_map(|&(rule, entry)| {
                entry
                    .number(arch.syscall_table())
                    .map(|number| (number + bias, rule))
            }));
        }
        numbered.sort_unstable();
        numbered.dedup();
        // A section's ABIs share an AUDIT_ARCH, so they all take 32-bit
        // arguments or none does.
        let narrow = arches.iter().any(|arch| arch.has_32_bit_arguments());
        let mut points: Vec<(u32, Outcome)> = Vec::new();
        for group in numbered.chunk_by(|a, b| a.0 == b.0) {
            points.push((group[0].0, self.outcome_of(group, narrow)));
        }
        points
    }

    /// `ranges` with the engine's ENOSYS stub before them, for a section
    /// whose first ABI is `abi`: the stub answers before the filter, so the
    /// ranges are cut where its answer changes (its thresholds, 0 for s390,
    /// the x32 bit and the bits above) and it decides where it answers.
    fn under_the_stub(&self, ranges: &[(u32, Outcome)], abi: SeccompArch) -> Vec<(u32, Outcome)> {
        let stub = &self.resolved.enosys_stub;
        let mut cuts: Vec<u32> = ranges.iter().map(|(start, _)| *start).collect();
        cuts.extend([1, X32_SYSCALL_BIT, 0x8000_0000, 0xc000_0000]);
        cuts.extend(stub.thresholds.iter().filter_map(|(_, t)| t.checked_add(1)));
        cuts.sort_unstable();
        cuts.dedup();
        let outcome_at = |nr: u32| &ranges[ranges.partition_point(|(start, _)| *start <= nr) - 1].1;
        let mut overlaid = Vec::with_capacity(cuts.len());
        for cut in cuts {
            let outcome = if stub.answers(abi, cut) {
                Outcome::Return(return_value(STUB_ACTION))
            } else {
                outcome_at(cut).clone()
            };
            push_range(cut, outcome, &mut overlaid);
        }
        overlaid
    }

    /// The outcome of a number named by these `(number, rule index)` pairs;
    /// `narrow`: on an ABI whose syscalls take 32-bit arguments.
    fn outcome_of(&self, group: &[(u32, usize)], narrow: bool) -> Outcome {
        // The first match wins: the rules before the first unconditional
        // one, which otherwise decides (else the default action).
        let rules = group.iter().map(|&(_, index)| self.resolved.rules[index]);
        let otherwise = rules
            .clone()
            .find(|rule| rule.is_unconditional())
            .map_or(self.resolved.default_action, |rule| rule.action);
        let conditional: Vec<&Rule> = rules.take_while(|rule| !rule.is_unconditional()).collect();
        // An argument compared as the kernel reads it is a low-word test,
        // unless some rule compares it on all 64 bits: then its narrow
        // comparisons become the exact blocks every engine compares.
        let mut wide_args = 0u8;
        for condition in conditional.iter().flat_map(|rule| rule.conditions.iter()) {
            if condition.compares_64_bits() {
                wide_args |= 1 << condition.index;
            }
        }
        let mut entries: Vec<(Vec<ArgCondition>, u32)> = Vec::new();
        for rule in conditional {
            let value = return_value(rule.action);
            match low_word_conditions(rule, wide_args) {
                Some(conditions) => entries.push((conditions, value)),
                None => entries.extend(
                    crate::exact::rules(rule)
                        .iter()
                        .map(|exact| (exact.conditions.to_vec(), value)),
                ),
            }
        }
        if narrow {
            for (conditions, _) in &mut entries {
                for condition in conditions.iter_mut() {
                    *condition = condition.low_half();
                }
            }
        }
        let otherwise = return_value(otherwise);
        let low_word_args = if narrow {
            ALL_NARROW
        } else {
            ALL_NARROW & !wide_args
        };
        arguments_outcome(&entries, otherwise, low_word_args)
    }

    /// Binary search of the accumulator over `ranges`.
    fn search(&mut self, ranges: &[(u32, Outcome)]) {
        let leaves = search_leaves(ranges, None);
        let shape = search::balanced(&leaves);
        self.emit_search(ranges, &shape);
    }

    /// The search of a section's syscall numbers: balanced if that reaches
    /// every syscall within libseccomp's dispatch (`bounds`: each syscall
    /// number with how many tests may run before it is reached), else
    /// shaped to, splitting ranges where the bounds of their syscalls
    /// differ if need be.
    fn search_numbers(&mut self, ranges: &[(u32, Outcome)], bounds: &[(u32, u32)]) {
        let range_bounds = |ranges: &[(u32, Outcome)]| {
            let mut per_range = vec![search::UNBOUNDED; ranges.len()];
            for &(number, bound) in bounds {
                let index = ranges.partition_point(|(start, _)| *start <= number) - 1;
                per_range[index] = per_range[index].min(bound);
            }
            per_range
        };
        let leaves = search_leaves(ranges, Some(&range_bounds(ranges)));
        let balanced = search::balanced(&leaves);
        if search::meets_bounds(&balanced, &leaves) {
            return self.emit_search(ranges, &balanced);
        }
        if let Some(shape) = search::within_bounds(&leaves) {
            return self.emit_search(ranges, &shape);
        }
        let mut refined: Vec<(u32, Outcome)> = Vec::new();
        for (index, (start, outcome)) in ranges.iter().enumerate() {
            refined.push((*start, outcome.clone()));
            let mut last_bound = None;
            let end = ranges
                .get(index + 1)
                .map_or(u64::MAX, |(next, _)| u64::from(*next));
            let first = bounds.partition_point(|(number, _)| number < start);
            for &(number, bound) in bounds[first..]
                .iter()
                .take_while(|(number, _)| u64::from(*number) < end)
            {
                if last_bound.is_some_and(|last| last != bound) {
                    refined.push((number, outcome.clone()));
                }
                last_bound = Some(bound);
            }
        }
        let leaves = search_leaves(&refined, Some(&range_bounds(&refined)));
        match search::within_bounds(&leaves) {
            Some(shape) => self.emit_search(&refined, &shape),
            // Only where the model of libseccomp's layout asks the
            // impossible; the tests show it does not for theirs.
            None => self.emit_search(ranges, &balanced),
        }
    }

    fn emit_search(&mut self, ranges: &[(u32, Outcome)], shape: &Shape) {
        let entry = self.emit_shape(ranges, shape);
        if let Target::Label(label) = entry {
            self.code.push(Ir::Goto(label));
        }
    }

    /// Emits `shape` and returns where it starts: `Next` when its code
    /// starts right here.
    fn emit_shape(&mut self, ranges: &[(u32, Outcome)], shape: &Shape) -> Target {
        match shape {
            Shape::Leaf(index) => Target::Label(self.outcome_label(&ranges[*index].1)),
            Shape::Chain { points, others } => {
                let otherwise = Target::Label(self.outcome_label(&ranges[others[0]].1));
                for (position, point) in points.iter().enumerate() {
                    let on_true = Target::Label(self.outcome_label(&ranges[*point].1));
                    let on_false = if position + 1 == points.len() {
                        otherwise
                    } else {
                        Target::Next
                    };
                    self.code.push(Ir::Jump {
                        code: op::JEQ,
                        k: ranges[*point].0,
                        on_true,
                        on_false,
                    });
                }
                Target::Next
            }
            Shape::Split { at, low, high } => {
                let here = self.code.len();
                self.code.push(Ir::Goto(usize::MAX)); // placeholder, replaced below
                let low = self.emit_subshape(ranges, low);
                let high = self.emit_subshape(ranges, high);
                self.code[here] = Ir::Jump {
                    code: op::JGE,
                    k: ranges[*at].0,
                    on_true: high,
                    on_false: low,
                };
                Target::Next
            }
        }
    }

    /// A part of a search: a jump straight to a leaf's code, or a node
    /// emitted later.
    fn emit_subshape(&mut self, ranges: &[(u32, Outcome)], shape: &Shape) -> Target {
        if let Shape::Leaf(index) = shape {
            return Target::Label(self.outcome_label(&ranges[*index].1));
        }
        let label = self.label();
        self.code.push(Ir::Label(label));
        match self.emit_shape(ranges, shape) {
            Target::Next => Target::Label(label),
            target => target,
        }
    }

    fn finish(mut self) -> Vec<Instruction> {
        while self.emitted_blocks < self.blocks.len() {
            let (label, outcome) = self.blocks[self.emitted_blocks].clone();
            self.code.push(Ir::Label(label));
            // From here on this block is behind any code that refers to it.
            self.emitted_blocks += 1;
            self.block(&outcome);
        }
        let mut returns = std::mem::take(&mut self.returns);
        returns.sort();
        for (value, label) in returns {
            self.code.push(Ir::Label(label));
            self.code.push(Ir::Return(value));
        }
        assemble(self.code, self.next_label)
    }

    fn block(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Return(value) => {
                let label = self.return_label(*value);
                self.code.push(Ir::Goto(label));
            }
            Outcome::HighWord { arg, ranges } => {
                self.code.push(Ir::Load(offset::arg_high(*arg)));
                self.search(ranges);
            }
            Outcome::LowWord { arg, ranges } => {
                self.code.push(Ir::Load(offset::arg_low(*arg)));
                self.search(ranges);
            }
            Outcome::Arguments { rules, otherwise } => {
                for (conditions, value) in rules {
                    let matched = self.return_label(*value);
                    if conditions.is_empty() {
                        // Always matches: the rules after it never apply.
                        self.code.push(Ir::Goto(matched));
                        return;
                    }
                    let next_rule = self.label();
                    for (index, condition) in conditions.iter().enumerate() {
                        let on_true = if index + 1 == conditions.len() {
                            Target::Label(matched)
                        } else {
                            Target::Next
                        };
                        self.condition(condition, on_true, Target::Label(next_rule));
                    }
                    self.code.push(Ir::Label(next_rule));
                }
                let label = self.outcome_label(otherwise);
                self.code.push(Ir::Goto(label));
            }
        }
    }

    /// Code that goes to `on_true` when `condition` holds, else to
    /// `on_false` (see [`condition_code`]).
    fn condition(&mut self, condition: &ArgCondition, on_true: Target, on_false: Target) {
        let done = self.label();
        let after = |target: Target| match target {
            Target::Next => Target::Label(done),
            other => other,
        };
        self.code
            .extend(condition_code(condition, after(on_true), after(on_false)));
        self.code.push(Ir::Label(done));
    }
}

/// `rule`'s conditions as tests of low words alone, where every argument
/// compared as the kernel reads it has a test of its low word that means
/// the same: any comparison of a 32-bit argument, signed ones keeping their
/// width (the low-word search cuts at the sign bit), and equality and masks
/// within 16 bits; and no argument in `wide_args` is compared narrow.
/// `None`: the rule takes its exact blocks instead (see [`crate::exact`]).
fn low_word_conditions(rule: &Rule, wide_args: u8) -> Option<Vec<ArgCondition>> {
    rule.conditions
        .iter()
        .map(|condition| {
            let bit = 1u8 << condition.index;
            let (op, width) = match (condition.width, condition.op) {
                (ArgWidth::U64, _) => return Some(*condition),
                _ if wide_args & bit != 0 => return None,
                (ArgWidth::U32, op) => (op, ArgWidth::U64),
                (ArgWidth::I32, op @ (CmpOp::Eq | CmpOp::Ne | CmpOp::MaskedEq(_))) => {
                    (op, ArgWidth::U64)
                }
                (ArgWidth::I32, op) => (op, ArgWidth::I32),
                (ArgWidth::U16, CmpOp::Eq) => (CmpOp::MaskedEq(0xffff), ArgWidth::U64),
                (ArgWidth::U16, op @ CmpOp::MaskedEq(_)) => (op, ArgWidth::U64),
                (ArgWidth::U16, _) => return None,
            };
            Some(ArgCondition {
                index: condition.index,
                op,
                value: condition.value & 0xffff_ffff,
                width,
            })
        })
        .collect()
}

/// Adds a range from `start` with `outcome` to sorted `ranges`, unless the
/// range before it has the same outcome.
fn push_range(start: u32, outcome: Outcome, ranges: &mut Vec<(u32, Outcome)>) {
    if ranges.last().is_none_or(|(_, last)| *last != outcome) {
        ranges.push((start, outcome));
    }
}

#[cfg(test)]
mod tests;
