//! `supervision_tree!`: parse -> typed AST -> checks -> generate.
//!
//! A syntax error stops the parse (it is the one error shown). Past the parse, every
//! mistake is collected; the tree is then still generated from what could be decided
//! (an unknown strategy read as `one_for_one`, a bad option left out, a duplicate child
//! dropped), so the rest of the user's crate, which names `App` and `AppRef`, compiles
//! and each mistake gives one message.

mod ast;
mod check;
mod duration;
mod generate;
mod parse;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;

/// Expands `supervision_tree! { .. }`. Never panics: bad input becomes `compile_error!`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let raw = match parse::tree(input) {
        Ok(raw) => raw,
        Err(e) => return e.to_compile_error(),
    };
    let mut cx = Ctxt::default();
    let mut tree = ast::tree(raw, &mut cx);
    check::all(&tree, &mut cx);
    match cx.finish() {
        None => generate::all(&tree),
        Some(errors) => {
            ast::drop_duplicates(&mut tree.root);
            let fallback = generate::all(&tree);
            quote! { #fallback #errors }
        }
    }
}

#[cfg(test)]
mod tests;
