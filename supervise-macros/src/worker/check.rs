//! The rules a `#[worker]` impl block must follow, one function each. Every violation is
//! recorded, so the user sees all of them at once.

use std::collections::BTreeMap;

use quote::quote;
use syn::ext::IdentExt;
use syn::{Attribute, Meta};

use super::ast::{Arg, Handler, Kind, Method, Recv, Ret, Role, Signal, SignalHandler, WorkerImpl};
use super::{names, ty};
use crate::ctxt::Ctxt;

/// Names a handler must not take, each with why: the address's methods (`pid`,
/// `is_alive`, `send`) and the handle's lookups, which a handler would hide, and the
/// methods of the traits the handle implements, which would hide the handler.
pub(crate) const HANDLE_METHODS: &[(&str, &str)] = &[
    ("pid", "the generated handle has its own `pid` method"),
    (
        "is_alive",
        "the generated handle has its own `is_alive` method",
    ),
    ("send", "the generated handle has its own `send` method"),
    (
        "whereis",
        "the generated handle has its own `whereis` function",
    ),
    ("named", "the generated handle has its own `named` function"),
    (
        "clone",
        "the handle is `Clone`, and `clone()` would call that instead of the handler",
    ),
    (
        "eq",
        "the handle is `PartialEq`, and `eq(..)` would call that instead of the handler",
    ),
    (
        "ne",
        "the handle is `PartialEq`, and `ne(..)` would call that instead of the handler",
    ),
    (
        "process",
        "the handle is `AsProcess`, and where that trait is imported `process(..)` would call it instead of the handler",
    ),
];
/// Functions generated on the worker type itself.
pub(crate) const TYPE_FUNCTIONS: &[&str] = &["start", "start_link", "start_with", "child_spec"];
/// The field that carries a call's `ReplyTo`.
pub(crate) const REPLY_FIELD: &str = "reply";

/// Runs every rule.
pub(crate) fn all(w: &WorkerImpl<'_>, cx: &mut Ctxt) {
    worker_type(w, cx);
    impl_generics(w, cx);
    init_present(w, cx);
    init_unique(w, cx);
    for init in &w.inits {
        init_signature(init, cx);
        init_return(init, &w.item.self_ty, cx);
        common_signature(init, "`init`", cx);
        arguments(init, cx);
    }
    for terminate in &w.terminates {
        terminate_signature(terminate, cx);
    }
    for status in &w.format_statuses {
        format_status_signature(status, cx);
    }
    for handler in &w.handlers {
        handler_rules(handler, cx);
    }
    for signal in &w.signals {
        signal_rules(signal, cx);
    }
    signals_unique(w, cx);
    stray_markers(w, cx);
    variants_unique(w, cx);
    handle_methods_unique(w, cx);
    generated_functions_free(w, cx);
}

fn handler_rules(h: &Handler<'_>, cx: &mut Ctxt) {
    marker_plain(h.marker, cx);
    single_marker(h.kind.marker(), &h.extra_markers, cx);
    handler_receiver(h.kind.marker(), &h.method, cx);
    common_signature(&h.method, "a handler", cx);
    arguments(&h.method, cx);
    reply_parameter(h, cx);
    reply_field_free(h, cx);
    variant_name(h, cx);
}

/// The self type must be a named type, so generated items can be named after it.
fn worker_type(w: &WorkerImpl<'_>, cx: &mut Ctxt) {
    if w.name.is_none() {
        cx.error(
            &w.item.self_ty,
            "`#[worker]` needs a named state type (`impl MyWorker { .. }`): the generated items are named after it",
        );
    }
}

/// Generic worker types are not supported (a documented choice).
fn impl_generics(w: &WorkerImpl<'_>, cx: &mut Ctxt) {
    let generics = &w.item.generics;
    if !generics.params.is_empty() || generics.where_clause.is_some() {
        cx.error(
            generics,
            "`#[worker]` does not support generic impl blocks: the generated message enums and handle need one concrete state type; write the `#[worker]` impl for a concrete type (a newtype around the generic one)",
        );
    }
}

fn init_present(w: &WorkerImpl<'_>, cx: &mut Ctxt) {
    if w.inits.is_empty() {
        cx.error(
            &w.item.self_ty,
            "a `#[worker]` impl block needs an `fn init(..) -> Self`: its parameters are the worker's start arguments",
        );
    }
}

fn init_unique(w: &WorkerImpl<'_>, cx: &mut Ctxt) {
    for extra in w.inits.iter().skip(1) {
        cx.error(
            extra.ident(),
            "`init` is defined twice: a worker has exactly one `init`",
        );
    }
}

