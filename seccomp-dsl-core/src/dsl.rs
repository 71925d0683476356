//! Writing a policy as DSL source, and importing Docker profiles with it.
//!
//! The source [`to_source`] writes compiles with `seccomp_profile!` back to
//! the same policy: same rules in the same order, so the same Docker profile.

use std::fmt::Write as _;

use crate::constants::{self, ERRNO};
use crate::docker;
use crate::engines;
use crate::model::{Action, Architectures, ArgCondition, ArgWidth, CmpOp, Filter, Policy, Rule};
use crate::upper_half;
use crate::validate::{validate, Part};

/// Lines are wrapped before this many characters where a list allows.
const WIDTH: usize = 100;

/// The policy as a `seccomp_dsl::seccomp_profile! { ... }` expression, ready
/// for `static POLICY: seccomp_dsl::Profile = include!("policy.rs");`.
///
/// ```
/// use seccomp_dsl_core::{dsl, model::*};
/// let policy = Policy::new(
///     Action::Errno(1),
///     vec![
///         Rule::new(["read", "write"], [], Action::Allow),
///         Rule::new(["personality"], [ArgCondition { width: ArgWidth::U32, ..ArgCondition::new(0, CmpOp::Eq, 0) }], Action::Allow),
///     ],
/// );
/// assert_eq!(
///     dsl::to_source(&policy),
///     "seccomp_dsl::seccomp_profile! {\n    \
///      // Stops calls runc 1.1.5 makes after loading the filter: for install() alone.\n    \
///      #[allow(engine_cannot_start)]\n    \
///      // The default stops `exit_group`, `rt_sigreturn`, `restart_syscall`: what it protects cannot end or return from a signal handler.\n    \
///      #[allow(stops_exit)]\n    default errno(EPERM);\n\n    \
///      allow read, write;\n    rule personality(arg0 == 0) => allow;\n}\n"
/// );
/// ```
pub fn to_source(policy: &Policy) -> String {
    let mut out = String::from("seccomp_dsl::seccomp_profile! {\n");
    let indent = "    ";
    let engine = engines::TARGET;
    let settings = crate::container_start::Settings::default();
    if !crate::container_start::stopped(&engine, policy, settings).is_empty() {
        let _ = writeln!(
            out,
            "{indent}// Stops calls {} makes after loading the filter: for install() alone.",
            engine.runtime
        );
        let _ = writeln!(out, "{indent}#[allow(engine_cannot_start)]");
    }
    let stopped = crate::lints::exits_stopped_by_default(policy);
    if !stopped.is_empty() {
        let _ = writeln!(
            out,
            "{indent}// The default stops `{}`: what it protects cannot end or return from a signal handler.",
            stopped.join("`, `")
        );
        let _ = writeln!(out, "{indent}#[allow({})]", crate::lints::STOPS_EXIT);
    }
    if crate::lints::default_finding(policy.default_action).is_some() {
        let _ = writeln!(
            out,
            "{indent}// `kill`, as Docker's SCMP_ACT_KILL: one thread."
        );
        let _ = writeln!(
            out,
            "{indent}#[allow({})]",
            crate::lints::KILL_THREAD_DEFAULT
        );
    }
    let _ = writeln!(out, "{indent}default {};", action(policy.default_action));
    match &policy.architectures {
        Architectures::Native => {}
        Architectures::List(arches) => {
            let names: Vec<&str> = arches.iter().map(|arch| arch.name()).collect();
            write_list(&mut out, indent, "arches ", &names, ";");
        }
        Architectures::Map(entries) => {
            for entry in entries.iter() {
                match &entry.sub_arches {
                    None => {
                        let _ = writeln!(out, "{indent}arch_map {};", entry.arch.name());
                    }
                    Some(subs) if subs.is_empty() => {
                        // `arch_map X =>` with nothing after it is not DSL; an
                        // empty list means the same as none.
                        let _ = writeln!(out, "{indent}arch_map {};", entry.arch.name());
                    }
                    Some(subs) => {
                        let names: Vec<&str> = subs.iter().map(|arch| arch.name()).collect();
                        write_list(
                            &mut out,
                            indent,
                            &format!("arch_map {} => ", entry.arch.name()),
                            &names,
                            ";",
                        );
                    }
                }
            }
        }
    }
    if !policy.flags.is_empty() {
        if engine.refuses_flags {
            let _ = writeln!(
                out,
                "{indent}// {} refuses to start a container with flags.",
                engine.describe()
            );
            let _ = writeln!(out, "{indent}#[allow(engine_refuses_flags)]");
        }
        let names: Vec<&str> = policy.flags.iter().map(|flag| flag.name()).collect();
        write_list(&mut out, indent, "flags ", &names, ";");
    }
    // Plain rules stand together; a block, a comment or an acknowledged
    // rule stands apart.
    let miscompiled = engines::miscompiled_by_libseccomp(policy);
    let notes: Vec<Vec<(String, &str)>> = (0..policy.rules.len())
        .map(|index| acknowledgements(policy, index, engine, &miscompiled))
        .collect();
    let stands_apart = |index: usize| {
        let rule = &policy.rules[index];
        rule.comment.is_some() || !rule.applies_everywhere() || !notes[index].is_empty()
    };
    // A plain rule for the syscalls of the one before it goes on with it
    // (`rule fcntl(arg1 == F_GETFD)` after a commented `rule fcntl(...)`).
    let goes_on = |index: usize| {
        let (rule, previous) = (&policy.rules[index], &policy.rules[index - 1]);
        !stands_apart(index)
            && notes[index - 1].is_empty()
            && previous.applies_everywhere()
            && previous.syscalls == rule.syscalls
    };
    for (i, rule) in policy.rules.iter().enumerate() {
        if i == 0 || stands_apart(i) || stands_apart(i - 1) && !goes_on(i) {
            out.push('\n');
        }
        for (comment, check) in &notes[i] {
            out.push_str(comment);
            let _ = writeln!(out, "    #[allow({check})]");
        }
        write_rule(&mut out, rule, None);
    }
    out.push_str("}\n");
    out
}

