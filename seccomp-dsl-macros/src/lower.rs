//! Turns the syntax tree into the shared policy model: resolves actions,
//! constants, argument and architecture names, applies `when`/`unless`
//! blocks to the rules inside them, and expands `||` into one rule per
//! alternative. Remembers where each part of each rule came from, so that
//! problems found later in the model can be reported at the right tokens.

use std::borrow::Cow;

use proc_macro2::Span;
use seccomp_dsl_core::constants;
use seccomp_dsl_core::constants::CAPABILITIES;
use seccomp_dsl_core::model::{
    Action, ArchMapEntry, Architectures, ArgCondition, CmpOp, Filter, Flag, Policy, Rule,
    SeccompArch, ARG_COUNT, DOCKER_ARCHES,
};
use syn::Ident;

use crate::ast::{
    ActionAst, BlockCondition, Comparison, Expr, PolicyAst, Statement, StatementKind, ValueExpr,
    ValueTerm,
};
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
    pub syscalls: Vec<Span>,
    pub conditions: Vec<ConditionSource>,
    pub action: SpanRange,
    /// The innermost `when`/`unless` header, or the rule itself.
    pub filter: SpanRange,
}

pub struct ConditionSource {
    pub whole: SpanRange,
    pub mask: SpanRange,
    pub value: SpanRange,
}

/// What the statements around a rule say about it.
#[derive(Clone, Default)]
struct Scope {
    includes: Filter,
    excludes: Filter,
    header: Option<SpanRange>,
    comment: Option<String>,
    nested: bool,
}

#[derive(Default)]
struct Lowerer {
    rules: Vec<Rule>,
    sources: Vec<RuleSource>,
    defaults: Vec<(Action, SpanRange)>,
    default_count: usize,
    forbidden: Vec<Ident>,
    arches: Option<(Span, Vec<SeccompArch>)>,
    arch_map: Vec<(Span, ArchMapEntry)>,
    flags: Vec<Flag>,
    /// A statement whose first word is unknown may be a misspelt `default`.
    unknown_statement: bool,
}

pub fn lower(ast: &PolicyAst, errors: &mut Errors) -> Lowered {
    let mut lowerer = Lowerer::default();
    lowerer.statements(&ast.statements, &Scope::default(), errors);
    lowerer.finish(errors)
}

impl Lowerer {
    fn statements(&mut self, statements: &[Statement], scope: &Scope, errors: &mut Errors) {
        for statement in statements {
            let mut scope = scope.clone();
            if statement.comment.is_some() {
                scope.comment.clone_from(&statement.comment);
            }
            self.statement(&statement.kind, &scope, errors);
        }
    }

