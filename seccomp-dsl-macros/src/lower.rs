//! Turns the syntax tree into the shared policy model: resolves actions,
//! constants and argument names, and expands `||` into one rule per
//! alternative. Remembers where each part of each rule came from, so that
//! problems found later in the model can be reported at the right tokens.

use std::borrow::Cow;

use proc_macro2::Span;
use seccomp_dsl_core::model::{Action, ArgCondition, CmpOp, Policy, Rule, ARG_COUNT};
use seccomp_dsl_core::{constants, suggest};
use syn::Ident;

use crate::ast::{ActionAst, Comparison, Expr, PolicyAst, Statement, ValueExpr, ValueTerm};
use crate::errors::{Errors, SpanRange};

/// A condition may expand to at most this many alternatives.
const MAX_ALTERNATIVES: usize = 64;

const ACTIONS: [&str; 8] = [
    "allow",
    "errno",
    "kill",
    "kill_thread",
    "kill_process",
    "trap",
    "trace",
    "log",
];

pub struct Lowered {
    pub policy: Policy,
    /// Where each rule of `policy.rules` came from.
    pub sources: Vec<RuleSource>,
    /// The `default` statement, if there is exactly one.
    pub default: Option<SpanRange>,
    pub forbidden: Vec<Ident>,
}

pub struct RuleSource {
    /// Index of the statement the rule came from.
    pub statement: usize,
    pub syscalls: Vec<Span>,
    pub conditions: Vec<ConditionSource>,
    pub action: SpanRange,
}

pub struct ConditionSource {
    /// Which comparison of the statement, counted in source order.
    pub ordinal: usize,
    pub whole: SpanRange,
    pub mask: SpanRange,
    pub value: SpanRange,
}

pub fn lower(ast: &PolicyAst, errors: &mut Errors) -> Lowered {
    let mut rules = Vec::new();
    let mut sources = Vec::new();
    let mut default: Option<(Action, SpanRange)> = None;
    let mut default_count = 0;
    let mut forbidden = Vec::new();
    // A statement whose first word is unknown may be a misspelt `default`.
    let mut unknown_statement = false;

    for (statement_index, statement) in ast.statements.iter().enumerate() {
        match statement {
            Statement::Default { keyword, action } => {
                default_count += 1;
                if default_count > 1 {
                    errors.push(
                        SpanRange {
                            start: *keyword,
                            end: action.span.end,
                        },
                        "duplicate `default` statement",
                        Some("a policy has exactly one default action"),
                    );
                } else if let Some(resolved) = lower_action(action, errors) {
                    default = Some((resolved, action.span));
                }
            }
            Statement::Forbid { names } => forbidden.extend(names.iter().cloned()),
            Statement::List { action, names } => {
                let Some(resolved) = lower_action(action, errors) else {
                    unknown_statement |= !ACTIONS.contains(&action.name.to_string().as_str());
                    continue;
                };
                rules.push(Rule {
                    syscalls: names
                        .iter()
                        .map(|name| Cow::Owned(name.to_string()))
                        .collect(),
                    conditions: Cow::Owned(Vec::new()),
                    action: resolved,
                });
                sources.push(RuleSource {
                    statement: statement_index,
                    syscalls: names.iter().map(Ident::span).collect(),
                    conditions: Vec::new(),
                    action: action.span,
                });
            }
            Statement::Rule {
                name,
                condition,
                action,
            } => {
                let resolved = lower_action(action, errors);
                let alternatives = match condition {
                    None => vec![Vec::new()],
                    Some(expr) => match alternatives(expr) {
                        Some(alternatives) => alternatives,
                        None => {
                            errors.push(
                                SpanRange::single(name.span()),
                                format!("the condition of this rule expands to more than {MAX_ALTERNATIVES} alternatives"),
                                Some("split it into several rules"),
                            );
                            continue;
                        }
                    },
                };
                let comparisons = comparisons_in_order(condition.as_ref());
                let lowered: Vec<Option<ArgCondition>> = comparisons
                    .iter()
                    .map(|comparison| lower_comparison(comparison, errors))
                    .collect();
                let ordinal_of = |comparison: &Comparison| {
                    comparisons
                        .iter()
                        .position(|known| std::ptr::eq(*known, comparison))
                        .expect("collected above")
                };
                for alternative in alternatives {
                    let conditions: Option<Vec<ArgCondition>> = alternative
                        .iter()
                        .map(|comparison| lowered[ordinal_of(comparison)])
                        .collect();
                    let (Some(resolved), Some(conditions)) = (resolved, conditions) else {
                        continue;
                    };
                    rules.push(Rule {
                        syscalls: Cow::Owned(vec![Cow::Owned(name.to_string())]),
                        conditions: Cow::Owned(conditions),
                        action: resolved,
                    });
                    sources.push(RuleSource {
                        statement: statement_index,
                        syscalls: vec![name.span()],
                        conditions: alternative
                            .iter()
                            .map(|comparison| ConditionSource {
                                ordinal: ordinal_of(comparison),
                                whole: comparison.span,
                                mask: comparison
                                    .mask
                                    .as_ref()
                                    .map_or(comparison.span, |mask| mask.span),
                                value: comparison.value.span,
                            })
                            .collect(),
                        action: action.span,
                    });
                }
            }
        }
    }

    if default_count == 0 && !unknown_statement {
        errors.push(
            SpanRange::single(Span::call_site()),
            "missing `default` statement",
            Some("add one, e.g. `default errno;` to deny every syscall the rules do not name"),
        );
    }
    // Without a usable default the rules are still checked, against a
    // stand-in that no rule is compared with (see `check`).
    let (default_action, default_span) = match default {
        Some((action, span)) if default_count == 1 => (action, Some(span)),
        _ => (Action::Errno(1), None),
    };
    Lowered {
        policy: Policy {
            default_action,
            rules: Cow::Owned(rules),
        },
        sources,
        default: default_span,
        forbidden,
    }
}

