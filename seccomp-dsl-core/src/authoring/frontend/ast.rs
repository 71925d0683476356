//! The DSL's syntax tree and its parser.
//!
//! Input is split into statements at top-level `;` (and after a `{ ... }`
//! block) first, and each statement is parsed on its own, so that one bad
//! statement does not hide the errors of the others.

use crate::model::{CmpOp, KernelVersion};
use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Ident, LitFloat, LitInt, Token};

use super::errors::{Errors, SpanRange};

/// A whole policy: its statements in source order.
pub struct PolicyAst {
    pub statements: Vec<Statement>,
}

/// A statement, the doc comment (`/// ...`) written above it and the
/// checks it acknowledges (`#[allow(upper_half_bypass)]`).
pub struct Statement {
    pub comment: Option<String>,
    pub allows: Vec<Ident>,
    pub kind: StatementKind,
}

pub enum StatementKind {
    /// `default ACTION;`
    Default { keyword: Span, action: ActionAst },
    /// `forbid NAME, ...;`
    Forbid { names: Vec<Ident> },
    /// `ACTION NAME, ...;` or `ACTION NAME, ... if EXPR;`
    List {
        action: ActionAst,
        names: Vec<Ident>,
        /// Whether each name came from a `@group`.
        grouped: Vec<bool>,
        condition: Option<Expr>,
    },
    /// `rule NAME(EXPR) => ACTION;` or `rule NAME => ACTION;`
    Rule {
        name: Ident,
        condition: Option<Expr>,
        action: ActionAst,
    },
    /// `when COND, ... { STATEMENTS }` or `unless COND, ... { STATEMENTS }`
    Block {
        unless: bool,
        conditions: Vec<BlockCondition>,
        header: SpanRange,
        body: Vec<Statement>,
    },
    /// `arches NAME, ...;`
    Arches { keyword: Span, arches: Vec<Ident> },
    /// `arch_map NAME => NAME, ...;` or `arch_map NAME;`
    ArchMap {
        keyword: Span,
        arch: Ident,
        sub_arches: Option<Vec<Ident>>,
    },
    /// `flags NAME, ...;`
    Flags { keyword: Span, flags: Vec<Ident> },
    /// `engine NAME;`
    Engine { keyword: Span, name: Ident },
    /// `container SETTING, ...;`: how the containers the policy is shipped
    /// to run (`no_new_privileges`).
    Container { keyword: Span, settings: Vec<Ident> },
    /// `assert denies NAME(ARG, _, ...);`, `assert allows NAME(...);` or
    /// `assert no_more_than PROFILE;`
    Assert { keyword: Span, claim: Claim },
}

/// What an `assert` claims of the policy.
pub enum Claim {
    /// Every call of `name` whose arguments are as written (`_`: any) is
    /// denied (`allows: false`) or runs (`allows: true`).
    Calls {
        allows: bool,
        name: Ident,
        /// One per argument written; `None` for `_`.
        args: Vec<Option<ValueExpr>>,
        span: SpanRange,
    },
    /// Nothing this policy lets run is denied by the profile named.
    NoMoreThan { name: Ident },
}

/// One condition of a `when` or `unless` block.
pub enum BlockCondition {
    /// `cap(CAP_SYS_ADMIN, ...)`
    Caps(Vec<Ident>),
    /// `arch(amd64, ...)`
    Arches(Vec<Ident>),
    /// `kernel >= 4.8`
    Kernel(KernelVersion),
}

/// An action as written: a name and an optional parenthesized value.
pub struct ActionAst {
    pub name: Ident,
    pub argument: Option<ValueExpr>,
    /// From the name to the closing parenthesis.
    pub span: SpanRange,
}

/// A condition over the six syscall arguments.
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Compare(Comparison),
}

/// `argN OP VALUE` or `argN & MASK == VALUE` (the mask perhaps written
/// `!(FLAGS)`: every bit the argument has but those), each with an
/// optional `as u64` after `argN`.
pub struct Comparison {
    pub arg: Ident,
    /// `as u64`: compare all 64 bits of the register.
    pub cast: Option<SpanRange>,
    pub mask: Option<ValueExpr>,
    /// The `!` of a mask written `!(FLAGS)`.
    pub mask_complement: Option<Span>,
    /// Never `MaskedEq`: the mask, if any, is in `mask`.
    pub op: CmpOp,
    pub value: ValueExpr,
    pub span: SpanRange,
}

/// Integer literals and named constants joined with `|`.
pub struct ValueExpr {
    pub terms: Vec<ValueTerm>,
    pub span: SpanRange,
}

pub enum ValueTerm {
    /// An integer literal, negated if `minus` is there.
    Literal {
        minus: Option<Span>,
        literal: LitInt,
    },
    Constant(Ident),
}

/// The comparison as its author wrote it (spacing aside): `arg2 &
/// (O_ACCMODE | O_CREAT) == O_RDONLY`, names and number bases kept.
impl std::fmt::Display for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.arg)?;
        if self.cast.is_some() {
            f.write_str(" as u64")?;
        }
        if let Some(mask) = &self.mask {
            f.write_str(" & ")?;
            if self.mask_complement.is_some() {
                f.write_str("!")?;
            }
            match mask.terms.len() {
                1 => write!(f, "{mask}")?,
                _ => write!(f, "({mask})")?,
            }
        }
        write!(f, " {} {}", self.op.symbol(), self.value)
    }
}

impl std::fmt::Display for ValueExpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, term) in self.terms.iter().enumerate() {
            if index > 0 {
                f.write_str(" | ")?;
            }
            match term {
                ValueTerm::Literal { minus, literal } => {
                    write!(f, "{}{literal}", if minus.is_some() { "-" } else { "" })?
                }
                ValueTerm::Constant(name) => write!(f, "{name}")?,
            }
        }
        Ok(())
    }
}

