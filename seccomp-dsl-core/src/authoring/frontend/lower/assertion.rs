//! `assert` statements lowered: claims about what the policy allows.

use proc_macro2::Span;

use super::super::ast::{Claim, ValueExpr};
use super::super::errors::{Errors, SpanRange};
use super::values::{described, resolve_signed_value, ValueKind};
use super::{Assertion, ClaimedArgument, LoweredClaim, COMPARABLE_PROFILES};
use crate::model::ArgWidth;
use crate::{signatures, syscalls, upper_half};

pub(super) fn lower_assertion(
    keyword: Span,
    claim: &Claim,
    errors: &mut Errors,
) -> Option<Assertion> {
    match claim {
        Claim::NoMoreThan { name } => {
            let text = name.to_string();
            let Some(profile) = COMPARABLE_PROFILES.iter().find(|known| **known == text) else {
                errors.push_unknown(
                    name.span(),
                    "profile",
                    &text,
                    COMPARABLE_PROFILES,
                    Some(
                        "`no_more_than` compares with `DOCKER_DEFAULT` or `DOCKER_DEFAULT_NATIVE`",
                    ),
                );
                return None;
            };
            Some(Assertion {
                claim: LoweredClaim::NoMoreThan { profile },
                span: SpanRange {
                    start: keyword,
                    end: name.span(),
                },
            })
        }
        Claim::Calls {
            allows,
            name,
            args,
            span,
        } => {
            let syscall = name.to_string();
            if syscalls::lookup(&syscall).is_none() {
                let known = syscalls::all().iter().map(|entry| entry.name());
                errors.push_unknown(name.span(), "syscall", &syscall, known, None);
                return None;
            }
            let taken = signatures::lookup(&syscall).map(|signature| signature.arguments().len());
            if args.len() > taken.unwrap_or(6) {
                errors.push(
                    *span,
                    format!(
                        "`{syscall}` takes {} arguments, not {}",
                        taken.unwrap_or(6),
                        args.len()
                    ),
                    Some("write `_` for an argument whatever its value"),
                );
                return None;
            }
            let mut fixed = [None; 6];
            let mut complete = true;
            for (index, (slot, arg)) in fixed.iter_mut().zip(args).enumerate() {
                if let Some(value) = arg {
                    *slot = claimed_value(&syscall, index as u8, value, errors);
                    complete &= slot.is_some();
                }
            }
            if !complete {
                return None;
            }
            Some(Assertion {
                claim: LoweredClaim::Calls {
                    allows: *allows,
                    syscall,
                    fixed,
                },
                span: *span,
            })
        }
    }
}

/// The value an assertion claims for argument `index` of `syscall`: a
/// register's value, or a negative one (`-100`, `AT_FDCWD`) as the kernel
/// reads an `int`, its low 32 bits; an error where the argument cannot
/// hold it.
pub(super) fn claimed_value(
    syscall: &str,
    index: u8,
    value: &ValueExpr,
    errors: &mut Errors,
) -> Option<ClaimedArgument> {
    let (number, minus) = resolve_signed_value(value, ValueKind::Number, errors)?;
    let width = upper_half::kernel_width(syscall, index).unwrap_or_default();
    let Some(minus) = minus else {
        return Some(ClaimedArgument {
            value: number,
            low_half_only: false,
        });
    };
    let fits = match width {
        ArgWidth::I32 | ArgWidth::U32 => (number as i64) >= i64::from(i32::MIN),
        ArgWidth::U64 | ArgWidth::U16 => false,
    };
    if !fits {
        errors.push(
            SpanRange {
                start: minus,
                end: value.span.end,
            },
            format!(
                "negative value {} given for argument {index} of `{syscall}`, which it reads as {}",
                number as i64,
                described(syscall, index)
            ),
            Some("write the unsigned value the register holds"),
        );
        return None;
    }
    Some(ClaimedArgument {
        value: number & width.mask(),
        low_half_only: true,
    })
}