fn lower_action(action: &ActionAst, errors: &mut Errors) -> Option<Action> {
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
                Action::errno(value)
                    .map_err(|e| errors.push(argument.span, e.to_string(), None))
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
                .chain(crate::ast::STATEMENT_KEYWORDS.iter())
                .copied();
            let help = suggest::closest(&name, candidates).map(|s| format!("did you mean `{s}`?"));
            let help = help.unwrap_or_else(|| format!("actions are {}", quoted_list(&ACTIONS)));
            errors.push(
                SpanRange::single(action.name.span()),
                format!("unknown action `{name}`"),
                Some(&help),
            );
            None
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    /// Any integer or named constant.
    Number,
    /// An integer or an errno name.
    Errno,
}

fn resolve_value(value: &ValueExpr, kind: ValueKind, errors: &mut Errors) -> Option<u64> {
    let mut result = Some(0u64);
    for term in &value.terms {
        let resolved = match term {
            ValueTerm::Literal(literal) => {
                if !literal.suffix().is_empty() {
                    errors.push(
                        SpanRange::single(literal.span()),
                        format!("unexpected suffix `{}`", literal.suffix()),
                        Some("values are unsigned 64-bit integers; remove the suffix"),
                    );
                    None
                } else {
                    literal
                        .base10_parse::<u64>()
                        .map_err(|_| {
                            errors.push(
                                SpanRange::single(literal.span()),
                                format!(
                                    "value {} does not fit in 64 bits",
                                    literal.base10_digits()
                                ),
                                None,
                            )
                        })
                        .ok()
                }
            }
            ValueTerm::Constant(name) => resolve_constant(name, kind, errors),
        };
        result = match (result, resolved) {
            (Some(acc), Some(term)) => Some(acc | term),
            _ => None,
        };
    }
    result
}

fn resolve_constant(name: &Ident, kind: ValueKind, errors: &mut Errors) -> Option<u64> {
    let text = name.to_string();
    let value = match kind {
        ValueKind::Number => constants::lookup(&text),
        ValueKind::Errno => constants::errno(&text),
    };
    if value.is_none() {
        let (what, suggestion) = match kind {
            ValueKind::Number => ("constant", suggest::closest(&text, constants::names())),
            ValueKind::Errno => (
                "errno name",
                suggest::closest(&text, constants::ERRNO.constants.iter().map(|(n, _)| *n)),
            ),
        };
        let help = match (suggestion, kind) {
            (Some(suggestion), _) => format!("did you mean `{suggestion}`?"),
            (None, ValueKind::Errno) => "use an errno name such as `EPERM` or a number".to_string(),
            (None, ValueKind::Number) => {
                "named constants are errno names and the AF_*, CLONE_*, PR_* and O_* flags; \
                 write other values as numbers"
                    .to_string()
            }
        };
        errors.push(
            SpanRange::single(name.span()),
            format!("unknown {what} `{text}`"),
            Some(&help),
        );
    }
    value
}

fn lower_comparison(comparison: &Comparison, errors: &mut Errors) -> Option<ArgCondition> {
    let index = argument_index(&comparison.arg, errors);
    let value = resolve_value(&comparison.value, ValueKind::Number, errors);
    let op = match &comparison.mask {
        Some(mask) => CmpOp::MaskedEq(resolve_value(mask, ValueKind::Number, errors)?),
        None => comparison.op,
    };
    Some(ArgCondition {
        index: index?,
        op,
        value: value?,
    })
}

fn argument_index(arg: &Ident, errors: &mut Errors) -> Option<u8> {
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

/// The condition in disjunctive normal form: alternatives, each a list of
/// comparisons that must all hold. `None` past [`MAX_ALTERNATIVES`].
fn alternatives(expr: &Expr) -> Option<Vec<Vec<&Comparison>>> {
    match expr {
        Expr::Compare(comparison) => Some(vec![vec![comparison]]),
        Expr::Or(parts) => {
            let mut all = Vec::new();
            for part in parts {
                all.extend(alternatives(part)?);
                if all.len() > MAX_ALTERNATIVES {
                    return None;
                }
            }
            Some(all)
        }
        Expr::And(parts) => {
            let mut product = vec![Vec::new()];
            for part in parts {
                let choices = alternatives(part)?;
                if product.len() * choices.len() > MAX_ALTERNATIVES {
                    return None;
                }
                product = product
                    .iter()
                    .flat_map(|prefix| {
                        choices
                            .iter()
                            .map(move |choice| prefix.iter().chain(choice).copied().collect())
                    })
                    .collect();
            }
            Some(product)
        }
    }
}

/// Every comparison of a condition, in source order.
fn comparisons_in_order(expr: Option<&Expr>) -> Vec<&Comparison> {
    fn walk<'a>(expr: &'a Expr, out: &mut Vec<&'a Comparison>) {
        match expr {
            Expr::Compare(comparison) => out.push(comparison),
            Expr::Or(parts) | Expr::And(parts) => parts.iter().for_each(|part| walk(part, out)),
        }
    }
    let mut out = Vec::new();
    if let Some(expr) = expr {
        walk(expr, &mut out);
    }
    out
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
