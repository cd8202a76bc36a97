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
    match cx.finish() {
        Some(errors) => {
            let plain = ast::without_extra_inits(ast::strip_markers(item_impl.clone()));
            let plain = quote! { #plain };
            // One mistake, one error: when only handlers are wrong, everything else (the
            // handle, the start functions, the child spec) is still generated without
            // them, so call sites do not add "no function `start`" errors of their own.
            if let Some(rest) = without_bad_handlers(&item_impl, &worker) {
                let reduced = ast::WorkerImpl::from_impl(&rest);
                let mut scratch = Ctxt::default();
                check::all(&reduced, &mut scratch);
                if scratch.finish().is_none() {
                    let generated = generate::all(&reduced, &args, &plain);
                    return quote! { #generated #errors };
                }
            }
            let fallback = generate::fallback(&worker, &args);
            quote! { #plain #fallback #errors }
        }
        // The user's tokens as they came (not printed back from syn): the same spans, so
        // an error rustc finds in them is the one it already reported on the input.
        None => generate::all(&worker, &args, &ast::strip_marker_tokens(&item)),
    }
}

/// The block without the handlers that are wrong on their own (checked each with the rest
/// of the block but no other handler); `None` when no handler is.
fn without_bad_handlers(
    item: &syn::ItemImpl,
    worker: &ast::WorkerImpl<'_>,
) -> Option<syn::ItemImpl> {
    let handler_names: Vec<&syn::Ident> =
        worker.handlers.iter().map(|h| h.method.ident()).collect();
    let is_handler = |i: &syn::ImplItem, name: Option<&syn::Ident>| match i {
        syn::ImplItem::Fn(f) => handler_names.contains(&&f.sig.ident) && Some(&f.sig.ident) != name,
        _ => false,
    };
    let bad: Vec<&syn::Ident> = handler_names
        .iter()
        .copied()
        .filter(|name| {
            let mut alone = item.clone();
            alone.items.retain(|i| !is_handler(i, Some(name)));
            let alone_worker = ast::WorkerImpl::from_impl(&alone);
            let mut scratch = Ctxt::default();
            check::all(&alone_worker, &mut scratch);
            scratch.finish().is_some()
        })
        .collect();
    if bad.is_empty() {
        return None;
    }
    let mut rest = item.clone();
    rest.items.retain(|i| match i {
        syn::ImplItem::Fn(f) => !bad.contains(&&f.sig.ident),
        _ => true,
    });
    Some(rest)
}

fn with_errors(item: TokenStream, cx: Ctxt) -> TokenStream {
    let errors = cx.finish().unwrap_or_default();
    quote! { #item #errors }
}

#[cfg(test)]
mod tests;
