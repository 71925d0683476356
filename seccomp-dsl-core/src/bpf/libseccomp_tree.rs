//! How many instructions libseccomp's binary tree (version 2.5,
//! optimization level 2) runs to dispatch a syscall number, from a model of
//! the layout it emits. The compiler keeps every syscall's dispatch within
//! it, so that no syscall runs more instructions under our program than
//! under libseccomp's.
//!
//! libseccomp's layout for one ABI section: the syscalls it filters, in
//! ascending order, each a `jeq nr` whose false branch falls to the next
//! lower one, in chains of four counted from the bottom of a tree padded to
//! `8 << (levels - 1)` slots (the padding lies below the lowest syscall), the
//! lowest of each chain falling to the default action; above the chains, a
//! tree of `jgt` nodes, each added when a slot count reaches a multiple of a
//! level's span. On x86_64 without x32 the section starts by loading the
//! number, sending numbers from the x32 bit up (but -1) to the bad-ABI
//! action, and loading the number again.
//!
//! The model leaves out the `ja` trampolines libseccomp adds to long
//! programs, so it never counts more than libseccomp runs; `tests/bpf.rs`
//! checks it against libseccomp's own programs.

use super::X32_SYSCALL_BIT;

const SYSCALLS_PER_NODE: u32 = 4;

#[derive(Clone, Copy, Debug)]
enum Target {
    Node(usize),
    /// The syscall's own action or argument checks.
    Matched,
    /// The section's default action.
    Default,
}

#[derive(Clone, Copy, Debug)]
enum Node {
    /// `jeq nr`: on true the syscall's code, else `otherwise`.
    Syscall { number: u32, otherwise: Target },
    /// `jgt k`.
    Above {
        k: u32,
        on_true: Target,
        on_false: Target,
    },
}

/// libseccomp's dispatch for one ABI section.
#[derive(Clone, Debug)]
pub struct Dispatch {
    nodes: Vec<Node>,
    entry: Target,
    /// Whether the section starts with x86_64's x32 check.
    x32_check: bool,
    /// Whether the tree loads the number (it does when there is a tree).
    loads_number: bool,
}

impl Dispatch {
    /// The dispatch libseccomp emits for a section filtering `numbers`
    /// (each syscall with a rule of its own, as the section's ABI numbers
    /// it, x32 ones with the x32 bit). `x86_64_alone`: the section is
    /// x86_64's, without x32 sharing it.
    pub fn new(numbers: &[u32], x86_64_alone: bool) -> Dispatch {
        let mut numbers = numbers.to_vec();
        numbers.sort_unstable();
        numbers.dedup();
        let count = numbers.len() as u32;
        let mut dispatch = Dispatch {
            nodes: Vec::new(),
            entry: Target::Default,
            x32_check: x86_64_alone,
            loads_number: count > 0,
        };
        if count == 0 {
            return dispatch;
        }
        let levels = bintree_levels(count);
        let empty = ((SYSCALLS_PER_NODE * 2) << (levels - 1)) - count;
        let mut split_at: Vec<Option<u32>> = vec![None; levels as usize];
        let mut split_target: Vec<Option<Target>> = vec![None; levels as usize];
        // `head` is the first node of the code emitted so far.
        let mut head = Target::Default;
        for (index, &number) in numbers.iter().enumerate() {
            let slot = index as u32 + empty;
            let otherwise = if slot % SYSCALLS_PER_NODE == 0 {
                Target::Default
            } else {
                head
            };
            dispatch.nodes.push(Node::Syscall { number, otherwise });
            let syscall = Target::Node(dispatch.nodes.len() - 1);
            head = syscall;
            let filled = slot + 1;
            for level in (0..levels as usize).rev() {
                if filled % (SYSCALLS_PER_NODE << level) != 0 {
                    continue;
                }
                split_at[level] = Some(number);
                split_target[level] = Some(syscall);
                let mut newest: Option<Target> = None;
                for lower in 0..level {
                    let (Some(k), Some(on_false)) = (split_at[lower], split_target[lower]) else {
                        continue;
                    };
                    dispatch.nodes.push(Node::Above {
                        k,
                        on_true: newest.unwrap_or(syscall),
                        on_false,
                    });
                    newest = Some(Target::Node(dispatch.nodes.len() - 1));
                    head = newest.unwrap();
                }
                if let Some(node) = newest {
                    split_target[level] = Some(node);
                }
                break;
            }
        }
        dispatch.entry = head;
        dispatch
    }

    /// Instructions libseccomp runs for `number` after its ABI check holds
    /// and before the syscall's own code or an action: loads, the x32
    /// check, and the tree's `jgt` and `jeq` tests.
    pub fn cost(&self, number: u32) -> u32 {
        let mut cost = 0;
        if self.x32_check {
            cost += 2; // ld nr; jge X32_SYSCALL_BIT
            if number >= X32_SYSCALL_BIT {
                cost += 1; // jeq -1
                if number != u32::MAX {
                    return cost;
                }
            }
        }
        if self.loads_number {
            cost += 1;
        }
        let mut at = self.entry;
        while let Target::Node(index) = at {
            cost += 1;
            at = match self.nodes[index] {
                Node::Syscall {
                    number: tested,
                    otherwise,
                } => {
                    if tested == number {
                        Target::Matched
                    } else {
                        otherwise
                    }
                }
                Node::Above {
                    k,
                    on_true,
                    on_false,
                } => {
                    if number > k {
                        on_true
                    } else {
                        on_false
                    }
                }
            };
        }
        cost
    }
}

/// libseccomp's `_get_bintree_levels`.
fn bintree_levels(count: u32) -> u32 {
    let (mut levels, mut capacity) = (2, SYSCALLS_PER_NODE * 2);
    while capacity < count {
        capacity <<= 1;
        levels += 1;
    }
    levels
}
