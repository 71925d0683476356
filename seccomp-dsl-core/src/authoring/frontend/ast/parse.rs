//! Statements parsed: split at top-level `;` first, then each on its own.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Ident, LitFloat, LitInt, Token};

use super::expr::{parse_or, parse_value};
use super::*;
use crate::authoring::frontend::errors::{Errors, SpanRange};
use crate::model::KernelVersion;

/// Parses every statement it can, reporting each bad one to `errors`.
///
/// A policy that begins `extends NAME { BASE }` (as the macro a
/// `define_policy!` makes writes it) is the base's statements followed by
/// its own, except the base's `default` where it has one of its own.
pub fn parse_policy(input: TokenStream, errors: &mut Errors) -> PolicyAst {
    let trees: Vec<TokenTree> = input.clone().into_iter().collect();
    if let [TokenTree::Ident(keyword), TokenTree::Ident(_), TokenTree::Group(base), rest @ ..] =
        &trees[..]
    {
        if keyword == "extends" && base.delimiter() == Delimiter::Brace {
            let mut statements = parse_policy(base.stream(), errors).statements;
            let extension = parse_statements(rest.iter().cloned().collect(), errors);
            let is_default =
                |statement: &Statement| matches!(statement.kind, StatementKind::Default { .. });
            if extension.iter().any(is_default) {
                statements.retain(|statement| !is_default(statement));
            }
            statements.extend(extension);
            return PolicyAst { statements };
        }
    }
    PolicyAst {
        statements: parse_statements(input, errors),
    }
}

fn parse_statements(input: TokenStream, errors: &mut Errors) -> Vec<Statement> {
    let mut statements = Vec::new();
    for chunk in split_statements(input, errors) {
        match parse_statement.parse2(chunk) {
            Ok((mut statement, block_body)) => {
                if let (StatementKind::Block { body, .. }, Some(tokens)) =
                    (&mut statement.kind, block_body)
                {
                    *body = parse_statements(tokens, errors);
                }
                statements.push(statement);
            }
            Err(error) => errors.push_syn(error),
        }
    }
    statements
}

/// Splits at top-level `;` and after top-level `{ ... }` blocks. Tokens
/// after the last statement are an unterminated statement: reported, then
/// parsed anyway for the errors they hold.
fn split_statements(input: TokenStream, errors: &mut Errors) -> Vec<TokenStream> {
    let mut chunks = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    for token in input {
        match &token {
            TokenTree::Punct(punct) if punct.as_char() == ';' => {
                if current.is_empty() {
                    errors.push(
                        SpanRange::single(punct.span()),
                        "empty statement",
                        Some("remove this `;`"),
                    );
                } else {
                    chunks.push(current.drain(..).collect());
                }
            }
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                current.push(token);
                chunks.push(current.drain(..).collect());
            }
            _ => current.push(token),
        }
    }
    if let Some(last) = current.last() {
        errors.push(
            SpanRange::single(last.span()),
            "expected `;` after this statement",
            Some("every statement ends with `;`"),
        );
        chunks.push(current.into_iter().collect());
    }
    chunks
}

