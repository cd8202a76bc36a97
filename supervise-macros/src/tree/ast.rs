//! The typed tree: each option's value decided (with an error for each one that is
//! unknown, repeated or of the wrong kind), every token kept for spans.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::{
    Attribute, Expr, ExprLit, ExprPath, ExprRange, Ident, Lit, LitStr, Path, RangeLimits, Type,
    Visibility,
};

use super::duration;
use super::parse::{Param, RawBody, RawChild, RawOpt, RawSup, RawTree};
use crate::ctxt::Ctxt;

/// The whole block.
pub(crate) struct Tree {
    pub(crate) docs: Vec<Attribute>,
    pub(crate) krate: Path,
    pub(crate) vis: Visibility,
    pub(crate) name: Ident,
    pub(crate) params: Vec<Param>,
    pub(crate) root: Sup,
}

/// A static supervisor.
pub(crate) struct Sup {
    pub(crate) strategy: Strategy,
    pub(crate) flags: Flags,
    pub(crate) brace: Span,
    pub(crate) children: Vec<Child>,
}

/// OTP's strategies.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strategy {
    OneForOne,
    OneForAll,
    RestForOne,
}

/// An option as written (`key = value`), with its decided value.
pub(crate) struct Set<T> {
    pub(crate) tokens: TokenStream,
    pub(crate) value: T,
}

/// A static supervisor's options.
#[derive(Default)]
pub(crate) struct Flags {
    pub(crate) max_restarts: Option<Set<u32>>,
    pub(crate) within: Option<Set<u64>>,
    pub(crate) auto_shutdown: Option<Set<AutoShutdown>>,
    pub(crate) backoff: Option<Set<Backoff>>,
}

/// `auto_shutdown`'s values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AutoShutdown {
    Never,
    AnySignificant,
    AllSignificant,
}

/// `backoff = base..max`, in milliseconds.
#[derive(Clone, Copy)]
pub(crate) struct Backoff {
    pub(crate) base: u64,
    pub(crate) max: u64,
}

/// A dynamic supervisor.
pub(crate) struct Dynamic {
    pub(crate) worker: Option<Type>,
    pub(crate) max_children: Option<Set<u64>>,
    pub(crate) max_restarts: Option<Set<u32>>,
    pub(crate) within: Option<Set<u64>>,
    pub(crate) backoff: Option<Set<Backoff>>,
    pub(crate) extra_arguments: Option<Set<Expr>>,
}

/// One named child.
pub(crate) struct Child {
    pub(crate) docs: Vec<Attribute>,
    pub(crate) name: Ident,
    pub(crate) kind: Kind,
    pub(crate) overrides: Overrides,
}

/// What a child is.
pub(crate) enum Kind {
    /// A worker's spec; its type, written or read off `Type::child_spec(..)`.
    Worker {
        ty: Option<Type>,
        expr: Expr,
    },
    Sup(Sup),
    Dynamic(Dynamic),
    /// Another tree: `tree Path(args)`.
    Tree {
        path: Path,
        args: Vec<Expr>,
    },
}

/// The overrides after `;`.
#[derive(Default)]
pub(crate) struct Overrides {
    pub(crate) restart: Option<Set<Restart>>,
    pub(crate) shutdown: Option<Set<Shutdown>>,
    pub(crate) significant: Option<Set<bool>>,
    pub(crate) name: Option<Set<LitStr>>,
}

/// `restart`'s values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Restart {
    Permanent,
    Transient,
    Temporary,
}

/// `shutdown`'s values.
#[derive(Clone, Copy)]
pub(crate) enum Shutdown {
    BrutalKill,
    Infinity,
    Millis(u64),
}

pub(crate) const STRATEGIES: &[(&str, Strategy)] = &[
    ("one_for_one", Strategy::OneForOne),
    ("one_for_all", Strategy::OneForAll),
    ("rest_for_one", Strategy::RestForOne),
];
const AUTO_SHUTDOWNS: &[(&str, AutoShutdown)] = &[
    ("never", AutoShutdown::Never),
    ("any_significant", AutoShutdown::AnySignificant),
    ("all_significant", AutoShutdown::AllSignificant),
];
const RESTARTS: &[(&str, Restart)] = &[
    ("permanent", Restart::Permanent),
    ("transient", Restart::Transient),
    ("temporary", Restart::Temporary),
];

