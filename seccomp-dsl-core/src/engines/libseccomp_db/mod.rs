//! How libseccomp 2.5.4 decides one syscall from the rules it was given in
//! order: a port of its rule database (`src/db.c`: `_db_rule_gen_64`,
//! `_db_rule_gen_32`, `_db_tree_prune`, `_db_tree_add`, `db_rule_add`) and
//! of the walk its BPF makes through the result (`src/gen_bpf.c`:
//! `_gen_bpf_chain`).
//!
//! Where the rules of a syscall overlap with different actions, which one
//! wins is not said by the rules but by how libseccomp orders its argument
//! tree: the nodes of a level are sorted (by argument and half, then
//! operator, then value, the largest first), and a call is answered by the
//! first node of a level whose branch leads to an action; a branch that
//! leads nowhere falls through to the next node of the level, and a level
//! that runs out falls through to the next node of the level above.
//!
//! The port keeps libseccomp's reference counts and its quirks (a 64-bit
//! `LT`/`LE` merge that overwrites the true action from the false branch),
//! since both change which node answers; `tests/bpf.rs` checks it against
//! the programs the C library generates.

use crate::model::{Action, ArgCondition, CmpOp};

pub mod answers;
mod chain;
mod program;
mod tree;

type Id = usize;

/// A comparison of one 32-bit half of an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WordOp {
    Eq,
    Gt,
    Ge,
    MaskedEq,
}

#[derive(Clone, Debug)]
struct Node {
    arg: u8,
    /// Compares the upper half (`arg_h_flg`).
    high: bool,
    op: WordOp,
    /// The rule's operator, which orders the level.
    op_orig: CmpOp,
    mask: u32,
    datum: u32,
    datum_full: u64,
    act_t: Action,
    act_t_flg: bool,
    act_f: Action,
    act_f_flg: bool,
    nxt_t: Option<Id>,
    nxt_f: Option<Id>,
    lvl_prv: Option<Id>,
    lvl_nxt: Option<Id>,
    refcnt: u32,
}

impl Node {
    /// Whether the comparison holds for `word` (the half it compares,
    /// under its mask).
    fn holds(&self, word: u32) -> bool {
        match self.op {
            WordOp::Eq | WordOp::MaskedEq => word == self.datum,
            WordOp::Gt => word > self.datum,
            WordOp::Ge => word >= self.datum,
        }
    }

    /// Where the node leads when its comparison `holds` or not: the next
    /// level, the action, and whether there is one.
    fn branch(&self, holds: bool) -> (Option<Id>, Action, bool) {
        match holds {
            true => (self.nxt_t, self.act_t, self.act_t_flg),
            false => (self.nxt_f, self.act_f, self.act_f_flg),
        }
    }
}

/// A rule of a syscall's that libseccomp cannot add, so that runc fails to
/// create the container (or never finishes creating it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The index of the rule, in the order given.
    pub rule: usize,
    /// What libseccomp does with it.
    pub why: Why,
}

/// Why libseccomp cannot add a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// `_db_tree_add` finds two actions for one branch and returns
    /// `-EEXIST`.
    ConflictingActions,
    /// `_db_tree_add` links a level into a loop (a subtree two branches of
    /// the new rule share is inserted twice), and libseccomp never returns.
    LoopsForever,
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Why::ConflictingActions => {
                "libseccomp 2.5.4 refuses it beside the earlier rules (two actions for one \
                 branch of its tree, EEXIST)"
            }
            Why::LoopsForever => {
                "libseccomp 2.5.4 never returns from adding it beside the earlier rules (its \
                 tree's level becomes a loop)"
            }
        })
    }
}

/// One syscall's rules as libseccomp 2.5.4 holds them for one ABI.
#[derive(Clone, Debug)]
pub struct SyscallRules {
    nodes: Vec<Node>,
    /// The top level of the tree; `None` when the syscall is decided
    /// without arguments (by `action`) or has no rule.
    chains: Option<Id>,
    /// The action of a rule without conditions, when there is one.
    action: Option<Action>,
    /// A walk along a level went round (libseccomp would not return).
    looped: std::cell::Cell<bool>,
}

/// The `_DB_IST_*` flags of `db_iter_state`.
mod ist {
    pub const MATCH: u32 = 0x01;
    pub const MATCH_ONCE: u32 = 0x02;
    pub const X_FINISHED: u32 = 0x10;
    pub const N_FINISHED: u32 = 0x20;
    pub const X_PREFIX: u32 = 0x100;
    pub const N_PREFIX: u32 = 0x200;
    pub const M_MATCHSET: u32 = MATCH | MATCH_ONCE;
    pub const M_REDUNDANT: u32 = MATCH | X_FINISHED | N_PREFIX;
}

