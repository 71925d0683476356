//! The tree operations of libseccomp's `db.c`: reference counting
//! (`_db_node_put`, `_db_level_clean`, `_db_tree_put`), removal, pruning
//! and merging a new rule's chain into a syscall's tree.

use super::{ist, Id, IterState, SyscallRules};

/// What a step of `_db_tree_prune`'s walk along a level leads to.
enum Step {
    /// On to the level's next node.
    NextNode,
    /// Back to the level above.
    Return,
}
use crate::model::Action;

impl SyscallRules {
    /// `_db_node_put`: drops a reference; at the last one the node leaves
    /// its level and its subtrees are put. `node` becomes a neighbour on
    /// the level, or `None`. Returns the number of nodes freed.
    pub(super) fn node_put(&mut self, node: &mut Option<Id>) -> i64 {
        let Some(n) = *node else { return 0 };
        let mut count = 0;
        self.nodes[n].refcnt -= 1;
        if self.nodes[n].refcnt == 0 {
            let (mut lvl_p, mut lvl_n) = (self.nodes[n].lvl_prv, self.nodes[n].lvl_nxt);
            let (mut nxt_t, mut nxt_f) = (self.nodes[n].nxt_t, self.nodes[n].nxt_f);
            if let Some(p) = lvl_p {
                self.nodes[p].lvl_nxt = None;
            }
            if let Some(x) = lvl_n {
                self.nodes[x].lvl_prv = None;
            }
            count += self.node_put(&mut lvl_p);
            count += self.node_put(&mut lvl_n);
            if let Some(p) = lvl_p {
                self.nodes[p].lvl_nxt = self.get(lvl_n);
            }
            if let Some(x) = lvl_n {
                self.nodes[x].lvl_prv = self.get(lvl_p);
            }
            *node = lvl_p.or(lvl_n);
            count += self.tree_put(&mut nxt_t);
            count += self.tree_put(&mut nxt_f);
            count += 1;
        }
        count
    }

    /// `_db_level_clean`: frees the level of `node` when nothing outside
    /// the level points into it.
    pub(super) fn level_clean(&mut self, node: Id) -> i64 {
        let start = self.first_of_level(node);
        let mut n = Some(start);
        while let Some(id) = n {
            let links = u32::from(self.nodes[id].lvl_prv.is_some())
                + u32::from(self.nodes[id].lvl_nxt.is_some());
            if self.nodes[id].refcnt > links {
                return 0;
            }
            n = self.nodes[id].lvl_nxt;
        }
        let mut count = 0;
        let mut n = Some(start);
        while n.is_some() {
            count += self.node_put(&mut n);
        }
        count
    }

    /// `_db_tree_put`.
    pub(super) fn tree_put(&mut self, tree: &mut Option<Id>) -> i64 {
        let mut count = self.node_put(tree);
        if let Some(id) = *tree {
            count += self.level_clean(id);
        }
        count
    }

    /// `_db_tree_remove`: removes `node` (and what hangs from it) from the
    /// tree whose top is `*tree`.
    pub(super) fn tree_remove(&mut self, tree: &mut Option<Id>, node: Id) -> i64 {
        let Some(top) = *tree else { return 0 };
        let mut count = 0;
        let mut c = Some(self.first_of_level(top));
        while let Some(id) = c {
            if id == node || {
                let mut t = self.nodes[id].nxt_t;
                count += self.tree_remove(&mut t, node);
                self.nodes[id].nxt_t = t;
                let mut f = self.nodes[id].nxt_f;
                count += self.tree_remove(&mut f, node);
                self.nodes[id].nxt_f = f;
                self.zombie(id)
            } {
                if Some(id) == *tree {
                    *tree = self.nodes[id].lvl_prv.or(self.nodes[id].lvl_nxt);
                }
                let (p, x) = (self.nodes[id].lvl_prv, self.nodes[id].lvl_nxt);
                if let Some(p) = p {
                    self.nodes[p].lvl_nxt = x;
                }
                if let Some(x) = x {
                    self.nodes[x].lvl_prv = p;
                }
                self.nodes[id].lvl_prv = None;
                self.nodes[id].lvl_nxt = None;
                let mut gone = Some(id);
                count += self.node_put(&mut gone);
                return count;
            }
            if count != 0 {
                break;
            }
            c = self.nodes[id].lvl_nxt;
        }
        count
    }

