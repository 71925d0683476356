//! A rule, an action and an argument value as DSL source text: what the
//! DSL writer ([`crate::dsl`]) writes, and what explanations and
//! comparisons quote.

use std::fmt::Write as _;

use crate::constants::{self, ERRNO};
use crate::model::{Action, ArgCondition, ArgWidth, CmpOp, Filter, Rule};
use crate::upper_half;

/// Lines are wrapped before this many characters where a list allows.
pub(crate) const WIDTH: usize = 100;

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

pub(crate) fn write_rule(out: &mut String, rule: &Rule, written: Option<&str>) {
    let mut indent = String::from("    ");
    if let Some(comment) = &rule.comment {
        for line in comment.lines() {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
    let startup = rule.startup.then(|| "startup {".to_string());
    let blocks: Vec<String> = startup
        .into_iter()
        .chain(
            [("when", &rule.includes), ("unless", &rule.excludes)]
                .into_iter()
                .filter(|(_, filter)| !filter.is_empty())
                .map(|(keyword, filter)| format!("{keyword} {} {{", filter_conditions(filter))),
        )
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

pub(crate) fn filter_conditions(filter: &Filter) -> String {
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
pub(crate) fn write_list(out: &mut String, indent: &str, head: &str, names: &[&str], tail: &str) {
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
pub(crate) fn condition_text(conditions: &[ArgCondition], syscalls: &[&str]) -> String {
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
pub(crate) fn number(value: u64, width: ArgWidth) -> String {
    let value = value & width.mask();
    if width.is_signed() && value & width.sign_bit() != 0 {
        width.render(value)
    } else if value < 10_000 {
        value.to_string()
    } else {
        format!("{value:#x}")
    }
}

pub(crate) fn action(action: Action) -> String {
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
