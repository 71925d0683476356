//! A rule's condition parsed: `||` of `&&` of comparisons of arguments
//! with values, masks and named constants.

use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Ident, LitInt, Token};

use super::*;
use crate::authoring::frontend::errors::SpanRange;
use crate::model::CmpOp;

pub(super) fn parse_or(input: ParseStream) -> syn::Result<Expr> {
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

pub(super) fn parse_value(input: ParseStream) -> syn::Result<ValueExpr> {
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
