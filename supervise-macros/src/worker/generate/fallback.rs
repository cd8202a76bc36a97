//! The `Worker` impl emitted next to user errors, as thiserror's `fallback.rs` does: the
//! user's own methods name `Context<Self>`, which requires `Self: Worker`, so without it
//! one mistake would also read as "`W` is not a worker" on every context parameter.

use proc_macro2::TokenStream;
use quote::quote;

use crate::worker::args::Args;
use crate::worker::ast::WorkerImpl;

/// A do-nothing `Worker` impl, or nothing when the block is not one concrete named type
/// (then the impl would add errors of its own).
pub(crate) fn worker_impl(w: &WorkerImpl<'_>, args: &Args) -> TokenStream {
    let generics = &w.item.generics;
    if w.name.is_none() || !generics.params.is_empty() || generics.where_clause.is_some() {
        return TokenStream::new();
    }
    let (krate, self_ty) = (&args.krate, &w.item.self_ty);
    let private = quote!(#krate::__private);
    let never = quote!(#private::core::convert::Infallible);
    quote! {
        impl #private::Worker for #self_ty {
            type Args = ();
            type Info = #never;
            type Call = #never;
            type Cast = #never;
            type Api<A: #private::Address<Self>> = A;
            async fn init((): (), _: &mut #private::Context<Self>) -> #private::Init<Self> {
                #private::core::unreachable!("`#[worker]` reported an error for this block")
            }
        }
    }
}
