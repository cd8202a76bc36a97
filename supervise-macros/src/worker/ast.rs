//! The typed form of a `#[worker]` impl block. It keeps references to the user's tokens, so
//! every check and every generated line can point at what the user wrote.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::{
    Attribute, FnArg, Ident, ImplItem, ImplItemFn, Item, ItemImpl, Pat, Receiver, ReturnType, Type,
};

use super::ty;
use crate::ctxt::Ctxt;

/// The constructor's name.
pub(crate) const INIT: &str = "init";
/// The clean-up callback's name.
pub(crate) const TERMINATE: &str = "terminate";
/// The method that says what reports and the observer show of the state.
pub(crate) const FORMAT_STATUS: &str = "format_status";
const INFO: &str = "info";
const CALL: &str = "call";
const CAST: &str = "cast";
const EXIT: &str = "exit";
const DOWN: &str = "down";

/// Which `GenServer` callback a handler serves.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// `#[info]`: a plain message, `handle_info`.
    Info,
    /// `#[call]`: a request with a reply, `handle_call`.
    Call,
    /// `#[cast]`: a fire-and-forget request, `handle_cast`.
    Cast,
}

impl Kind {
    /// The marker attribute's name.
    pub(crate) fn marker(self) -> &'static str {
        match self {
            Kind::Info => INFO,
            Kind::Call => CALL,
            Kind::Cast => CAST,
        }
    }
}

/// Which signal callback a `#[exit]` or `#[down]` method serves. Signals are not messages:
/// they get no variant and no handle method, only a `Worker` callback.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Signal {
    /// `#[exit]`: a trapped exit signal, `handle_exit`.
    Exit,
    /// `#[down]`: a monitor's `Down`, `handle_down`.
    Down,
}

impl Signal {
    /// The marker attribute's name.
    pub(crate) fn marker(self) -> &'static str {
        match self {
            Signal::Exit => EXIT,
            Signal::Down => DOWN,
        }
    }
}

/// What a marker attribute makes of its method.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Marker {
    /// A message handler.
    Message(Kind),
    /// A signal handler.
    Signal(Signal),
}

impl Marker {
    /// The marker attribute's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Marker::Message(kind) => kind.marker(),
            Marker::Signal(signal) => signal.marker(),
        }
    }
}

/// The whole impl block.
pub(crate) struct WorkerImpl<'a> {
    pub(crate) item: &'a ItemImpl,
    /// The type's own name (last path segment, unraw), if it is a path.
    pub(crate) name: Option<Ident>,
    pub(crate) inits: Vec<Method<'a>>,
    pub(crate) terminates: Vec<Method<'a>>,
    pub(crate) format_statuses: Vec<Method<'a>>,
    pub(crate) handlers: Vec<Handler<'a>>,
    /// Methods marked `#[exit]` or `#[down]`, in order.
    pub(crate) signals: Vec<SignalHandler<'a>>,
    /// Handler markers on items that are not methods.
    pub(crate) stray_markers: Vec<&'a Attribute>,
}

/// A method marked `#[info]`, `#[call]` or `#[cast]`.
pub(crate) struct Handler<'a> {
    pub(crate) kind: Kind,
    pub(crate) marker: &'a Attribute,
    /// Markers after the first one (a mistake).
    pub(crate) extra_markers: Vec<&'a Attribute>,
    pub(crate) method: Method<'a>,
}

/// A method marked `#[exit]` or `#[down]`.
pub(crate) struct SignalHandler<'a> {
    pub(crate) signal: Signal,
    pub(crate) marker: &'a Attribute,
    /// Markers after the first one (a mistake).
    pub(crate) extra_markers: Vec<&'a Attribute>,
    pub(crate) method: Method<'a>,
}

/// A method's signature, classified.
pub(crate) struct Method<'a> {
    pub(crate) func: &'a ImplItemFn,
    pub(crate) recv: Recv<'a>,
    pub(crate) args: Vec<Arg<'a>>,
    pub(crate) ret: Ret<'a>,
}