    fn statement(&mut self, kind: &StatementKind, scope: &Scope, errors: &mut Errors) {
        let top_level_only = |keyword: Span, what: &str, errors: &mut Errors| {
            if scope.nested {
                errors.push(
                    SpanRange::single(keyword),
                    format!("`{what}` applies to the whole policy and cannot stand in a `when` or `unless` block"),
                    Some("move it out of the block"),
                );
            }
            !scope.nested
        };
        match kind {
            StatementKind::Default { keyword, action } => {
                if !top_level_only(*keyword, "default", errors) {
                    return;
                }
                self.default_count += 1;
                let span = SpanRange {
                    start: *keyword,
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
                }
            }
            StatementKind::Forbid { names } => self.forbidden.extend(names.iter().cloned()),
            StatementKind::List {
                action,
                names,
                condition,
            } => {
                let resolved = lower_action(action, errors);
                if resolved.is_none() {
                    self.unknown_statement |= !ACTIONS.contains(&action.name.to_string().as_str());
                    return;
                }
                self.rule(
                    names,
                    condition.as_ref(),
                    action.span,
                    resolved,
                    scope,
                    errors,
                );
            }
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
                conditions,
                header,
                body,
            } => {
                let mut inner = scope.clone();
                inner.nested = true;
                inner.header = Some(*header);
                for condition in conditions {
                    apply_block_condition(condition, *unless, *header, &mut inner, errors);
                }
                self.statements(body, &inner, errors);
            }
            StatementKind::Arches { keyword, arches } => {
                if top_level_only(*keyword, "arches", errors) {
                    let resolved = arches
                        .iter()
                        .filter_map(|name| lower_arch(name, errors))
                        .collect();
                    if self.arches.replace((*keyword, resolved)).is_some() {
                        errors.push(
                            SpanRange::single(*keyword),
                            "duplicate `arches` statement",
                            Some("list every architecture in one `arches` statement"),
                        );
                    }
                }
            }
            StatementKind::ArchMap {
                keyword,
                arch,
                sub_arches,
            } => {
                if top_level_only(*keyword, "arch_map", errors) {
                    let native = lower_arch(arch, errors);
                    let subs = sub_arches.as_ref().map(|subs| {
                        subs.iter()
                            .filter_map(|name| lower_arch(name, errors))
                            .collect::<Vec<_>>()
                    });
                    if let Some(native) = native {
                        if self.arch_map.iter().any(|(_, entry)| entry.arch == native) {
                            errors.push(
                                SpanRange::single(arch.span()),
                                format!("`{arch}` is mapped twice"),
                                None,
                            );
                        }
                        self.arch_map.push((
                            *keyword,
                            ArchMapEntry {
                                arch: native,
                                sub_arches: subs.map(Cow::Owned),
                            },
                        ));
                    }
                }
            }
            StatementKind::Flags { keyword, flags } => {
                if top_level_only(*keyword, "flags", errors) {
                    for name in flags {
                        match Flag::ALL.into_iter().find(|flag| name == flag.name()) {
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
        }
    }

    /// A rule for `names`, one per alternative of `condition`.
    fn rule(
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
            let source = RuleSource {
                syscalls: spans.clone(),
                conditions: alternative
                    .iter()
                    .map(|comparison| ConditionSource {
                        whole: comparison.span,
                        mask: comparison
                            .mask
                            .as_ref()
                            .map_or(comparison.span, |mask| mask.span),
                        value: comparison.value.span,
                    })
                    .collect(),
                action: action_span,
                filter: scope.header.unwrap_or(names_range),
            };
            let syscalls = names
                .iter()
                .map(|name| Cow::Owned(name.to_string()))
                .collect();
            self.push_rule(scope, syscalls, conditions, resolved, source);
        }
    }

    fn push_rule(
        &mut self,
        scope: &Scope,
        syscalls: Vec<Cow<'static, str>>,
        conditions: Vec<ArgCondition>,
        action: Action,
        source: RuleSource,
    ) {
        self.rules.push(Rule {
            syscalls: Cow::Owned(syscalls),
            conditions: Cow::Owned(conditions),
            action,
            includes: scope.includes.clone(),
            excludes: scope.excludes.clone(),
            comment: scope.comment.clone().map(Cow::Owned),
        });
        self.sources.push(source);
    }

    fn finish(self, errors: &mut Errors) -> Lowered {
        if self.default_count == 0 && !self.unknown_statement {
            errors.push(
                SpanRange::single(Span::call_site()),
                "missing `default` statement",
                Some("add one, e.g. `default errno;` to deny every syscall the rules do not name"),
            );
        }
        let architectures = match (self.arches, self.arch_map.first()) {
            (None, None) => Architectures::Native,
            (Some((_, arches)), None) => Architectures::List(Cow::Owned(arches)),
            (None, Some(_)) => {
                Architectures::Map(self.arch_map.into_iter().map(|(_, entry)| entry).collect())
            }
            (Some((keyword, _)), Some(_)) => {
                errors.push(
                    SpanRange::single(keyword),
                    "a policy has either `arches` or `arch_map`, not both",
                    Some("`arches` lists the ABIs for every machine; `arch_map` lists them per native ABI"),
                );
                Architectures::Native
            }
        };
        // Without a usable default the rules are still checked, against a
        // stand-in that no rule is compared with (see `check`).
        let (default_action, default_span) = match self.defaults.first() {
            Some(&(action, span)) if self.default_count == 1 => (action, Some(span)),
            _ => (Action::Errno(1), None),
        };
        Lowered {
            policy: Policy {
                default_action,
                rules: Cow::Owned(self.rules),
                architectures,
                flags: Cow::Owned(self.flags),
            },
            sources: self.sources,
            default: default_span,
            forbidden: self.forbidden,
        }
    }
}

/// Adds one condition of a `when` (or `unless`) block to the scope of the
/// statements inside it.
fn apply_block_condition(
    condition: &BlockCondition,
    unless: bool,
    header: SpanRange,
    scope: &mut Scope,
    errors: &mut Errors,
) {
    let filter = if unless {
        &mut scope.excludes
    } else {
        &mut scope.includes
    };
    match condition {
        BlockCondition::Caps(names) => {
            for name in names {
                let text = name.to_string();
                if CAPABILITIES.get(&text).is_none() {
                    let known = CAPABILITIES.constants.iter().map(|(n, _)| *n);
                    errors.push_unknown(name.span(), "capability", &text, known, None);
                } else if !filter.caps.iter().any(|cap| *cap == text) {
                    filter.caps.to_mut().push(Cow::Owned(text));
                }
            }
        }
        BlockCondition::Arches(names) => {
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
        BlockCondition::Kernel(version) => {
            // `when`: every minimum must be met; `unless`: any one excludes.
            filter.min_kernel = Some(match (filter.min_kernel, unless) {
                (Some(existing), false) => existing.max(*version),
                (Some(existing), true) => existing.min(*version),
                (None, _) => *version,
            });
        }
    }
}

fn lower_arch(name: &Ident, errors: &mut Errors) -> Option<SeccompArch> {
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
        let span = name.span();
        match kind {
            ValueKind::Number => errors.push_unknown(
                span,
                "constant",
                &text,
                constants::names(),
                Some("named constants are errno names and the AF_*, CLONE_*, PR_* and O_* flags; write other values as numbers"),
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
