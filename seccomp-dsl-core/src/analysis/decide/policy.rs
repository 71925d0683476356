//! What a resolved policy must answer, as a decision diagram over the
//! words of `seccomp_data`: the model's meaning (as
//! [`crate::bpf::reference`] states it for one call) for every call at
//! once, so that a filter can be proven against it. It shares no code with
//! the compiler.

use std::collections::{BTreeMap, HashMap};

use super::term::{Simple, WORDS};
use super::word::{Cmp, WordCond};
use crate::bpf::emulate::SeccompData;
use crate::bpf::{audit_arch, number_bias, return_value, BAD_ARCH_RETURN, X32_SYSCALL_BIT};
use crate::engines::STUB_ACTION;
use crate::model::{ArgCondition, ArgWidth, CmpOp, Resolved, SeccompArch};
use crate::syscalls;

/// A node of a [`Dag`].
pub type NodeId = u32;

/// A test or an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// `cond` (with `holds: true`) decides between two nodes.
    Test {
        /// The test.
        cond: WordCond,
        /// Where it goes when the test holds.
        then: NodeId,
        /// And when it does not.
        otherwise: NodeId,
    },
    /// The filter's return value.
    Return(u32),
}

/// A decision diagram: tests of one word against a constant, and answers.
#[derive(Clone)]
pub struct Dag {
    nodes: Vec<Node>,
    shared: HashMap<Node, NodeId>,
    /// Where a call starts.
    pub root: NodeId,
}

/// The words of an argument's halves.
const fn low_word(index: u8) -> u8 {
    4 + 2 * index
}

const fn high_word(index: u8) -> u8 {
    5 + 2 * index
}

impl Dag {
    /// The node `id`.
    pub fn node(&self, id: NodeId) -> Node {
        self.nodes[id as usize]
    }

    fn add(&mut self, node: Node) -> NodeId {
        if let Node::Test {
            then, otherwise, ..
        } = node
        {
            if then == otherwise {
                return then;
            }
        }
        if let Some(&id) = self.shared.get(&node) {
            return id;
        }
        self.nodes.push(node);
        let id = (self.nodes.len() - 1) as NodeId;
        self.shared.insert(node, id);
        id
    }

    fn answer(&mut self, value: u32) -> NodeId {
        self.add(Node::Return(value))
    }

    fn test(&mut self, value: Simple, cmp: Cmp, k: u32, then: NodeId, otherwise: NodeId) -> NodeId {
        let cond = WordCond {
            value,
            cmp,
            k,
            holds: true,
        };
        self.add(Node::Test {
            cond,
            then,
            otherwise,
        })
    }

    /// The answer for `data`, walking the diagram.
    pub fn eval(&self, data: &SeccompData) -> u32 {
        let words = words_of(data);
        let mut at = self.root;
        loop {
            match self.node(at) {
                Node::Return(value) => return value,
                Node::Test {
                    cond,
                    then,
                    otherwise,
                } => {
                    at = if cond.met_by(words[usize::from(cond.value.word)]) {
                        then
                    } else {
                        otherwise
                    }
                }
            }
        }
    }

    /// The diagram of what `resolved` answers every call (as
    /// [`crate::bpf::reference::decide`] answers one).
    pub fn of(resolved: &Resolved<'_>) -> Dag {
        let mut dag = Dag {
            nodes: Vec::new(),
            shared: HashMap::new(),
            root: 0,
        };
        let bad_arch = dag.answer(BAD_ARCH_RETURN);
        // ABIs grouped by AUDIT_ARCH, in the order the policy lists them.
        let mut sections: Vec<(u32, Vec<SeccompArch>)> = Vec::new();
        for &abi in &resolved.architectures {
            let Some(audit) = audit_arch(abi) else {
                continue;
            };
            match sections.iter_mut().find(|(known, _)| *known == audit) {
                Some((_, abis)) => abis.push(abi),
                None => sections.push((audit, vec![abi])),
            }
        }
        let mut root = bad_arch;
        for (audit, abis) in sections.iter().rev() {
            let section = dag.section(resolved, abis);
            root = dag.test(Simple::word(1), Cmp::Eq, *audit, section, root);
        }
        dag.root = root;
        dag
    }

