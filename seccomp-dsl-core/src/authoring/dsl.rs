//! Writing a policy as DSL source, and importing Docker profiles with it.
//!
//! The source [`to_source`] writes compiles with `seccomp_profile!` back to
//! the same policy: same rules in the same order, so the same Docker profile.

use std::fmt::Write as _;

use crate::engines;
use crate::model::{Architectures, ArgCondition, Policy, Rule};
use crate::upper_half;

use crate::formats::dsl_text::{action, write_list, write_rule};
pub use crate::formats::dsl_text::{rule_source, rule_source_written};
pub use crate::import::{
    import_docker, import_docker_as_engines, import_docker_noting, ImportError, Shadowed,
};

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
    to_source_for(policy, crate::container_start::Settings::default())
}

/// [`to_source`] for containers run with `settings`, which the source
/// states (`container no_new_privileges;`) and is checked against: a
/// container recorded where it runs.
///
/// ```
/// use seccomp_dsl_core::{container_start::Settings, dsl, model::*};
/// let policy = Policy::new(Action::Allow, vec![Rule::new(["ptrace"], [], Action::Errno(1))]);
/// let source = dsl::to_source_for(&policy, Settings { no_new_privileges: true });
/// assert!(source.contains("    container no_new_privileges;\n"));
/// ```
pub fn to_source_for(policy: &Policy, settings: crate::container_start::Settings) -> String {
    let mut out = String::from("seccomp_dsl::seccomp_profile! {\n");
    let indent = "    ";
    let engine = engines::TARGET;
    default_acknowledgements(&mut out, policy, engine, settings);
    let _ = writeln!(out, "{indent}default {};", action(policy.default_action));
    if settings.no_new_privileges {
        let _ = writeln!(out, "{indent}container no_new_privileges;");
    }
    write_architectures(&mut out, &policy.architectures);
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
    write_rules(&mut out, policy, engine);
    out.push_str("}\n");
    out
}

/// The acknowledgements above `default`: calls the engine's runtime
/// makes, exits and returns the default stops, a default that kills one
/// thread.
fn default_acknowledgements(
    out: &mut String,
    policy: &Policy,
    engine: engines::Engine,
    settings: crate::container_start::Settings,
) {
    let indent = "    ";
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
}

/// `arches` or `arch_map` statements for the ABIs covered.
fn write_architectures(out: &mut String, architectures: &Architectures) {
    let indent = "    ";
    match architectures {
        Architectures::Native => {}
        Architectures::List(arches) => {
            let names: Vec<&str> = arches.iter().map(|arch| arch.name()).collect();
            write_list(out, indent, "arches ", &names, ";");
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
                            out,
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
}

/// The rules, each with its acknowledgements, in order.
fn write_rules(out: &mut String, policy: &Policy, engine: engines::Engine) {
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
    // Rules of `startup` standing together share one block, each written
    // as it stands, one level deeper.
    for (i, rule) in policy.rules.iter().enumerate() {
        let after_startup = i > 0 && policy.rules[i - 1].startup;
        if after_startup && !rule.startup {
            out.push_str("    }\n");
        }
        let opens = rule.startup && !after_startup;
        if i == 0 || opens || stands_apart(i) || stands_apart(i - 1) && !goes_on(i) {
            out.push('\n');
        }
        if opens {
            out.push_str("    startup {\n");
        }
        let mut text = String::new();
        for (comment, check) in &notes[i] {
            text.push_str(comment);
            let _ = writeln!(text, "    #[allow({check})]");
        }
        let unmarked = rule.startup.then(|| Rule {
            startup: false,
            ..rule.clone()
        });
        write_rule(&mut text, unmarked.as_ref().unwrap_or(rule), None);
        let indent = if rule.startup { "    " } else { "" };
        for line in text.lines() {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
    if policy.rules.last().is_some_and(|rule| rule.startup) {
        out.push_str("    }\n");
    }
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
    let mut notes = engine_notes(policy, index, engine, miscompiled);
    notes.extend(lint_notes(rule, policy));
    notes.extend(dropped_names_note(rule, policy, engine));
    notes
}

/// The acknowledgements of where the engine reads rule `index` otherwise
/// than the model: 64-bit comparisons of narrow arguments, x32's low
/// halves, libseccomp's miscompilations and multiplexers, `minKernel`.
fn engine_notes(
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
    notes
}

/// The acknowledgements the lints ask of `rule`, once per lint.
fn lint_notes(rule: &Rule, policy: &Policy) -> Vec<(String, &'static str)> {
    let mut notes = Vec::new();
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
    notes
}

/// The acknowledgement of the names the engine leaves out of `rule`.
fn dropped_names_note(
    rule: &Rule,
    policy: &Policy,
    engine: engines::Engine,
) -> Option<(String, &'static str)> {
    let dropped = engine.dropped_names(rule, &policy.architectures);
    if dropped.is_empty() {
        return None;
    }
    let said = engine.left_out_note(&dropped);
    // Imported from a profile this project wrote, the rule's own comment
    // says so already.
    let comment = if rule.comment.as_ref().is_some_and(|c| c.contains(&said)) {
        String::new()
    } else {
        let (head, _) = said.split_once(": ").expect("the note lists names");
        let mut comment = format!("    // {head}:\n");
        write_list(&mut comment, "    //", " ", &dropped, ".");
        comment
    };
    Some((comment, "unknown_to_engine"))
}

/// A Docker profile as `seccomp_profile!` source; see [`to_source`].
pub fn import_docker_to_source(json: &str) -> Result<String, ImportError> {
    import_docker(json).map(|policy| to_source(&policy))
}