/// How a method takes `self`.
pub(crate) enum Recv<'a> {
    /// An associated function.
    Missing,
    /// `&self`.
    Ref,
    /// `&mut self`.
    RefMut,
    /// `self`, `mut self`, `self: Box<Self>`...
    Other(&'a Receiver),
}

/// One typed parameter.
pub(crate) struct Arg<'a> {
    pub(crate) pat: &'a Pat,
    pub(crate) ty: &'a Type,
    pub(crate) role: Role<'a>,
}

/// What a parameter is for, recognised by its type.
pub(crate) enum Role<'a> {
    /// A message field (or start argument).
    Field,
    /// `&Context<Self>` or `&mut Context<Self>`.
    Ctx { mutable: bool },
    /// `ReplyTo<T>` in a call handler: a deferred reply.
    Reply { inner: Option<&'a Type> },
}

/// A method's return type, classified by its last path segment.
pub(crate) enum Ret<'a> {
    /// Nothing, or `()`.
    Unit,
    /// `Flow`.
    Flow,
    /// `Result<T, E>` (any path ending in `Result`).
    Result,
    /// `Init<Self>`.
    Init,
    /// Anything else.
    Other(&'a Type),
}

impl Arg<'_> {
    /// The parameter's name when its pattern is a plain identifier.
    pub(crate) fn ident(&self) -> Option<&Ident> {
        match self.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(&p.ident),
            _ => None,
        }
    }
}

impl Method<'_> {
    /// The method's name.
    pub(crate) fn ident(&self) -> &Ident {
        &self.func.sig.ident
    }

    /// Whether the method is `async`.
    pub(crate) fn is_async(&self) -> bool {
        self.func.sig.asyncness.is_some()
    }

    /// The message fields (or start arguments), in order.
    pub(crate) fn fields(&self) -> impl Iterator<Item = &Arg<'_>> {
        self.args.iter().filter(|a| matches!(a.role, Role::Field))
    }

    /// The deferred reply parameter, if any.
    pub(crate) fn reply_arg(&self) -> Option<&Arg<'_>> {
        self.args
            .iter()
            .find(|a| matches!(a.role, Role::Reply { .. }))
    }

    /// The method's `#[cfg(..)]` attributes: whatever is generated for it carries them, so a
    /// handler compiled out leaves no variant, arm or handle method behind.
    pub(crate) fn cfgs(&self) -> impl Iterator<Item = &Attribute> {
        self.func.attrs.iter().filter(|a| a.path().is_ident("cfg"))
    }

    /// The user's doc comments.
    pub(crate) fn docs(&self) -> impl Iterator<Item = &Attribute> {
        self.func.attrs.iter().filter(|a| a.path().is_ident("doc"))
    }
}

/// Parses the item; anything but an inherent impl block is recorded as an error.
pub(crate) fn item_impl(item: TokenStream, cx: &mut Ctxt) -> Option<ItemImpl> {
    // The fast way first: bodies unparsed. Anything it cannot take (a mismatch between the
    // bodies set aside and the functions syn found) is parsed in full, as before.
    let (hollow, bodies) = hollowed(&item);
    if let Ok(Item::Impl(mut item_impl)) = syn::parse2::<Item>(hollow)
        && item_impl.trait_.is_none()
        && refill(&mut item_impl, bodies)
    {
        return Some(item_impl);
    }
    match syn::parse2::<Item>(item) {
        Ok(Item::Impl(item_impl)) if item_impl.trait_.is_none() => Some(item_impl),
        Ok(Item::Impl(item_impl)) => {
            let what = item_impl.trait_.as_ref().map(|(_, path, _)| path);
            cx.error(
                what,
                "`#[worker]` goes on an inherent impl block (`impl MyWorker { .. }`), not on a trait impl: it writes the `Worker` impl itself",
            );
            None
        }
        Ok(other) => {
            cx.error(
                item_kind_tokens(&other),
                "`#[worker]` goes on an inherent `impl` block of the worker's state type (`impl MyWorker { .. }`)",
            );
            None
        }
        Err(e) => {
            cx.push(e);
            None
        }
    }
}

