//! Code generation, from a model whose names are all resolved.
//!
//! Generated code names the runtime only through `#krate::__private` (by a per-worker
//! alias, `Model::private`), and puts the user's
//! spans on whatever can fail to type-check because of what the user wrote.

mod dispatch;
mod enums;
mod fallback;
mod handle;
mod start;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{Ident, Path, Type, Visibility};

use super::args::Args;
use super::ast::{Arg, Handler, Kind, Method, Role, Signal, WorkerImpl};
use super::check::REPLY_FIELD;
use super::{names, ty};

pub(crate) use fallback::worker_impl as fallback;

/// Everything generated for a block that passed every check.
/// `plain` is the user's block as it is to be emitted (markers removed).
pub(crate) fn all(w: &WorkerImpl<'_>, args: &Args, plain: &TokenStream) -> TokenStream {
    let Some(model) = Model::new(w, args) else {
        // Unreachable after the checks; still no panic.
        let msg = "`#[worker]` could not name the generated items";
        return quote! { #plain ::core::compile_error!(#msg); };
    };
    let enums = enums::all(&model);
    let dispatch = dispatch::worker_impl(&model);
    let handle = handle::all(&model);
    let start = start::all(&model);
    let (krate, private) = (model.krate, &model.private);
    quote! {
        #plain
        #[allow(unused_imports)]
        use #krate::__private as #private;
        #enums
        #dispatch
        #handle
        #start
    }
}

/// Names and pieces shared by the generators.
pub(crate) struct Model<'a> {
    pub(crate) krate: &'a Path,
    /// A module-level alias of `#krate::__private`, one identifier per worker: generated
    /// code names the runtime through it, so every path is short (fewer tokens for the
    /// macro to build and for the compiler to read).
    pub(crate) private: Ident,
    pub(crate) vis: &'a Visibility,
    /// Whether to generate `child_spec`.
    pub(crate) child_spec: bool,
    pub(crate) self_ty: &'a Type,
    pub(crate) name: Ident,
    pub(crate) msg: Ident,
    pub(crate) call: Ident,
    pub(crate) cast: Ident,
    /// `<Type>Ref`: the alias of the runtime's `RefOf<Type, A>`.
    pub(crate) handle: Ident,
    /// `<Type>Api`: what the handle derefs to, with the handler methods.
    pub(crate) api: Ident,
    pub(crate) init: &'a Method<'a>,
    pub(crate) terminate: Option<&'a Method<'a>>,
    /// `fn format_status(&self) -> impl Debug`, when written.
    pub(crate) format_status: Option<&'a Method<'a>>,
    /// The `#[exit]` method, if any.
    pub(crate) exit: Option<&'a Method<'a>>,
    /// The `#[down]` method, if any.
    pub(crate) down: Option<&'a Method<'a>>,
    pub(crate) handlers: Vec<HandlerModel<'a>>,
}

/// One handler, with its generated names.
pub(crate) struct HandlerModel<'a> {
    pub(crate) kind: Kind,
    pub(crate) method: &'a Method<'a>,
    pub(crate) variant: Ident,
    /// The fields of its variant, `Self` replaced by the type.
    pub(crate) fields: Vec<Field<'a>>,
    pub(crate) reply: Reply,
}

/// One message field.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: Type,
}

/// How a handler answers.
pub(crate) enum Reply {
    /// Info and cast handlers do not.
    None,
    /// A call handler's return value is the reply (`reply` field, of this type).
    Value(Type),
    /// A call handler replies through its own `ReplyTo<T>` parameter.
    Deferred { field: Ident, ty: Type },
}

impl<'a> Model<'a> {
    fn new(w: &'a WorkerImpl<'a>, args: &'a Args) -> Option<Self> {
        let name = w.name.clone()?;
        let self_ty: &Type = &w.item.self_ty;
        let handlers = w
            .handlers
            .iter()
            .map(|h| HandlerModel::new(h, self_ty))
            .collect::<Option<Vec<_>>>()?;
        let private = Ident::new(
            &format!("__{}_supervise", name.to_string().trim_start_matches("r#")),
            Span::call_site(),
        );
        Some(Model {
            krate: &args.krate,
            private,
            vis: &args.vis,
            child_spec: args.child_spec,
            self_ty,
            msg: names::suffixed(&name, "Msg")?,
            call: names::suffixed(&name, "Call")?,
            cast: names::suffixed(&name, "Cast")?,
            handle: names::suffixed(&name, "Ref")?,
            api: names::suffixed(&name, "Api")?,
            name,
            init: w.inits.first()?,
            terminate: w.terminates.first(),
            format_status: w.format_statuses.first(),
            exit: signal(w, Signal::Exit),
            down: signal(w, Signal::Down),
            handlers,
        })
    }

