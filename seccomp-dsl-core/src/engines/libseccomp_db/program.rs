//! The run of the program libseccomp 2.5.4 generates from a syscall's
//! tree (`src/gen_bpf.c`), accumulator included.
//!
//! The generator emits one block per node of a level, in order, and
//! threads its idea of the accumulator through them (`_gen_bpf_node`'s
//! `a_state`): a block loads its word only where the block before it on
//! the level (or, for a level's first, the node that leads to the level)
//! left another word or mask. A block is also entered when the level of a
//! node before it runs out (the `nxt_jump` of `_gen_bpf_chain`), holding
//! whatever that level loaded last; the layout then prepends a load to the
//! block only if the first jump it places into it comes with another
//! accumulator (`_gen_bpf_build_bpf`). Which jump that is depends on the
//! whole filter, so where a block that loads nothing is entered with
//! another word, this run follows both: the comparison of the right word,
//! and of the stale one. [`SyscallRules::programmed`] gives every answer
//! the program can give.

use super::{high, low, Id, SyscallRules};
use crate::model::Action;

/// The accumulator: which word it holds (argument and upper half), under
/// which mask; `None` before any argument is loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Accumulator {
    pub(super) word: Option<(u8, bool)>,
    pub(super) mask: u32,
}

impl Accumulator {
    const UNDEFINED: Accumulator = Accumulator {
        word: None,
        mask: u32::MAX,
    };

    /// Its value for the call `args`.
    fn value(self, args: &[u64; 6]) -> u32 {
        let Some((arg, upper)) = self.word else {
            return 0;
        };
        let value = args[usize::from(arg)];
        (if upper { high(value) } else { low(value) }) & self.mask
    }
}

/// How a run through a level ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Action(Action),
    /// The level ran out, with the accumulator as it was.
    Fell(Accumulator),
}

/// The ends of the runs from a block, by the block (its node, the
/// accumulator it was generated with) and the accumulator it is entered
/// with: a run that reaches a block again as it did before ends as before.
type Seen = std::collections::HashMap<(Option<Id>, Accumulator, Accumulator), Vec<End>>;

impl SyscallRules {
    /// Every answer the program libseccomp 2.5.4 generates for these rules
    /// can give the call `args` (`None`: the filter's default), whichever
    /// way the layout of the whole filter places its blocks.
    pub fn programmed(&self, args: &[u64; 6], wide: bool) -> Vec<Option<Action>> {
        let Some(top) = self.chains else {
            return vec![self.action];
        };
        let ends = self.run(
            Some(self.first_of_level(top)),
            Accumulator::UNDEFINED,
            Accumulator::UNDEFINED,
            args,
            wide,
            &mut Seen::new(),
        );
        let mut answers: Vec<Option<Action>> = Vec::new();
        for end in ends {
            let answer = match end {
                End::Action(action) => Some(action),
                End::Fell(_) => None,
            };
            if !answers.contains(&answer) {
                answers.push(answer);
            }
        }
        answers
    }

    /// The run from the block of `node` (the rest of its level), generated
    /// with the accumulator `generated` and entered holding `held`.
    fn run(
        &self,
        node: Option<Id>,
        generated: Accumulator,
        held: Accumulator,
        args: &[u64; 6],
        wide: bool,
        seen: &mut Seen,
    ) -> Vec<End> {
        let Some(id) = node else {
            return vec![End::Fell(held)];
        };
        if let Some(ends) = seen.get(&(node, generated, held)) {
            return ends.clone();
        }
        let n = &self.nodes[id];
        let block = Block::of(n, generated, wide);
        let mut ends = Vec::new();
        for compared in block.compares(held) {
            let (next, act, act_flg) = n.branch(n.holds(compared.value(args)));
            // The block's accumulator as generated: what the next block
            // of the level and a level below were generated with.
            let after = block.after;
            let rest = |held, seen: &mut Seen| self.run(n.lvl_nxt, after, held, args, wide, seen);
            match (next, act_flg) {
                (Some(below), _) => {
                    let first = Some(self.first_of_level(below));
                    for end in self.run(first, after, compared, args, wide, seen) {
                        match end {
                            End::Fell(left) => ends.extend(rest(left, seen)),
                            action => ends.push(action),
                        }
                    }
                }
                (None, true) => ends.push(End::Action(act)),
                (None, false) => ends.extend(rest(compared, seen)),
            }
        }
        ends.dedup();
        seen.insert((node, generated, held), ends.clone());
        ends
    }

    /// Every comparison some run of the program can make: the word (as
    /// the accumulator holds it, under its mask) and the node compared
    /// with it, each once.
    pub(super) fn comparisons(&self, wide: bool) -> Vec<(Accumulator, Id)> {
        let mut found = Vec::new();
        if let Some(top) = self.chains {
            let start = Some(self.first_of_level(top));
            let undefined = Accumulator::UNDEFINED;
            let mut seen = std::collections::HashMap::new();
            self.explore(start, undefined, undefined, wide, &mut seen, &mut found);
        }
        found
    }

