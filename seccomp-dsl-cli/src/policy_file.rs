//! A policy given on the command line: a Docker profile (JSON), read as
//! the engines read it, or DSL source, read by the macro's own front end.

use std::path::Path;

use seccomp_dsl_core::model::Policy;
use seccomp_dsl_core::{dsl, frontend};

use crate::io::{read, say};

/// A policy from a Docker profile (JSON) or from DSL source: a `.rs` file
/// holding one `seccomp_profile! { ... }`, or its statements alone, read
/// by the macro's own front end, with its errors.
pub(crate) fn load(profile: &Path) -> Result<Policy, String> {
    load_with_lines(profile).map(|(policy, _)| policy)
}

/// Where each rule of a policy read from DSL source is written: its line
/// and its conditions as written (nothing for JSON).
#[derive(Default)]
pub(crate) struct RuleSources {
    pub(crate) lines: Vec<u32>,
    pub(crate) conditions: Vec<String>,
    /// The statements, to check what a tool suggests adding to them.
    pub(crate) statements: Option<proc_macro2::TokenStream>,
    /// How the containers it is shipped to run (`container ...;`).
    pub(crate) container: seccomp_dsl_core::container_start::Settings,
}

impl RuleSources {
    pub(crate) fn sources(&self) -> seccomp_dsl::explain::Sources<'_> {
        seccomp_dsl::explain::Sources {
            lines: &self.lines,
            conditions: &self.conditions,
        }
    }

    /// Why the policy does not compile with `statement` added (a `forbid`
    /// or an `assert` it breaks, a rule it overlaps), if it does not.
    pub(crate) fn conflict(&self, statement: &str) -> Option<String> {
        let mut statements = self.statements.clone()?;
        statements.extend(statement.parse::<proc_macro2::TokenStream>().ok()?);
        let read = frontend::read(statements);
        let message = (read.diagnostics.messages().into_iter()).find(|message| !message.warning)?;
        Some(message.text.lines().next().unwrap_or_default().to_string())
    }
}

/// [`load`], with where each rule is written.
pub(crate) fn load_with_lines(profile: &Path) -> Result<(Policy, RuleSources), String> {
    let text = read(profile)?;
    if text.trim_start().starts_with('{') {
        // As the engines read it, with what they ignore said.
        let (policy, notes) = dsl::import_docker_as_engines(&text)
            .map_err(|e| format!("{}: {e}", profile.display()))?;
        for note in notes {
            say(format_args!("warning: {}: {note}", profile.display()));
        }
        return Ok((policy, RuleSources::default()));
    }
    read_dsl(&text, profile)
}

/// DSL source read as the macro reads it, its diagnostics printed as
/// `file:line:column: error: ...`, with the source line of each rule.
pub(crate) fn read_dsl(text: &str, path: &Path) -> Result<(Policy, RuleSources), String> {
    let tokens: proc_macro2::TokenStream = text
        .parse()
        .map_err(|e| format!("{}: not JSON, and not Rust tokens: {e}", path.display()))?;
    // The statements alone where the file has no macro around them.
    let statements = macro_body(tokens.clone()).unwrap_or(tokens);
    let read = frontend::read(statements.clone());
    // As the compiler: warnings only where the policy compiles.
    let failed = read.policy.is_none();
    for message in read.diagnostics.messages() {
        if message.warning && failed {
            continue;
        }
        let kind = if message.warning { "warning" } else { "error" };
        eprintln!(
            "{}:{}:{}: {kind}: {}",
            path.display(),
            message.line,
            message.column + 1,
            message.text.replace('\n', "\n  ")
        );
    }
    let policy = read
        .policy
        .ok_or_else(|| format!("{}: the policy has errors", path.display()))?;
    let sources = RuleSources {
        lines: read.rule_lines,
        conditions: read.rule_conditions,
        statements: Some(statements),
        container: read.container,
    };
    Ok((policy, sources))
}

/// What stands between the braces of the first `seccomp_profile! { ... }`
/// in `tokens`, at any depth (in a `static`'s initializer, say).
fn macro_body(tokens: proc_macro2::TokenStream) -> Option<proc_macro2::TokenStream> {
    use proc_macro2::{Delimiter, TokenTree};
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    trees
        .iter()
        .enumerate()
        .find_map(|(index, tree)| match tree {
            TokenTree::Ident(name) if name == "seccomp_profile" => {
                match (trees.get(index + 1), trees.get(index + 2)) {
                    (Some(TokenTree::Punct(bang)), Some(TokenTree::Group(body)))
                        if bang.as_char() == '!' && body.delimiter() == Delimiter::Brace =>
                    {
                        Some(body.stream())
                    }
                    _ => None,
                }
            }
            TokenTree::Group(group) => macro_body(group.stream()),
            _ => None,
        })
}