    /// The handlers of one kind.
    pub(crate) fn of(&self, kind: Kind) -> impl Iterator<Item = &HandlerModel<'a>> {
        self.handlers.iter().filter(move |h| h.kind == kind)
    }

    /// The enum of one kind.
    pub(crate) fn enum_of(&self, kind: Kind) -> &Ident {
        match kind {
            Kind::Info => &self.msg,
            Kind::Call => &self.call,
            Kind::Cast => &self.cast,
        }
    }

    /// `#krate::__private`, through the worker's alias.
    pub(crate) fn private(&self) -> Ident {
        self.private.clone()
    }

    /// The start arguments, `Self` replaced.
    pub(crate) fn init_fields(&self) -> Vec<Field<'a>> {
        fields(self.init, self.self_ty)
    }
}

impl<'a> HandlerModel<'a> {
    fn new(h: &'a Handler<'a>, self_ty: &Type) -> Option<Self> {
        let reply = match (h.kind, h.method.reply_arg()) {
            (Kind::Call, Some(arg)) => deferred(arg, self_ty)?,
            (Kind::Call, None) => Reply::Value(ty::replace_self(&return_type(&h.method), self_ty)),
            _ => Reply::None,
        };
        Some(HandlerModel {
            kind: h.kind,
            method: &h.method,
            variant: names::variant(h.method.ident())?,
            fields: fields(&h.method, self_ty),
            reply,
        })
    }

    /// The reply's type, for calls.
    pub(crate) fn reply_ty(&self) -> Option<&Type> {
        match &self.reply {
            Reply::None => None,
            Reply::Value(ty) | Reply::Deferred { ty, .. } => Some(ty),
        }
    }

    /// The field holding the `ReplyTo`, for calls.
    pub(crate) fn reply_field(&self) -> Option<Ident> {
        match &self.reply {
            Reply::None => None,
            Reply::Value(_) => Some(Ident::new(REPLY_FIELD, Span::call_site())),
            Reply::Deferred { field, .. } => Some(field.clone()),
        }
    }
}

/// The (first, and after the checks only) method marked for `signal`.
fn signal<'a>(w: &'a WorkerImpl<'a>, signal: Signal) -> Option<&'a Method<'a>> {
    w.signals
        .iter()
        .find(|s| s.signal == signal)
        .map(|s| &s.method)
}

fn deferred(arg: &Arg<'_>, self_ty: &Type) -> Option<Reply> {
    let Role::Reply { inner: Some(inner) } = arg.role else {
        return None;
    };
    Some(Reply::Deferred {
        field: arg.ident()?.clone(),
        ty: ty::replace_self(inner, self_ty),
    })
}

fn return_type(m: &Method<'_>) -> Type {
    match &m.func.sig.output {
        syn::ReturnType::Default => syn::parse_quote!(()),
        syn::ReturnType::Type(_, ty) => (**ty).clone(),
    }
}

fn fields<'a>(m: &'a Method<'a>, self_ty: &Type) -> Vec<Field<'a>> {
    m.fields()
        .filter_map(|a| {
            Some(Field {
                ident: a.ident()?,
                ty: ty::replace_self(a.ty, self_ty),
            })
        })
        .collect()
}

/// The arguments to pass to the user's method, in its parameter order: fields and the
/// reply by name, the context from `ctx`.
pub(crate) fn call_args(m: &Method<'_>, ctx: &Ident) -> Vec<TokenStream> {
    m.args
        .iter()
        .map(|a| match a.role {
            Role::Field | Role::Reply { .. } => a.ident().to_token_stream(),
            Role::Ctx { mutable } => ctx_arg(ctx, mutable),
        })
        .collect()
}

/// The arguments to pass to a callback-shaped method (`terminate`, `#[exit]`, `#[down]`):
/// its non-context parameters take `values` in order, whatever the user named them.
pub(crate) fn positional_args(m: &Method<'_>, ctx: &Ident, values: &[&Ident]) -> Vec<TokenStream> {
    let mut values = values.iter();
    m.args
        .iter()
        .map(|a| match a.role {
            Role::Ctx { mutable } => ctx_arg(ctx, mutable),
            Role::Field | Role::Reply { .. } => values.next().to_token_stream(),
        })
        .collect()
}

fn ctx_arg(ctx: &Ident, mutable: bool) -> TokenStream {
    if mutable {
        quote!(#ctx)
    } else {
        quote!(&*#ctx)
    }
}

/// A local identifier invisible to the user's code.
pub(crate) fn hidden(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// `.await` when the method is async.
pub(crate) fn await_if(m: &Method<'_>) -> TokenStream {
    if m.is_async() {
        quote!(.await)
    } else {
        TokenStream::new()
    }
}

/// One generated item (a variant, an arm) under the handler's `#[cfg(..)]` attributes: a
/// handler compiled out takes what was generated for it along.
pub(crate) fn cfg_gated(h: &HandlerModel<'_>, tokens: TokenStream) -> TokenStream {
    let cfgs: Vec<_> = h.method.cfgs().collect();
    if cfgs.is_empty() {
        return tokens;
    }
    quote! { #(#cfgs)* #tokens }
}

/// `#[doc = ..]` lines.
pub(crate) fn doc(text: &str) -> TokenStream {
    quote!(#[doc = #text])
}
