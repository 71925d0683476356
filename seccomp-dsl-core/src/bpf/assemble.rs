//! From instructions with symbolic jump targets to a BPF program: lays out
//! the code, resolves targets to offsets, and routes jumps farther than the
//! 255 instructions a conditional jump can skip through `ja` trampolines.

use super::{op, Instruction};

/// A place in the code, bound with [`Ir::Label`].
pub type Label = usize;

/// Where a jump goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// The next instruction.
    Next,
    /// A label.
    Label(Label),
}

/// An instruction before layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ir {
    /// Binds a label to the next instruction.
    Label(Label),
    /// `ld [offset]`
    Load(u32),
    /// `and #k`
    And(u32),
    /// A conditional jump: `code` is `JEQ`, `JGT`, `JGE` or `JSET`.
    Jump {
        code: u16,
        k: u32,
        on_true: Target,
        on_false: Target,
    },
    /// `ja label`
    Goto(Label),
    /// `ret #k`
    Return(u32),
}

/// Lays out `code`. Every label used must be bound, after its use.
pub fn assemble(code: Vec<Ir>, mut next_label: Label) -> Vec<Instruction> {
    // A `ja` to a `ret` runs one instruction more than a copy of the `ret`,
    // which is no longer.
    let returns = returns_at(&code, next_label);
    let as_return = |label: Label| returns.get(label).copied().flatten();
    let mut code: Vec<Ir> = code
        .into_iter()
        .map(|ir| match ir {
            Ir::Goto(label) => as_return(label).map_or(ir, Ir::Return),
            other => other,
        })
        .collect();
    let far_side = |label: Label| as_return(label).map_or(Ir::Goto(label), Ir::Return);
    loop {
        let (positions, labels) = layout(&code, next_label);
        let distance = |index: usize, target: Target| match target {
            Target::Next => 0,
            Target::Label(label) => labels[label] - positions[index] - 1,
        };
        let is_far = |index: usize| match code[index] {
            Ir::Jump {
                on_true, on_false, ..
            } => distance(index, on_true).max(distance(index, on_false)) > usize::from(u8::MAX),
            _ => false,
        };
        if !(0..code.len()).any(is_far) {
            return code
                .iter()
                .enumerate()
                .filter_map(|(index, ir)| encode(ir, positions[index], &labels))
                .collect();
        }
        // `jxx k, T, F` becomes `jxx k, next, over; ja T; over: ja F` (or
        // the `ret` at T or F itself), each only on a side that is far (or nearly: the trampolines
        // themselves push it two farther). Other jumps may grow past the
        // limit meanwhile: the next round routes those.
        let mut rewritten = Vec::with_capacity(code.len() + 16);
        for (index, ir) in code.iter().enumerate() {
            let Ir::Jump {
                on_true, on_false, ..
            } = *ir
            else {
                rewritten.push(*ir);
                continue;
            };
            if !is_far(index) {
                rewritten.push(*ir);
                continue;
            }
            let far = |target: Target| distance(index, target) > usize::from(u8::MAX) - 2;
            let sides = FarSides {
                on_true: far(on_true),
                on_false: far(on_false),
            };
            reroute(*ir, sides, &far_side, &mut next_label, &mut rewritten);
        }
        code = rewritten;
    }
}

/// Which sides of a jump are too far for its 8-bit offsets.
#[derive(Clone, Copy)]
struct FarSides {
    on_true: bool,
    on_false: bool,
}