    /// `_db_tree_act_check`: whether every action in the tree is `action`.
    pub(super) fn tree_act_check(&self, tree: Option<Id>, action: Option<Action>) -> bool {
        let Some(top) = tree else { return true };
        let mut c = Some(self.first_of_level(top));
        while let Some(id) = c {
            let n = &self.nodes[id];
            if (n.act_t_flg && Some(n.act_t) != action) || (n.act_f_flg && Some(n.act_f) != action)
            {
                return false;
            }
            if !self.tree_act_check(n.nxt_t, action) || !self.tree_act_check(n.nxt_f, action) {
                return false;
            }
            c = n.lvl_nxt;
        }
        true
    }

    /// `_db_tree_prune`: removes from the existing tree what the new
    /// rule's chain (`new`) makes redundant, walking the level of
    /// `existing`. Returns the number of nodes freed.
    pub(super) fn tree_prune(
        &mut self,
        existing: Option<Id>,
        new: Option<Id>,
        state: &mut IterState,
    ) -> i64 {
        let mut count = 0;
        let mut state_new = *state;
        let (Some(x_start), Some(n)) = (existing, new) else {
            return Self::prune_return(state, state_new, count);
        };
        if state.flags & ist::M_MATCHSET == ist::MATCH_ONCE {
            return Self::prune_return(state, state_new, count);
        }
        let mut x_iter = Some(self.first_of_level(x_start));
        while let Some(x) = x_iter {
            let x_next = self.nodes[x].lvl_nxt;
            let step = if self.chain_eq(x, n) {
                self.prune_equal(x, n, state, &mut state_new, &mut count)
            } else if self.chain_lt(x, n) {
                self.prune_below(x, n, true, state, &mut state_new, &mut count)
            } else {
                self.prune_below(x, n, false, state, &mut state_new, &mut count)
            };
            if let Step::Return = step {
                return Self::prune_return(state, state_new, count);
            }
            x_iter = x_next;
        }
        state_new.flags &= !ist::MATCH;
        Self::prune_return(state, state_new, count)
    }

    /// `_db_tree_prune`'s step where the existing node `x` and the new one
    /// `n` compare alike.
    fn prune_equal(
        &mut self,
        x: Id,
        n: Id,
        state: &IterState,
        state_new: &mut IterState,
        count: &mut i64,
    ) -> Step {
        state_new.flags |= ist::M_MATCHSET;
        if self.leaf(n) {
            state_new.flags |= ist::N_FINISHED;
        }
        if self.leaf(x) {
            state_new.flags |= ist::X_FINISHED;
        }
        let (xn, nn) = (&self.nodes[x], &self.nodes[n]);
        if (xn.act_t_flg || xn.nxt_t.is_some()) && !(nn.act_t_flg || nn.nxt_t.is_some())
            || (xn.act_f_flg || xn.nxt_f.is_some()) && !(nn.act_f_flg || nn.nxt_f.is_some())
        {
            return Step::Return;
        }
        let finished = ist::N_FINISHED | ist::X_FINISHED;
        if state_new.flags & finished == finished
            && (nn.act_t_flg != xn.act_t_flg
                || nn.act_t != xn.act_t
                || nn.act_f_flg != xn.act_f_flg
                || nn.act_f != xn.act_f)
        {
            return Step::Return;
        }
        let mut current = Some(x);
        for true_branch in [true, false] {
            let Some(n_next) = self.branch(n, true_branch) else {
                continue;
            };
            // A node freed below leaves `current` on a neighbour, with
            // which libseccomp goes on (or on none: the next node).
            let Some(cx) = current else { break };
            self.get(Some(cx));
            let mut state_nxt = *state;
            state_nxt.flags |= ist::M_MATCHSET;
            *count += self.tree_prune(self.branch(cx, true_branch), Some(n_next), &mut state_nxt);
            *count += self.node_put(&mut current);
            if state_nxt.flags & ist::MATCH != 0 {
                state_new.flags |= state_nxt.flags;
            }
        }
        let Some(x) = current else {
            return Step::NextNode;
        };
        let same_action = self.tree_act_check(Some(x), state_new.action);
        let matched = same_action && state_new.flags & ist::MATCH != 0;
        let new_shorter = ist::N_FINISHED | ist::X_PREFIX;
        let new_longer = ist::X_FINISHED | ist::N_PREFIX;
        if matched && state_new.flags & new_shorter == new_shorter {
            let mut chains = self.chains;
            *count += self.tree_remove(&mut chains, x);
            self.chains = chains;
            if self.chains.is_none() {
                return Step::Return;
            }
        } else if matched && state_new.flags & new_longer == new_longer {
            return Step::Return;
        }
        Step::NextNode
    }

