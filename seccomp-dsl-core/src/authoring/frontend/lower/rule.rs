//! A rule statement lowered: one rule per alternative of its condition
//! and per group of syscalls that read the compared arguments alike.

use std::borrow::Cow;

use proc_macro2::Span;
use syn::Ident;

use super::super::ast::{Comparison, Expr};
use super::super::errors::{Errors, SpanRange};
use super::values::{argument_index, comparison_width, lower_comparison};
use super::{ConditionSource, Lowerer, RuleSource, Scope, MAX_ALTERNATIVES};
use crate::model::{Action, ArgCondition, ArgWidth};

impl Lowerer {
    /// A rule for `names`, one per alternative of `condition`.
    pub(super) fn rule(
        &mut self,
        names: &[Ident],
        condition: Option<&Expr>,
        action_span: SpanRange,
        resolved: Option<Action>,
        scope: &Scope,
        errors: &mut Errors,
    ) {
        let spans: Vec<Span> = names.iter().map(Ident::span).collect();
        let names_range = SpanRange {
            start: spans[0],
            end: spans[spans.len() - 1],
        };
        let alternatives = match condition {
            None => vec![Vec::new()],
            Some(expr) => match alternatives(expr) {
                Some(alternatives) => alternatives,
                None => {
                    errors.push(
                        names_range,
                        format!("the condition of this rule expands to more than {MAX_ALTERNATIVES} alternatives"),
                        Some("split it into several rules"),
                    );
                    return;
                }
            },
        };
        let comparisons = comparisons_in_order(condition);
        let indices: Vec<Option<u8>> = comparisons
            .iter()
            .map(|comparison| argument_index(&comparison.arg, errors))
            .collect();
        for (widths, group) in width_groups(names, &comparisons, &indices, errors) {
            let lowered: Vec<Option<ArgCondition>> = comparisons
                .iter()
                .zip(&indices)
                .zip(&widths)
                .map(|((comparison, index), width)| {
                    lower_comparison(&group[0].to_string(), comparison, (*index)?, *width, errors)
                })
                .collect();
            let ordinal_of = |comparison: &Comparison| {
                comparisons
                    .iter()
                    .position(|known| std::ptr::eq(*known, comparison))
                    .expect("collected above")
            };
            for alternative in &alternatives {
                let conditions: Option<Vec<ArgCondition>> = alternative
                    .iter()
                    .map(|comparison| lowered[ordinal_of(comparison)])
                    .collect();
                let (Some(resolved), Some(conditions)) = (resolved, conditions) else {
                    continue;
                };
                let source = RuleSource {
                    syscalls: group.iter().map(|name| name.span()).collect(),
                    conditions: alternative.iter().map(|c| condition_source(c)).collect(),
                    action: action_span,
                    filter: scope.header.unwrap_or(names_range),
                    acknowledged: scope.allows.clone(),
                    written: (alternative.iter())
                        .map(|comparison| comparison.to_string())
                        .collect::<Vec<_>>()
                        .join(" && "),
                };
                let syscalls = group
                    .iter()
                    .map(|name| Cow::Owned(name.to_string()))
                    .collect();
                self.push_rule(scope, syscalls, conditions, resolved, source);
            }
        }
    }
}

/// The condition in disjunctive normal form: alternatives, each a list of
/// comparisons that must all hold. `None` past [`MAX_ALTERNATIVES`].
pub(super) fn alternatives(expr: &Expr) -> Option<Vec<Vec<&Comparison>>> {
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

/// The syscalls of `names` grouped by the widths at which they read the
/// compared arguments, in order of appearance: the names that read them
/// alike share rules.
fn width_groups<'n>(
    names: &'n [Ident],
    comparisons: &[&Comparison],
    indices: &[Option<u8>],
    errors: &mut Errors,
) -> Vec<(Vec<ArgWidth>, Vec<&'n Ident>)> {
    let mut groups: Vec<(Vec<ArgWidth>, Vec<&Ident>)> = Vec::new();
    for name in names {
        let widths: Option<Vec<ArgWidth>> = comparisons
            .iter()
            .zip(indices)
            .map(|(comparison, index)| comparison_width(name, comparison, (*index)?, errors))
            .collect();
        let Some(widths) = widths else { continue };
        match groups.iter_mut().find(|(known, _)| *known == widths) {
            Some((_, group)) => group.push(name),
            None => groups.push((widths, vec![name])),
        }
    }
    groups
}

/// Where a comparison is written: the whole, its mask, its value.
fn condition_source(comparison: &Comparison) -> ConditionSource {
    ConditionSource {
        whole: comparison.span,
        mask: (comparison.mask.as_ref()).map_or(comparison.span, |mask| mask.span),
        value: comparison.value.span,
    }
}

/// Every comparison of a condition, in source order.
pub(super) fn comparisons_in_order(expr: Option<&Expr>) -> Vec<&Comparison> {
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