/// What the source acknowledges at rule `index` for `engine`: for each
/// check the rule would fail, the `//` lines that say why and the check's
/// name for `#[allow(...)]`. `miscompiled`: what
/// [`engines::miscompiled_by_libseccomp`] finds in the policy.
fn acknowledgements(
    policy: &Policy,
    index: usize,
    engine: engines::Engine,
    miscompiled: &[(usize, usize)],
) -> Vec<(String, &'static str)> {
    let rule = &policy.rules[index];
    let mut notes = Vec::new();
    let mut note = |comment: String, check| notes.push((format!("    // {comment}\n"), check));
    let narrow_compared_on_64_bits = rule.conditions.iter().any(|condition| {
        (rule.syscalls.iter()).any(|name| upper_half::reads_narrower(name, condition).is_some())
    });
    if narrow_compared_on_64_bits {
        let witness = (0..rule.conditions.len())
            .flat_map(|condition| rule.syscalls.iter().map(move |name| (condition, name)))
            .find_map(|(condition, name)| upper_half::witness(policy, index, condition, name));
        let said = match witness {
            Some(witness) if witness.is_bypass() => format!("bypass: {witness}"),
            Some(witness) => format!("{witness}"),
            None => "the rest of the policy decides those calls as the kernel reads them".into(),
        };
        note(
            format!("64 bits of a narrower argument compared; {said}."),
            "upper_half_bypass",
        );
    }
    if engines::covers_x32(&policy.architectures)
        && rule.conditions.iter().any(ArgCondition::compares_64_bits)
    {
        note(
            "On x32, engines compare only the low half of each argument.".into(),
            "x32_low_halves",
        );
    }
    if miscompiled.iter().any(|&(later, _)| later == index) {
        note(
            format!(
                "libseccomp {} may miscompile this rule beside an earlier one.",
                engine.libseccomp
            ),
            "libseccomp_miscompiles",
        );
    }
    if let Some((_, abi, multiplexer)) = engine.multiplexed(policy, rule).first() {
        note(
            format!(
                "On {}, libseccomp applies this rule to `{multiplexer}` without its conditions.",
                abi.name()
            ),
            "multiplexed_without_conditions",
        );
    }
    let kernel_condition = rule.includes.min_kernel.is_some() || rule.excludes.min_kernel.is_some();
    if kernel_condition && !engine.honours_min_kernel {
        note(
            format!(
                "{} ignores minKernel: the rule applies on every kernel there.",
                engine.describe()
            ),
            "engine_ignores_min_kernel",
        );
    }
    let mut flagged: Vec<&str> = Vec::new();
    for finding in crate::lints::rule_findings(rule, policy) {
        if flagged.contains(&finding.lint) {
            continue;
        }
        flagged.push(finding.lint);
        // Imported from a profile this project wrote, the rule's own
        // comment says so already.
        let said = rule
            .comment
            .as_ref()
            .is_some_and(|c| c.contains(&finding.why));
        let comment = if said {
            String::new()
        } else {
            format!("    // {}.\n", finding.why)
        };
        notes.push((comment, finding.lint));
    }
    let dropped = engine.dropped_names(rule, &policy.architectures);
    if !dropped.is_empty() {
        let said = engine.left_out_note(&dropped);
        // Imported from a profile this project wrote, the rule's own
        // comment says so already.
        let comment = if rule.comment.as_ref().is_some_and(|c| c.contains(&said)) {
            String::new()
        } else {
            let (head, _) = said.split_once(": ").expect("the note lists names");
            let mut comment = format!("    // {head}:\n");
            write_list(&mut comment, "    //", " ", &dropped, ".");
            comment
        };
        notes.push((comment, "unknown_to_engine"));
    }
    notes
}

