//! Names and values lowered: actions, architectures, constants, numbers,
//! argument indices and comparisons, each checked against the syscall.

use proc_macro2::Span;
use syn::Ident;

use super::super::ast::{ActionAst, Comparison, ValueExpr, ValueTerm};
use super::super::errors::{Errors, SpanRange};
use super::{quoted_list, ACTIONS};
use crate::constants;
use crate::model::{
    Action, ArgCondition, ArgWidth, CmpOp, SeccompArch, ARG_COUNT, MAX_ERRNO, MAX_ERRNO_REASON,
};
use crate::validate::ProblemKind;
use crate::{signatures, upper_half};

pub(super) fn lower_arch(name: &Ident, errors: &mut Errors) -> Option<SeccompArch> {
    let text = name.to_string();
    let arch = SeccompArch::from_name(&text);
    if arch.is_none() {
        let otherwise = "architectures are named as libseccomp names them: `x86_64`, `x86`, `x32`, `aarch64`, `arm`, ...";
        errors.push_unknown(
            name.span(),
            "architecture",
            &text,
            SeccompArch::ALL.map(SeccompArch::name),
            Some(otherwise),
        );
    }
    arch
}

pub(super) fn lower_action(action: &ActionAst, errors: &mut Errors) -> Option<Action> {
    let name = action.name.to_string();
    let no_argument = |resolved: Action, errors: &mut Errors| match &action.argument {
        None => Some(resolved),
        Some(argument) => {
            errors.push(argument.span, format!("`{name}` takes no value"), None);
            None
        }
    };
    match name.as_str() {
        "allow" => no_argument(Action::Allow, errors),
        "log" => no_argument(Action::Log, errors),
        "kill" | "kill_thread" => no_argument(Action::KillThread, errors),
        "kill_process" => no_argument(Action::KillProcess, errors),
        "trap" => no_argument(Action::Trap, errors),
        "errno" => match &action.argument {
            None => Some(Action::Errno(1)),
            Some(argument) => {
                let value = resolve_value(argument, ValueKind::Errno, errors)?;
                let help = (value == u64::from(MAX_ERRNO) + 1).then_some(MAX_ERRNO_REASON);
                Action::errno(value)
                    .map_err(|e| errors.push(argument.span, e.to_string(), help))
                    .ok()
            }
        },
        "trace" => match &action.argument {
            None => {
                errors.push(
                    action.span,
                    "`trace` needs a message for the tracer",
                    Some("write `trace(N)`"),
                );
                None
            }
            Some(argument) => {
                let value = resolve_value(argument, ValueKind::Number, errors)?;
                Action::trace(value)
                    .map_err(|e| errors.push(argument.span, e.to_string(), None))
                    .ok()
            }
        },
        _ => {
            let candidates = ACTIONS
                .iter()
                .chain(super::super::ast::STATEMENT_KEYWORDS.iter())
                .copied();
            let otherwise = format!("actions are {}", quoted_list(&ACTIONS));
            errors.push_unknown(
                action.name.span(),
                "action",
                &name,
                candidates,
                Some(&otherwise),
            );
            None
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ValueKind {
    /// Any integer or named constant.
    Number,
    /// An integer or an errno name.
    Errno,
}

pub(super) fn resolve_value(
    value: &ValueExpr,
    kind: ValueKind,
    errors: &mut Errors,
) -> Option<u64> {
    match resolve_signed_value(value, kind, errors)? {
        (value, None) => Some(value),
        (_, Some(minus)) => {
            errors.push(
                SpanRange::single(minus),
                "a negative value is not accepted here",
                Some("write a non-negative number"),
            );
            None
        }
    }
}

/// The value, and the span of its `-` if it is a negative literal (its
/// 64-bit two's complement then).
pub(super) fn resolve_signed_value(
    value: &ValueExpr,
    kind: ValueKind,
    errors: &mut Errors,
) -> Option<(u64, Option<Span>)> {
    let mut result = Some(0u64);
    let mut negative = None;
    for term in &value.terms {
        let resolved = match term {
            ValueTerm::Literal { minus, literal } => {
                if minus.is_some() && value.terms.len() > 1 {
                    errors.push(
                        value.span,
                        "a negative value cannot be joined with `|`",
                        Some("write the value as one number"),
                    );
                    return None;
                }
                negative = *minus;
                if !literal.suffix().is_empty() {
                    errors.push(
                        SpanRange::single(literal.span()),
                        format!("unexpected suffix `{}`", literal.suffix()),
                        Some("values are integers without a type; remove the suffix"),
                    );
                    None
                } else {
                    let parsed = literal.base10_parse::<u64>().ok().and_then(|magnitude| {
                        if minus.is_none() {
                            Some(magnitude)
                        } else if magnitude <= 1 << 63 {
                            Some(magnitude.wrapping_neg())
                        } else {
                            None
                        }
                    });
                    if parsed.is_none() {
                        errors.push(
                            SpanRange::single(literal.span()),
                            format!(
                                "value {}{} does not fit in 64 bits",
                                if minus.is_some() { "-" } else { "" },
                                literal.base10_digits()
                            ),
                            None,
                        );
                    }
                    parsed
                }
            }
            ValueTerm::Constant(name) => {
                let resolved = resolve_constant(name, kind, errors);
                // A constant the C headers define as negative (`AT_FDCWD`)
                // stands for its literal, sign-extended.
                if value.terms.len() == 1 && resolved.is_some_and(|v| (v as i64) < 0) {
                    negative = Some(name.span());
                }
                resolved
            }
        };
        result = match (result, resolved) {
            (Some(acc), Some(term)) => Some(acc | term),
            _ => None,
        };
    }
    Some((result?, negative))
}

pub(super) fn resolve_constant(name: &Ident, kind: ValueKind, errors: &mut Errors) -> Option<u64> {
    let text = name.to_string();
    let value = match kind {
        ValueKind::Number => constants::lookup(&text),
        ValueKind::Errno => constants::errno(&text),
    };
    if value.is_none() {
        let span = name.span();
        if let (ValueKind::Number, Some(why)) = (kind, constants::arch_dependent(&text)) {
            errors.push(
                SpanRange::single(span),
                why,
                Some("a policy is one source for every architecture, which would read this name each its own way: write the number of the architecture the policy is for"),
            );
            return None;
        }
        let arch_dependent = constants::ARCH_DEPENDENT.iter().map(|(name, _)| *name);
        match kind {
            ValueKind::Number => errors.push_unknown(
                span,
                "constant",
                &text,
                constants::names().chain(arch_dependent),
                Some("write the value as a number"),
            ),
            ValueKind::Errno => errors.push_unknown(
                span,
                "errno name",
                &text,
                constants::ERRNO.constants.iter().map(|(n, _)| *n),
                Some("use an errno name such as `EPERM` or a number"),
            ),
        }
    }
    value
}

/// How `syscall` reads the argument `comparison` tests: the width of its C
/// type, or all 64 bits where the comparison says `as u64` or the
/// declaration is unknown. `None` (reported) if the syscall has no such
/// argument.
pub(super) fn comparison_width(
    syscall: &Ident,
    comparison: &Comparison,
    index: u8,
    errors: &mut Errors,
) -> Option<ArgWidth> {
    let name = syscall.to_string();
    if let Some(problem) = ProblemKind::argument_not_taken(&name, index) {
        errors.push(
            SpanRange::single(comparison.arg.span()),
            problem.to_string(),
            problem.help().as_deref(),
        );
        return None;
    }
    Some(match comparison.cast {
        Some(_) => ArgWidth::U64,
        None => upper_half::kernel_width(&name, index).unwrap_or(ArgWidth::U64),
    })
}

/// The type `syscall` reads argument `index` as, for messages: "a 32-bit
/// `int`".
pub(super) fn described(syscall: &str, index: u8) -> String {
    signatures::lookup(syscall)
        .and_then(|signature| signature.arguments().get(usize::from(index)))
        .map_or_else(|| "64 bits".to_string(), signatures::Argument::described)
}

pub(super) fn lower_comparison(
    syscall: &str,
    comparison: &Comparison,
    index: u8,
    width: ArgWidth,
    errors: &mut Errors,
) -> Option<ArgCondition> {
    // The mask first, so that a bad mask is reported beside a bad value.
    // `!(FLAGS)`: every bit the argument has but those.
    let mask_value = (comparison.mask.as_ref()).map(|mask| {
        let value = resolve_value(mask, ValueKind::Number, errors)?;
        Some(match comparison.mask_complement {
            Some(_) => !value & width.mask(),
            None => value,
        })
    });
    let (value, minus) = resolve_signed_value(&comparison.value, ValueKind::Number, errors)?;
    if !value_fits(
        syscall,
        index,
        comparison,
        width,
        value,
        minus.is_some(),
        errors,
    ) {
        return None;
    }
    let arg = &comparison.arg;
    let reads = || described(syscall, index);
    let op = match (&comparison.mask, mask_value) {
        (Some(mask), Some(Some(mask_value))) => {
            if mask_value & !width.mask() != 0 {
                errors.push(
                    mask.span,
                    format!(
                        "mask {} tests bits that `{syscall}` never reads: it reads `{arg}` as {}",
                        upper_half::grouped_hex(mask_value),
                        reads()
                    ),
                    Some(&format!(
                        "keep the mask within {} (or compare all 64 bits with `{arg} as u64`)",
                        upper_half::grouped_hex(width.mask())
                    )),
                );
                return None;
            }
            CmpOp::MaskedEq(mask_value)
        }
        // Reported when it was resolved.
        (Some(_), _) => return None,
        (None, _) => comparison.op,
    };
    Some(ArgCondition {
        index,
        op,
        value: value & width.mask(),
        width,
    })
}

/// Whether `value` (`negative`: written with a minus) is a value the
/// kernel can read in the argument `comparison` compares, which `syscall`
/// reads at `width`; an error where it is not.
fn value_fits(
    syscall: &str,
    index: u8,
    comparison: &Comparison,
    width: ArgWidth,
    value: u64,
    negative: bool,
    errors: &mut Errors,
) -> bool {
    let arg = &comparison.arg;
    let value_span = comparison.value.span;
    let masked = comparison.mask.is_some();
    let ordering = !masked && !matches!(comparison.op, CmpOp::Eq | CmpOp::Ne);
    let reads = || described(syscall, index);
    let fits = match (width, negative) {
        (ArgWidth::U64, false) => true,
        (ArgWidth::U64, true) => {
            errors.push(
                value_span,
                format!(
                    "negative value compared with `{arg}`, which `{syscall}` reads as {}",
                    reads()
                ),
                Some(
                    "64-bit arguments are compared as unsigned integers: write the unsigned value",
                ),
            );
            return false;
        }
        (ArgWidth::I32 | ArgWidth::U32, true) if (value as i64) < i64::from(i32::MIN) => false,
        (ArgWidth::I32, true) => !masked,
        (ArgWidth::U32, true) => !ordering && !masked,
        (ArgWidth::U16, true) => false,
        (ArgWidth::I32, false) if value > i32::MAX as u64 && value <= u64::from(u32::MAX) => {
            if ordering {
                errors.push(
                    value_span,
                    format!(
                        "{} is above the largest value of `{arg}`, which `{syscall}` reads as {}",
                        upper_half::grouped_hex(value),
                        reads()
                    ),
                    Some(&format!(
                        "the kernel reads these bits as {}: write that",
                        width.render(value)
                    )),
                );
                return false;
            }
            true
        }
        (_, false) => value <= width.mask(),
    };
    if !fits {
        let shown = match negative {
            true => format!("{}", value as i64),
            false => upper_half::grouped_hex(value),
        };
        errors.push(
            value_span,
            format!("{shown} is not a value of `{arg}`, which `{syscall}` reads as {}", reads()),
            Some(&format!(
                "the kernel reads only the low {} bits of the register: compare a value it can read, \
                 or compare all 64 bits with `{arg} as u64`",
                width.bits()
            )),
        );
        return false;
    }
    true
}

pub(super) fn argument_index(arg: &Ident, errors: &mut Errors) -> Option<u8> {
    let text = arg.to_string();
    let span = SpanRange::single(arg.span());
    let Some(digits) = text
        .strip_prefix("arg")
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    else {
        errors.push(
            span,
            format!("expected an argument, found `{text}`"),
            Some("arguments are `arg0` to `arg5`"),
        );
        return None;
    };
    match digits.parse::<u8>() {
        Ok(index) if index < ARG_COUNT => Some(index),
        _ => {
            errors.push(
                span,
                format!("argument index {digits} is out of range"),
                Some("syscalls take six arguments: `arg0` to `arg5`"),
            );
            None
        }
    }
}
