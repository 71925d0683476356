//! A filter run on symbolic input: the registers and scratch memory hold
//! [`Terms`], straight-line code is followed, and a
//! jump whose outcome depends on the input becomes a branch with its
//! condition. Every instruction the kernel accepts in a filter is taken
//! (see [`crate::bpf::check`]), with the kernel's semantics: a division by
//! an `X` of 0 returns 0, a shift by `X` takes it modulo 32.

use super::path::{Classified, Cond};
use super::term::{TermId, Terms};
use crate::bpf::{op, Instruction};

/// Where a run stands: before instruction `pc`, with these registers.
#[derive(Clone, Copy, Debug)]
pub struct State {
    pc: u32,
    a: TermId,
    x: TermId,
    memory: [TermId; 16],
}

/// What follows a branch.
#[derive(Clone, Copy, Debug)]
pub enum Next {
    /// The run goes on from there.
    Go(State),
    /// The program returns this value.
    Return(TermId),
}

/// Where a run of straight-line code ends.
#[derive(Clone, Copy, Debug)]
pub enum Step {
    /// At a jump that depends on the input.
    Branch {
        /// Where the jump is.
        at: u32,
        /// What it tests.
        cond: Cond,
        /// Where the run goes when it holds.
        if_true: Next,
        /// And when it does not.
        if_false: Next,
    },
    /// At a return.
    Return(TermId),
}

/// The state before the first instruction: A and X are 0.
pub fn start(terms: &mut Terms) -> State {
    let zero = terms.constant(0);
    State {
        pc: 0,
        a: zero,
        x: zero,
        memory: [zero; 16],
    }
}

/// Runs `program` (accepted by the kernel) from `state` to the next
/// branch or return; the instructions run are counted in `steps`.
pub fn run(program: &[Instruction], mut state: State, terms: &mut Terms, steps: &mut u64) -> Step {
    loop {
        *steps += 1;
        let at = state.pc;
        let Instruction { code, jt, jf, k } = program[at as usize];
        state.pc += 1;
        match code & 0x07 {
            op::LD | op::LDX => {
                let value = match code & 0xe0 {
                    op::ABS => terms.word((k / 4) as u8),
                    op::MEM => state.memory[k as usize],
                    op::LEN => terms.constant(64),
                    _ => terms.constant(k),
                };
                if code & 0x07 == op::LD {
                    state.a = value;
                } else {
                    state.x = value;
                }
            }
            op::ST => state.memory[k as usize] = state.a,
            op::STX => state.memory[k as usize] = state.x,
            op::ALU => {
                if let Some(step) = alu(code, k, at, &mut state, terms) {
                    return step;
                }
            }
            op::JMP => {
                if let Some(step) = jump(code, k, jt, jf, at, &mut state, terms) {
                    return step;
                }
            }
            op::RET => {
                return Step::Return(if code & 0x18 == op::A {
                    state.a
                } else {
                    terms.constant(k)
                })
            }
            _ => {
                if code & 0xf8 == op::TXA {
                    state.a = state.x;
                } else {
                    state.x = state.a;
                }
            }
        }
    }
}

/// An ALU instruction run on `state`: a step where the program branches
/// (`X` may be 0 in a division) or returns (a division by 0), else `None`.
fn alu(code: u16, k: u32, at: u32, state: &mut State, terms: &mut Terms) -> Option<Step> {
    let operation = code & 0xf0;
    if operation == op::NEG {
        state.a = terms.neg(state.a);
        return None;
    }
    let operand = if code & op::X != 0 {
        state.x
    } else {
        terms.constant(k)
    };
    if matches!(operation, op::DIV | op::MOD) && terms.value(operand) != Some(0) {
        if terms.value(operand).is_none() {
            // X may be 0: the kernel's program returns 0 then.
            let zero = terms.constant(0);
            let divided = terms.alu(operation, state.a, operand);
            let Classified::Cond(cond) = Cond::classify(terms, operand, op::JEQ, zero, true) else {
                unreachable!("a value that is not a constant is a condition")
            };
            return Some(Step::Branch {
                at,
                cond,
                if_true: Next::Return(zero),
                if_false: Next::Go(State {
                    a: divided,
                    ..*state
                }),
            });
        }
    } else if matches!(operation, op::DIV | op::MOD) {
        return Some(Step::Return(terms.constant(0)));
    }
    state.a = terms.alu(operation, state.a, operand);
    None
}

/// A jump run on `state`: the branch where its test depends on the input,
/// else `None` with `state` at the instruction it goes to.
fn jump(
    code: u16,
    k: u32,
    jt: u8,
    jf: u8,
    at: u32,
    state: &mut State,
    terms: &mut Terms,
) -> Option<Step> {
    let operation = code & 0xf0;
    if operation == op::JA {
        state.pc += k;
        return None;
    }
    let operand = if code & op::X != 0 {
        state.x
    } else {
        terms.constant(k)
    };
    let (on_true, on_false) = (state.pc + u32::from(jt), state.pc + u32::from(jf));
    match Cond::classify(terms, state.a, operation, operand, true) {
        Classified::Always(true) => state.pc = on_true,
        Classified::Always(false) => state.pc = on_false,
        Classified::Cond(cond) => {
            return Some(Step::Branch {
                at,
                cond,
                if_true: Next::Go(State {
                    pc: on_true,
                    ..*state
                }),
                if_false: Next::Go(State {
                    pc: on_false,
                    ..*state
                }),
            })
        }
    }
    None
}