/// One rule as the DSL statement that states it, with its `when`/`unless`
/// block if any, on one line and without its doc comment: for messages
/// that quote the rule deciding a call.
///
/// ```
/// use seccomp_dsl_core::{dsl, model::*};
/// let rule = Rule::new(["read", "write"], [], Action::Allow);
/// assert_eq!(dsl::rule_source(&rule), "allow read, write;");
/// ```
pub fn rule_source(rule: &Rule) -> String {
    rule_source_written(rule, None)
}

/// [`rule_source`], its conditions as `conditions` says where given (the
/// text its author wrote: `arg2 & (O_ACCMODE | O_CREAT) == O_RDONLY`).
pub fn rule_source_written(rule: &Rule, conditions: Option<&str>) -> String {
    let mut out = String::new();
    write_rule(&mut out, rule, conditions);
    out.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("///"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_rule(out: &mut String, rule: &Rule, written: Option<&str>) {
    let mut indent = String::from("    ");
    if let Some(comment) = &rule.comment {
        for line in comment.lines() {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
    let blocks: Vec<String> = [("when", &rule.includes), ("unless", &rule.excludes)]
        .into_iter()
        .filter(|(_, filter)| !filter.is_empty())
        .map(|(keyword, filter)| format!("{keyword} {} {{", filter_conditions(filter)))
        .collect();
    for block in &blocks {
        let _ = writeln!(out, "{indent}{block}");
        indent.push_str("    ");
    }
    let names: Vec<&str> = rule.syscalls.iter().map(|name| name.as_ref()).collect();
    let conditions_text = |conditions: &[ArgCondition]| {
        written.map_or_else(|| condition_text(conditions, &names), str::to_string)
    };
    match (&rule.conditions[..], &names[..]) {
        ([], _) => write_list(
            out,
            &indent,
            &format!("{} ", action(rule.action)),
            &names,
            ";",
        ),
        (conditions, [name]) => {
            let _ = writeln!(
                out,
                "{indent}rule {name}({}) => {};",
                conditions_text(conditions),
                action(rule.action)
            );
        }
        (conditions, _) => {
            let tail = format!(" if {};", conditions_text(conditions));
            write_list(
                out,
                &indent,
                &format!("{} ", action(rule.action)),
                &names,
                &tail,
            );
        }
    }
    for _ in &blocks {
        indent.truncate(indent.len() - 4);
        let _ = writeln!(out, "{indent}}}");
    }
}

fn filter_conditions(filter: &Filter) -> String {
    let mut parts = Vec::new();
    if !filter.caps.is_empty() {
        parts.push(format!("cap({})", filter.caps.join(", ")));
    }
    if !filter.arches.is_empty() {
        parts.push(format!("arch({})", filter.arches.join(", ")));
    }
    if let Some(version) = filter.min_kernel {
        parts.push(format!("kernel >= {version}"));
    }
    parts.join(", ")
}

/// `head name, name, ...tail`, wrapped at [`WIDTH`] with continuation lines
/// indented one level more.
fn write_list(out: &mut String, indent: &str, head: &str, names: &[&str], tail: &str) {
    let mut line = format!("{indent}{head}");
    for (i, name) in names.iter().enumerate() {
        let separator = if i + 1 < names.len() { "," } else { "" };
        let piece = format!("{name}{separator}");
        if i > 0 && line.len() + 1 + piece.len() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = format!("{indent}    {piece}");
        } else {
            if i > 0 {
                line.push(' ');
            }
            line.push_str(&piece);
        }
    }
    out.push_str(&line);
    out.push_str(tail);
    out.push('\n');
}

/// The conditions of a rule for `syscalls`: a 64-bit comparison of an
/// argument one of them reads narrower says `as u64`.
fn condition_text(conditions: &[ArgCondition], syscalls: &[&str]) -> String {
    conditions
        .iter()
        .map(|condition| {
            let narrow_argument = syscalls.iter().any(|name| {
                upper_half::kernel_width(name, condition.index)
                    .is_some_and(|width| width != ArgWidth::U64)
            });
            let cast = if condition.width == ArgWidth::U64 && narrow_argument {
                " as u64"
            } else {
                ""
            };
            let arg = format!("arg{}{cast}", condition.index);
            // Names where every syscall of the rule reads the argument so.
            let named = |describe: &dyn Fn(&str) -> Option<String>| {
                let texts: Vec<Option<String>> =
                    syscalls.iter().map(|name| describe(name)).collect();
                texts
                    .windows(2)
                    .all(|pair| pair[0] == pair[1])
                    .then(|| texts.into_iter().next().flatten())
                    .flatten()
            };
            let level = conditions
                .iter()
                .find(|other| other.index == 1 && other.op == CmpOp::Eq)
                .map(|other| other.value & other.width.mask());
            let index = condition.index;
            // An order between names says less than the numbers do.
            // So is a set of flags compared with none (`& MASK == 0`);
            // a kind among several (`& O_ACCMODE == O_RDONLY`) is named.
            // Or every bit but a few flags (`& !(O_CLOEXEC) == O_RDONLY`).
            let kind_mask = |mask| {
                syscalls.iter().any(|name| {
                    constants::describe_mask(name, condition.index, mask)
                        .is_some_and(|text| text == "O_ACCMODE" || text.starts_with("!("))
                })
            };
            let ordered = match condition.op {
                CmpOp::Eq | CmpOp::Ne => false,
                CmpOp::MaskedEq(mask) => condition.value == 0 && !kind_mask(mask),
                _ => true,
            };
            let value = (!ordered)
                .then(|| {
                    named(&|name| {
                        let value = condition.value & condition.width.mask();
                        constants::describe(name, index, value, level)
                    })
                })
                .flatten()
                .unwrap_or_else(|| number(condition.value, condition.width));
            match condition.op {
                CmpOp::MaskedEq(mask) => format!(
                    "{arg} & {} == {value}",
                    named(&|name| constants::describe_mask(name, index, mask))
                        .unwrap_or_else(|| number(mask, ArgWidth::U64)),
                ),
                op => format!("{arg} {} {value}", op.symbol()),
            }
        })
        .collect::<Vec<_>>()
        .join(" && ")
}

/// A value as `width` reads it: small ones in decimal (negative where the
/// type is signed), others in hex.
fn number(value: u64, width: ArgWidth) -> String {
    let value = value & width.mask();
    if width.is_signed() && value & width.sign_bit() != 0 {
        width.render(value)
    } else if value < 10_000 {
        value.to_string()
    } else {
        format!("{value:#x}")
    }
}

fn action(action: Action) -> String {
    match action {
        Action::Errno(errno) => {
            let name = ERRNO
                .constants
                .iter()
                .find(|(_, value)| *value == u64::from(errno));
            match name {
                Some((name, _)) => format!("errno({name})"),
                None => format!("errno({errno})"),
            }
        }
        other => other.to_string(),
    }
}

/// A Docker profile that cannot be written in the DSL.
#[derive(Debug)]
pub enum ImportError {
    /// The profile itself is invalid.
    Docker(docker::Error),
    /// The profile is valid for Docker but means something the DSL rejects,
    /// because engines would apply it differently from how it reads (see
    /// [`crate::validate`]). One line per problem, naming the entry.
    Unrepresentable(Vec<String>),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Docker(error) => error.fmt(f),
            ImportError::Unrepresentable(problems) => {
                write!(f, "the profile cannot be written exactly in the DSL:")?;
                problems
                    .iter()
                    .try_for_each(|problem| write!(f, "\n  {problem}"))
            }
        }
    }
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ImportError::Docker(error) => Some(error),
            ImportError::Unrepresentable(_) => None,
        }
    }
}