/// One statement, and the tokens of its body if it is a block.
fn parse_statement(input: ParseStream) -> syn::Result<(Statement, Option<TokenStream>)> {
    let (comment, allows) = parse_attributes(input)?;
    let head = Ident::parse_any(input).map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected a statement: `default`, `forbid`, `rule`, `when`, `unless`, `startup` or an action",
        )
    })?;
    let mut block_body = None;
    let kind = match head.to_string().as_str() {
        "default" => StatementKind::Default {
            keyword: head.span(),
            action: parse_action(input)?,
        },
        "forbid" => StatementKind::Forbid {
            names: idents(parse_names(input, &head)?),
        },
        "rule" => parse_rule(input)?,
        keyword @ ("when" | "unless") => {
            let (kind, body) = parse_block(keyword == "unless", &head, input)?;
            block_body = Some(body);
            kind
        }
        "startup" => {
            let content;
            syn::braced!(content in input);
            block_body = Some(content.parse::<TokenStream>()?);
            StatementKind::Block {
                unless: false,
                startup: true,
                conditions: Vec::new(),
                header: SpanRange::single(head.span()),
                body: Vec::new(),
            }
        }
        "arches" => StatementKind::Arches {
            keyword: head.span(),
            arches: idents(parse_names(input, &head)?),
        },
        "arch_map" => parse_arch_map(&head, input)?,
        "flags" => StatementKind::Flags {
            keyword: head.span(),
            flags: idents(parse_names(input, &head)?),
        },
        "container" => StatementKind::Container {
            keyword: head.span(),
            settings: idents(parse_names(input, &head)?),
        },
        "assert" => StatementKind::Assert {
            keyword: head.span(),
            claim: parse_claim(input)?,
        },
        "engine" => StatementKind::Engine {
            keyword: head.span(),
            name: Ident::parse_any(input).map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected an engine after `engine`: `podman` or `docker`",
                )
            })?,
        },
        _ => parse_list(head, input)?,
    };
    if !input.is_empty() {
        return Err(input.error("unexpected tokens: expected `;`"));
    }
    Ok((
        Statement {
            comment,
            allows,
            kind,
        },
        block_body,
    ))
}

/// `rule NAME(CONDITION) => ACTION`, after `rule`.
fn parse_rule(input: ParseStream) -> syn::Result<StatementKind> {
    let name = Ident::parse_any(input)
        .map_err(|e| syn::Error::new(e.span(), "expected the syscall name after `rule`"))?;
    let condition = if input.peek(syn::token::Paren) {
        let content;
        let parens = syn::parenthesized!(content in input);
        if content.is_empty() {
            return Err(syn::Error::new(
                parens.span.join(),
                "empty condition: write `rule NAME => ACTION;` for a rule without one",
            ));
        }
        let expr = parse_or(&content)?;
        if !content.is_empty() {
            return Err(content.error("expected `&&`, `||` or `)`"));
        }
        Some(expr)
    } else {
        None
    };
    input
        .parse::<Token![=>]>()
        .map_err(|e| syn::Error::new(e.span(), "expected `=>` and the rule's action"))?;
    Ok(StatementKind::Rule {
        name,
        condition,
        action: parse_action(input)?,
    })
}

/// `when CONDITION, ... { STATEMENTS }` (or `unless`), after the keyword:
/// the block, and its body's tokens, parsed as statements of their own.
fn parse_block(
    unless: bool,
    head: &Ident,
    input: ParseStream,
) -> syn::Result<(StatementKind, TokenStream)> {
    let (first, mut end) = parse_block_condition(input)?;
    let mut conditions = vec![first];
    while input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
        let (condition, last) = parse_block_condition(input)?;
        conditions.push(condition);
        end = last;
    }
    let content;
    syn::braced!(content in input);
    let body = content.parse::<TokenStream>()?;
    let kind = StatementKind::Block {
        unless,
        startup: false,
        conditions,
        header: SpanRange {
            start: head.span(),
            end,
        },
        body: Vec::new(),
    };
    Ok((kind, body))
}

/// `arch_map ARCH => SUB, ...;`, after `arch_map`.
fn parse_arch_map(head: &Ident, input: ParseStream) -> syn::Result<StatementKind> {
    let arch = Ident::parse_any(input)
        .map_err(|e| syn::Error::new(e.span(), "expected an architecture after `arch_map`"))?;
    let sub_arches = if input.peek(Token![=>]) {
        input.parse::<Token![=>]>()?;
        Some(idents(parse_names(input, &arch)?))
    } else {
        None
    };
    Ok(StatementKind::ArchMap {
        keyword: head.span(),
        arch,
        sub_arches,
    })
}

/// `ACTION name, @group, ... [if CONDITION]`, from its action's name.
fn parse_list(head: Ident, input: ParseStream) -> syn::Result<StatementKind> {
    let action = parse_action_named(head, input)?;
    let (names, grouped) = parse_names(input, &action.name)?.into_iter().unzip();
    let condition = if input.peek(Token![if]) {
        let keyword = input.parse::<Token![if]>()?;
        if input.is_empty() {
            return Err(syn::Error::new(
                keyword.span,
                "expected a condition after `if`",
            ));
        }
        Some(parse_or(input)?)
    } else {
        None
    };
    Ok(StatementKind::List {
        action,
        names,
        grouped,
        condition,
    })
}

