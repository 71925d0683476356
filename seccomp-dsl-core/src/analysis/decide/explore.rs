//! The exploration behind [`super::compare`], [`super::differences`] and
//! [`super::answers`]: every program of both sides run together over
//! symbolic input, one path at a time, each path's conditions kept
//! satisfiable by the SAT solver.

use super::*;

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
pub(super) type Leaf<'h> =
    dyn FnMut(&mut Explorer<'_>, &Path, &[TermId]) -> Result<ControlFlow<()>, Undecided> + 'h;

pub(super) struct Explorer<'a> {
    terms: Terms,
    arena: Arena,
    programs: Vec<Prog<'a>>,
    /// For each program: whether it is of the second side, and its index there.
    origin: Vec<(bool, usize)>,
    limits: Limits,
    steps: u64,
}

impl<'a> Explorer<'a> {
    pub(super) fn new(limits: Limits) -> Explorer<'a> {
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
    pub(super) fn add_side(&mut self, side: &Side<'a>, right: bool) -> Result<usize, Undecided> {
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
    pub(super) fn explore(
        &mut self,
        initial: &[Cond],
        leaf: &mut Leaf<'_>,
    ) -> Result<u64, Undecided> {
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
    pub(super) fn differing(
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
                        let (l, r) = (answer_of(encoder, lefts), answer_of(encoder, rights));
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
    pub(super) fn another_answer(
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
                    let value = answer_of(encoder, returns);
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

/// The answer the kernel keeps from the filters returning `returns`, as a
/// circuit, canonical (two values that do the same are one).
fn answer_of(encoder: &mut sat::Encoder<'_>, returns: &[TermId]) -> sat::Bits {
    let bits: Vec<sat::Bits> = returns.iter().map(|&v| encoder.term(v)).collect();
    let kept = kept_bits(encoder, &bits);
    canonical_bits(encoder, &kept)
}
