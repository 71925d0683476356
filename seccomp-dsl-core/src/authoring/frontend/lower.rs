//! Turns the syntax tree into the shared policy model: resolves actions,
//! constants, argument and architecture names, applies `when`/`unless`
//! blocks to the rules inside them, and expands `||` into one rule per
//! alternative. Remembers where each part of each rule came from, so that
//! problems found later in the model can be reported at the right tokens.

use std::borrow::Cow;

use crate::constants;
use crate::constants::CAPABILITIES;
use crate::engines::{self, Engine};
use crate::model::{
    Action, ArchMapEntry, Architectures, ArgCondition, ArgWidth, CmpOp, Filter, Flag, Policy, Rule,
    SeccompArch, ARG_COUNT, DOCKER_ARCHES, MAX_ERRNO, MAX_ERRNO_REASON,
};
use crate::validate::ProblemKind;
use crate::{lints, signatures, syscalls, upper_half};
use proc_macro2::Span;
use syn::Ident;

use super::ast::{
    ActionAst, BlockCondition, Claim, Comparison, Expr, PolicyAst, Statement, StatementKind,
    ValueExpr, ValueTerm,
};
use super::errors::{Errors, SpanRange};

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
    /// The checks acknowledged with `#[allow(...)]` at the `default` statement.
    pub default_acknowledged: Vec<String>,
    /// The container engine the policy targets (`engine NAME;`).
    pub engine: Engine,
    /// How the containers it is shipped to run (`container ...;`).
    pub container: crate::container_start::Settings,
    pub forbidden: Vec<Ident>,
    /// The policy's `assert` statements, checked once it has no error.
    pub assertions: Vec<Assertion>,
    /// What [`lints`] flags at each rule of `policy.rules`.
    pub findings: Vec<Vec<lints::Finding>>,
}

/// An `assert` statement, its values resolved.
pub struct Assertion {
    pub claim: LoweredClaim,
    /// What an error about it points at.
    pub span: SpanRange,
}

pub enum LoweredClaim {
    /// Every call of `syscall` whose arguments are `fixed` (`None`: any)
    /// runs (`allows`) or does not.
    Calls {
        allows: bool,
        syscall: String,
        fixed: [Option<ClaimedArgument>; 6],
    },
    /// Nothing runs under the policy that `profile` denies.
    NoMoreThan { profile: &'static str },
}

/// An argument value an assertion claims.
#[derive(Clone, Copy)]
pub struct ClaimedArgument {
    /// The register's value.
    pub value: u64,
    /// Whether the claim is of its low 32 bits alone: a negative value
    /// (`-100`, `AT_FDCWD`) of an argument the kernel reads as 32 bits,
    /// which a caller may pass sign- or zero-extended.
    pub low_half_only: bool,
}

/// The profiles `assert no_more_than` compares with.
pub const COMPARABLE_PROFILES: [&str; 2] = ["DOCKER_DEFAULT", "DOCKER_DEFAULT_NATIVE"];

pub struct RuleSource {
    pub syscalls: Vec<Span>,
    pub conditions: Vec<ConditionSource>,
    pub action: SpanRange,
    /// The innermost `when`/`unless` header, or the rule itself.
    pub filter: SpanRange,
    /// The checks acknowledged with `#[allow(...)]` at the rule or around it.
    pub acknowledged: Vec<String>,
    /// The rule's conditions as written (`arg2 & (O_ACCMODE | O_CREAT) ==
    /// O_RDONLY`), empty for a rule without.
    pub written: String,
}

impl RuleSource {
    /// The line of the source the rule is written on: its alternative's
    /// first comparison where it has conditions (a statement may span
    /// several lines), its action otherwise. 0 where spans carry no lines.
    pub fn line(&self) -> u32 {
        let start = self
            .conditions
            .first()
            .map_or(self.action.start, |condition| condition.whole.start);
        start.start().line as u32
    }