/// Where options are written, and which ones are valid there.
#[derive(Clone, Copy)]
enum Place {
    Supervisor,
    Dynamic,
    Child,
}

impl Place {
    fn valid(self) -> &'static [&'static str] {
        match self {
            Place::Supervisor => &["max_restarts", "within", "auto_shutdown", "backoff"],
            Place::Dynamic => &[
                "max_children",
                "max_restarts",
                "within",
                "backoff",
                "extra_arguments",
                "strategy",
            ],
            Place::Child => &["restart", "shutdown", "significant", "name"],
        }
    }

    fn what(self) -> &'static str {
        match self {
            Place::Supervisor => "a supervisor's option",
            Place::Dynamic => "a dynamic supervisor's option",
            Place::Child => "a child's option (after `;`)",
        }
    }
}

/// The typed tree, or `None` when it cannot be built; every mistake is recorded.
pub(crate) fn tree(raw: RawTree, cx: &mut Ctxt) -> Tree {
    let krate = krate(&raw.inner_attrs, cx);
    let docs = raw.attrs.into_iter().filter(is_doc_like).collect();
    Tree {
        docs,
        krate,
        vis: raw.vis,
        name: raw.name,
        params: raw.params,
        root: sup(raw.root, cx),
    }
}

/// Doc comments and lint attributes are carried to the tree type; nothing else is.
fn is_doc_like(attr: &Attribute) -> bool {
    ["doc", "allow", "expect", "warn", "deny", "cfg_attr"]
        .iter()
        .any(|name| attr.path().is_ident(name))
}

/// `#![crate = path]`: where the runtime is (default `::supervise_runtime`).
fn krate(attrs: &[Attribute], cx: &mut Ctxt) -> Path {
    let mut krate = None;
    for attr in attrs {
        match crate_path(attr) {
            Some(path) if krate.is_none() => krate = Some(path),
            Some(_) => cx.error(attr, "`#![crate = ..]` is given twice"),
            None => cx.error(
                attr,
                "the only inner attribute of `supervision_tree!` is `#![crate = path]` (where the runtime is)",
            ),
        }
    }
    krate.unwrap_or_else(|| syn::parse_quote!(::supervise_runtime))
}

fn crate_path(attr: &Attribute) -> Option<Path> {
    let nv = attr.meta.require_name_value().ok()?;
    if !nv.path.is_ident("crate") {
        return None;
    }
    match &nv.value {
        Expr::Path(p) => Some(p.path.clone()),
        _ => None,
    }
}

fn sup(raw: RawSup, cx: &mut Ctxt) -> Sup {
    let strategy = strategy(&raw.strategy, cx);
    let mut opts = options(raw.opts, Place::Supervisor, cx);
    let flags = Flags {
        max_restarts: take(&mut opts, "max_restarts", count_u32, cx),
        within: take(&mut opts, "within", duration_value, cx),
        auto_shutdown: take(&mut opts, "auto_shutdown", auto_shutdown, cx),
        backoff: take(&mut opts, "backoff", backoff, cx),
    };
    Sup {
        strategy: strategy.unwrap_or(Strategy::OneForOne),
        flags,
        brace: raw.brace,
        children: raw.children.into_iter().map(|c| child(c, cx)).collect(),
    }
}

fn strategy(ident: &Ident, cx: &mut Ctxt) -> Option<Strategy> {
    let found = STRATEGIES.iter().find(|(name, _)| ident == name);
    if found.is_none() {
        cx.error(
            ident,
            format!("unknown strategy `{ident}`: the strategies are `one_for_one`, `one_for_all` and `rest_for_one`"),
        );
    }
    found.map(|(_, s)| *s)
}

fn child(raw: RawChild, cx: &mut Ctxt) -> Child {
    let kind = match raw.body {
        RawBody::Sup(s) => Kind::Sup(sup(s, cx)),
        RawBody::Dynamic { worker, opts, .. } => Kind::Dynamic(dynamic(worker, opts, cx)),
        RawBody::Tree { path, args, .. } => Kind::Tree { path, args },
        RawBody::Worker { ty, expr } => {
            let ty = ty.or_else(|| worker_of(&expr));
            Kind::Worker { ty, expr }
        }
    };
    let mut opts = options(raw.overrides, Place::Child, cx);
    let overrides = Overrides {
        restart: take(&mut opts, "restart", restart, cx),
        shutdown: take(&mut opts, "shutdown", shutdown, cx),
        significant: take(&mut opts, "significant", boolean, cx),
        name: take(&mut opts, "name", string, cx),
    };
    let docs = raw
        .attrs
        .into_iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect();
    Child {
        docs,
        name: raw.name,
        kind,
        overrides,
    }
}

