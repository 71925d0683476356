//! Turns the syntax tree into the shared policy model: resolves actions,
//! constants, argument and architecture names, applies `when`/`unless`
//! blocks to the rules inside them, and expands `||` into one rule per
//! alternative. Remembers where each part of each rule came from, so that
//! problems found later in the model can be reported at the right tokens.

use std::borrow::Cow;

use crate::engines::{self, Engine};
use crate::lints;
use crate::model::{
    Action, ArchMapEntry, Architectures, ArgCondition, Filter, Flag, Policy, Rule, SeccompArch,
};
use proc_macro2::Span;
use syn::Ident;

use super::ast::{PolicyAst, Statement, StatementKind};
use super::errors::{Errors, SpanRange};

mod assertion;
mod block;
mod rule;
mod statements;
mod values;

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
    /// Inside a `startup` block.
    startup: bool,
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
            startup: scope.startup,
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
