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

mod explore;

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

use explore::Explorer;

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