fn dynamic(worker: Option<Type>, raw: Vec<RawOpt>, cx: &mut Ctxt) -> Dynamic {
    let mut opts = options(raw, Place::Dynamic, cx);
    take(&mut opts, "strategy", dynamic_strategy, cx);
    Dynamic {
        worker,
        max_children: take(&mut opts, "max_children", count_u64, cx),
        max_restarts: take(&mut opts, "max_restarts", count_u32, cx),
        within: take(&mut opts, "within", duration_value, cx),
        backoff: take(&mut opts, "backoff", backoff, cx),
        extra_arguments: take(&mut opts, "extra_arguments", |e: &Expr| Ok(e.clone()), cx),
    }
}

/// The worker type of `Type::child_spec(..)` (and of `Type::child_spec(..).method(..)`),
/// so the block need not write it.
pub(crate) fn worker_of(expr: &Expr) -> Option<Type> {
    match expr {
        Expr::MethodCall(m) => worker_of(&m.receiver),
        Expr::Paren(p) => worker_of(&p.expr),
        Expr::Call(call) => {
            let Expr::Path(ExprPath {
                qself: None, path, ..
            }) = &*call.func
            else {
                return None;
            };
            let last = path.segments.last()?;
            if last.ident != "child_spec" || path.segments.len() < 2 {
                return None;
            }
            let mut ty = path.clone();
            ty.segments.pop();
            let ty_path = ty.segments.pop()?.into_value();
            ty.segments.push(ty_path);
            Some(Type::Path(syn::TypePath {
                qself: None,
                path: ty,
            }))
        }
        _ => None,
    }
}

/// The options by key: unknown and repeated keys reported, the rest kept.
fn options(raw: Vec<RawOpt>, place: Place, cx: &mut Ctxt) -> BTreeMap<String, RawOpt> {
    let mut map = BTreeMap::new();
    for opt in raw {
        let key = opt.key.to_string();
        if !place.valid().contains(&key.as_str()) {
            unknown_option(&opt, place, cx);
            continue;
        }
        match map.entry(key) {
            Entry::Occupied(taken) => cx.error(
                &opt.key,
                format!(
                    "`{}` is given twice: each option may appear once",
                    taken.key()
                ),
            ),
            Entry::Vacant(slot) => {
                slot.insert(opt);
            }
        }
    }
    map
}

fn unknown_option(opt: &RawOpt, place: Place, cx: &mut Ctxt) {
    let key = &opt.key;
    let valid = list(place.valid());
    let message = match (place, key.to_string().as_str()) {
        (Place::Dynamic, "auto_shutdown") => format!(
            "a dynamic supervisor has no `auto_shutdown`: its children are started at run time and cannot be significant; its options are {valid}"
        ),
        (Place::Supervisor, "strategy") => format!(
            "the strategy is written before the parentheses (`rest_for_one(max_restarts = 3) {{ .. }}`); a supervisor's options are {valid}"
        ),
        _ => format!("unknown option `{key}`: {} is one of {valid}", place.what()),
    };
    cx.error(key, message);
}

/// `a`, `b` and `c`.
pub(crate) fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Decides `key`'s value with `decide`, reporting its error on the value.
fn take<T>(
    opts: &mut BTreeMap<String, RawOpt>,
    key: &str,
    decide: impl FnOnce(&Expr) -> Result<T, String>,
    cx: &mut Ctxt,
) -> Option<Set<T>> {
    let opt = opts.remove(key)?;
    match decide(&opt.value) {
        Ok(value) => Some(Set {
            tokens: opt_tokens(&opt),
            value,
        }),
        Err(message) => {
            cx.error(&opt.value, format!("`{key}`: {message}"));
            None
        }
    }
}

fn opt_tokens(opt: &RawOpt) -> TokenStream {
    let mut tokens = opt.key.to_token_stream();
    opt.eq.to_tokens(&mut tokens);
    opt.value.to_tokens(&mut tokens);
    tokens
}

