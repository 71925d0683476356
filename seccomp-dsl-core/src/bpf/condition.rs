//! One comparison of a 64-bit argument as code, compared as libseccomp
//! compares it: the compiler's rules and the outcome search use it alike.

use super::assemble::{Ir, Target};
use super::{offset, op};
use crate::model::{ArgCondition, CmpOp};

/// The code of `condition` (all 64 bits, compared as libseccomp does:
/// high word first), going to `yes` when it holds, else to `no`.
pub(super) fn condition_code(condition: &ArgCondition, yes: Target, no: Target) -> Vec<Ir> {
    let (high, low) = (
        offset::arg_high(condition.index),
        offset::arg_low(condition.index),
    );
    let value = condition.value;
    let (value_high, value_low) = ((value >> 32) as u32, value as u32);
    let jump = |code, k, on_true, on_false| Ir::Jump {
        code,
        k,
        on_true,
        on_false,
    };
    match condition.op {
        CmpOp::Eq | CmpOp::Ne => {
            let (equal, unequal) = if condition.op == CmpOp::Eq {
                (yes, no)
            } else {
                (no, yes)
            };
            vec![
                Ir::Load(high),
                jump(op::JEQ, value_high, Target::Next, unequal),
                Ir::Load(low),
                jump(op::JEQ, value_low, equal, unequal),
            ]
        }
        CmpOp::Gt | CmpOp::Ge | CmpOp::Lt | CmpOp::Le => {
            // Gt/Ge hold when the high word is above, or equal with the
            // low word above (or equal, for Ge); Lt/Le are their negations.
            let (above, below) = match condition.op {
                CmpOp::Gt | CmpOp::Ge => (yes, no),
                _ => (no, yes),
            };
            let low_test = if matches!(condition.op, CmpOp::Gt | CmpOp::Le) {
                op::JGT
            } else {
                op::JGE
            };
            vec![
                Ir::Load(high),
                jump(op::JGT, value_high, above, Target::Next),
                jump(op::JEQ, value_high, Target::Next, below),
                Ir::Load(low),
                jump(low_test, value_low, above, below),
            ]
        }
        CmpOp::MaskedEq(mask) => {
            let value = value & mask;
            let (mask_high, mask_low) = ((mask >> 32) as u32, mask as u32);
            let (value_high, value_low) = ((value >> 32) as u32, value as u32);
            let mut code = Vec::new();
            if mask_high != 0 {
                code.push(Ir::Load(high));
                if mask_high != u32::MAX {
                    code.push(Ir::And(mask_high));
                }
                let then = if mask_low == 0 { yes } else { Target::Next };
                code.push(jump(op::JEQ, value_high, then, no));
            }
            if mask_low != 0 {
                code.push(Ir::Load(low));
                if mask_low != u32::MAX {
                    code.push(Ir::And(mask_low));
                }
                code.push(jump(op::JEQ, value_low, yes, no));
            }
            if mask == 0 {
                if let Target::Label(label) = yes {
                    code.push(Ir::Goto(label));
                }
            }
            code
        }
    }
}