    /// The calls of one AUDIT_ARCH, whose covered ABIs are `abis`.
    fn section(&mut self, resolved: &Resolved<'_>, abis: &[SeccompArch]) -> NodeId {
        let covered = |abi: SeccompArch| abis.contains(&abi);
        let nr = Simple::word(0);
        let x32_bit = nr.and(X32_SYSCALL_BIT);
        let dispatch = if covered(SeccompArch::X86_64) && !covered(SeccompArch::X32) {
            // Numbers from the x32 bit up belong to another ABI, but for -1.
            let native = self.numbers(resolved, SeccompArch::X86_64);
            let bad_arch = self.answer(BAD_ARCH_RETURN);
            let not_minus_one = self.test(nr, Cmp::Eq, u32::MAX, native, bad_arch);
            self.test(nr, Cmp::Ge, X32_SYSCALL_BIT, not_minus_one, native)
        } else if covered(SeccompArch::X86_64) {
            let (x32, native) = (
                self.numbers(resolved, SeccompArch::X32),
                self.numbers(resolved, SeccompArch::X86_64),
            );
            self.test(x32_bit, Cmp::Eq, 0, native, x32)
        } else {
            let abi = abis[0];
            let numbers = self.numbers(resolved, abi);
            if abi == SeccompArch::X32 {
                let default = self.answer(return_value(resolved.default_action));
                self.test(x32_bit, Cmp::Eq, 0, default, numbers)
            } else {
                numbers
            }
        };
        // The engine's ENOSYS stub comes first, for the first ABI listed.
        let stub = self.answer(return_value(STUB_ACTION));
        let threshold = |abi: SeccompArch| {
            (resolved.enosys_stub.thresholds.iter())
                .find(|(listed, _)| *listed == abi)
                .map(|(_, highest)| *highest)
        };
        let above = |dag: &mut Dag, abi: SeccompArch, otherwise: NodeId| match threshold(abi) {
            Some(highest) => dag.test(nr, Cmp::Gt, highest, stub, otherwise),
            None => otherwise,
        };
        match abis[0] {
            SeccompArch::X86_64 | SeccompArch::X32 => {
                let (with_bit, without) = (
                    above(self, SeccompArch::X32, dispatch),
                    above(self, SeccompArch::X86_64, dispatch),
                );
                self.test(x32_bit, Cmp::Eq, 0, without, with_bit)
            }
            SeccompArch::S390 | SeccompArch::S390x => {
                let checked = above(self, abis[0], dispatch);
                match threshold(abis[0]) {
                    Some(_) => self.test(nr, Cmp::Eq, 0, stub, checked),
                    None => checked,
                }
            }
            abi => above(self, abi, dispatch),
        }
    }

    /// The search over the numbers of `abi` (as the filter sees them),
    /// each to its syscall's rules; the default for numbers of none.
    fn numbers(&mut self, resolved: &Resolved<'_>, abi: SeccompArch) -> NodeId {
        let table = abi.syscall_table();
        let bias = number_bias(abi);
        // The first name the table gives a number, as `by_number` finds it.
        let mut named: BTreeMap<u32, &'static str> = BTreeMap::new();
        for entry in syscalls::all() {
            if let Some(number) = entry.number(table) {
                named.entry(number + bias).or_insert(entry.name());
            }
        }
        let calls: Vec<(u32, NodeId)> = named
            .into_iter()
            .map(|(nr, name)| (nr, self.syscall(resolved, abi, nr, name)))
            .collect();
        let default = self.answer(return_value(resolved.default_action));
        self.search(&calls, default)
    }

    /// A balanced search for `calls` (sorted by number).
    fn search(&mut self, calls: &[(u32, NodeId)], default: NodeId) -> NodeId {
        let nr = Simple::word(0);
        match calls {
            [] => default,
            [(number, node)] => self.test(nr, Cmp::Eq, *number, *node, default),
            _ => {
                let middle = calls.len() / 2;
                let (low, high) = calls.split_at(middle);
                let (low, high) = (self.search(low, default), self.search(high, default));
                self.test(nr, Cmp::Ge, calls[middle].0, high, low)
            }
        }
    }

    /// What `resolved` answers syscall `name` (number `nr`) of `abi`.
    fn syscall(
        &mut self,
        resolved: &Resolved<'_>,
        abi: SeccompArch,
        nr: u32,
        name: &str,
    ) -> NodeId {
        if resolved.enosys_stub.answers(abi, nr) {
            return self.answer(return_value(STUB_ACTION));
        }
        let mut next = self.answer(return_value(resolved.default_action));
        for rule in resolved.rules.iter().rev() {
            if !rule.names(name) {
                continue;
            }
            let mut matched = self.answer(return_value(rule.action));
            for condition in rule.conditions.iter().rev() {
                matched = self.condition(abi, condition, matched, next);
            }
            next = matched;
        }
        next
    }

    /// `condition` as tests on the argument's words (see
    /// [`ArgCondition::holds_on`]): `then` where it holds, else `otherwise`.
    fn condition(
        &mut self,
        abi: SeccompArch,
        condition: &ArgCondition,
        then: NodeId,
        otherwise: NodeId,
    ) -> NodeId {
        // Through a 32-bit ABI the low halves alone, the high one being 0.
        let (condition, high_is_zero) = if abi.has_32_bit_arguments() {
            (condition.low_half(), true)
        } else {
            (*condition, false)
        };
        match condition.width {
            ArgWidth::U64 => self.wide_condition(&condition, high_is_zero, then, otherwise),
            width => self.narrow_condition(&condition, width, then, otherwise),
        }
    }

