//! The arguments of `#[worker(...)]`: `crate = path`, `vis = visibility` and
//! `child_spec = false`.

use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitBool, Path, Token, Visibility};

use crate::ctxt::Ctxt;

const CRATE: &str = "crate";
const VIS: &str = "vis";
const CHILD_SPEC: &str = "child_spec";
const VALID: &str =
    "valid arguments are `crate = path`, `vis = visibility` and `child_spec = false`";

/// The parsed arguments, with their defaults filled in.
pub(crate) struct Args {
    /// Where the runtime is: `::supervise_runtime` unless renamed.
    pub(crate) krate: Path,
    /// The visibility of the generated items.
    pub(crate) vis: Visibility,
    /// Whether to generate `child_spec` (which needs `Clone` start arguments).
    pub(crate) child_spec: bool,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            krate: syn::parse_quote!(::supervise_runtime),
            vis: syn::parse_quote!(pub),
            child_spec: true,
        }
    }
}

/// Parses the arguments; each mistake is recorded and the default kept.
pub(crate) fn parse(tokens: TokenStream, cx: &mut Ctxt) -> Args {
    let mut found = Found::default();
    let parser = |input: ParseStream<'_>| parse_list(input, &mut found);
    if let Err(e) = parser.parse2(tokens) {
        cx.push(e);
    }
    for e in found.errors {
        cx.push(e);
    }
    let mut args = Args::default();
    if let Some(krate) = found.krate {
        args.krate = krate;
    }
    if let Some(vis) = found.vis {
        args.vis = vis;
    }
    if let Some(child_spec) = found.child_spec {
        args.child_spec = child_spec.value;
    }
    args
}

#[derive(Default)]
struct Found {
    krate: Option<Path>,
    vis: Option<Visibility>,
    child_spec: Option<LitBool>,
    errors: Vec<syn::Error>,
}

fn parse_list(input: ParseStream<'_>, found: &mut Found) -> syn::Result<()> {
    while !input.is_empty() {
        let key = input.call(Ident::parse_any)?;
        input.parse::<Token![=]>()?;
        parse_value(&key, input, found)?;
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(())
}

fn parse_value(key: &Ident, input: ParseStream<'_>, found: &mut Found) -> syn::Result<()> {
    if key == CRATE {
        let path = input.call(Path::parse_mod_style)?;
        set_once(&mut found.krate, path, key, &mut found.errors);
    } else if key == VIS {
        let vis: Visibility = input.parse()?;
        if let Visibility::Inherited = vis {
            let message = "write a visibility after `vis =`: `pub`, `pub(crate)`, or `pub(self)` for private items";
            return Err(syn::Error::new(key.span(), message));
        }
        set_once(&mut found.vis, vis, key, &mut found.errors);
    } else if key == CHILD_SPEC {
        let value: LitBool = input.parse().map_err(|e| {
            let message = "write `child_spec = false` to generate no `child_spec` (for start arguments that are not `Clone`), or leave it out";
            syn::Error::new(e.span(), message)
        })?;
        set_once(&mut found.child_spec, value, key, &mut found.errors);
    } else {
        found.errors.push(syn::Error::new(
            key.span(),
            format!("unknown `#[worker]` argument `{key}`: {VALID}"),
        ));
        skip_value(input)?;
    }
    Ok(())
}

fn set_once<T>(slot: &mut Option<T>, value: T, key: &Ident, errors: &mut Vec<syn::Error>) {
    if slot.is_some() {
        let message = format!("`{key}` is given twice: each `#[worker]` argument may appear once");
        errors.push(syn::Error::new(key.span(), message));
    } else {
        *slot = Some(value);
    }
}

/// Skips an unknown argument's value, up to the next comma.
fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ',') {
                return Ok(((), rest));
            }
            rest = next;
        }
        Ok(((), rest))
    })
}
