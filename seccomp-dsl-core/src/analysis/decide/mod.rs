//! An exact decision procedure for seccomp filters: whether two sides — a
//! stack of classic BPF filters as the kernel runs them, or a policy's
//! meaning — answer every `seccomp_data` alike (every architecture value,
//! syscall number, instruction pointer and 64-bit argument), or a call on
//! which they differ, confirmed by running both sides on it.
//!
//! How: the programs of both sides run on symbolic input ([`program`],
//! [`policy`]); every path through all of them is followed, one condition
//! per jump that depends on the input, a path dropped as soon as no input
//! can take it ([`path`]). Conditions that compare one word with a
//! constant, which is what compilers emit, are decided by an exact search
//! over that word's bits ([`word`]); anything else (arithmetic, a word
//! against another, scratch memory holding either, a returned `A`) by a
//! SAT solver over the bits ([`sat`]). At the end of each path the kernel's
//! answers ([`answer`]) of both sides are compared. Nothing is sampled:
//! where the budget runs out the answer is [`Undecided`], never "alike".
//!
//! ```
//! use seccomp_dsl_core::{bpf, decide, model::*};
//! let policy = Policy::new(Action::Errno(1), vec![Rule::new(["read"], [], Action::Allow)]);
//! let context = Context { arch: "amd64".into(), capabilities: vec![], kernel: KernelVersion { major: 6, minor: 1 } };
//! let resolved = policy.resolve(&context, SeccompArch::X86_64);
//! let program = bpf::compile(&resolved).unwrap();
//! let filters = [program];
//! let verdict = decide::compare(&decide::Side::Filters(&filters), &decide::Side::Policy(&resolved));
//! assert!(matches!(verdict, decide::Verdict::Same(_)));
//! ```

pub mod answer;
pub mod path;
pub mod policy;
pub mod program;
pub mod sat;
pub mod term;
pub mod word;

use std::fmt;
use std::ops::ControlFlow;

use crate::bpf::check::{accepted, Refusal};
use crate::bpf::emulate::SeccompData;
use crate::bpf::{reference, Instruction};
use crate::model::Resolved;
use answer::{canonical, canonical_bits, kept, kept_bits};
use path::{Arena, Cond, Path};
use policy::{data_of, Dag, Node, NodeId};
use program::{Next, State, Step};
use term::{TermId, Terms, WORDS};
use word::{Cmp, WordCond};

/// One side of a comparison.
#[derive(Clone, Copy)]
pub enum Side<'a> {
    /// Filters as a process is under them, the oldest first (the order in
    /// which `PTRACE_SECCOMP_GET_FILTER` numbers them).
    Filters(&'a [Vec<Instruction>]),
    /// What a policy means, resolved for a context.
    Policy(&'a Resolved<'a>),
    /// The same, its diagram built once for many questions.
    Prepared(&'a Prepared<'a>),
}

/// A resolved policy with its decision diagram, for asking many questions
/// of one policy without building the diagram each time.
pub struct Prepared<'a> {
    resolved: &'a Resolved<'a>,
    dag: Dag,
}

impl<'a> Prepared<'a> {
    /// Builds the diagram of `resolved`.
    pub fn new(resolved: &'a Resolved<'a>) -> Prepared<'a> {
        Prepared {
            resolved,
            dag: Dag::of(resolved),
        }
    }
}

impl Side<'_> {
    /// The kernel's answer to `data` on this side (a policy's is what its
    /// filter must return).
    pub fn answer(&self, data: &SeccompData) -> u32 {
        match self {
            Side::Filters(filters) => answer::answer(filters, data),
            Side::Policy(resolved) => {
                reference::decide(resolved, data.arch, data.nr as u32, &data.args)
            }
            Side::Prepared(prepared) => Side::Policy(prepared.resolved).answer(data),
        }
    }
}

/// How far the procedure may go before it answers [`Undecided`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Instructions and tests run on symbolic input, over every path.
    pub steps: u64,
    /// Conflicts the SAT solver may meet on one question.
    pub sat_conflicts: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            steps: 200_000_000,
            sat_conflicts: 2_000_000,
        }
    }
}

/// A call two sides answer differently, confirmed by running both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The call.
    pub data: SeccompData,
    /// The first side's answer (the return value the kernel keeps).
    pub left: u32,
    /// The second side's.
    pub right: u32,
}