    /// A comparison of all 64 bits, as tests of the two halves (the high
    /// one known to be 0 where `high_is_zero`).
    fn wide_condition(
        &mut self,
        condition: &ArgCondition,
        high_is_zero: bool,
        then: NodeId,
        otherwise: NodeId,
    ) -> NodeId {
        let low = Simple::word(low_word(condition.index));
        let high = Simple::word(high_word(condition.index));
        let value = condition.value;
        let (value_low, value_high) = (value as u32, (value >> 32) as u32);
        if let CmpOp::MaskedEq(mask) = condition.op {
            let (mask_low, mask_high) = (mask as u32, (mask >> 32) as u32);
            let low_part = self.test(
                low.and(mask_low),
                Cmp::Eq,
                value_low & mask_low,
                then,
                otherwise,
            );
            return if high_is_zero {
                if value_high & mask_high == 0 {
                    low_part
                } else {
                    otherwise
                }
            } else {
                self.test(
                    high.and(mask_high),
                    Cmp::Eq,
                    value_high & mask_high,
                    low_part,
                    otherwise,
                )
            };
        }
        // A 64-bit comparison: the high halves decide, or, where
        // they are equal, the low ones.
        let low_decides = self.compare(low, condition.op, value_low, then, otherwise);
        if high_is_zero {
            // The high half is 0: compare 0 with the value's.
            return match 0u32.cmp(&value_high) {
                std::cmp::Ordering::Equal => low_decides,
                order => {
                    if ordered_outcome(condition.op, order) {
                        then
                    } else {
                        otherwise
                    }
                }
            };
        }
        let above = if ordered_outcome(condition.op, std::cmp::Ordering::Greater) {
            then
        } else {
            otherwise
        };
        let below = if ordered_outcome(condition.op, std::cmp::Ordering::Less) {
            then
        } else {
            otherwise
        };
        let equal_or_below = self.test(high, Cmp::Eq, value_high, low_decides, below);
        self.test(high, Cmp::Gt, value_high, above, equal_or_below)
    }

    /// A comparison of a narrower argument: its low half (or quarter),
    /// signed where the type is.
    fn narrow_condition(
        &mut self,
        condition: &ArgCondition,
        width: ArgWidth,
        then: NodeId,
        otherwise: NodeId,
    ) -> NodeId {
        let low = Simple::word(low_word(condition.index));
        let value = condition.value;
        let value_low = value as u32;
        // The low half (or quarter), signed where the type is.
        let read = match width {
            ArgWidth::U16 => low.and(0xffff),
            ArgWidth::I32 => low.xor(0x8000_0000),
            _ => low,
        };
        let key = width.key(value) as u32;
        match condition.op {
            CmpOp::MaskedEq(mask) => {
                let mask = (mask & width.mask()) as u32;
                self.test(low.and(mask), Cmp::Eq, value_low & mask, then, otherwise)
            }
            op => self.compare(read, op, key, then, otherwise),
        }
    }

    /// `read OP k` (an operator other than a mask).
    fn compare(
        &mut self,
        read: Simple,
        op: CmpOp,
        k: u32,
        then: NodeId,
        otherwise: NodeId,
    ) -> NodeId {
        match op {
            CmpOp::Eq | CmpOp::MaskedEq(_) => self.test(read, Cmp::Eq, k, then, otherwise),
            CmpOp::Ne => self.test(read, Cmp::Eq, k, otherwise, then),
            CmpOp::Gt => self.test(read, Cmp::Gt, k, then, otherwise),
            CmpOp::Ge => self.test(read, Cmp::Ge, k, then, otherwise),
            CmpOp::Lt => self.test(read, Cmp::Ge, k, otherwise, then),
            CmpOp::Le => self.test(read, Cmp::Gt, k, otherwise, then),
        }
    }
}

/// Whether a comparison `op` holds when the argument is `order` than the
/// value (decided by the high halves).
fn ordered_outcome(op: CmpOp, order: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match (op, order) {
        (CmpOp::Eq | CmpOp::MaskedEq(_), order) => order == Equal,
        (CmpOp::Ne, order) => order != Equal,
        (CmpOp::Lt | CmpOp::Le, order) => order == Less,
        (CmpOp::Gt | CmpOp::Ge, order) => order == Greater,
    }
}

/// The sixteen words of `data`.
pub fn words_of(data: &SeccompData) -> [u32; WORDS] {
    std::array::from_fn(|index| data.word(4 * index as u32).unwrap_or(0))
}

/// The call whose words are `words`.
pub fn data_of(words: &[u32; WORDS]) -> SeccompData {
    let long = |index: usize| u64::from(words[index]) | u64::from(words[index + 1]) << 32;
    SeccompData {
        nr: words[0] as i32,
        arch: words[1],
        instruction_pointer: long(2),
        args: std::array::from_fn(|index| long(4 + 2 * index)),
    }
}
