//! The block's syntax, parsed into raw nodes that keep every token for spans. Option
//! values are kept as expressions: what each one means is decided in `ast`, so a wrong
//! value is reported next to every other mistake instead of stopping the parse.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Ident, Path, Token, Type, Visibility, braced, parenthesized, token};

/// Keyword (contextual) of a dynamic supervisor child.
pub(crate) const DYNAMIC: &str = "dynamic";
/// Keyword (contextual) of a child that is another tree.
pub(crate) const TREE: &str = "tree";

/// `#![crate = path] /// docs  vis Name(params): strategy(options) { children }`.
pub(crate) struct RawTree {
    pub(crate) inner_attrs: Vec<Attribute>,
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) name: Ident,
    pub(crate) params: Vec<Param>,
    pub(crate) root: RawSup,
}

/// A start parameter of the tree: `redis_url: String`.
pub(crate) struct Param {
    pub(crate) name: Ident,
    pub(crate) ty: Type,
}

/// `strategy(options) { children }`.
pub(crate) struct RawSup {
    pub(crate) strategy: Ident,
    pub(crate) opts: Vec<RawOpt>,
    /// The braces, for errors about the whole child list.
    pub(crate) brace: Span,
    pub(crate) children: Vec<RawChild>,
}

/// `key = value`.
pub(crate) struct RawOpt {
    pub(crate) key: Ident,
    pub(crate) eq: Token![=],
    pub(crate) value: Expr,
}

/// `/// docs  name: body ; overrides`.
pub(crate) struct RawChild {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) name: Ident,
    pub(crate) body: RawBody,
    pub(crate) overrides: Vec<RawOpt>,
}

/// What a child is.
pub(crate) enum RawBody {
    /// An inline static supervisor.
    Sup(RawSup),
    /// `dynamic<Worker>(options)`, the type and options optional.
    Dynamic {
        worker: Option<Type>,
        opts: Vec<RawOpt>,
    },
    /// `tree Path(args)`.
    Tree { path: Path, args: Vec<Expr> },
    /// `Type = expr` or `expr`: a worker's child spec.
    Worker { ty: Option<Type>, expr: Expr },
}

impl Parse for RawTree {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let inner_attrs = input.call(Attribute::parse_inner)?;
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let name: Ident = input.parse()?;
        let params = if input.peek(token::Paren) {
            params(input)?
        } else {
            Vec::new()
        };
        input.parse::<Token![:]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `:` and the root supervisor's strategy after the tree's name: `App: one_for_one { .. }`",
            )
        })?;
        let root: RawSup = input.parse()?;
        if !input.is_empty() {
            return Err(input.error(
                "unexpected tokens after the tree: one `supervision_tree!` block declares one tree",
            ));
        }
        Ok(RawTree {
            inner_attrs,
            attrs,
            vis,
            name,
            params,
            root,
        })
    }
}

fn params(input: ParseStream<'_>) -> syn::Result<Vec<Param>> {
    let content;
    parenthesized!(content in input);
    let list = Punctuated::<Param, Token![,]>::parse_terminated(&content)?;
    Ok(list.into_iter().collect())
}

impl Parse for Param {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty: Type = input.parse()?;
        Ok(Param { name, ty })
    }
}

impl Parse for RawSup {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let strategy: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a strategy: `one_for_one`, `one_for_all` or `rest_for_one`",
            )
        })?;
        let opts = if input.peek(token::Paren) {
            options(input)?
        } else {
            Vec::new()
        };
        if !input.peek(token::Brace) {
            return Err(input.error(
                "expected the supervisor's children in braces: `{ name: Worker::child_spec(..), .. }`",
            ));
        }
        let content;
        let brace = braced!(content in input);
        let children = children(&content)?;
        Ok(RawSup {
            strategy,
            opts,
            brace: brace.span.join(),
            children,
        })
    }
}

/// `(key = value, ..)`.
fn options(input: ParseStream<'_>) -> syn::Result<Vec<RawOpt>> {
    let content;
    parenthesized!(content in input);
    let list = Punctuated::<RawOpt, Token![,]>::parse_terminated(&content)?;
    Ok(list.into_iter().collect())
}

impl Parse for RawOpt {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: Ident = input
            .parse()
            .map_err(|e| syn::Error::new(e.span(), "expected an option: `name = value`"))?;
        let eq: Token![=] = input.parse().map_err(|e| {
            syn::Error::new(e.span(), format!("expected `=` and a value after `{key}`"))
        })?;
        let value: Expr = input.parse()?;
        Ok(RawOpt { key, eq, value })
    }
}

fn children(input: ParseStream<'_>) -> syn::Result<Vec<RawChild>> {
    let mut children = Vec::new();
    while !input.is_empty() {
        children.push(input.parse()?);
        if input.is_empty() {
            break;
        }
        input
            .parse::<Token![,]>()
            .map_err(|e| syn::Error::new(e.span(), "expected `,` between children"))?;
    }
    Ok(children)
}