fn init_signature(init: &Method<'_>, cx: &mut Ctxt) {
    match &init.recv {
        Recv::Missing => {}
        Recv::Ref | Recv::RefMut => cx.error(
            &init.func.sig.inputs,
            "`init` builds the state, so it cannot take `self`: its parameters are the start arguments",
        ),
        Recv::Other(r) => cx.error(
            r,
            "`init` builds the state, so it cannot take `self`: its parameters are the start arguments",
        ),
    }
    if matches!(init.ret, Ret::Unit) {
        cx.error(
            init.ident(),
            "`init` must return the state: `Self`, `Result<Self, E>` or `Init<Self>`",
        );
    }
}

/// `init` returns the state (`Self` or the type's name), `Result<Self, E>` or
/// `Init<Self>`; anything else is named on the user's return type.
fn init_return(init: &Method<'_>, self_ty: &syn::Type, cx: &mut Ctxt) {
    let ty = match &init.ret {
        Ret::Other(ty) => *ty,
        Ret::Flow => match &init.func.sig.output {
            syn::ReturnType::Type(_, ty) => &**ty,
            syn::ReturnType::Default => return,
        },
        Ret::Unit | Ret::Result | Ret::Init => return,
    };
    let last = crate::worker::ty::last_ident(ty);
    let is_state =
        last.is_some_and(|i| i == "Self" || Some(i) == crate::worker::ty::last_ident(self_ty));
    let has_generics = matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| !s.arguments.is_empty()));
    if !is_state || has_generics {
        cx.error(
            ty,
            "`init` must return the state: `Self`, `Result<Self, E>` (an `Err` fails the start with `E` as the reason) or `Init<Self>` (`Init::Ignore` declines to start); an `Option` or another type cannot say which",
        );
    }
}

fn terminate_signature(t: &Method<'_>, cx: &mut Ctxt) {
    if !matches!(t.recv, Recv::Ref | Recv::RefMut) {
        cx.error(
            &t.func.sig,
            "`terminate` takes `&mut self`, then optionally `reason: &ExitReason` and the context",
        );
    }
    let others: Vec<_> = t
        .args
        .iter()
        .filter(|a| !matches!(a.role, Role::Ctx { .. }))
        .collect();
    for extra in others.iter().skip(1) {
        cx.error(
            extra.pat,
            "`terminate` takes at most one argument besides the context: `reason: &ExitReason`",
        );
    }
    common_signature(t, "`terminate`", cx);
}

/// `fn format_status(&self) -> impl Debug`: no other argument, not async, returns a value.
fn format_status_signature(m: &Method<'_>, cx: &mut Ctxt) {
    let sig = &m.func.sig;
    if !matches!(m.recv, Recv::Ref) {
        cx.error(
            sig,
            "`format_status` takes `&self` only and returns what reports and the observer show of the state: `fn format_status(&self) -> impl Debug`",
        );
    }
    for extra in &m.args {
        cx.error(
            extra.pat,
            "`format_status` takes no argument besides `&self`: it returns what reports and the observer show of the state",
        );
    }
    if let Some(token) = &sig.asyncness {
        cx.error(
            token,
            "`format_status` cannot be `async`: it runs while a crash report is written",
        );
    }
    if matches!(sig.output, syn::ReturnType::Default) {
        cx.error(
            &sig.ident,
            "`format_status` returns what reports and the observer show of the state (`-> impl Debug`), so it cannot return nothing",
        );
    }
}

/// No generics (type, lifetime or `const`), no `impl Trait`, no `unsafe`.
fn common_signature(m: &Method<'_>, what: &str, cx: &mut Ctxt) {
    let sig = &m.func.sig;
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error(
            &sig.generics,
            format!("{what} cannot be generic (no type, lifetime or `const` parameters): each message field needs one concrete type"),
        );
    }
    for arg in &m.args {
        if let Some(it) = ty::first_impl_trait(arg.ty) {
            cx.error(
                it,
                format!(
                    "{what} cannot take `impl Trait`: each message field needs one concrete type"
                ),
            );
        }
    }
    if let Some(token) = &sig.unsafety {
        cx.error(
            token,
            format!("{what} cannot be `unsafe`: the worker calls it for every message"),
        );
    }
    if let Some(token) = &sig.constness {
        cx.error(
            token,
            format!(
                "{what} cannot be a `const fn`: it runs in the worker's process for every message"
            ),
        );
    }
}

fn signal_rules(s: &SignalHandler<'_>, cx: &mut Ctxt) {
    let marker = s.signal.marker();
    marker_plain(s.marker, cx);
    single_marker(marker, &s.extra_markers, cx);
    handler_receiver(marker, &s.method, cx);
    common_signature(&s.method, &format!("the `#[{marker}]` handler"), cx);
    single_context(&s.method, cx);
    signal_parameters(s, cx);
}