    /// `_db_tree_prune`'s step where the existing node `x` sorts below the
    /// new one `n` (`existing_lower`: the walk goes on in `x`'s subtrees)
    /// or above it (it goes on in `n`'s, on `x`'s level).
    fn prune_below(
        &mut self,
        x: Id,
        n: Id,
        existing_lower: bool,
        state: &IterState,
        state_new: &mut IterState,
        count: &mut i64,
    ) -> Step {
        let (bail, prefix) = match existing_lower {
            true => (ist::N_PREFIX, ist::X_PREFIX),
            false => (ist::X_PREFIX, ist::N_PREFIX),
        };
        if state.flags & bail != 0 {
            return Step::Return;
        }
        let mut current = Some(x);
        for true_branch in [true, false] {
            let Some(cx) = current else { break };
            let (existing, new) = match existing_lower {
                true => (self.branch(cx, true_branch), Some(n)),
                false => (Some(cx), self.branch(n, true_branch)),
            };
            if (existing_lower && existing.is_none()) || (!existing_lower && new.is_none()) {
                continue;
            }
            self.get(Some(cx));
            let mut state_nxt = *state;
            state_nxt.flags &= !ist::MATCH;
            state_nxt.flags |= prefix;
            *count += self.tree_prune(existing, new, &mut state_nxt);
            *count += self.node_put(&mut current);
            if state_nxt.flags & ist::MATCH != 0 {
                state_new.flags |= state_nxt.flags;
                return Step::Return;
            }
        }
        Step::NextNode
    }

    /// The subtree on a node's true or false branch.
    fn branch(&self, node: Id, true_branch: bool) -> Option<Id> {
        match true_branch {
            true => self.nodes[node].nxt_t,
            false => self.nodes[node].nxt_f,
        }
    }

    /// `_db_tree_prune`'s `prune_return`: the state the level above sees.
    fn prune_return(state: &mut IterState, state_new: IterState, count: i64) -> i64 {
        if state_new.flags & ist::MATCH != 0 {
            state.flags |= state_new.flags;
        } else {
            state.flags &= !ist::MATCH;
        }
        count
    }