    /// Whether `#[allow(check)]` stands at the rule or around it.
    pub fn acknowledges(&self, check: &str) -> bool {
        self.acknowledged.iter().any(|known| known == check)
    }
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
    /// The checks acknowledged with `#[allow(...)]` here or around.
    allows: Vec<String>,
    nested: bool,
}

/// What `#[allow(...)]` can acknowledge.
const ACKNOWLEDGEABLE: [&str; 13] = [
    lints::DANGEROUS_PERMISSION,
    lints::IOCTL_RANGE,
    lints::STOPS_EXIT,
    lints::FOREIGN_SYSCALL,
    lints::KILL_THREAD_DEFAULT,
    UPPER_HALF_BYPASS,
    UNKNOWN_TO_ENGINE,
    ENGINE_REFUSES_FLAGS,
    ENGINE_IGNORES_MIN_KERNEL,
    X32_LOW_HALVES,
    ENGINE_CANNOT_START,
    MULTIPLEXED_WITHOUT_CONDITIONS,
    LIBSECCOMP_MISCOMPILES,
];

/// `#[allow(libseccomp_miscompiles)]`: two rules comparing one argument on
/// all 64 bits, which libseccomp 2.5.4 may miscompile, are meant.
pub const LIBSECCOMP_MISCOMPILES: &str = "libseccomp_miscompiles";

/// `#[allow(multiplexed_without_conditions)]`: libseccomp also applies the
/// rule to `socketcall` or `ipc` without its conditions, and that
/// difference from `install()` is accepted.
pub const MULTIPLEXED_WITHOUT_CONDITIONS: &str = "multiplexed_without_conditions";

/// `#[allow(engine_cannot_start)]` at `default`: a policy that kills calls
/// the container runtime makes after loading the filter is meant for
/// `install()` alone.
pub const ENGINE_CANNOT_START: &str = "engine_cannot_start";

/// `#[allow(x32_low_halves)]`: a 64-bit comparison that engines make of the
/// low half alone on x32 is meant as `install()` makes it.
pub const X32_LOW_HALVES: &str = "x32_low_halves";

/// `#[allow(engine_ignores_min_kernel)]`: a block's kernel condition, which
/// the target engine ignores, is meant for `install()` and Docker.
const ENGINE_IGNORES_MIN_KERNEL: &str = "engine_ignores_min_kernel";

/// `#[allow(engine_refuses_flags)]`: `flags`, which the target engine's
/// runtime refuses, are meant for `install()` and newer runtimes.
const ENGINE_REFUSES_FLAGS: &str = "engine_refuses_flags";

/// `#[allow(unknown_to_engine)]`: the syscalls of a rule that the target
/// engine's libseccomp does not know, which the engine leaves out of it,
/// are in the rule for `install()` alone.
pub const UNKNOWN_TO_ENGINE: &str = "unknown_to_engine";

/// `#[allow(upper_half_bypass)]`: a 64-bit comparison (`argN as u64`) of an
/// argument the kernel reads narrower is meant.
pub const UPPER_HALF_BYPASS: &str = "upper_half_bypass";

#[derive(Default)]
struct Lowerer {
    rules: Vec<Rule>,
    sources: Vec<RuleSource>,
    defaults: Vec<(Action, SpanRange)>,
    default_allows: Vec<String>,
    engine: Engine,
    container: crate::container_start::Settings,
    default_count: usize,
    forbidden: Vec<Ident>,
    arches: Option<(Span, Vec<SeccompArch>)>,
    arch_map: Vec<(Span, ArchMapEntry)>,
    flags: Vec<Flag>,
    assertions: Vec<Assertion>,
    /// A statement whose first word is unknown may be a misspelt `default`.
    unknown_statement: bool,
}

pub fn lower(ast: &PolicyAst, errors: &mut Errors) -> Lowered {
    let mut lowerer = Lowerer {
        engine: target_engine(&ast.statements, errors),
        ..Lowerer::default()
    };
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
            for allow in &statement.allows {
                let name = allow.to_string();
                if ACKNOWLEDGEABLE.contains(&name.as_str()) {
                    scope.allows.push(name);
                } else {
                    errors.push_unknown(
                        allow.span(),
                        "check to allow",
                        &name,
                        ACKNOWLEDGEABLE,
                        None,
                    );
                }
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
                    self.default_allows.clone_from(&scope.allows);
                }
            }
            StatementKind::Forbid { names } => self.forbidden.extend(names.iter().cloned()),
            StatementKind::List {
                action,
                names,
                grouped,
                condition,
            } => {
                let resolved = lower_action(action, errors);
                if resolved.is_none() {
                    self.unknown_statement |= !ACTIONS.contains(&action.name.to_string().as_str());
                    return;
                }
                // A group's member that an earlier statement already gives
                // the same action whatever its arguments is said twice, not
                // two rules: groups overlap.
                let plain =
                    condition.is_none() && scope.includes.is_empty() && scope.excludes.is_empty();
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
                if names.is_empty() {
                    return;
                }
                let names = &names;
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
                    apply_block_condition(
                        condition,
                        *unless,
                        *header,
                        &mut inner,
                        self.engine,
                        errors,
                    );
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
            StatementKind::Assert { keyword, claim } => {
                if top_level_only(*keyword, "assert", errors) {
                    if let Some(assertion) = lower_assertion(*keyword, claim, errors) {
                        self.assertions.push(assertion);
                    }
                }
            }
            StatementKind::Engine { keyword, .. } => {
                // Read before every other statement (see `target_engine`).
                top_level_only(*keyword, "engine", errors);
            }
            StatementKind::Container { keyword, settings } => {
                if top_level_only(*keyword, "container", errors) {
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
            }
            StatementKind::Flags { keyword, flags } => {
                if top_level_only(*keyword, "flags", errors) {
                    let engine = self.engine;
                    if engine.refuses_flags
                        && !scope.allows.iter().any(|a| a == ENGINE_REFUSES_FLAGS)
                    {
                        errors.push(
                            SpanRange::single(*keyword),
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
        let indices: Vec<Option<u8>> = comparisons
            .iter()
            .map(|comparison| argument_index(&comparison.arg, errors))
            .collect();
        // Each syscall reads the compared arguments at its own widths: the
        // names that read them alike share rules, in order of appearance.
        let mut groups: Vec<(Vec<ArgWidth>, Vec<&Ident>)> = Vec::new();
        for name in names {
            let widths: Option<Vec<ArgWidth>> = comparisons
                .iter()
                .zip(&indices)
                .map(|(comparison, index)| comparison_width(name, comparison, (*index)?, errors))
                .collect();
            let Some(widths) = widths else { continue };
            match groups.iter_mut().find(|(known, _)| *known == widths) {
                Some((_, group)) => group.push(name),
                None => groups.push((widths, vec![name])),
            }
        }
        for (widths, group) in groups {
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
        let mut policy = Policy {
            default_action,
            rules: Cow::Owned(self.rules),
            architectures,
            flags: Cow::Owned(self.flags),
        };
        let findings: Vec<Vec<lints::Finding>> = (policy.rules.iter())
            .map(|rule| lints::rule_findings(rule, &policy))
            .collect();
        let architectures = policy.architectures.clone();
        for ((rule, source), findings) in (policy.rules.to_mut().iter_mut())
            .zip(&self.sources)
            .zip(&findings)
        {
            if source.acknowledges(UNKNOWN_TO_ENGINE) {
                note_engine_drops(rule, &architectures, self.engine);
            }
            note_acknowledged_lints(rule, source, findings);
        }
        Lowered {
            policy,
            sources: self.sources,
            default: default_span,
            default_acknowledged: self.default_allows,
            engine: self.engine,
            container: self.container,
            forbidden: self.forbidden,
            assertions: self.assertions,
            findings,
        }
    }
}

fn lower_assertion(keyword: Span, claim: &Claim, errors: &mut Errors) -> Option<Assertion> {
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
fn claimed_value(
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

/// Adds one condition of a `when` (or `unless`) block to the scope of the
/// statements inside it.
fn apply_block_condition(
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
        BlockCondition::Caps(names) => {
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
                .chain(super::ast::STATEMENT_KEYWORDS.iter())
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
fn resolve_signed_value(
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

fn resolve_constant(name: &Ident, kind: ValueKind, errors: &mut Errors) -> Option<u64> {
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
fn comparison_width(
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
fn described(syscall: &str, index: u8) -> String {
    signatures::lookup(syscall)
        .and_then(|signature| signature.arguments().get(usize::from(index)))
        .map_or_else(|| "64 bits".to_string(), signatures::Argument::described)
}

fn lower_comparison(
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
    let arg = &comparison.arg;
    let value_span = comparison.value.span;
    let masked = comparison.mask.is_some();
    let ordering = !masked && !matches!(comparison.op, CmpOp::Eq | CmpOp::Ne);
    let reads = || described(syscall, index);
    let fits = match (width, minus) {
        (ArgWidth::U64, None) => true,
        (ArgWidth::U64, Some(_)) => {
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
            return None;
        }
        (ArgWidth::I32 | ArgWidth::U32, Some(_)) if (value as i64) < i64::from(i32::MIN) => false,
        (ArgWidth::I32, Some(_)) => !masked,
        (ArgWidth::U32, Some(_)) => !ordering && !masked,
        (ArgWidth::U16, Some(_)) => false,
        (ArgWidth::I32, None) if value > i32::MAX as u64 && value <= u64::from(u32::MAX) => {
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
                return None;
            }
            true
        }
        (_, None) => value <= width.mask(),
    };
    if !fits {
        let shown = match minus {
            Some(_) => format!("{}", value as i64),
            None => upper_half::grouped_hex(value),
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
        return None;
    }
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

/// Says in the rule's comment, which the Docker profile keeps, which of its
/// syscalls the target engine leaves out: an acknowledged difference stays
/// visible where the profile goes.
/// Says in the rule's comment (so in the Docker profile) which lints the
/// source acknowledges there, and why each flags it.
fn note_acknowledged_lints(rule: &mut Rule, source: &RuleSource, findings: &[lints::Finding]) {
    for finding in findings {
        if !source.acknowledges(finding.lint) {
            continue;
        }
        let note = format!("Acknowledged ({}): {}.", finding.lint, finding.why);
        rule.comment = Some(Cow::Owned(match rule.comment.take() {
            // Imported from a profile this project wrote, it says so already.
            Some(comment) if comment.contains(&note) => comment.into_owned(),
            Some(comment) => format!("{comment}\n{note}"),
            None => note,
        }));
    }
}

fn note_engine_drops(rule: &mut Rule, architectures: &Architectures, engine: Engine) {
    let unknown = engine.dropped_names(rule, architectures);
    if unknown.is_empty() {
        return;
    }
    let note = engine.left_out_note(&unknown);
    rule.comment = Some(Cow::Owned(match rule.comment.take() {
        // Imported from a profile this project wrote, it says so already.
        Some(comment) if comment.contains(&note) => comment.into_owned(),
        Some(comment) => format!("{comment}\n{note}"),
        None => note,
    }));
}

/// The engine `engine NAME;` names (the target engine if none does), read
/// before the other statements so that each check knows it; a second
/// `engine` statement or an unknown name is an error.
fn target_engine(statements: &[Statement], errors: &mut Errors) -> Engine {
    let mut chosen: Option<Engine> = None;
    for statement in statements {
        let StatementKind::Engine { keyword, name } = &statement.kind else {
            continue;
        };
        let text = name.to_string();
        match Engine::by_keyword(&text) {
            _ if chosen.is_some() => errors.push(
                SpanRange::single(*keyword),
                "duplicate `engine` statement",
                Some("a policy targets one engine"),
            ),
            Some(engine) => chosen = Some(engine),
            None => errors.push_unknown(
                name.span(),
                "engine",
                &text,
                engines::ALL.map(|engine| engine.keyword),
                Some("engines are `podman` (the default) and `docker`"),
            ),
        }
    }
    chosen.unwrap_or(engines::TARGET)
}