impl Parse for RawChild {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let name: Ident = input.parse().map_err(|e| {
            syn::Error::new(e.span(), "expected a child: `name: Worker::child_spec(..)`")
        })?;
        input.parse::<Token![:]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected `:` after the child's name `{name}`"),
            )
        })?;
        let body = body(input)?;
        let overrides = if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            overrides(input)?
        } else {
            Vec::new()
        };
        Ok(RawChild {
            attrs,
            name,
            body,
            overrides,
        })
    }
}

/// `; key = value, key = value` up to the next child (`, name:`) or the end.
fn overrides(input: ParseStream<'_>) -> syn::Result<Vec<RawOpt>> {
    let mut list = vec![input.parse::<RawOpt>()?];
    while input.peek(Token![,]) && input.peek2(Ident) && input.peek3(Token![=]) {
        input.parse::<Token![,]>()?;
        list.push(input.parse()?);
    }
    Ok(list)
}

fn body(input: ParseStream<'_>) -> syn::Result<RawBody> {
    let dynamic_next = input.peek2(Token![<]) || input.peek2(token::Paren) || ends_child(input, 2);
    if keyword(input, DYNAMIC).is_some() && dynamic_next {
        input.parse::<Ident>()?;
        return dynamic(input);
    }
    if keyword(input, TREE).is_some() && (input.peek2(Ident) || input.peek2(Token![::])) {
        input.parse::<Ident>()?;
        return tree_child(input);
    }
    if is_supervisor(input) {
        return Ok(RawBody::Sup(input.parse()?));
    }
    let ty = typed_prefix(input)?;
    let expr: Expr = input.parse()?;
    Ok(RawBody::Worker { ty, expr })
}

/// The next token when it is the identifier `word`.
fn keyword(input: ParseStream<'_>, word: &str) -> Option<Ident> {
    let fork = input.fork();
    let ident: Ident = fork.parse().ok()?;
    (ident == word).then_some(ident)
}

/// Whether the `n`-th token from here ends a child (`,`, `;` or the end of the block).
fn ends_child(input: ParseStream<'_>, n: usize) -> bool {
    let fork = input.fork();
    for _ in 1..n {
        if fork.parse::<proc_macro2::TokenTree>().is_err() {
            return true;
        }
    }
    fork.is_empty() || fork.peek(Token![,]) || fork.peek(Token![;])
}

/// `ident {` or `ident(..) {`: an inline supervisor (its strategy checked later). A
/// capitalised word (`Config { .. }`) starts a struct expression instead, which is then
/// reported as not being a child spec.
fn is_supervisor(input: ParseStream<'_>) -> bool {
    let fork = input.fork();
    let Ok(strategy) = fork.parse::<Ident>() else {
        return false;
    };
    if strategy.to_string().starts_with(|c: char| c.is_uppercase()) {
        return false;
    }
    if fork.peek(token::Paren) {
        let skipped: syn::Result<proc_macro2::Group> = fork.parse();
        if skipped.is_err() {
            return false;
        }
    }
    fork.peek(token::Brace)
}

/// `Type =` before a child spec expression, when written.
fn typed_prefix(input: ParseStream<'_>) -> syn::Result<Option<Type>> {
    let fork = input.fork();
    if fork.parse::<Type>().is_err() {
        return Ok(None);
    }
    if fork.peek(Token![=]) && !fork.peek(Token![==]) && !fork.peek(Token![=>]) {
        let ty: Type = input.parse()?;
        input.parse::<Token![=]>()?;
        return Ok(Some(ty));
    }
    Ok(None)
}

fn dynamic(input: ParseStream<'_>) -> syn::Result<RawBody> {
    let worker = if input.peek(Token![<]) {
        input.parse::<Token![<]>()?;
        let ty: Type = input.parse()?;
        input.parse::<Token![>]>()?;
        Some(ty)
    } else {
        None
    };
    let opts = if input.peek(token::Paren) {
        options(input)?
    } else {
        Vec::new()
    };
    if input.peek(token::Brace) {
        return Err(input.error(
            "a dynamic supervisor has no children in the block: they are started at run time with `start_child`",
        ));
    }
    Ok(RawBody::Dynamic { worker, opts })
}

fn tree_child(input: ParseStream<'_>) -> syn::Result<RawBody> {
    let path = input.call(Path::parse_mod_style)?;
    if !input.peek(token::Paren) {
        return Err(input.error(
            "expected the tree's start parameters in parentheses: `tree Other(args)`, `tree Other()` when it has none",
        ));
    }
    let content;
    parenthesized!(content in input);
    let args = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
    Ok(RawBody::Tree {
        path,
        args: args.into_iter().collect(),
    })
}

/// Parses the macro's input.
pub(crate) fn tree(tokens: TokenStream) -> syn::Result<RawTree> {
    syn::parse2(tokens)
}