/// Reads a Docker profile into a policy the DSL accepts.
///
/// A masked comparison's value is reduced to its bits inside the mask, which
/// is how engines compare it anyway; everything else must already be
/// exact, or the problems are returned.
pub fn import_docker(json: &str) -> Result<Policy, ImportError> {
    import_docker_noting(json).map(|(policy, _)| policy)
}

/// A syscall of an entry that engines never apply the entry to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shadowed {
    /// The entry's index in the profile's `syscalls`.
    pub entry: usize,
    /// The syscall.
    pub syscall: String,
    /// The earlier entry that decides the syscall instead.
    pub by: usize,
}

impl std::fmt::Display for Shadowed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "syscalls[{}] names `{}`, which syscalls[{}] already decides whatever its arguments, \
             everywhere: libseccomp keeps that first rule and ignores this one, so the source \
             leaves `{}` out of it",
            self.entry, self.syscall, self.by, self.syscall
        )
    }
}

/// Removes what engines never apply: libseccomp (2.5.4 measured) keeps the
/// first rule without conditions it is given for a syscall and silently
/// ignores later ones, whatever their action, so a later entry without
/// conditions is never applied to a syscall an earlier entry without
/// conditions or filters already names (Debian's containers-common profile
/// allows `setns` to everyone, then denies it without CAP_SYS_ADMIN).
fn drop_shadowed(policy: &mut Policy) -> Vec<Shadowed> {
    let mut shadowed = Vec::new();
    let rules = policy.rules.to_mut();
    for later in 1..rules.len() {
        if !rules[later].is_unconditional() {
            continue;
        }
        let (earlier, rest) = rules.split_at_mut(later);
        let rule = &mut rest[0];
        rule.syscalls.to_mut().retain(|name| {
            let by = earlier.iter().position(|first| {
                first.is_unconditional() && first.applies_everywhere() && first.names(name)
            });
            if let Some(by) = by {
                shadowed.push(Shadowed {
                    entry: later,
                    syscall: name.to_string(),
                    by,
                });
            }
            by.is_none()
        });
    }
    rules.retain(|rule| !rule.syscalls.is_empty());
    shadowed
}

