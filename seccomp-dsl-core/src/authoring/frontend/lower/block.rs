//! `when` and `unless` blocks: the capabilities, architectures and kernel
//! versions their rules apply with.

use std::borrow::Cow;

use super::super::ast::BlockCondition;
use super::super::errors::{Errors, SpanRange};
use super::{quoted_list, Scope, ENGINE_IGNORES_MIN_KERNEL};
use crate::constants::CAPABILITIES;
use crate::engines::Engine;
use crate::model::{Filter, DOCKER_ARCHES};
use syn::Ident;

/// Adds one condition of a `when` (or `unless`) block to the scope of the
/// statements inside it.
pub(super) fn apply_block_condition(
    condition: &BlockCondition,
    unless: bool,
    header: SpanRange,
    scope: &mut Scope,
    engine: Engine,
    errors: &mut Errors,
) {
    let filter = if unless {
        &mut scope.excludes
    } else {
        &mut scope.includes
    };
    match condition {
        BlockCondition::Caps(names) => add_capabilities(names, filter, errors),
        BlockCondition::Arches(names) => add_architectures(names, unless, header, filter, errors),
        BlockCondition::Kernel(version) => {
            if !engine.honours_min_kernel
                && !scope.allows.iter().any(|a| a == ENGINE_IGNORES_MIN_KERNEL)
            {
                errors.push(
                    header,
                    format!(
                        "{} ignores `minKernel`: in a container the rules of this block apply on \
                         every kernel, while `install()` checks the kernel's version",
                        engine.describe()
                    ),
                    Some(
                        "leave the kernel condition out, or keep it for `install()` and Docker \
                         (which honours it) with `#[allow(engine_ignores_min_kernel)]` above the block",
                    ),
                );
            }
            // `when`: every minimum must be met; `unless`: any one excludes.
            filter.min_kernel = Some(match (filter.min_kernel, unless) {
                (Some(existing), false) => existing.max(*version),
                (Some(existing), true) => existing.min(*version),
                (None, _) => *version,
            });
        }
    }
}

/// `cap(...)`'s capabilities added to `filter`, each checked.
fn add_capabilities(names: &[Ident], filter: &mut Filter, errors: &mut Errors) {
    for name in names {
        let text = name.to_string();
        if CAPABILITIES.get(&text).is_none() {
            let known = CAPABILITIES.constants.iter().map(|(n, _)| *n);
            let prefixed = format!("CAP_{text}");
            if CAPABILITIES.get(&prefixed).is_some() {
                errors.push(
                    SpanRange::single(name.span()),
                    format!("unknown capability `{text}`"),
                    Some(&format!(
                        "did you mean `{prefixed}`? capabilities are named as in \
                         linux/capability.h"
                    )),
                );
            } else {
                errors.push_unknown(name.span(), "capability", &text, known, None);
            }
        } else if !filter.caps.iter().any(|cap| *cap == text) {
            filter.caps.to_mut().push(Cow::Owned(text));
        }
    }
}

/// `arch(...)`'s architectures added to `filter`, each checked: in nested
/// `when arch(...)` blocks, those every list has.
fn add_architectures(
    names: &[Ident],
    unless: bool,
    header: SpanRange,
    filter: &mut Filter,
    errors: &mut Errors,
) {
    let mut listed: Vec<Cow<'static, str>> = Vec::new();
    for name in names {
        let text = name.to_string();
        if DOCKER_ARCHES.contains(&text.as_str()) {
            listed.push(Cow::Owned(text));
        } else {
            let otherwise = format!(
                "architectures are named as Docker names them: {}",
                quoted_list(&DOCKER_ARCHES)
            );
            errors.push_unknown(
                name.span(),
                "architecture",
                &text,
                DOCKER_ARCHES,
                Some(&otherwise),
            );
        }
    }
    if unless || filter.arches.is_empty() {
        for arch in listed {
            if !filter.arches.contains(&arch) {
                filter.arches.to_mut().push(arch);
            }
        }
    } else {
        // Nested `when arch(...)` blocks: the native ABI must be in every list.
        let common: Vec<_> = filter
            .arches
            .iter()
            .filter(|arch| listed.contains(arch))
            .cloned()
            .collect();
        if common.is_empty() {
            errors.push(
                header,
                "nested `arch(...)` conditions have no architecture in common",
                Some("the rules inside would never apply"),
            );
        }
        filter.arches = Cow::Owned(common);
    }
}
