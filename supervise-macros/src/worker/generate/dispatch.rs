//! `impl Worker for Type`: `init`, one exhaustive `match` over every handler, `terminate`, and the
//! crash-report formatting.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use super::{HandlerModel, Model, Reply, await_if, call_args, cfg_gated, hidden, positional_args};
use crate::worker::ast::{Kind, Method, Ret};

pub(crate) fn worker_impl(m: &Model<'_>) -> TokenStream {
    let (private, self_ty) = (m.private(), m.self_ty);
    let (msg, call, cast, api) = (&m.msg, &m.call, &m.cast, &m.api);
    let args_ty = args_type(m);
    let init = init(m);
    let handle = handle_fn(m);
    let terminate = terminate(m);
    let format_state = format_state(m);
    let exit = handle_exit(m);
    let down = handle_down(m);
    // A plain `fn init` never awaits: supervisors can then start the worker without a future.
    let sync_init = !m.init.is_async();
    quote! {
        impl #private::Worker for #self_ty {
            type Args = #args_ty;
            type Info = #msg;
            type Call = #call;
            type Cast = #cast;
            type Api<A: #private::Address<Self>> = #api<A>;
            const SYNC_INIT: bool = #sync_init;
            #init
            #handle
            #exit
            #down
            #terminate
            #format_state
        }
    }
}

