//! The DSL's syntax tree and its parser.
//!
//! Input is split into statements at top-level `;` first, and each statement
//! is parsed on its own, so that one bad statement does not hide the errors
//! of the others.

use proc_macro2::{Span, TokenStream, TokenTree};
use seccomp_dsl_core::model::CmpOp;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitInt, Token};

use crate::errors::{Errors, SpanRange};

/// A whole policy: its statements in source order.
pub struct PolicyAst {
    pub statements: Vec<Statement>,
}

pub enum Statement {
    /// `default ACTION;`
    Default { keyword: Span, action: ActionAst },
    /// `forbid NAME, ...;`
    Forbid { names: Vec<Ident> },
    /// `ACTION NAME, ...;`
    List {
        action: ActionAst,
        names: Vec<Ident>,
    },
    /// `rule NAME(EXPR) => ACTION;` or `rule NAME => ACTION;`
    Rule {
        name: Ident,
        condition: Option<Expr>,
        action: ActionAst,
    },
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

/// `argN OP VALUE` or `argN & MASK == VALUE`.
pub struct Comparison {
    pub arg: Ident,
    pub mask: Option<ValueExpr>,
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
    Literal(LitInt),
    Constant(Ident),
}

impl ValueTerm {
    fn span(&self) -> Span {
        match self {
            ValueTerm::Literal(literal) => literal.span(),
            ValueTerm::Constant(name) => name.span(),
        }
    }
}

pub const STATEMENT_KEYWORDS: [&str; 3] = ["default", "forbid", "rule"];

/// Parses every statement it can, reporting each bad one to `errors`.
pub fn parse_policy(input: TokenStream, errors: &mut Errors) -> PolicyAst {
    let mut statements = Vec::new();
    for chunk in split_statements(input, errors) {
        match parse_statement.parse2(chunk) {
            Ok(statement) => statements.push(statement),
            Err(error) => errors.push_syn(error),
        }
    }
    PolicyAst { statements }
}

/// Splits at top-level `;`. Tokens after the last `;` are an unterminated
/// statement: reported, then parsed anyway for the errors they hold.
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

fn parse_statement(input: ParseStream) -> syn::Result<Statement> {
    let head = Ident::parse_any(input).map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected a statement: `default`, `forbid`, `rule` or an action",
        )
    })?;
    let statement = match head.to_string().as_str() {
        "default" => Statement::Default {
            keyword: head.span(),
            action: parse_action(input)?,
        },
        "forbid" => Statement::Forbid {
            names: parse_names(input, &head)?,
        },
        "rule" => {
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
            Statement::Rule {
                name,
                condition,
                action: parse_action(input)?,
            }
        }
        _ => {
            let action = parse_action_named(head, input)?;
            let names = parse_names(input, &action.name)?;
            Statement::List { action, names }
        }
    };
    if !input.is_empty() {
        return Err(input.error("unexpected tokens: expected `;`"));
    }
    Ok(statement)
}

fn parse_names(input: ParseStream, head: &Ident) -> syn::Result<Vec<Ident>> {
    if input.is_empty() {
        return Err(syn::Error::new(
            head.span(),
            format!("`{head}` needs at least one syscall name"),
        ));
    }
    let mut names = vec![Ident::parse_any(input)
        .map_err(|e| syn::Error::new(e.span(), "expected a syscall name"))?];
    while !input.is_empty() {
        input
            .parse::<Token![,]>()
            .map_err(|e| syn::Error::new(e.span(), "expected `,` or `;` after a syscall name"))?;
        if input.is_empty() {
            break; // trailing comma
        }
        names.push(
            Ident::parse_any(input)
                .map_err(|e| syn::Error::new(e.span(), "expected a syscall name"))?,
        );
    }
    Ok(names)
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
    let mask = if input.peek(Token![&]) && !input.peek(Token![&&]) {
        input.parse::<Token![&]>()?;
        Some(parse_value(input)?)
    } else {
        None
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
        mask,
        op,
        value,
        span,
    }))
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
        return Err(input.error(
            "negative values are not accepted: arguments are compared as unsigned 64-bit \
             integers; write the value in hex, e.g. `0xffff_ffff` for a 32-bit -1",
        ));
    }
    if input.peek(LitInt) {
        return Ok(ValueTerm::Literal(input.parse()?));
    }
    if input.peek(Ident::peek_any) {
        return Ok(ValueTerm::Constant(Ident::parse_any(input)?));
    }
    Err(input.error("expected an integer or a constant name"))
}