fn handler_receiver(marker: &str, method: &Method<'_>, cx: &mut Ctxt) {
    match &method.recv {
        Recv::Ref | Recv::RefMut => {}
        Recv::Missing => cx.error(
            method.ident(),
            format!("a handler marked `#[{marker}]` takes `&mut self` or `&self`: it runs on the worker's state"),
        ),
        Recv::Other(r) => cx.error(
            r,
            format!("a handler marked `#[{marker}]` takes `&mut self` or `&self`, not `self` by value: the worker keeps its state after each message"),
        ),
    }
}

/// Message fields and start arguments: plain names, owned types.
fn arguments(m: &Method<'_>, cx: &mut Ctxt) {
    for arg in &m.args {
        if matches!(arg.role, Role::Ctx { .. }) {
            continue;
        }
        if arg.ident().is_none() {
            cx.error(
                arg.pat,
                "this argument needs a plain name (`key: String`): the name becomes a message field; destructure it in the body instead",
            );
        }
        if let Some(borrow) = ty::first_borrow(arg.ty) {
            cx.error(
                borrow,
                "message fields and start arguments must be owned (`'static`): a message outlives the caller's borrows; use an owned type (`String`, `Vec<T>`, `Arc<T>`)",
            );
        }
    }
    single_context(m, cx);
}

fn single_context(m: &Method<'_>, cx: &mut Ctxt) {
    let ctxs: Vec<_> = m
        .args
        .iter()
        .filter(|a| matches!(a.role, Role::Ctx { .. }))
        .collect();
    for extra in ctxs.iter().skip(1) {
        cx.error(
            extra.ty,
            "the context is taken once: remove this second `Context` parameter",
        );
    }
}

/// A call handler takes at most one `ReplyTo<T>`, and then replies through it.
fn reply_parameter(h: &Handler<'_>, cx: &mut Ctxt) {
    let replies: Vec<_> = h
        .method
        .args
        .iter()
        .filter(|a| matches!(a.role, Role::Reply { .. }))
        .collect();
    for extra in replies.iter().skip(1) {
        cx.error(
            extra.ty,
            "a call handler takes at most one `ReplyTo<T>`: a call has one reply",
        );
    }
    let Some(first) = replies.first() else { return };
    if let Role::Reply { inner: None } = first.role {
        cx.error(first.ty, "write the reply type: `ReplyTo<T>`");
    }
    if let Ret::Other(ret) = h.method.ret {
        cx.error(
            ret,
            "a call handler that takes `ReplyTo<T>` replies through it: return nothing, `Flow` or `Result<(), E>`",
        );
    }
    if let Some(borrow) = replies.iter().find_map(|r| ty::first_borrow(r.ty)) {
        cx.error(
            borrow,
            "the reply type must be owned (`'static`): it travels back to the caller",
        );
    }
}

/// In a call handler replying by return value, `reply` names the generated `ReplyTo` field.
fn reply_field_free(h: &Handler<'_>, cx: &mut Ctxt) {
    if h.kind != Kind::Call || h.method.reply_arg().is_some() {
        return;
    }
    if let Ret::Other(ret) = h.method.ret
        && let Some(borrow) = ty::first_borrow(ret)
    {
        cx.error(
            borrow,
            "a call's reply must be owned (`'static`): it travels back to the caller",
        );
    }
    for field in h.method.fields() {
        if field.ident().is_some_and(|i| i.unraw() == REPLY_FIELD) {
            cx.error(
                field.pat,
                "in a `#[call]` handler the name `reply` is taken by the generated `ReplyTo` field of the call variant: rename this argument",
            );
        }
    }
}

fn variant_name(h: &Handler<'_>, cx: &mut Ctxt) {
    if names::variant(h.method.ident()).is_none() {
        cx.error(
            h.method.ident(),
            "this handler's name gives no usable variant name (its UpperCamelCase form is a keyword or empty): rename it",
        );
    }
}

/// `#[info]` and friends are bare markers.
fn marker_plain(marker: &Attribute, cx: &mut Ctxt) {
    if !matches!(marker.meta, Meta::Path(_)) {
        let name = marker
            .path()
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        cx.error(&marker.meta, format!("`#[{name}]` takes no arguments"));
    }
}

fn single_marker(first: &str, extra_markers: &[&Attribute], cx: &mut Ctxt) {
    for extra in extra_markers {
        cx.error(
            extra,
            format!("a method is one kind of handler: it is already marked `#[{first}]`"),
        );
    }
}