/// The item with each function body of its block swapped for an empty block, and the
/// bodies set aside in order. Nothing here reads a body, and parsing them is most of what
/// parsing a worker costs (this crate runs unoptimised in users' debug builds), so they go
/// back verbatim ([`refill`]). A body is a brace group after `fn` at the block's top level
/// followed by nothing, an attribute or an identifier (the next item); braces inside a
/// signature (`Foo<{ N }>`) are followed by punctuation.
fn hollowed(item: &TokenStream) -> (TokenStream, Vec<Group>) {
    let mut bodies = Vec::new();
    let mut top: Vec<TokenTree> = item.clone().into_iter().collect();
    let Some(TokenTree::Group(block)) = top.last() else {
        return (item.clone(), bodies);
    };
    if block.delimiter() != Delimiter::Brace {
        return (item.clone(), bodies);
    }
    let inner: Vec<TokenTree> = block.stream().into_iter().collect();
    let mut out = Vec::with_capacity(inner.len());
    let mut in_fn = false;
    for (i, t) in inner.iter().enumerate() {
        match t {
            TokenTree::Ident(id) if id == "fn" => in_fn = true,
            TokenTree::Punct(p) if p.as_char() == ';' => in_fn = false,
            TokenTree::Group(g) if in_fn && g.delimiter() == Delimiter::Brace => {
                let ends_item = match inner.get(i + 1) {
                    None | Some(TokenTree::Ident(_)) => true,
                    Some(TokenTree::Punct(p)) => p.as_char() == '#',
                    _ => false,
                };
                if ends_item {
                    let mut empty = Group::new(Delimiter::Brace, TokenStream::new());
                    empty.set_span(g.span());
                    out.push(TokenTree::Group(empty));
                    bodies.push(g.clone());
                    in_fn = false;
                    continue;
                }
            }
            _ => {}
        }
        out.push(t.clone());
    }
    let mut hollow_block = Group::new(Delimiter::Brace, out.into_iter().collect());
    hollow_block.set_span(block.span());
    let last = top.len() - 1;
    top[last] = TokenTree::Group(hollow_block);
    (top.into_iter().collect(), bodies)
}

/// Puts the bodies [`hollowed`] set aside back into the parsed block's functions, as
/// verbatim tokens; false when they do not match its functions one for one.
fn refill(item: &mut ItemImpl, bodies: Vec<Group>) -> bool {
    let fns = item
        .items
        .iter()
        .filter(|i| matches!(i, ImplItem::Fn(_)))
        .count();
    if fns != bodies.len() {
        return false;
    }
    let mut bodies = bodies.into_iter();
    for impl_item in &mut item.items {
        let ImplItem::Fn(f) = impl_item else { continue };
        let Some(body) = bodies.next() else {
            return false;
        };
        if !f.block.stmts.is_empty() {
            return false;
        }
        f.block = syn::Block {
            brace_token: syn::token::Brace(body.delim_span()),
            stmts: vec![syn::Stmt::Item(Item::Verbatim(body.stream()))],
        };
    }
    true
}