/// What a finished exploration covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Explored {
    /// Paths followed to their end: each a set of inputs every program
    /// answers alike.
    pub paths: u64,
    /// Differences found.
    pub differences: u64,
}

/// Why no answer could be given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undecided {
    /// The kernel would not load filter `filter` (of the first side, or of
    /// the second where `right`), so it decides nothing.
    Refused {
        /// Whether it is a filter of the second side.
        right: bool,
        /// Its index in its side.
        filter: usize,
        /// Why.
        refusal: Refusal,
    },
    /// The budget ran out.
    GaveUp {
        /// What ran out, and where.
        reason: String,
    },
    /// A difference found on a path did not show when both sides were run
    /// on the call: a fault of this procedure, reported rather than hidden.
    Unconfirmed(Difference),
}

impl fmt::Display for Undecided {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undecided::Refused {
                right,
                filter,
                refusal,
            } => write!(
                f,
                "the kernel would refuse filter {filter}{}: {refusal}",
                if *right { " of the second side" } else { "" }
            ),
            Undecided::GaveUp { reason } => write!(f, "cannot decide: {reason}"),
            Undecided::Unconfirmed(difference) => write!(
                f,
                "cannot decide: a difference found on {:x?} ({:#x} against {:#x}) did not show when \
                 both sides ran on it",
                difference.data, difference.left, difference.right
            ),
        }
    }
}

impl std::error::Error for Undecided {}

/// Whether two sides answer alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// They answer every call alike: proven over every path.
    Same(Explored),
    /// They differ on this call.
    Differ(Difference),
    /// No answer.
    Undecided(Undecided),
}

/// Whether `left` and `right` answer every call alike (the first
/// difference found otherwise), within the default [`Limits`].
pub fn compare(left: &Side<'_>, right: &Side<'_>) -> Verdict {
    let mut first = None;
    let explored = differences(left, right, &Limits::default(), |difference| {
        first = Some(difference.clone());
        ControlFlow::Break(())
    });
    match (explored, first) {
        (Err(undecided), _) => Verdict::Undecided(undecided),
        (Ok(_), Some(difference)) => Verdict::Differ(difference),
        (Ok(explored), None) => Verdict::Same(explored),
    }
}

/// Every difference between `left` and `right`, one call for each path on
/// which they differ, handed to `visit` until it breaks. When every path
/// was followed (`visit` never broke) and none was handed over, the sides
/// answer every call alike.
pub fn differences(
    left: &Side<'_>,
    right: &Side<'_>,
    limits: &Limits,
    visit: impl FnMut(&Difference) -> ControlFlow<()>,
) -> Result<Explored, Undecided> {
    differences_where(left, right, limits, &mut |l, r| l == r, visit)
}

/// [`differences`], where two answers count as alike when `alike` says so
/// (given both in [`canonical`] form): a supervisor's notification where
/// the policy denies, say. Each path's answers are checked whole: where an
/// answer is a value of the input (a returned `A`), every pair of answers
/// the path can give is asked about, not only one.
pub fn differences_where(
    left: &Side<'_>,
    right: &Side<'_>,
    limits: &Limits,
    alike: &mut dyn FnMut(u32, u32) -> bool,
    mut visit: impl FnMut(&Difference) -> ControlFlow<()>,
) -> Result<Explored, Undecided> {
    let mut explorer = Explorer::new(*limits);
    let left_count = explorer.add_side(left, false)?;
    explorer.add_side(right, true)?;
    let mut found = 0u64;
    let paths = explorer.explore(&[], &mut |explorer, path, returns| {
        let (lefts, rights) = returns.split_at(left_count);
        let witness = explorer.differing(path, lefts, rights, alike)?;
        let Some(words) = witness else {
            return Ok(ControlFlow::Continue(()));
        };
        let data = data_of(&words);
        let difference = Difference {
            data,
            left: left.answer(&data),
            right: right.answer(&data),
        };
        if alike(canonical(difference.left), canonical(difference.right)) {
            return Err(Undecided::Unconfirmed(difference));
        }
        found += 1;
        Ok(visit(&difference))
    })?;
    Ok(Explored {
        paths,
        differences: found,
    })
}

