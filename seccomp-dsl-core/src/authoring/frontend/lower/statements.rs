//! Each kind of statement lowered: what it adds to the policy, and the
//! errors of its own (a duplicate `default`, a statement that cannot stand
//! in a block).

use std::borrow::Cow;

use proc_macro2::Span;
use syn::Ident;

use super::super::ast::{ActionAst, BlockCondition, Claim, Expr, StatementKind};
use super::super::errors::{Errors, SpanRange};
use super::assertion::lower_assertion;
use super::block::apply_block_condition;
use super::values::{lower_action, lower_arch};
use super::{Lowerer, Scope, ACTIONS, ENGINE_REFUSES_FLAGS};
use crate::model::{ArchMapEntry, Flag};

/// Whether a statement that applies to the whole policy stands at the top
/// level; says so where it does not.
fn top_level_only(scope: &Scope, keyword: Span, what: &str, errors: &mut Errors) -> bool {
    if scope.nested {
        errors.push(
            SpanRange::single(keyword),
            format!(
                "`{what}` applies to the whole policy and cannot stand in a `when`, `unless` or \
                 `startup` block"
            ),
            Some("move it out of the block"),
        );
    }
    !scope.nested
}

impl Lowerer {
    pub(super) fn statement(&mut self, kind: &StatementKind, scope: &Scope, errors: &mut Errors) {
        match kind {
            StatementKind::Default { keyword, action } => {
                if top_level_only(scope, *keyword, "default", errors) {
                    self.default_statement(*keyword, action, scope, errors);
                }
            }
            StatementKind::Forbid { names } => self.forbidden.extend(names.iter().cloned()),
            StatementKind::List {
                action,
                names,
                grouped,
                condition,
            } => self.list(action, names, grouped, condition.as_ref(), scope, errors),
            StatementKind::Rule {
                name,
                condition,
                action,
            } => {
                let resolved = lower_action(action, errors);
                let names = std::slice::from_ref(name);
                self.rule(
                    names,
                    condition.as_ref(),
                    action.span,
                    resolved,
                    scope,
                    errors,
                );
            }
            StatementKind::Block {
                unless,
                startup,
                conditions,
                header,
                body,
            } => {
                let mut scope = scope.clone();
                scope.startup |= *startup;
                self.block(*unless, conditions, *header, body, &scope, errors);
            }
            StatementKind::Arches { keyword, arches } => {
                if top_level_only(scope, *keyword, "arches", errors) {
                    self.arches_statement(*keyword, arches, errors);
                }
            }
            StatementKind::ArchMap {
                keyword,
                arch,
                sub_arches,
            } => {
                if top_level_only(scope, *keyword, "arch_map", errors) {
                    self.arch_map_statement(*keyword, arch, sub_arches.as_deref(), errors);
                }
            }
            StatementKind::Assert { keyword, claim } => {
                if top_level_only(scope, *keyword, "assert", errors) {
                    self.assert_statement(*keyword, claim, errors);
                }
            }
            StatementKind::Engine { keyword, .. } => {
                // Read before every other statement (see `target_engine`).
                top_level_only(scope, *keyword, "engine", errors);
            }
            StatementKind::Container { keyword, settings } => {
                if top_level_only(scope, *keyword, "container", errors) {
                    self.container_statement(settings, errors);
                }
            }
            StatementKind::Flags { keyword, flags } => {
                if top_level_only(scope, *keyword, "flags", errors) {
                    self.flags_statement(*keyword, flags, scope, errors);
                }
            }
        }
    }

    fn default_statement(
        &mut self,
        keyword: Span,
        action: &ActionAst,
        scope: &Scope,
        errors: &mut Errors,
    ) {
        self.default_count += 1;
        let span = SpanRange {
            start: keyword,
            end: action.span.end,
        };
        if self.default_count > 1 {
            errors.push(
                span,
                "duplicate `default` statement",
                Some("a policy has exactly one default action"),
            );
        } else if let Some(resolved) = lower_action(action, errors) {
            self.defaults.push((resolved, action.span));
            self.default_allows.clone_from(&scope.allows);
        }
    }