/// `#[exit]` takes `Pid, ExitReason` and `#[down]` takes `Down`, by value, in that order,
/// with the context anywhere: the shapes of `handle_exit` and `handle_down`.
fn signal_parameters(s: &SignalHandler<'_>, cx: &mut Ctxt) {
    let expected: &[(&str, &str)] = match s.signal {
        Signal::Exit => &[("from", "Pid"), ("reason", "ExitReason")],
        Signal::Down => &[("down", "Down")],
    };
    let shape: Vec<String> = expected.iter().map(|(n, t)| format!("{n}: {t}")).collect();
    let rule = format!(
        "the `#[{}]` handler takes `{}` after `&mut self` or `&self` (and optionally the context)",
        s.signal.marker(),
        shape.join(", ")
    );
    let given: Vec<&Arg<'_>> = s
        .method
        .args
        .iter()
        .filter(|a| !matches!(a.role, Role::Ctx { .. }))
        .collect();
    for (arg, (_, want)) in given.iter().zip(expected) {
        if ty::last_ident(arg.ty).is_none_or(|i| i != want) {
            cx.error(
                arg.ty,
                format!("{rule}: this parameter's type must be `{want}`"),
            );
        }
    }
    for extra in given.iter().skip(expected.len()) {
        let (pat, ty) = (extra.pat, extra.ty);
        cx.error(quote!(#pat: #ty), format!("{rule}: remove this parameter"));
    }
    if let Some(missing) = shape.get(given.len()) {
        let sig = &s.method.func.sig;
        let message = format!("{rule}: `{missing}` is missing");
        if sig.inputs.is_empty() {
            cx.error(&sig.ident, message);
        } else {
            cx.error(&sig.inputs, message);
        }
    }
}

/// `handle_exit` and `handle_down` are one callback each.
fn signals_unique(w: &WorkerImpl<'_>, cx: &mut Ctxt) {
    for signal in [Signal::Exit, Signal::Down] {
        let mut of_kind = w.signals.iter().filter(|s| s.signal == signal);
        let Some(first) = of_kind.next() else {
            continue;
        };
        let what = match signal {
            Signal::Exit => "trapped exit signals",
            Signal::Down => "monitors' `Down`s",
        };
        for extra in of_kind {
            cx.error(
                extra.marker,
                format!(
                    "a worker has at most one `#[{}]` handler (it is the one `handle_{}` callback): `{}` already handles {what}; handle every case in that one method",
                    signal.marker(),
                    signal.marker(),
                    first.method.ident()
                ),
            );
        }
    }
}

fn stray_markers(w: &WorkerImpl<'_>, cx: &mut Ctxt) {
    for marker in &w.stray_markers {
        let name = marker
            .path()
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        cx.error(
            marker,
            format!("`#[{name}]` marks a handler method (`fn name(&mut self, ..)`); it cannot go on other items"),
        );
    }
}

/// Two handlers of one kind must not share a variant of that kind's enum.
fn variants_unique(w: &WorkerImpl<'_>, cx: &mut Ctxt) {
    let mut seen: BTreeMap<(String, &str), &Handler<'_>> = BTreeMap::new();
    for h in &w.handlers {
        let Some(variant) = names::variant(h.method.ident()) else {
            continue;
        };
        let key = (variant.to_string(), h.kind.marker());
        match seen.get(&key) {
            Some(first) => cx.error(
                h.method.ident(),
                format!(
                    "`{}` and `{}` both become the variant `{variant}`: two handlers cannot map to one message; rename one",
                    first.method.ident(),
                    h.method.ident()
                ),
            ),
            None => {
                seen.insert(key, h);
            }
        }
    }
}

/// A handler must not shadow the handle's own methods.
fn handle_methods_unique(w: &WorkerImpl<'_>, cx: &mut Ctxt) {
    for h in &w.handlers {
        let name = h.method.ident().unraw().to_string();
        if let Some((_, why)) = HANDLE_METHODS.iter().find(|(n, _)| *n == name) {
            cx.error(
                h.method.ident(),
                format!("a handler cannot be named `{name}`: {why}; rename the handler"),
            );
        }
    }
}

/// `start`, `start_link`, `start_with` and `child_spec` are generated on the type.
fn generated_functions_free(w: &WorkerImpl<'_>, cx: &mut Ctxt) {
    for item in &w.item.items {
        if let syn::ImplItem::Fn(f) = item {
            let name = f.sig.ident.unraw().to_string();
            if TYPE_FUNCTIONS.contains(&name.as_str()) {
                cx.error(
                    &f.sig.ident,
                    format!(
                        "`#[worker]` generates `{name}` on the worker type: rename this method"
                    ),
                );
            }
        }
    }
}