    /// [`SyscallRules::run`] for every call at once: both ways at each
    /// comparison, which `found` collects; the accumulators the level can
    /// run out with.
    fn explore(
        &self,
        node: Option<Id>,
        generated: Accumulator,
        held: Accumulator,
        wide: bool,
        seen: &mut std::collections::HashMap<
            (Option<Id>, Accumulator, Accumulator),
            Vec<Accumulator>,
        >,
        found: &mut Vec<(Accumulator, Id)>,
    ) -> Vec<Accumulator> {
        let Some(id) = node else {
            return vec![held];
        };
        if let Some(fell) = seen.get(&(node, generated, held)) {
            return fell.clone();
        }
        // A level is explored once per state: a mark against going round.
        seen.insert((node, generated, held), Vec::new());
        let n = &self.nodes[id];
        let block = Block::of(n, generated, wide);
        let mut fell = Vec::new();
        for compared in block.compares(held) {
            if !found.contains(&(compared, id)) {
                found.push((compared, id));
            }
            for (next, act_flg) in [(n.nxt_t, n.act_t_flg), (n.nxt_f, n.act_f_flg)] {
                let left: Vec<Accumulator> = match (next, act_flg) {
                    (Some(below), _) => {
                        let first = Some(self.first_of_level(below));
                        self.explore(first, block.after, compared, wide, seen, found)
                    }
                    (None, true) => Vec::new(),
                    (None, false) => vec![compared],
                };
                for held in left {
                    for end in self.explore(n.lvl_nxt, block.after, held, wide, seen, found) {
                        if !fell.contains(&end) {
                            fell.push(end);
                        }
                    }
                }
            }
        }
        seen.insert((node, generated, held), fell.clone());
        fell
    }
}

/// What `_gen_bpf_node` makes of a node, given the accumulator it
/// generates the block with.
struct Block {
    /// The block loads the node's word: the generator's accumulator holds
    /// another word, or a narrower mask.
    loads: bool,
    /// The mask the block applies (an AND) where it differs from the
    /// accumulator's.
    and: Option<u32>,
    /// The accumulator as the generator leaves the block: what the next
    /// block of the level and the level below are generated with.
    after: Accumulator,
    generated: Accumulator,
}

impl Block {
    fn of(n: &super::Node, generated: Accumulator, wide: bool) -> Block {
        let word = Some((n.arg, n.high && wide));
        let loads = generated.word != word || n.mask & generated.mask != n.mask;
        let loaded = match loads {
            true => Accumulator {
                word,
                mask: u32::MAX,
            },
            false => generated,
        };
        Block {
            loads,
            and: (n.mask != loaded.mask).then_some(n.mask),
            after: Accumulator {
                mask: n.mask,
                ..loaded
            },
            generated,
        }
    }

    /// The accumulators the block can compare when entered holding
    /// `held`: its word, and where it loads nothing and `held` is another
    /// (the layout may not have prepended a load), the stale one too.
    fn compares(&self, held: Accumulator) -> Vec<Accumulator> {
        let fresh = self.after;
        if self.loads || held == self.generated {
            return vec![fresh];
        }
        let stale = Accumulator {
            mask: held.mask & self.and.unwrap_or(u32::MAX),
            ..held
        };
        if stale == fresh {
            vec![fresh]
        } else {
            vec![fresh, stale]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ArgCondition, CmpOp};

    /// Where no block is entered with a stale accumulator, the program
    /// answers as the tree's walk does, with one answer.
    #[test]
    fn without_a_stale_accumulator_the_program_answers_as_the_tree() {
        let rules = vec![
            (vec![ArgCondition::new(0, CmpOp::Eq, 40)], Action::Errno(1)),
            (vec![ArgCondition::new(1, CmpOp::Eq, 9)], Action::Errno(22)),
        ];
        let db = SyscallRules::build(&rules, true).unwrap();
        for args in [[40, 0, 0, 0, 0, 0], [0, 9, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0]] {
            assert_eq!(db.programmed(&args, true), vec![db.decide(&args, true)]);
        }
    }

    /// Two rules ordering one argument on all 64 bits: a level of the
    /// upper half whose second block loads nothing and is entered from the
    /// level below with the lower half; the stale run answers otherwise.
    #[test]
    fn a_block_entered_with_another_word_is_followed_both_ways() {
        let errno = Action::Errno(1);
        let rules = vec![
            (vec![ArgCondition::new(2, CmpOp::Lt, 8)], errno),
            (vec![ArgCondition::new(2, CmpOp::Le, 0x1_0000_0000)], errno),
        ];
        let db = SyscallRules::build(&rules, true).unwrap();
        let answers = db.programmed(&[0, 0, 8, 0, 0, 0], true);
        assert!(answers.len() > 1, "{answers:?}");
        assert!(answers.contains(&db.decide(&[0, 0, 8, 0, 0, 0], true)));
    }
}