/// `format_state`: what `format_status` returns when written, else the state's `Debug`
/// (or an opaque placeholder when it has none).
fn format_state(m: &Model<'_>) -> TokenStream {
    let private = m.private();
    let body = match m.format_status {
        Some(status) => {
            let ident = &status.func.sig.ident;
            let span = match &status.func.sig.output {
                syn::ReturnType::Type(_, ty) => ty.span(),
                syn::ReturnType::Default => ident.span(),
            };
            let shown = quote_spanned!(span=> #private::debug_status(&Self::#ident(self)));
            quote!(#private::fmt_debug(#shown, out))
        }
        None => quote! {
            use #private::{ViaDebug as _, ViaOpaque as _};
            #private::fmt_shown((&&#private::DebugOf(self)).shown(), out)
        },
    };
    quote! {
        fn format_state(&self, out: &mut dyn #private::core::fmt::Write) -> #private::core::fmt::Result {
            #body
        }
    }
}

fn args_type(m: &Model<'_>) -> TokenStream {
    let tys = m.init_fields().into_iter().map(|f| f.ty);
    quote!((#(#tys,)*))
}

fn init(m: &Model<'_>) -> TokenStream {
    let private = m.private();
    let (args, ctx) = (hidden("args"), hidden("ctx"));
    let idents: Vec<_> = m.init_fields().into_iter().map(|f| f.ident).collect();
    let user = m.init.ident();
    let call = call_args(m.init, &ctx);
    let await_ = await_if(m.init);
    let state = hidden("state");
    let convert = init_result(m, &state);
    let asserts = send_assertions(m);
    callback(
        m,
        !m.init.is_async(),
        quote!(init(#args: Self::Args, #ctx: &mut #private::Context<Self>)),
        quote!(#private::Init<Self>),
        quote! {
            #asserts
            let _ = &#ctx;
            let (#(#idents,)*) = #args;
            let #state = Self::#user(#(#call),*)#await_;
            #convert
        },
    )
}

fn init_result(m: &Model<'_>, state: &Ident) -> TokenStream {
    let private = m.private();
    match &m.init.ret {
        Ret::Init => quote!(#state),
        Ret::Result => {
            let stop = stop_reason(m, &hidden("e"));
            let e = hidden("e");
            quote! {
                match #state {
                    #private::core::result::Result::Ok(s) => #private::Init::Ok(s),
                    #private::core::result::Result::Err(#e) => #private::Init::Stop(#stop),
                }
            }
        }
        Ret::Other(ty) => quote_spanned!(ty.span()=> #private::Init::Ok(#state)),
        Ret::Unit | Ret::Flow => quote!(#private::Init::Ok(#state)),
    }
}

/// The exit reason for a handler's `Err(e)`: the best one `e`'s type allows.
fn stop_reason(m: &Model<'_>, e: &Ident) -> TokenStream {
    let private = m.private();
    quote! {{
        use #private::{KindAsDisplay as _, KindAsError as _, KindAsIs as _};
        (&&&#private::ReasonOf(&#e)).reason_kind().reason(#e)
    }}
}

/// Asserts, on the user's tokens, that every field and reply type is `Send`.
fn send_assertions(m: &Model<'_>) -> TokenStream {
    let private = m.private();
    // Standard types (integers, `String`, `Vec` of them...) are `Send`: nothing to assert.
    let assert = |ty: &syn::Type| {
        (!crate::worker::ty::is_std_debug(ty))
            .then(|| quote_spanned!(ty.span()=> #private::assert_send_arg::<#ty>();))
    };
    let init = m.init_fields().into_iter().filter_map(|f| assert(&f.ty));
    // A handler's assertions are compiled out with it (`#[cfg(..)]`).
    let handlers = m.handlers.iter().filter_map(|h| {
        let cfgs: Vec<_> = h.method.cfgs().collect();
        let tys = h.fields.iter().map(|f| &f.ty).chain(h.reply_ty());
        let asserts: Vec<_> = tys.filter_map(assert).collect();
        (!asserts.is_empty()).then(|| quote!(#(#cfgs)* { #(#asserts)* }))
    });
    init.chain(handlers).collect()
}

/// `handle`: one `match` over the envelope, then over each kind's enum (`match msg {}`
/// for a kind without handlers), so a worker is one dispatch function for the compiler
/// rather than the trait's three `handle_info`/`handle_call`/`handle_cast`.
fn handle_fn(m: &Model<'_>) -> TokenStream {
    let private = m.private();
    let (msg, ctx) = (hidden("msg"), hidden("ctx"));
    let kinds = [
        (Kind::Info, quote!(Info)),
        (Kind::Call, quote!(Call)),
        (Kind::Cast, quote!(Cast)),
    ];
    let kind_arms = kinds.iter().map(|(kind, variant)| {
        let arms: Vec<_> = m.of(*kind).map(|h| cfg_gated(h, arm(m, h, &ctx))).collect();
        if arms.is_empty() {
            // No handler of this kind: its enum has no value.
            quote!(#private::Envelope::#variant(#msg) => match #msg {},)
        } else {
            quote!(#private::Envelope::#variant(#msg) => match #msg { #(#arms)* },)
        }
    });
    let body = quote!(match #msg { #(#kind_arms)* });
    let sync = m.handlers.iter().all(|h| !h.method.is_async());
    // A worker without handlers (or with all of them compiled out) receives nothing: the
    // body diverges, which is not the user's unreachable code.
    let f = callback(
        m,
        sync,
        quote!(handle(&mut self, #msg: #private::MessageOf<Self>, #ctx: &mut #private::Context<Self>)),
        quote!(#private::Flow),
        body,
    );
    quote!(#[allow(unreachable_code)] #f)
}

/// A callback of the `Worker` trait: an `async fn`, or, when no handler it calls awaits,
/// a plain `fn` returning `Ready` (the trait asks for `impl Future`): no state machine
/// to type-check per worker, which is most of what a worker costs the compiler. The
/// runtime calls these inside the process's panic guard, so a panic at the call is
/// caught as one at the first poll would be.
fn callback(
    m: &Model<'_>,
    sync: bool,
    sig: TokenStream,
    output: TokenStream,
    body: TokenStream,
) -> TokenStream {
    let private = m.private();
    if sync {
        quote! {
            #[allow(refining_impl_trait)]
            fn #sig -> #private::core::future::Ready<#output> {
                #private::core::future::ready({ #body })
            }
        }
    } else {
        quote! {
            async fn #sig -> #output {
                #body
            }
        }
    }
}

fn arm(m: &Model<'_>, h: &HandlerModel<'_>, ctx: &Ident) -> TokenStream {
    let (enum_ty, variant) = (m.enum_of(h.kind), &h.variant);
    let mut bound: Vec<TokenStream> = h
        .fields
        .iter()
        .map(|f| {
            let i = f.ident;
            quote!(#i)
        })
        .collect();
    let reply = hidden("reply");
    match &h.reply {
        Reply::None => {}
        Reply::Value(_) => {
            let field = h.reply_field();
            bound.push(quote!(#field: #reply));
        }
        Reply::Deferred { field, .. } => bound.push(quote!(#field)),
    }
    let ident = h.method.ident();
    let args = call_args(h.method, ctx);
    let await_ = await_if(h.method);
    let call = quote_spanned!(ident.span()=> self.#ident(#(#args),*)#await_);
    let unused_ctx = quote!(let _ = &#ctx;);
    let body = match &h.reply {
        Reply::Value(_) => reply_by_value(m, &call, &reply),
        _ => flow_of(m, h.method, &call),
    };
    quote! {
        #enum_ty::#variant { #(#bound),* } => { #unused_ctx #body }
    }
}

fn reply_by_value(m: &Model<'_>, call: &TokenStream, reply: &Ident) -> TokenStream {
    let private = m.private();
    quote! {
        #reply.reply(#call);
        #private::Flow::Continue
    }
}

/// What the process loop does after an info, cast, deferred-call or signal handler.
fn flow_of(m: &Model<'_>, method: &Method<'_>, call: &TokenStream) -> TokenStream {
    let private = m.private();
    match &method.ret {
        Ret::Unit => quote!({ #call; #private::Flow::Continue }),
        Ret::Flow => quote!(#call),
        Ret::Result => {
            let (ok, e) = (hidden("ok"), hidden("e"));
            let stop = stop_reason(m, &e);
            quote! {
                match #call {
                    #private::core::result::Result::Ok(#ok) => #private::IntoFlow::into_flow(#ok),
                    #private::core::result::Result::Err(#e) => #private::Flow::Stop(#stop),
                }
            }
        }
        Ret::Init | Ret::Other(_) => {
            let span = match &method.func.sig.output {
                syn::ReturnType::Type(_, ty) => ty.span(),
                syn::ReturnType::Default => method.ident().span(),
            };
            quote_spanned!(span=> #private::IntoFlow::into_flow(#call))
        }
    }
}

/// `handle_exit` calling the `#[exit]` method, which replaces the default (stop when the
/// parent exits) entirely: forwarding the parent's exit is the user's to write.
fn handle_exit(m: &Model<'_>) -> TokenStream {
    let Some(method) = m.exit else {
        return TokenStream::new();
    };
    let private = m.private();
    let (from, reason, ctx) = (hidden("from"), hidden("reason"), hidden("ctx"));
    let call = signal_call(method, &ctx, &[&from, &reason]);
    let body = flow_of(m, method, &call);
    callback(
        m,
        !method.is_async(),
        quote!(handle_exit(&mut self, #from: #private::Pid, #reason: #private::ExitReason, #ctx: &mut #private::Context<Self>)),
        quote!(#private::Flow),
        quote!(let _ = &#ctx; #body),
    )
}

/// `handle_down` calling the `#[down]` method.
fn handle_down(m: &Model<'_>) -> TokenStream {
    let Some(method) = m.down else {
        return TokenStream::new();
    };
    let private = m.private();
    let (down, ctx) = (hidden("down"), hidden("ctx"));
    let call = signal_call(method, &ctx, &[&down]);
    let body = flow_of(m, method, &call);
    callback(
        m,
        !method.is_async(),
        quote!(handle_down(&mut self, #down: #private::Down, #ctx: &mut #private::Context<Self>)),
        quote!(#private::Flow),
        quote!(let _ = &#ctx; #body),
    )
}

fn signal_call(method: &Method<'_>, ctx: &Ident, values: &[&Ident]) -> TokenStream {
    let args = positional_args(method, ctx, values);
    let (ident, await_) = (method.ident(), await_if(method));
    quote_spanned!(ident.span()=> self.#ident(#(#args),*)#await_)
}

fn terminate(m: &Model<'_>) -> TokenStream {
    let Some(t) = m.terminate else {
        return TokenStream::new();
    };
    let private = m.private();
    let (reason, ctx) = (hidden("reason"), hidden("ctx"));
    let args = positional_args(t, &ctx, &[&reason]);
    let (ident, await_) = (t.ident(), await_if(t));
    quote! {
        async fn terminate(&mut self, #reason: &#private::ExitReason, #ctx: &mut #private::Context<Self>) {
            let _ = (&#reason, &#ctx);
            let _ = self.#ident(#(#args),*)#await_;
        }
    }
}