impl ValueTerm {
    fn span(&self) -> Span {
        match self {
            ValueTerm::Literal {
                minus: Some(minus), ..
            } => *minus,
            ValueTerm::Literal { literal, .. } => literal.span(),
            ValueTerm::Constant(name) => name.span(),
        }
    }
}

pub const STATEMENT_KEYWORDS: [&str; 11] = [
    "default",
    "forbid",
    "rule",
    "when",
    "unless",
    "arches",
    "arch_map",
    "flags",
    "engine",
    "assert",
    "container",
];

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
            "expected a statement: `default`, `forbid`, `rule`, `when`, `unless` or an action",
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

fn parse_or(input: ParseStream) -> syn::Result<Expr> {
    let mut alternatives = vec![parse_and(input)?];
    while input.peek(Token![||]) {
        input.parse::<Token![||]>()?;
        alternatives.push(parse_and(input)?);
    }
    Ok(if alternatives.len() == 1 {
        alternatives.remove(0)
    } else {
        Expr::Or(alternatives)
    })
}

fn parse_and(input: ParseStream) -> syn::Result<Expr> {
    let mut all = vec![parse_atom(input)?];
    while input.peek(Token![&&]) {
        input.parse::<Token![&&]>()?;
        all.push(parse_atom(input)?);
    }
    Ok(if all.len() == 1 {
        all.remove(0)
    } else {
        Expr::And(all)
    })
}

fn parse_atom(input: ParseStream) -> syn::Result<Expr> {
    if input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in input);
        let expr = parse_or(&content)?;
        if !content.is_empty() {
            return Err(content.error("expected `&&`, `||` or `)`"));
        }
        return Ok(expr);
    }
    let arg = Ident::parse_any(input)
        .map_err(|e| syn::Error::new(e.span(), "expected an argument: `arg0` to `arg5`"))?;
    let cast = if input.peek(Token![as]) {
        let keyword = input.parse::<Token![as]>()?;
        let ty = Ident::parse_any(input)
            .map_err(|e| syn::Error::new(e.span(), "expected `u64` after `as`"))?;
        if ty != "u64" {
            return Err(syn::Error::new(
                ty.span(),
                "only `as u64` is accepted: it compares all 64 bits of the register; \
                 without it an argument is compared as the kernel reads it",
            ));
        }
        Some(SpanRange {
            start: keyword.span,
            end: ty.span(),
        })
    } else {
        None
    };
    let (mask, mask_complement) = if input.peek(Token![&]) && !input.peek(Token![&&]) {
        input.parse::<Token![&]>()?;
        let not = input
            .peek(Token![!])
            .then(|| input.parse::<Token![!]>())
            .transpose()?;
        (Some(parse_mask(input)?), not.map(|not| not.span))
    } else {
        (None, None)
    };
    let op = parse_compare_op(input)?;
    if mask.is_some() && op != CmpOp::Eq {
        return Err(syn::Error::new(
            input.span(),
            "a masked comparison can only test `==`: libseccomp has no other masked operator",
        ));
    }
    let value = parse_value(input)?;
    let span = SpanRange {
        start: arg.span(),
        end: value.span.end,
    };
    Ok(Expr::Compare(Comparison {
        arg,
        cast,
        mask,
        mask_complement,
        op,
        value,
        span,
    }))
}

/// A mask: `FLAGS`, or `(FLAGS)` as Rust and C would write it.
fn parse_mask(input: ParseStream) -> syn::Result<ValueExpr> {
    if !input.peek(syn::token::Paren) {
        return parse_value(input);
    }
    let content;
    syn::parenthesized!(content in input);
    let mask = parse_value(&content)?;
    if !content.is_empty() {
        return Err(content.error("expected `|` or `)`"));
    }
    Ok(mask)
}

fn parse_compare_op(input: ParseStream) -> syn::Result<CmpOp> {
    let lookahead = input.lookahead1();
    macro_rules! op {
        ($($token:tt => $op:expr),*) => {
            $(if lookahead.peek(Token![$token]) {
                input.parse::<Token![$token]>()?;
                return Ok($op);
            })*
        };
    }
    op!(== => CmpOp::Eq, != => CmpOp::Ne, <= => CmpOp::Le, >= => CmpOp::Ge,
        < => CmpOp::Lt, > => CmpOp::Gt);
    Err(syn::Error::new(
        input.span(),
        "expected a comparison: `==`, `!=`, `<`, `<=`, `>`, `>=`, or `& MASK ==`",
    ))
}

fn parse_value(input: ParseStream) -> syn::Result<ValueExpr> {
    let mut terms = vec![parse_term(input)?];
    while input.peek(Token![|]) && !input.peek(Token![||]) {
        input.parse::<Token![|]>()?;
        terms.push(parse_term(input)?);
    }
    let span = SpanRange {
        start: terms[0].span(),
        end: terms[terms.len() - 1].span(),
    };
    Ok(ValueExpr { terms, span })
}

fn parse_term(input: ParseStream) -> syn::Result<ValueTerm> {
    if input.peek(Token![-]) {
        let minus = input.parse::<Token![-]>()?;
        if !input.peek(LitInt) {
            return Err(input.error("expected an integer after `-`"));
        }
        return Ok(ValueTerm::Literal {
            minus: Some(minus.span),
            literal: input.parse()?,
        });
    }
    if input.peek(LitInt) {
        return Ok(ValueTerm::Literal {
            minus: None,
            literal: input.parse()?,
        });
    }
    if input.peek(Ident::peek_any) {
        return Ok(ValueTerm::Constant(Ident::parse_any(input)?));
    }
    Err(input.error("expected an integer or a constant name"))
}
