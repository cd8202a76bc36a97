//! `#[worker]`: parse -> typed AST -> checks -> generate.
//!
//! On any user error the impl block is emitted as written (minus the handler markers, which
//! are not real attributes) next to the errors and a stand-in `Worker` impl, so one mistake
//! gives one message.

mod args;
mod ast;
mod check;
mod generate;
pub(crate) mod names;
mod ty;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;

/// Expands `#[worker(args)] item`. Never panics: bad input becomes `compile_error!`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let args = args::parse(args, &mut cx);
    let item_impl = match ast::item_impl(item.clone(), &mut cx) {
        Some(item_impl) => item_impl,
        None => return with_errors(item, cx),
    };
    let worker = ast::WorkerImpl::from_impl(&item_impl);
    check::all(&worker, &mut cx);
    let plain = ast::strip_markers(item_impl.clone());
    match cx.finish() {
        Some(errors) => {
            let plain = ast::without_extra_inits(plain);
            let fallback = generate::fallback(&worker, &args);
            quote! { #plain #fallback #errors }
        }
        None => generate::all(&worker, &args, &plain),
    }
}

fn with_errors(item: TokenStream, cx: Ctxt) -> TokenStream {
    let errors = cx.finish().unwrap_or_default();
    quote! { #item #errors }
}

#[cfg(test)]
mod tests;