fn count_u32(expr: &Expr) -> Result<u32, String> {
    let n = count_u64(expr)?;
    u32::try_from(n).map_err(|_| format!("{n} is too large: the count is a `u32`"))
}

fn count_u64(expr: &Expr) -> Result<u64, String> {
    const RULE: &str = "expected a count: a whole number, 0 or more";
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) if int.suffix().is_empty() => int
            .base10_parse::<u64>()
            .map_err(|_| format!("{RULE}; `{int}` is too large")),
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => Err(format!("{RULE}, without a suffix; found `{int}`")),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            ..
        }) => Err(format!("{RULE}; it cannot be negative")),
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => Err(format!("{RULE}; `{f}` is not a whole number")),
        Expr::Group(g) => count_u64(&g.expr),
        _ => Err(RULE.to_owned()),
    }
}

fn duration_value(expr: &Expr) -> Result<u64, String> {
    duration::millis(expr)
}

/// A bare word among `choices`.
fn word<T: Copy>(expr: &Expr, choices: &[(&str, T)]) -> Result<T, String> {
    let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
    let valid = list(&names);
    let Expr::Path(ExprPath {
        qself: None, path, ..
    }) = expr
    else {
        return Err(format!("expected one of {valid}"));
    };
    let found = path
        .get_ident()
        .and_then(|ident| choices.iter().find(|(n, _)| ident == n));
    match found {
        Some((_, value)) => Ok(*value),
        None => Err(format!(
            "unknown value `{}`: expected one of {valid}",
            path.to_token_stream()
        )),
    }
}

fn auto_shutdown(expr: &Expr) -> Result<AutoShutdown, String> {
    word(expr, AUTO_SHUTDOWNS)
}

fn restart(expr: &Expr) -> Result<Restart, String> {
    word(expr, RESTARTS)
}

fn dynamic_strategy(expr: &Expr) -> Result<(), String> {
    match word(expr, STRATEGIES)? {
        Strategy::OneForOne => Ok(()),
        _ => Err(
            "a dynamic supervisor's strategy is always `one_for_one` (as OTP's DynamicSupervisor): its children are independent; use a static supervisor for `one_for_all` or `rest_for_one`"
                .to_owned(),
        ),
    }
}

fn shutdown(expr: &Expr) -> Result<Shutdown, String> {
    if let Expr::Path(p) = expr {
        if p.path.is_ident("brutal_kill") {
            return Ok(Shutdown::BrutalKill);
        }
        if p.path.is_ident("infinity") {
            return Ok(Shutdown::Infinity);
        }
    }
    duration::millis(expr).map(Shutdown::Millis).map_err(|_| {
        format!(
            "expected `brutal_kill`, `infinity` or a duration ({})",
            duration::SHAPE
        )
    })
}

fn boolean(expr: &Expr) -> Result<bool, String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(b.value),
        _ => Err("expected `true` or `false`".to_owned()),
    }
}

fn string(expr: &Expr) -> Result<LitStr, String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.clone()),
        _ => Err("expected a string literal, the name to register the child under".to_owned()),
    }
}

fn backoff(expr: &Expr) -> Result<Backoff, String> {
    const RULE: &str = "expected `base..max`, two durations (`100ms..5s`): the first restart waits `base`, each next one twice as long, up to `max`";
    let Expr::Range(ExprRange {
        start: Some(start),
        limits: RangeLimits::HalfOpen(_),
        end: Some(end),
        ..
    }) = expr
    else {
        return Err(RULE.to_owned());
    };
    let base = duration::millis(start).map_err(|e| format!("{RULE}; the base: {e}"))?;
    let max = duration::millis(end).map_err(|e| format!("{RULE}; the max: {e}"))?;
    Ok(Backoff { base, max })
}

/// Drops every child whose name was already taken in its supervisor, at every depth, so
/// the code generated next to the errors has no duplicate items of its own.
pub(crate) fn drop_duplicates(sup: &mut Sup) {
    let mut seen = std::collections::BTreeSet::new();
    sup.children
        .retain(|c| seen.insert(syn::ext::IdentExt::unraw(&c.name).to_string()));
    for child in &mut sup.children {
        if let Kind::Sup(inner) = &mut child.kind {
            drop_duplicates(inner);
        }
    }
}
