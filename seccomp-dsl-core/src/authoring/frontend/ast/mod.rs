//! The DSL's syntax tree and its parser.
//!
//! Input is split into statements at top-level `;` (and after a `{ ... }`
//! block) first, and each statement is parsed on its own, so that one bad
//! statement does not hide the errors of the others.

use crate::model::{CmpOp, KernelVersion};
use proc_macro2::Span;
use syn::{Ident, LitInt};

use super::errors::SpanRange;

mod expr;
mod parse;

pub use parse::parse_policy;

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
    /// `when COND, ... { STATEMENTS }` or `unless COND, ... { STATEMENTS }`,
    /// or `startup { STATEMENTS }` (no conditions): rules for what runs
    /// before `install()` alone.
    Block {
        unless: bool,
        startup: bool,
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

pub const STATEMENT_KEYWORDS: [&str; 12] = [
    "default",
    "startup",
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