/// `/// text` lines (which reach a macro as `#[doc = "text"]`), joined by
/// newlines, without the space after `///`, and the names in
/// `#[allow(...)]`.
fn parse_attributes(input: ParseStream) -> syn::Result<(Option<String>, Vec<Ident>)> {
    let mut lines = Vec::new();
    let mut allows = Vec::new();
    for attribute in input.call(Attribute::parse_outer)? {
        let not_doc = || {
            syn::Error::new_spanned(
                &attribute,
                "only doc comments (`/// ...`) and `#[allow(...)]` may stand before a statement",
            )
        };
        if let syn::Meta::List(list) = &attribute.meta {
            if !list.path.is_ident("allow") {
                return Err(not_doc());
            }
            let names = list.parse_args_with(
                syn::punctuated::Punctuated::<Ident, Token![,]>::parse_terminated,
            )?;
            allows.extend(names);
            continue;
        }
        let syn::Meta::NameValue(meta) = &attribute.meta else {
            return Err(not_doc());
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) = &meta.value
        else {
            return Err(not_doc());
        };
        if !meta.path.is_ident("doc") {
            return Err(not_doc());
        }
        let line = text.value();
        lines.push(line.strip_prefix(' ').unwrap_or(&line).to_string());
    }
    Ok(((!lines.is_empty()).then(|| lines.join("\n")), allows))
}

/// A block condition and the span of its last token.
fn parse_block_condition(input: ParseStream) -> syn::Result<(BlockCondition, Span)> {
    let kind = Ident::parse_any(input).map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected a condition: `cap(...)`, `arch(...)` or `kernel >= VERSION`",
        )
    })?;
    match kind.to_string().as_str() {
        "cap" | "arch" => {
            let content;
            let parens = syn::parenthesized!(content in input);
            let names = content.parse_terminated(Ident::parse_any, Token![,])?;
            if names.is_empty() {
                return Err(syn::Error::new(kind.span(), format!("`{kind}(...)` needs at least one name")));
            }
            let names = names.into_iter().collect();
            let condition = if kind == "cap" { BlockCondition::Caps(names) } else { BlockCondition::Arches(names) };
            Ok((condition, parens.span.close()))
        }
        "kernel" => {
            input
                .parse::<Token![>=]>()
                .map_err(|e| syn::Error::new(e.span(), "expected `>=`: a rule can require a minimum kernel version"))?;
            let (text, span) = if input.peek(LitFloat) {
                let literal: LitFloat = input.parse()?;
                (literal.to_string(), literal.span())
            } else {
                let literal: LitInt = input.parse()?;
                (format!("{}.0", literal.base10_digits()), literal.span())
            };
            if input.peek(Token![.]) || input.peek(LitFloat) || input.peek(LitInt) {
                return Err(syn::Error::new(span, "a kernel version is `MAJOR.MINOR`, such as `4.8`"));
            }
            KernelVersion::parse(&text)
                .filter(|_| text.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
                .map(|version| (BlockCondition::Kernel(version), span))
                .ok_or_else(|| syn::Error::new(span, format!("`{text}` is not a kernel version such as `4.8`")))
        }
        other => Err(syn::Error::new(
            kind.span(),
            format!("unknown condition `{other}`: expected `cap(...)`, `arch(...)` or `kernel >= VERSION`"),
        )),
    }
}