/// The distinct answers `side` gives the calls whose words `fixed` lists
/// (`(word, value)`: word 0 is `nr`, 1 `arch`, 4 + 2i and 5 + 2i the
/// halves of argument i), each in [`canonical`] form with a call that gets
/// it, at most `most` of them (the first found). Every path is followed:
/// fewer than `most` answers are all the answers there are.
pub fn answers(
    side: &Side<'_>,
    fixed: &[(u8, u32)],
    most: usize,
    limits: &Limits,
) -> Result<Vec<(u32, SeccompData)>, Undecided> {
    let mut explorer = Explorer::new(*limits);
    explorer.add_side(side, false)?;
    let initial: Vec<Cond> = fixed
        .iter()
        .map(|&(word, value)| {
            Cond::Word(WordCond {
                value: term::Simple::word(word),
                cmp: Cmp::Eq,
                k: value,
                holds: true,
            })
        })
        .collect();
    let mut found: Vec<(u32, SeccompData)> = Vec::new();
    explorer.explore(&initial, &mut |explorer, path, returns| {
        // Every answer of this path, one question at a time.
        loop {
            if found.len() >= most {
                return Ok(ControlFlow::Break(()));
            }
            let known: Vec<u32> = found.iter().map(|(value, _)| *value).collect();
            let Some(words) = explorer.another_answer(path, returns, &known)? else {
                return Ok(ControlFlow::Continue(()));
            };
            let data = data_of(&words);
            found.push((canonical(side.answer(&data)), data));
        }
    })?;
    Ok(found)
}

/// How many pairs of answers a path with a returned `A` may need ruled
/// out before the procedure gives up.
const MOST_PAIRS: usize = 64;