/// Writes `jump` to `out` with each far side routed through a trampoline:
/// `jxx k, T, F` becomes `jxx k, next, over; ja T; over: ja F` (or the
/// `ret` at T or F itself, `far_side`), each trampoline only on a side
/// that is far. A side that stays near keeps its target; one that fell
/// through now skips the trampolines.
fn reroute(
    jump: Ir,
    far: FarSides,
    far_side: &dyn Fn(Label) -> Ir,
    next_label: &mut Label,
    out: &mut Vec<Ir>,
) {
    let Ir::Jump {
        code,
        k,
        on_true,
        on_false,
    } = jump
    else {
        unreachable!("only jumps are rerouted")
    };
    let after = *next_label;
    *next_label += 1;
    let keep = |target| match target {
        Target::Next => Target::Label(after),
        other => other,
    };
    let false_landing = far.on_false.then(|| {
        *next_label += 1;
        *next_label - 1
    });
    let new_true = if far.on_true {
        Target::Next
    } else {
        keep(on_true)
    };
    let new_false = false_landing.map_or_else(|| keep(on_false), Target::Label);
    out.push(Ir::Jump {
        code,
        k,
        on_true: new_true,
        on_false: new_false,
    });
    if let (true, Target::Label(label)) = (far.on_true, on_true) {
        out.push(far_side(label));
    }
    if let (Some(landing), Target::Label(label)) = (false_landing, on_false) {
        out.push(Ir::Label(landing));
        out.push(far_side(label));
    }
    out.push(Ir::Label(after));
}

/// For each label, the value of the `ret` it binds, if it binds one.
fn returns_at(code: &[Ir], labels: Label) -> Vec<Option<u32>> {
    let mut returns = vec![None; labels];
    let mut pending: Vec<Label> = Vec::new();
    for ir in code {
        match ir {
            Ir::Label(label) => pending.push(*label),
            Ir::Return(value) => {
                for label in pending.drain(..) {
                    returns[label] = Some(*value);
                }
            }
            _ => pending.clear(),
        }
    }
    returns
}

/// The position of each entry of `code` (a label: of the instruction it
/// binds), and of each label.
fn layout(code: &[Ir], labels: Label) -> (Vec<usize>, Vec<usize>) {
    let mut positions = Vec::with_capacity(code.len());
    let mut label_positions = vec![usize::MAX; labels];
    let mut position = 0;
    for ir in code {
        positions.push(position);
        match ir {
            Ir::Label(label) => label_positions[*label] = position,
            _ => position += 1,
        }
    }
    (positions, label_positions)
}

fn encode(ir: &Ir, position: usize, positions: &[usize]) -> Option<Instruction> {
    let offset = |target: Target| match target {
        Target::Next => 0,
        Target::Label(label) => {
            let target = positions[label];
            assert!(
                target != usize::MAX && target > position,
                "label {label} unbound or behind"
            );
            target - position - 1
        }
    };
    Some(match *ir {
        Ir::Label(_) => return None,
        Ir::Load(offset) => Instruction::new(op::LD | op::W | op::ABS, 0, 0, offset),
        Ir::And(k) => Instruction::new(op::ALU | op::AND | op::K, 0, 0, k),
        Ir::Jump {
            code,
            k,
            on_true,
            on_false,
        } => Instruction::new(
            op::JMP | code | op::K,
            u8::try_from(offset(on_true)).expect("near jump"),
            u8::try_from(offset(on_false)).expect("near jump"),
            k,
        ),
        Ir::Goto(label) => {
            Instruction::new(op::JMP | op::JA, 0, 0, offset(Target::Label(label)) as u32)
        }
        Ir::Return(k) => Instruction::new(op::RET | op::K, 0, 0, k),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::emulate::{run, SeccompData};

    #[test]
    fn far_jumps_go_through_trampolines() {
        // jeq 1 -> far return 7, else -> far return 9, with 600 filler returns between.
        let mut code = vec![
            Ir::Load(0),
            Ir::Jump {
                code: op::JEQ,
                k: 1,
                on_true: Target::Label(0),
                on_false: Target::Label(1),
            },
        ];
        code.extend((0..600).map(|_| Ir::Return(5)));
        code.extend([Ir::Label(0), Ir::Return(7), Ir::Label(1), Ir::Return(9)]);
        let program = assemble(code, 2);
        let call = |nr| {
            run(
                &program,
                &SeccompData {
                    nr,
                    ..SeccompData::default()
                },
            )
            .unwrap()
        };
        assert_eq!(call(1), 7);
        assert_eq!(call(2), 9);
        assert_eq!(program.len(), 2 + 600 + 2 + 2, "two trampolines");
        assert_eq!(
            program[2],
            Instruction::new(op::RET | op::K, 0, 0, 7),
            "ret, not ja ret"
        );
    }
}