/// The tokens naming what an item is (`struct Foo`), to point at.
fn item_kind_tokens(item: &Item) -> TokenStream {
    use quote::quote;
    match item {
        Item::Struct(s) => {
            let (k, i) = (&s.struct_token, &s.ident);
            quote!(#k #i)
        }
        Item::Enum(e) => {
            let (k, i) = (&e.enum_token, &e.ident);
            quote!(#k #i)
        }
        Item::Fn(f) => {
            let (k, i) = (&f.sig.fn_token, &f.sig.ident);
            quote!(#k #i)
        }
        other => quote!(#other),
    }
}

impl<'a> WorkerImpl<'a> {
    /// Classifies the items of the block.
    pub(crate) fn from_impl(item: &'a ItemImpl) -> Self {
        let mut worker = WorkerImpl {
            item,
            name: ty::last_ident(&item.self_ty).map(|i| i.unraw()),
            inits: Vec::new(),
            terminates: Vec::new(),
            format_statuses: Vec::new(),
            handlers: Vec::new(),
            signals: Vec::new(),
            stray_markers: Vec::new(),
        };
        for impl_item in &item.items {
            worker.add(impl_item);
        }
        worker
    }

    fn add(&mut self, impl_item: &'a ImplItem) {
        let ImplItem::Fn(func) = impl_item else {
            self.stray_markers
                .extend(markers(item_attrs(impl_item)).map(|(_, a)| a));
            return;
        };
        let mut found = markers(&func.attrs);
        match found.next() {
            Some((Marker::Message(kind), marker)) => {
                let extra_markers = found.map(|(_, a)| a).collect();
                let method = method(func, kind == Kind::Call);
                self.handlers.push(Handler {
                    kind,
                    marker,
                    extra_markers,
                    method,
                });
            }
            Some((Marker::Signal(signal), marker)) => {
                let extra_markers = found.map(|(_, a)| a).collect();
                self.signals.push(SignalHandler {
                    signal,
                    marker,
                    extra_markers,
                    method: method(func, false),
                });
            }
            None if func.sig.ident == INIT => self.inits.push(method(func, false)),
            None if func.sig.ident == TERMINATE => self.terminates.push(method(func, false)),
            None if func.sig.ident == FORMAT_STATUS => {
                self.format_statuses.push(method(func, false))
            }
            None => {}
        }
    }
}

fn item_attrs(item: &ImplItem) -> &[Attribute] {
    match item {
        ImplItem::Const(c) => &c.attrs,
        ImplItem::Fn(f) => &f.attrs,
        ImplItem::Type(t) => &t.attrs,
        ImplItem::Macro(m) => &m.attrs,
        _ => &[],
    }
}

/// The handler markers among `attrs`.
fn markers(attrs: &[Attribute]) -> impl Iterator<Item = (Marker, &Attribute)> {
    attrs.iter().filter_map(|a| marker_of(a).map(|k| (k, a)))
}

/// Every marker attribute.
const MARKERS: [Marker; 5] = [
    Marker::Message(Kind::Info),
    Marker::Message(Kind::Call),
    Marker::Message(Kind::Cast),
    Marker::Signal(Signal::Exit),
    Marker::Signal(Signal::Down),
];

fn marker_of(attr: &Attribute) -> Option<Marker> {
    let ident = attr.path().get_ident()?;
    MARKERS.into_iter().find(|m| ident == m.name())
}

fn method(func: &ImplItemFn, is_call: bool) -> Method<'_> {
    let mut recv = Recv::Missing;
    let mut args = Vec::new();
    for input in &func.sig.inputs {
        match input {
            FnArg::Receiver(r) => recv = receiver(r),
            FnArg::Typed(t) => args.push(Arg {
                pat: &t.pat,
                ty: &t.ty,
                role: role(&t.ty, is_call),
            }),
        }
    }
    Method {
        func,
        recv,
        args,
        ret: ret(&func.sig.output),
    }
}

/// `&self`, `&'a self`, `self: &Self` and their `mut` forms are references to the state;
/// anything else (`self`, `mut self`, `self: Box<Self>`) is not. syn gives every form its
/// type (`&self` is `self: &Self`), so the type decides.
fn receiver(r: &Receiver) -> Recv<'_> {
    match &*r.ty {
        Type::Reference(reference) if is_self(&reference.elem) => match reference.mutability {
            Some(_) => Recv::RefMut,
            None => Recv::Ref,
        },
        _ => Recv::Other(r),
    }
}

fn is_self(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self"))
}

fn role(ty: &Type, is_call: bool) -> Role<'_> {
    if let Type::Reference(r) = ty
        && ty::last_ident(&r.elem).is_some_and(|i| i == "Context")
    {
        return Role::Ctx {
            mutable: r.mutability.is_some(),
        };
    }
    if is_call && ty::last_ident(ty).is_some_and(|i| i == "ReplyTo") {
        return Role::Reply {
            inner: ty::first_type_arg(ty),
        };
    }
    Role::Field
}

fn ret(output: &ReturnType) -> Ret<'_> {
    let ReturnType::Type(_, ty) = output else {
        return Ret::Unit;
    };
    match ty::last_ident(ty) {
        _ if ty::is_unit(ty) => Ret::Unit,
        Some(i) if i == "Flow" => Ret::Flow,
        Some(i) if i == "Result" => Ret::Result,
        Some(i) if i == "Init" => Ret::Init,
        _ => Ret::Other(ty),
    }
}