#[derive(Clone, Copy, Default)]
struct IterState {
    flags: u32,
    action: Option<Action>,
}

const fn high(value: u64) -> u32 {
    (value >> 32) as u32
}

const fn low(value: u64) -> u32 {
    value as u32
}

impl SyscallRules {
    /// The syscall's rules, each its conditions and action, added in order
    /// as `seccomp_rule_add_array` adds them; `wide`: the ABI's arguments
    /// are 64 bits (x86_64), else 32 (x86, x32). A rule comparing one
    /// argument twice is the caller's to split, as runc does.
    pub fn build(rules: &[(Vec<ArgCondition>, Action)], wide: bool) -> Result<Self, Refused> {
        let mut db = SyscallRules {
            nodes: Vec::new(),
            chains: None,
            action: None,
            looped: std::cell::Cell::new(false),
        };
        for (index, (conditions, action)) in rules.iter().enumerate() {
            let refused = |why| Refused { rule: index, why };
            db.add(conditions, *action, wide)
                .map_err(|()| refused(Why::ConflictingActions))?;
            if db.looped.get() || !db.levels_are_lists() {
                return Err(refused(Why::LoopsForever));
            }
        }
        Ok(db)
    }

    /// Whether every level of the nodes still in use is a list: walking
    /// it either way ends.
    fn levels_are_lists(&self) -> bool {
        let ends = |start: &Node, step: fn(&Node) -> Option<Id>| {
            let mut node = step(start);
            for _ in 0..self.nodes.len() {
                match node {
                    None => return true,
                    Some(id) => node = step(&self.nodes[id]),
                }
            }
            false
        };
        (self.nodes.iter())
            .filter(|node| node.refcnt > 0)
            .all(|node| ends(node, |n| n.lvl_prv) && ends(node, |n| n.lvl_nxt))
    }

    /// The action libseccomp's program returns for a call with `args`, or
    /// `None` where it falls through to the filter's default.
    pub fn decide(&self, args: &[u64; 6], wide: bool) -> Option<Action> {
        match self.chains {
            None => self.action,
            Some(top) => self.walk(top, args, wide),
        }
    }

    /// The walk of `_gen_bpf_chain`: the level of `start` from its first
    /// node; `None` when the level runs out.
    fn walk(&self, start: Id, args: &[u64; 6], wide: bool) -> Option<Action> {
        let mut node = self.first_of_level(start);
        loop {
            let n = &self.nodes[node];
            let value = args[usize::from(n.arg)];
            let word = if n.high && wide {
                high(value)
            } else {
                low(value)
            };
            let (next, act, act_flg) = n.branch(n.holds(word & n.mask));
            if let Some(next) = next {
                if let Some(action) = self.walk(next, args, wide) {
                    return Some(action);
                }
            } else if act_flg {
                return Some(act);
            }
            node = n.lvl_nxt?;
        }
    }

    /// The first node of `node`'s level; where the level loops (as
    /// libseccomp can make it), `looped` is set and the walk stops.
    fn first_of_level(&self, mut node: Id) -> Id {
        let mut steps = 0;
        while let Some(previous) = self.nodes[node].lvl_prv {
            node = previous;
            steps += 1;
            if steps > self.nodes.len() {
                self.looped.set(true);
                break;
            }
        }
        node
    }