/// What follows `assert`.
fn parse_claim(input: ParseStream) -> syn::Result<Claim> {
    let expected = "expected `denies`, `allows` or `no_more_than` after `assert`";
    let verb = Ident::parse_any(input).map_err(|e| syn::Error::new(e.span(), expected))?;
    let allows = match verb.to_string().as_str() {
        "no_more_than" => {
            let name = Ident::parse_any(input).map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected the profile to compare with: `DOCKER_DEFAULT`",
                )
            })?;
            return Ok(Claim::NoMoreThan { name });
        }
        "denies" => false,
        "allows" => true,
        _ => return Err(syn::Error::new(verb.span(), expected)),
    };
    let name = Ident::parse_any(input)
        .map_err(|e| syn::Error::new(e.span(), "expected a syscall name"))?;
    let mut args = Vec::new();
    let mut end = name.span();
    if input.peek(syn::token::Paren) {
        let content;
        let parens = syn::parenthesized!(content in input);
        end = parens.span.close();
        while !content.is_empty() {
            if content.peek(Token![_]) {
                content.parse::<Token![_]>()?;
                args.push(None);
            } else {
                args.push(Some(parse_value(&content)?));
            }
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
    }
    Ok(Claim::Calls {
        allows,
        name: name.clone(),
        args,
        span: SpanRange {
            start: name.span(),
            end,
        },
    })
}

/// `NAME, @GROUP, ...`: each group stands for its members, each at the
/// group's tokens, so that what is said of a member points there.
fn parse_names(input: ParseStream, head: &Ident) -> syn::Result<Vec<(Ident, bool)>> {
    if input.is_empty() {
        return Err(syn::Error::new(
            head.span(),
            format!("`{head}` needs at least one syscall name"),
        ));
    }
    let mut names = Vec::new();
    // Names a group brought: naming one again is no second rule.
    let mut from_groups = Vec::new();
    loop {
        parse_name_or_group(input, &mut names, &mut from_groups)?;
        if input.is_empty() || input.peek(Token![if]) {
            break;
        }
        input
            .parse::<Token![,]>()
            .map_err(|e| syn::Error::new(e.span(), "expected `,` or `;` after a syscall name"))?;
        if input.is_empty() {
            break; // trailing comma
        }
    }
    Ok(names)
}

/// The names alone, for lists where groups mean nothing special.
fn idents(names: Vec<(Ident, bool)>) -> Vec<Ident> {
    names.into_iter().map(|(name, _)| name).collect()
}

/// One name, or a group's members (marked so), added to `names`.
fn parse_name_or_group(
    input: ParseStream,
    names: &mut Vec<(Ident, bool)>,
    from_groups: &mut Vec<&'static str>,
) -> syn::Result<()> {
    let Some(at) = input.parse::<Option<Token![@]>>()? else {
        let name = Ident::parse_any(input)
            .map_err(|e| syn::Error::new(e.span(), "expected a syscall name"))?;
        if !from_groups.iter().any(|member| name == member) {
            names.push((name, false));
        }
        return Ok(());
    };
    let name = Ident::parse_any(input)
        .map_err(|e| syn::Error::new(e.span(), "expected a group name after `@`"))?;
    let text = name.to_string();
    let Some(group) = crate::groups::group(&text) else {
        let known = crate::groups::GROUPS.iter().map(|group| group.name);
        let help = match crate::suggest::closest(&text, known) {
            Some(close) => format!("did you mean `@{close}`?"),
            None => "`seccomp-dsl groups` lists the groups".to_string(),
        };
        let span = at.span.join(name.span()).unwrap_or(name.span());
        return Err(syn::Error::new(
            span,
            format!("unknown syscall group `@{text}`\nhelp: {help}"),
        ));
    };
    for member in group.members() {
        if !names.iter().any(|(known, _)| known == member) {
            names.push((Ident::new(member, name.span()), true));
            from_groups.push(member);
        }
    }
    Ok(())
}

fn parse_action(input: ParseStream) -> syn::Result<ActionAst> {
    let name =
        Ident::parse_any(input).map_err(|e| syn::Error::new(e.span(), "expected an action"))?;
    parse_action_named(name, input)
}

fn parse_action_named(name: Ident, input: ParseStream) -> syn::Result<ActionAst> {
    let mut span = SpanRange::single(name.span());
    let argument = if input.peek(syn::token::Paren) {
        let content;
        let parens = syn::parenthesized!(content in input);
        let value = parse_value(&content)?;
        if !content.is_empty() {
            return Err(content.error("expected `)`"));
        }
        span.end = parens.span.close();
        Some(value)
    } else {
        None
    };
    Ok(ActionAst {
        name,
        argument,
        span,
    })
}
