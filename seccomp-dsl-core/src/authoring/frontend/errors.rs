//! Diagnostics: collected while the policy is read and checked, then all
//! emitted together as `compile_error!`s at their spans, in source order.

use proc_macro2::{Ident, Span, TokenStream};

/// Source tokens from `start` to `end`, which the compiler underlines whole.
#[derive(Clone, Copy)]
pub struct SpanRange {
    /// The first token.
    pub start: Span,
    /// The last token.
    pub end: Span,
}

impl SpanRange {
    /// One token.
    pub fn single(span: Span) -> SpanRange {
        SpanRange {
            start: span,
            end: span,
        }
    }
}

/// Every error and warning found in a policy, each at its tokens.
#[derive(Default)]
pub struct Errors {
    errors: Vec<syn::Error>,
    /// Each warning's place, the check that makes it, and its text.
    warnings: Vec<(Span, &'static str, String)>,
}

fn position(error: &syn::Error) -> (usize, usize) {
    let start = error.span().start();
    (start.line, start.column)
}

impl Errors {
    /// Records `message` at `range`, with an optional `help` line, unless
    /// the same message was already recorded there.
    pub fn push(&mut self, range: SpanRange, message: impl AsRef<str>, help: Option<&str>) {
        let text = match help {
            Some(help) => format!("{}\nhelp: {help}", message.as_ref()),
            None => message.as_ref().to_string(),
        };
        // A two-token stream spanning start..end makes syn emit the error
        // over the whole range, which a single `Span` cannot express on
        // stable Rust.
        let tokens: TokenStream = [
            Ident::new("start", range.start),
            Ident::new("end", range.end),
        ]
        .into_iter()
        .map(proc_macro2::TokenTree::from)
        .collect();
        let error = syn::Error::new_spanned(tokens, text);
        let duplicate = self.errors.iter().any(|known| {
            position(known) == position(&error) && known.to_string() == error.to_string()
        });
        if !duplicate {
            self.errors.push(error);
        }
    }

    /// Records ``unknown {what} `{name}` `` at `span`, with "did you mean"
    /// the closest of `known` as help, or `otherwise` when none is close.
    pub fn push_unknown<'a>(
        &mut self,
        span: Span,
        what: &str,
        name: &str,
        known: impl IntoIterator<Item = &'a str>,
        otherwise: Option<&str>,
    ) {
        let closest = match what {
            "constant" => crate::suggest::closest_constant(name, known),
            _ => crate::suggest::closest(name, known),
        };
        let help = closest.map(|s| format!("did you mean `{s}`?"));
        self.push(
            SpanRange::single(span),
            format!("unknown {what} `{name}`"),
            help.as_deref().or(otherwise),
        );
    }

    /// Records an error syn made.
    pub fn push_syn(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// Whether no error was found (warnings do not count).
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Records a warning at `span`, which the expansion reports if the
    /// policy compiles (see [`Errors::warnings`]).
    pub fn warn(&mut self, span: Span, check: &'static str, message: impl Into<String>) {
        self.warnings.push((span, check, message.into()));
    }

    /// The warnings as items whose use the compiler reports at their spans:
    /// stable Rust lets a macro warn only through a deprecated item.
    pub fn warnings(&self) -> TokenStream {
        self.warnings
            .iter()
            .enumerate()
            .map(|(index, (span, check, message))| {
                let name = Ident::new(&format!("{check}_{index}"), *span);
                quote::quote_spanned! {*span=>
                    #[deprecated(note = #message)]
                    #[allow(non_upper_case_globals)]
                    const #name: () = ();
                    let () = #name;
                }
            })
            .collect()
    }

    /// Every error and warning with its place in the source, in source
    /// order, for tools that report them outside a compiler.
    pub fn messages(&self) -> Vec<Message> {
        let mut messages: Vec<Message> = self
            .errors
            .iter()
            .map(|error| {
                let (line, column) = position(error);
                Message {
                    line,
                    column,
                    text: error.to_string(),
                    warning: false,
                }
            })
            .chain(self.warnings.iter().map(|(span, _, text)| Message {
                line: span.start().line,
                column: span.start().column,
                text: text.clone(),
                warning: true,
            }))
            .collect();
        messages.sort_by_key(|message| (message.line, message.column));
        messages
    }

    /// Every error as a `compile_error!` invocation, in source order.
    pub fn into_compile_errors(mut self) -> TokenStream {
        self.errors.sort_by_key(position);
        self.errors
            .iter()
            .map(syn::Error::to_compile_error)
            .collect()
    }
}

/// One error or warning, placed in the source (see [`Errors::messages`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Its line, from 1.
    pub line: usize,
    /// Its column, from 0.
    pub column: usize,
    /// What is wrong, with a `help:` line where one helps.
    pub text: String,
    /// A warning rather than an error.
    pub warning: bool,
}
