//! A new rule's chain of nodes, as libseccomp's `_db_rule_gen_64` and
//! `_db_rule_gen_32` make it: one level per compared argument, in argument
//! order, each comparison of a 64-bit ABI split into its two halves.

use super::{high, low, Id, Node, SyscallRules, WordOp};
use crate::model::{Action, ArgCondition, CmpOp};

/// The nodes one comparison makes, and its operator.
#[derive(Clone, Copy)]
struct Level {
    first: Id,
    second: Id,
    /// The lower half's node of `>`, `>=`, `<` and `<=`.
    third: Option<Id>,
    op: CmpOp,
}

impl Level {
    /// The branches on which the comparison holds: the true or the false
    /// ones (`true` for the true ones) of these nodes.
    fn where_it_holds(&self) -> (bool, [Option<Id>; 2]) {
        let Level {
            first,
            second,
            third,
            op,
        } = *self;
        match op {
            CmpOp::Gt | CmpOp::Ge => (true, [Some(first), third]),
            CmpOp::Eq | CmpOp::MaskedEq(_) => (true, [Some(second), None]),
            CmpOp::Le | CmpOp::Lt => (false, [Some(second), third]),
            CmpOp::Ne => (false, [Some(first), Some(second)]),
        }
    }
}

impl SyscallRules {
    /// A node comparing one half of argument `arg` (the upper one where
    /// `upper`) with that half of `datum`, under that half of `mask`.
    pub(super) fn node(
        arg: u8,
        upper: bool,
        op: WordOp,
        op_orig: CmpOp,
        mask: u64,
        datum: u64,
    ) -> Node {
        let half = |value: u64| if upper { high(value) } else { low(value) };
        Node {
            arg,
            high: upper,
            op,
            op_orig,
            mask: half(mask),
            datum: half(datum) & half(mask),
            datum_full: datum,
            act_t: Action::KillThread,
            act_t_flg: false,
            act_f: Action::KillThread,
            act_f_flg: false,
            nxt_t: None,
            nxt_f: None,
            lvl_prv: None,
            lvl_nxt: None,
            refcnt: 0,
        }
    }

    /// The comparison's mask and value as libseccomp takes them.
    pub(super) fn mask_and_datum(condition: &ArgCondition) -> (u64, u64) {
        match condition.op {
            CmpOp::MaskedEq(mask) => (mask, condition.value),
            _ => (u64::MAX, condition.value),
        }
    }

    /// The conditions in argument order, one per argument.
    pub(super) fn in_argument_order(conditions: &[ArgCondition]) -> Vec<ArgCondition> {
        let mut ordered = conditions.to_vec();
        ordered.sort_by_key(|condition| condition.index);
        ordered
    }

    /// `_db_rule_gen_64`: the new rule's chain, or its action when it
    /// compares nothing.
    pub(super) fn gen_64(
        &mut self,
        conditions: &[ArgCondition],
        action: Action,
    ) -> (Option<Id>, Option<Action>) {
        let mut top = None;
        let mut previous: Option<Level> = None;
        for condition in Self::in_argument_order(conditions) {
            let (mask, _) = Self::mask_and_datum(&condition);
            if matches!(condition.op, CmpOp::MaskedEq(_)) && mask == 0 {
                continue;
            }
            let level = self.level_64(&condition);
            match &previous {
                Some(previous) => self.link_64(previous, level.first),
                None => top = self.get(Some(level.first)),
            }
            previous = Some(level);
        }
        let Some(last) = previous else {
            return (None, Some(action));
        };
        let (on_true, ids) = last.where_it_holds();
        for id in ids.into_iter().flatten() {
            let node = &mut self.nodes[id];
            match on_true {
                true => (node.act_t_flg, node.act_t) = (true, action),
                false => (node.act_f_flg, node.act_f) = (true, action),
            }
        }
        (top, None)
    }