    fn new_node(&mut self, node: Node) -> Id {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn get(&mut self, node: Option<Id>) -> Option<Id> {
        if let Some(id) = node {
            self.nodes[id].refcnt += 1;
        }
        node
    }

    fn leaf(&self, id: Id) -> bool {
        self.nodes[id].nxt_t.is_none() && self.nodes[id].nxt_f.is_none()
    }

    fn zombie(&self, id: Id) -> bool {
        let n = &self.nodes[id];
        self.leaf(id) && !n.act_t_flg && !n.act_f_flg
    }

    /// `__db_chain_arg_priority`.
    fn arg_priority(&self, id: Id) -> u32 {
        (u32::from(self.nodes[id].arg) << 1) + u32::from(self.nodes[id].high)
    }

    /// `_db_chain_lt`.
    fn chain_lt(&self, a: Id, b: Id) -> bool {
        let (pa, pb) = (self.arg_priority(a), self.arg_priority(b));
        if pa != pb {
            return pa < pb;
        }
        let op_priority = |op: CmpOp| match op {
            CmpOp::MaskedEq(_) | CmpOp::Eq | CmpOp::Ne => 3,
            CmpOp::Le | CmpOp::Lt => 2,
            CmpOp::Ge | CmpOp::Gt => 1,
        };
        let (oa, ob) = (
            op_priority(self.nodes[a].op_orig),
            op_priority(self.nodes[b].op_orig),
        );
        if oa != ob {
            return oa < ob;
        }
        let (da, db) = (self.nodes[a].datum, self.nodes[b].datum);
        match self.nodes[a].op_orig {
            CmpOp::Le | CmpOp::Lt => da > db,
            _ => da < db,
        }
    }

    /// `_db_chain_eq`.
    fn chain_eq(&self, a: Id, b: Id) -> bool {
        let (x, y) = (&self.nodes[a], &self.nodes[b]);
        self.arg_priority(a) == self.arg_priority(b)
            && x.op == y.op
            && x.datum == y.datum
            && x.mask == y.mask
    }

    /// `db_rule_add` for one rule of this syscall. (libseccomp's node
    /// counts only order syscalls in the program, so they are left out.)
    fn add(&mut self, conditions: &[ArgCondition], action: Action, wide: bool) -> Result<(), ()> {
        let exists = self.chains.is_some() || self.action.is_some();
        let (new_chains, new_action) = match wide {
            true => self.gen_64(conditions, action),
            false => self.gen_32(conditions, action),
        };
        if !exists {
            (self.chains, self.action) = (new_chains, new_action);
            return Ok(());
        }
        let mut rm_flag = false;
        loop {
            if self.chains.is_none() {
                if rm_flag {
                    (self.chains, self.action) = (new_chains, new_action);
                }
                // Else the syscall is decided without arguments already:
                // the existing rule is at least as wide.
                return Ok(());
            }
            if new_chains.is_none() {
                (self.chains, self.action) = (None, Some(action));
                return Ok(());
            }
            let mut state = IterState {
                flags: 0,
                action: Some(action),
            };
            let pruned = self.tree_prune(self.chains, new_chains, &mut state);
            if pruned > 0 {
                rm_flag = true;
                if self.chains.is_none() {
                    continue;
                }
            } else if state.flags & ist::M_REDUNDANT == ist::M_REDUNDANT {
                return Ok(());
            }
            break;
        }
        let (Some(top), Some(new)) = (self.chains, new_chains) else {
            return Ok(());
        };
        self.chains = Some(self.tree_add(top, new)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(index: u8, value: u64) -> ArgCondition {
        ArgCondition::new(index, CmpOp::Eq, value)
    }

    fn ne(index: u8, value: u64) -> ArgCondition {
        ArgCondition::new(index, CmpOp::Ne, value)
    }

    /// containers/common's `socket` rules for a container without
    /// CAP_AUDIT_WRITE, answered as podman 4.3 (libseccomp 2.5.4) was
    /// measured to answer them.
    #[test]
    fn containers_commons_socket_rules_are_answered_as_measured() {
        let rules = vec![
            (vec![eq(0, 40)], Action::Errno(1)),
            (vec![eq(0, 16), eq(2, 9)], Action::Errno(22)),
            (vec![eq(0, 16), ne(2, 9)], Action::Allow),
            (vec![ne(0, 16)], Action::Allow),
        ];
        for wide in [true, false] {
            let db = SyscallRules::build(&rules, wide).unwrap();
            let call = |family, protocol| db.decide(&[family, 5, protocol, 0, 0, 0], wide);
            assert_eq!(call(40, 0), Some(Action::Errno(1)), "wide {wide}");
            assert_eq!(call(16, 9), Some(Action::Errno(22)), "wide {wide}");
            assert_eq!(call(16, 0), Some(Action::Allow), "wide {wide}");
            assert_eq!(call(2, 0), Some(Action::Allow), "wide {wide}");
        }
        // With 10 for 40, the `!= 16` rule's node comes first, and wins.
        let swapped = vec![
            (vec![eq(0, 10)], Action::Errno(1)),
            (vec![ne(0, 16)], Action::Allow),
        ];
        let db = SyscallRules::build(&swapped, true).unwrap();
        assert_eq!(db.decide(&[10, 0, 0, 0, 0, 0], true), Some(Action::Allow));
    }
}