/// The impl block with the handler markers removed: they are not real attributes.
pub(crate) fn strip_markers(mut item: ItemImpl) -> ItemImpl {
    for impl_item in &mut item.items {
        let attrs = match impl_item {
            ImplItem::Const(c) => &mut c.attrs,
            ImplItem::Fn(f) => &mut f.attrs,
            ImplItem::Type(t) => &mut t.attrs,
            ImplItem::Macro(m) => &mut m.attrs,
            _ => continue,
        };
        attrs.retain(|a| marker_of(a).is_none());
    }
    item
}

/// [`strip_markers`] on the block's tokens: each `#[info]`, `#[call]`, `#[cast]`,
/// `#[exit]` or `#[down]` at the block's top level removed, every other token kept as it
/// came (with its spans).
pub(crate) fn strip_marker_tokens(item: &TokenStream) -> TokenStream {
    let mut top: Vec<TokenTree> = item.clone().into_iter().collect();
    let Some(TokenTree::Group(block)) = top.last() else {
        return item.clone();
    };
    if block.delimiter() != Delimiter::Brace {
        return item.clone();
    }
    let inner: Vec<TokenTree> = block.stream().into_iter().collect();
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        if let (TokenTree::Punct(p), Some(TokenTree::Group(attr))) = (&inner[i], inner.get(i + 1))
            && p.as_char() == '#'
            && attr.delimiter() == Delimiter::Bracket
            && is_marker(&attr.stream())
        {
            i += 2;
            continue;
        }
        out.push(inner[i].clone());
        i += 1;
    }
    let mut stripped = Group::new(Delimiter::Brace, out.into_iter().collect());
    stripped.set_span(block.span());
    let last = top.len() - 1;
    top[last] = TokenTree::Group(stripped);
    top.into_iter().collect()
}

/// Whether an attribute's bracketed tokens are a marker: its path is one of the marker
/// names alone (arguments or not, as [`marker_of`] reads it).
fn is_marker(attr: &TokenStream) -> bool {
    let mut tokens = attr.clone().into_iter();
    let Some(TokenTree::Ident(name)) = tokens.next() else {
        return false;
    };
    let path_goes_on = matches!(tokens.next(), Some(TokenTree::Punct(p)) if p.as_char() == ':');
    !path_goes_on && MARKERS.iter().any(|m| name == m.name())
}

/// The impl block keeping only its first `init`, so a repeated `init` gives our error alone.
pub(crate) fn without_extra_inits(mut item: ItemImpl) -> ItemImpl {
    let mut seen = false;
    item.items.retain(|impl_item| match impl_item {
        ImplItem::Fn(f) if f.sig.ident == INIT => !std::mem::replace(&mut seen, true),
        _ => true,
    });
    item
}