    /// The nodes of one comparison on a 64-bit ABI: for `>`, `>=`, `<`
    /// and `<=`, the upper half above, else equal and the lower half
    /// compared; for the others, the upper half then the lower one.
    fn level_64(&mut self, condition: &ArgCondition) -> Level {
        let (mask, datum) = Self::mask_and_datum(condition);
        let (arg, op) = (condition.index, condition.op);
        match op {
            CmpOp::Gt | CmpOp::Ge | CmpOp::Lt | CmpOp::Le => {
                let low_op = match op {
                    CmpOp::Gt | CmpOp::Le => WordOp::Gt,
                    _ => WordOp::Ge,
                };
                let first = self.new_node(Self::node(arg, true, WordOp::Gt, op, mask, datum));
                let second = self.new_node(Self::node(arg, true, WordOp::Eq, op, mask, datum));
                let third = self.new_node(Self::node(arg, false, low_op, op, mask, datum));
                self.nodes[first].nxt_f = self.get(Some(second));
                self.nodes[second].nxt_t = self.get(Some(third));
                Level {
                    first,
                    second,
                    third: Some(third),
                    op,
                }
            }
            CmpOp::Eq | CmpOp::Ne | CmpOp::MaskedEq(_) => {
                let word_op = match op {
                    CmpOp::MaskedEq(_) => WordOp::MaskedEq,
                    _ => WordOp::Eq,
                };
                let first = self.new_node(Self::node(arg, true, word_op, op, mask, datum));
                let second = self.new_node(Self::node(arg, false, word_op, op, mask, datum));
                self.nodes[first].nxt_t = self.get(Some(second));
                Level {
                    first,
                    second,
                    third: None,
                    op,
                }
            }
        }
    }

    /// Links the branches of `previous` that mean "this comparison holds"
    /// to the next level's first node.
    fn link_64(&mut self, previous: &Level, next: Id) {
        let (on_true, ids) = previous.where_it_holds();
        for id in ids.into_iter().flatten() {
            let link = self.get(Some(next));
            match on_true {
                true => self.nodes[id].nxt_t = link,
                false => self.nodes[id].nxt_f = link,
            }
        }
    }

    /// `_db_rule_gen_32`: as [`Self::gen_64`], one node per comparison.
    pub(super) fn gen_32(
        &mut self,
        conditions: &[ArgCondition],
        action: Action,
    ) -> (Option<Id>, Option<Action>) {
        let mut top = None;
        let mut prev: Option<(Id, bool)> = None;
        for condition in Self::in_argument_order(conditions) {
            let (mask, datum) = Self::mask_and_datum(&condition);
            if matches!(condition.op, CmpOp::MaskedEq(_)) && low(mask) == 0 {
                continue;
            }
            let (word_op, on_true) = match condition.op {
                CmpOp::Ne => (WordOp::Eq, false),
                CmpOp::Lt => (WordOp::Ge, false),
                CmpOp::Le => (WordOp::Gt, false),
                CmpOp::Eq => (WordOp::Eq, true),
                CmpOp::Gt => (WordOp::Gt, true),
                CmpOp::Ge => (WordOp::Ge, true),
                CmpOp::MaskedEq(_) => (WordOp::MaskedEq, true),
            };
            let node = Self::node(condition.index, false, word_op, condition.op, mask, datum);
            let id = self.new_node(node);
            match prev {
                Some((p, true)) => self.nodes[p].nxt_t = self.get(Some(id)),
                Some((p, false)) => self.nodes[p].nxt_f = self.get(Some(id)),
                None => top = self.get(Some(id)),
            }
            prev = Some((id, on_true));
        }
        let Some((last, on_true)) = prev else {
            return (None, Some(action));
        };
        match on_true {
            true => {
                self.nodes[last].act_t_flg = true;
                self.nodes[last].act_t = action;
            }
            false => {
                self.nodes[last].act_f_flg = true;
                self.nodes[last].act_f = action;
            }
        }
        (top, None)
    }
}