/// [`import_docker`], and the syscalls it left out of entries because
/// engines never apply those entries to them.
pub fn import_docker_noting(json: &str) -> Result<(Policy, Vec<Shadowed>), ImportError> {
    let policy = docker::from_json(json).map_err(ImportError::Docker)?;
    finish_import(policy)
}

/// A Docker profile read as the engines read it (see [`crate::import`]):
/// the policy they enforce, and a note for each key, name and rule they
/// ignore or drop. Refuses only what the DSL cannot write exactly.
///
/// ```
/// let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "_comment": "ours",
///     "syscalls": [{"names": ["read", "keyctl_chown"], "action": "SCMP_ACT_ALLOW"}]}"#;
/// let (policy, notes) = seccomp_dsl_core::dsl::import_docker_as_engines(json).unwrap();
/// assert_eq!(policy.rules[0].syscalls.join(", "), "read");
/// assert_eq!(notes.len(), 2);
/// ```
pub fn import_docker_as_engines(json: &str) -> Result<(Policy, Vec<String>), ImportError> {
    let (profile, mut notes) = crate::import::read_profile(json).map_err(ImportError::Docker)?;
    let mut policy = docker::from_profile(&profile).map_err(ImportError::Docker)?;
    notes.extend(crate::import::drop_what_engines_drop(&mut policy));
    let (policy, shadowed) = finish_import(policy)?;
    notes.extend(shadowed.iter().map(Shadowed::to_string));
    Ok((policy, notes))
}

/// The last steps of an import: what libseccomp never applies is dropped,
/// masked values are ANDed with their mask, and the rest validated.
fn finish_import(mut policy: Policy) -> Result<(Policy, Vec<Shadowed>), ImportError> {
    let shadowed = drop_shadowed(&mut policy);
    for rule in policy.rules.to_mut() {
        for condition in rule.conditions.to_mut() {
            if let CmpOp::MaskedEq(mask) = condition.op {
                condition.value &= mask;
            }
        }
    }
    let problems = validate(&policy);
    if problems.is_empty() {
        return Ok((policy, shadowed));
    }
    Err(ImportError::Unrepresentable(
        problems
            .iter()
            .map(|problem| {
                let rule = &policy.rules[problem.rule];
                let name = match problem.part {
                    Part::Syscall(i) => rule.syscalls[i].to_string(),
                    _ => rule.syscalls.join(", "),
                };
                let help = problem
                    .kind
                    .help()
                    .map(|help| format!(" ({help})"))
                    .unwrap_or_default();
                format!(
                    "syscalls[{}] `{name}`: {}{help}",
                    problem.rule, problem.kind
                )
            })
            .collect(),
    ))
}

/// A Docker profile as `seccomp_profile!` source; see [`to_source`].
pub fn import_docker_to_source(json: &str) -> Result<String, ImportError> {
    import_docker(json).map(|policy| to_source(&policy))
}