    /// `_db_tree_add`: merges the new tree at `new` into the level of
    /// `existing`; returns the level's (possibly new) first node, or the
    /// conflict.
    pub(super) fn tree_add(&mut self, existing: Id, new: Id) -> Result<Id, ()> {
        let mut top = existing;
        let mut x = existing;
        let n = new;
        for _ in 0..=self.nodes.len() {
            if self.chain_eq(x, n) {
                self.merge_actions(x, n)?;
                self.merge_subtrees(x, n)?;
                return Ok(top);
            } else if !self.chain_lt(x, n) {
                match self.nodes[x].lvl_nxt {
                    None => {
                        self.nodes[n].lvl_prv = self.get(Some(x));
                        self.nodes[x].lvl_nxt = self.get(Some(n));
                        return Ok(top);
                    }
                    Some(next) => x = next,
                }
            } else {
                match self.nodes[x].lvl_prv {
                    Some(p) => {
                        self.nodes[p].lvl_nxt = self.get(Some(n));
                        self.nodes[n].lvl_prv = Some(p);
                        self.nodes[x].lvl_prv = self.get(Some(n));
                        self.nodes[n].lvl_nxt = Some(x);
                    }
                    None => {
                        self.nodes[x].lvl_prv = self.get(Some(n));
                        self.nodes[n].lvl_nxt = self.get(Some(x));
                    }
                }
                if top == x {
                    top = n;
                    self.get(Some(n));
                    let mut old = Some(x);
                    self.node_put(&mut old);
                }
                return Ok(top);
            }
        }
        self.looped.set(true);
        Ok(top)
    }

    /// `_db_tree_add` for alike nodes: the new node's actions onto the
    /// existing one, or the conflict.
    fn merge_actions(&mut self, x: Id, n: Id) -> Result<(), ()> {
        for true_branch in [true, false] {
            let (n_flg, n_act) = match true_branch {
                true => (self.nodes[n].act_t_flg, self.nodes[n].act_t),
                false => (self.nodes[n].act_f_flg, self.nodes[n].act_f),
            };
            if !n_flg {
                continue;
            }
            let (x_flg, x_act, x_next) = match true_branch {
                true => (
                    self.nodes[x].act_t_flg,
                    self.nodes[x].act_t,
                    self.nodes[x].nxt_t,
                ),
                false => (
                    self.nodes[x].act_f_flg,
                    self.nodes[x].act_f,
                    self.nodes[x].nxt_f,
                ),
            };
            if !x_flg {
                if !self.tree_act_check(x_next, Some(n_act)) {
                    return Err(());
                }
                let mut subtree = x_next;
                self.node_put(&mut subtree);
                let node = &mut self.nodes[x];
                match true_branch {
                    true => {
                        node.nxt_t = None;
                        node.act_t = n_act;
                        node.act_t_flg = true;
                    }
                    false => {
                        node.nxt_f = None;
                        node.act_f = n_act;
                        node.act_f_flg = true;
                    }
                }
            } else if n_act != x_act {
                let (n_high, n_full, x_full) = (
                    self.nodes[n].high,
                    self.nodes[n].datum_full,
                    self.nodes[x].datum_full,
                );
                // Both branches set the true action: libseccomp's
                // own code, kept as it is.
                let overwrite = match true_branch {
                    true => n_high && n_full > x_full,
                    false => n_high && n_full < x_full,
                };
                if overwrite {
                    self.nodes[x].act_t = self.nodes[n].act_t;
                }
                if self.leaf(x) || self.leaf(n) {
                    return Err(());
                }
            }
        }
        Ok(())
    }

    /// `_db_tree_add` for alike nodes: the new node's subtrees into the
    /// existing one's.
    fn merge_subtrees(&mut self, x: Id, n: Id) -> Result<(), ()> {
        for true_branch in [true, false] {
            let n_next = match true_branch {
                true => self.nodes[n].nxt_t,
                false => self.nodes[n].nxt_f,
            };
            let Some(n_next) = n_next else { continue };
            let (x_next, x_flg) = match true_branch {
                true => (self.nodes[x].nxt_t, self.nodes[x].act_t_flg),
                false => (self.nodes[x].nxt_f, self.nodes[x].act_f_flg),
            };
            if let Some(x_next) = x_next {
                let merged = self.tree_add(x_next, n_next)?;
                match true_branch {
                    true => self.nodes[x].nxt_t = Some(merged),
                    false => self.nodes[x].nxt_f = Some(merged),
                }
            } else if !x_flg {
                let got = self.get(Some(n_next));
                match true_branch {
                    true => self.nodes[x].nxt_t = got,
                    false => self.nodes[x].nxt_f = got,
                }
            } else {
                return Ok(());
            }
        }
        Ok(())
    }
}