/// A program of one side.
enum Prog<'a> {
    Bpf(&'a [Instruction]),
    Dag(std::borrow::Cow<'a, Dag>),
}

/// Where a program's run stands.
#[derive(Clone, Copy, Debug)]
enum Cursor {
    Bpf(State),
    Dag(NodeId),
    Returned(TermId),
}

/// What a program does next on a path.
enum Move {
    /// A test of the input decides where it goes.
    Branch {
        cond: Cond,
        if_true: Cursor,
        if_false: Cursor,
    },
    /// It returns.
    Return(TermId),
}

/// A path to follow: its conditions (and one to add first), which program
/// runs and where, and the values the programs before it returned.
struct Frame {
    path: Path,
    pending: Option<Cond>,
    stage: usize,
    cursor: Cursor,
    returns: Vec<TermId>,
}

/// What a leaf handler is given: the explorer, the path, and every
/// program's return value, in the order the sides were added.
type Leaf<'h> =
    dyn FnMut(&mut Explorer<'_>, &Path, &[TermId]) -> Result<ControlFlow<()>, Undecided> + 'h;

struct Explorer<'a> {
    terms: Terms,
    arena: Arena,
    programs: Vec<Prog<'a>>,
    /// For each program: whether it is of the second side, and its index there.
    origin: Vec<(bool, usize)>,
    limits: Limits,
    steps: u64,
}

impl<'a> Explorer<'a> {
    fn new(limits: Limits) -> Explorer<'a> {
        Explorer {
            terms: Terms::new(),
            arena: Arena::default(),
            programs: Vec::new(),
            origin: Vec::new(),
            limits,
            steps: 0,
        }
    }

    /// Adds the programs of `side`; how many.
    fn add_side(&mut self, side: &Side<'a>, right: bool) -> Result<usize, Undecided> {
        match *side {
            Side::Filters(filters) => {
                for (index, filter) in filters.iter().enumerate() {
                    accepted(filter).map_err(|refusal| Undecided::Refused {
                        right,
                        filter: index,
                        refusal,
                    })?;
                    self.programs.push(Prog::Bpf(filter));
                    self.origin.push((right, index));
                }
                Ok(filters.len())
            }
            Side::Policy(resolved) => {
                let dag = std::borrow::Cow::Owned(Dag::of(resolved));
                self.programs.push(Prog::Dag(dag));
                self.origin.push((right, 0));
                Ok(1)
            }
            Side::Prepared(prepared) => {
                self.programs
                    .push(Prog::Dag(std::borrow::Cow::Borrowed(&prepared.dag)));
                self.origin.push((right, 0));
                Ok(1)
            }
        }
    }

    fn start(&mut self, stage: usize) -> Cursor {
        match &self.programs[stage] {
            Prog::Bpf(_) => Cursor::Bpf(program::start(&mut self.terms)),
            Prog::Dag(dag) => Cursor::Dag(dag.root),
        }
    }

    /// Runs program `stage` from `cursor` to its next branch or return.
    fn step(&mut self, stage: usize, cursor: Cursor) -> Move {
        let cursor_of = |next: Next| match next {
            Next::Go(state) => Cursor::Bpf(state),
            Next::Return(value) => Cursor::Returned(value),
        };
        match (cursor, &self.programs[stage]) {
            (Cursor::Returned(value), _) => Move::Return(value),
            (Cursor::Bpf(state), Prog::Bpf(code)) => {
                match program::run(code, state, &mut self.terms, &mut self.steps) {
                    Step::Branch {
                        cond,
                        if_true,
                        if_false,
                        ..
                    } => Move::Branch {
                        cond,
                        if_true: cursor_of(if_true),
                        if_false: cursor_of(if_false),
                    },
                    Step::Return(value) => Move::Return(value),
                }
            }
            (Cursor::Dag(at), Prog::Dag(dag)) => {
                self.steps += 1;
                match dag.node(at) {
                    Node::Return(value) => Move::Return(self.terms.constant(value)),
                    Node::Test {
                        cond,
                        then,
                        otherwise,
                    } => Move::Branch {
                        cond: Cond::Word(cond),
                        if_true: Cursor::Dag(then),
                        if_false: Cursor::Dag(otherwise),
                    },
                }
            }
            _ => unreachable!("a cursor belongs to its program"),
        }
    }

    /// Follows every path from the inputs meeting `initial`, handing each
    /// path's end to `leaf` until it breaks; the number of paths followed.
    fn explore(&mut self, initial: &[Cond], leaf: &mut Leaf<'_>) -> Result<u64, Undecided> {
        let mut path = Path::every_input();
        for &cond in initial {
            match self.add(&path, cond, None)? {
                Some(next) => path = next,
                None => return Ok(0),
            }
        }
        let cursor = self.start(0);
        let mut stack = vec![Frame {
            path,
            pending: None,
            stage: 0,
            cursor,
            returns: Vec::with_capacity(self.programs.len()),
        }];
        let mut paths = 0u64;
        while let Some(mut frame) = stack.pop() {
            if let Some(cond) = frame.pending.take() {
                match self.add(&frame.path, cond, Some((frame.stage, frame.cursor)))? {
                    Some(path) => frame.path = path,
                    None => continue,
                }
            }
            loop {
                if self.steps > self.limits.steps {
                    return Err(Undecided::GaveUp {
                        reason: format!(
                            "more than {} instructions and tests on symbolic input ({paths} paths \
                             followed to their end)",
                            self.limits.steps
                        ),
                    });
                }
                match self.step(frame.stage, frame.cursor) {
                    Move::Branch {
                        cond,
                        if_true,
                        if_false,
                    } => {
                        let holds = cond.met_by(&self.terms, &frame.path.witness);
                        let (taken, taken_next, other, other_next) = if holds {
                            (cond, if_true, cond.negated(), if_false)
                        } else {
                            (cond.negated(), if_false, cond, if_true)
                        };
                        stack.push(Frame {
                            path: frame.path.clone(),
                            pending: Some(other),
                            stage: frame.stage,
                            cursor: other_next,
                            returns: frame.returns.clone(),
                        });
                        frame.path = self
                            .add(&frame.path, taken, None)?
                            .expect("the witness meets the condition taken");
                        frame.cursor = taken_next;
                    }
                    Move::Return(value) => {
                        frame.returns.push(value);
                        frame.stage += 1;
                        if frame.stage < self.programs.len() {
                            frame.cursor = self.start(frame.stage);
                            continue;
                        }
                        paths += 1;
                        if leaf(self, &frame.path, &frame.returns)?.is_break() {
                            return Ok(paths);
                        }
                        break;
                    }
                }
            }
        }
        Ok(paths)
    }

    /// `path` with `cond`; where the solver gives up, what it was at.
    fn add(
        &mut self,
        path: &Path,
        cond: Cond,
        at: Option<(usize, Cursor)>,
    ) -> Result<Option<Path>, Undecided> {
        self.arena
            .add(&self.terms, path, cond, self.limits.sat_conflicts)
            .map_err(|_| self.gave_up(at))
    }

    fn gave_up(&self, at: Option<(usize, Cursor)>) -> Undecided {
        let place = match at {
            Some((stage, _)) => {
                let (right, index) = self.origin[stage];
                format!(
                    " in filter {index}{}",
                    if right { " of the second side" } else { "" }
                )
            }
            None => String::new(),
        };
        Undecided::GaveUp {
            reason: format!(
                "the SAT solver met more than {} conflicts on a condition{place}",
                self.limits.sat_conflicts
            ),
        }
    }

    /// Words of an input on `path` that the two sides answer differently
    /// (each side's programs returning `lefts` and `rights`; answers
    /// `alike` counts as the same are not different), if any.
    fn differing(
        &mut self,
        path: &Path,
        lefts: &[TermId],
        rights: &[TermId],
        alike: &mut dyn FnMut(u32, u32) -> bool,
    ) -> Result<Option<[u32; WORDS]>, Undecided> {
        let constants = |values: &[TermId]| -> Option<Vec<u32>> {
            values
                .iter()
                .map(|&value| self.terms.value(value))
                .collect()
        };
        if let (Some(l), Some(r)) = (constants(lefts), constants(rights)) {
            let differ = !alike(canonical(kept(&l)), canonical(kept(&r)));
            return Ok(differ.then_some(path.witness));
        }
        // A returned A: the answers are values of the input. Pairs of
        // answers `alike` accepts are ruled out one by one.
        let mut accepted: Vec<(u32, u32)> = Vec::new();
        loop {
            if accepted.len() > MOST_PAIRS {
                return Err(Undecided::GaveUp {
                    reason: format!(
                        "a path answers with values of the input, in more than {MOST_PAIRS} \
                         pairs of answers to tell apart"
                    ),
                });
            }
            let found = self
                .arena
                .solve(
                    &self.terms,
                    path,
                    u16::MAX,
                    &[],
                    self.limits.sat_conflicts,
                    |encoder| {
                        let mut side = |values: &[TermId]| {
                            let bits: Vec<sat::Bits> =
                                values.iter().map(|&v| encoder.term(v)).collect();
                            let kept = kept_bits(encoder, &bits);
                            canonical_bits(encoder, &kept)
                        };
                        let (l, r) = (side(lefts), side(rights));
                        let mut wanted = !encoder.eq(&l, &r);
                        for &(a, b) in &accepted {
                            let (a, b) = (encoder.constant(a), encoder.constant(b));
                            let (is_a, is_b) = (encoder.eq(&l, &a), encoder.eq(&r, &b));
                            let pair = encoder.and(is_a, is_b);
                            wanted = encoder.and(wanted, !pair);
                        }
                        Some(wanted)
                    },
                )
                .map_err(|_| self.gave_up(None))?;
            let Some(words) = found else {
                return Ok(None);
            };
            let data = data_of(&words);
            let answers = |programs: std::ops::Range<usize>| -> Vec<u32> {
                programs
                    .map(|stage| match &self.programs[stage] {
                        Prog::Bpf(code) => crate::bpf::emulate::run(code, &data)
                            .unwrap_or(crate::bpf::ret::KILL_PROCESS),
                        Prog::Dag(dag) => dag.eval(&data),
                    })
                    .collect()
            };
            let pair = (
                canonical(kept(&answers(0..lefts.len()))),
                canonical(kept(&answers(lefts.len()..self.programs.len()))),
            );
            if !alike(pair.0, pair.1) {
                return Ok(Some(words));
            }
            accepted.push(pair);
        }
    }

    /// Words of an input on `path` whose answer (the programs returning
    /// `returns`) is none of `known` (canonical answers), if any.
    fn another_answer(
        &mut self,
        path: &Path,
        returns: &[TermId],
        known: &[u32],
    ) -> Result<Option<[u32; WORDS]>, Undecided> {
        let constants: Option<Vec<u32>> = returns.iter().map(|&v| self.terms.value(v)).collect();
        if let Some(values) = constants {
            let value = canonical(kept(&values));
            return Ok((!known.contains(&value)).then_some(path.witness));
        }
        self.arena
            .solve(
                &self.terms,
                path,
                u16::MAX,
                &[],
                self.limits.sat_conflicts,
                |encoder| {
                    let bits: Vec<sat::Bits> = returns.iter().map(|&v| encoder.term(v)).collect();
                    let kept = kept_bits(encoder, &bits);
                    let value = canonical_bits(encoder, &kept);
                    let mut new = encoder.bit(true);
                    for &seen in known {
                        let seen = encoder.constant(seen);
                        let same = encoder.eq(&value, &seen);
                        new = encoder.and(new, !same);
                    }
                    Some(new)
                },
            )
            .map_err(|_| self.gave_up(None))
    }
}