    /// `ACTION name, @group, ...;` (with a condition where it has one).
    fn list(
        &mut self,
        action: &ActionAst,
        names: &[Ident],
        grouped: &[bool],
        condition: Option<&Expr>,
        scope: &Scope,
        errors: &mut Errors,
    ) {
        let resolved = lower_action(action, errors);
        if resolved.is_none() {
            self.unknown_statement |= !ACTIONS.contains(&action.name.to_string().as_str());
            return;
        }
        // A group's member that an earlier statement already gives the
        // same action whatever its arguments is said twice, not two rules:
        // groups overlap.
        let plain = condition.is_none() && scope.includes.is_empty() && scope.excludes.is_empty();
        let said_before = |name: &Ident| {
            self.rules.iter().any(|rule| {
                Some(rule.action) == resolved
                    && rule.is_unconditional()
                    && rule.applies_everywhere()
                    && rule.names(&name.to_string())
            })
        };
        let names: Vec<Ident> = (names.iter().zip(grouped))
            .filter(|(name, grouped)| !(plain && **grouped && said_before(name)))
            .map(|(name, _)| name.clone())
            .collect();
        if !names.is_empty() {
            self.rule(&names, condition, action.span, resolved, scope, errors);
        }
    }

    /// A `when` or `unless` block: its statements, in a narrower scope.
    fn block(
        &mut self,
        unless: bool,
        conditions: &[BlockCondition],
        header: SpanRange,
        body: &[super::super::ast::Statement],
        scope: &Scope,
        errors: &mut Errors,
    ) {
        let mut inner = scope.clone();
        inner.nested = true;
        inner.header = Some(header);
        for condition in conditions {
            apply_block_condition(condition, unless, header, &mut inner, self.engine, errors);
        }
        self.statements(body, &inner, errors);
    }

    fn arches_statement(&mut self, keyword: Span, arches: &[Ident], errors: &mut Errors) {
        let resolved = arches
            .iter()
            .filter_map(|name| lower_arch(name, errors))
            .collect();
        if self.arches.replace((keyword, resolved)).is_some() {
            errors.push(
                SpanRange::single(keyword),
                "duplicate `arches` statement",
                Some("list every architecture in one `arches` statement"),
            );
        }
    }

    fn arch_map_statement(
        &mut self,
        keyword: Span,
        arch: &Ident,
        sub_arches: Option<&[Ident]>,
        errors: &mut Errors,
    ) {
        let native = lower_arch(arch, errors);
        let subs = sub_arches.map(|subs| {
            subs.iter()
                .filter_map(|name| lower_arch(name, errors))
                .collect::<Vec<_>>()
        });
        let Some(native) = native else {
            return;
        };
        if self.arch_map.iter().any(|(_, entry)| entry.arch == native) {
            errors.push(
                SpanRange::single(arch.span()),
                format!("`{arch}` is mapped twice"),
                None,
            );
        }
        self.arch_map.push((
            keyword,
            ArchMapEntry {
                arch: native,
                sub_arches: subs.map(Cow::Owned),
            },
        ));
    }

    fn assert_statement(&mut self, keyword: Span, claim: &Claim, errors: &mut Errors) {
        if let Some(assertion) = lower_assertion(keyword, claim, errors) {
            self.assertions.push(assertion);
        }
    }

    fn container_statement(&mut self, settings: &[Ident], errors: &mut Errors) {
        for setting in settings {
            let text = setting.to_string();
            match text.as_str() {
                "no_new_privileges" => self.container.no_new_privileges = true,
                _ => errors.push_unknown(
                    setting.span(),
                    "container setting",
                    &text,
                    ["no_new_privileges"],
                    Some("the setting a policy can state is `no_new_privileges`"),
                ),
            }
        }
    }

    fn flags_statement(
        &mut self,
        keyword: Span,
        flags: &[Ident],
        scope: &Scope,
        errors: &mut Errors,
    ) {
        let engine = self.engine;
        if engine.refuses_flags && !scope.allows.iter().any(|a| a == ENGINE_REFUSES_FLAGS) {
            errors.push(
                SpanRange::single(keyword),
                format!(
                    "{} refuses to start a container whose profile has `flags`",
                    engine.describe()
                ),
                Some(
                    "flags decide no call; keep them for `install()` (and newer \
                     runtimes) with `#[allow(engine_refuses_flags)]` above the statement",
                ),
            );
        }
        for name in flags {
            let found = Flag::ALL.into_iter().find(|flag| name == flag.name());
            if let Some(reason) = found.and_then(Flag::refused_by_the_kernel) {
                errors.push(SpanRange::single(name.span()), reason, Some("remove it"));
                continue;
            }
            match found {
                Some(flag) if !self.flags.contains(&flag) => self.flags.push(flag),
                Some(_) => {}
                None => errors.push_unknown(
                    name.span(),
                    "flag",
                    &name.to_string(),
                    Flag::ALL.map(Flag::name),
                    Some("flags are `log`, `spec_allow` and `wait_killable_recv`"),
                ),
            }
        }
    }
}
