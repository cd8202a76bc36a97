//! Names of generated items, made without panicking on any input.

use proc_macro2::Span;
use syn::Ident;
use syn::ext::IdentExt;

/// `store_value` -> `StoreValue`; `None` when that is not a usable identifier (`Self`).
pub(crate) fn variant(method: &Ident) -> Option<Ident> {
    ident(&camel(&method.unraw().to_string()), method.span())
}

/// `name` + `suffix` (`Worker` + `Msg`), unraw, spanned on `name`.
pub(crate) fn suffixed(name: &Ident, suffix: &str) -> Option<Ident> {
    ident(&format!("{}{suffix}", name.unraw()), name.span())
}

/// Upper camel case: each `_`-separated word capitalised, underscores dropped.
pub(crate) fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    for word in snake.split('_') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// An identifier from text, or `None` for a keyword or invalid text.
pub(crate) fn ident(text: &str, span: Span) -> Option<Ident> {
    let mut ident = syn::parse_str::<Ident>(text).ok()?;
    ident.set_span(span);
    Some(ident)
}
