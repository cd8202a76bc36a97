//! Small questions about types, answered from their syntax.

use syn::visit::Visit;
use syn::{GenericArgument, Ident, PathArguments, Type};

/// The last segment's identifier of a path type (`a::b::Foo<T>` -> `Foo`).
pub(crate) fn last_ident(ty: &Type) -> Option<&Ident> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| &s.ident),
        Type::Group(g) => last_ident(&g.elem),
        Type::Paren(p) => last_ident(&p.elem),
        _ => None,
    }
}

/// The first type argument of the last segment (`Result<T, E>` -> `T`).
pub(crate) fn first_type_arg(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// `()`.
pub(crate) fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(t) if t.elems.is_empty())
}

/// The first part of `ty` that borrows: a reference, or a lifetime other than `'static`.
pub(crate) fn first_borrow(ty: &Type) -> Option<proc_macro2::TokenStream> {
    use quote::ToTokens;
    let mut finder = Borrow(None);
    finder.visit_type(ty);
    finder.0.map(|t| t.to_token_stream())
}

/// The first `impl Trait` in `ty`.
pub(crate) fn first_impl_trait(ty: &Type) -> Option<&syn::TypeImplTrait> {
    struct Find<'a>(Option<&'a syn::TypeImplTrait>);
    impl<'a> Visit<'a> for Find<'a> {
        fn visit_type_impl_trait(&mut self, t: &'a syn::TypeImplTrait) {
            self.0.get_or_insert(t);
        }
    }
    let mut find = Find(None);
    find.visit_type(ty);
    find.0
}

struct Borrow<'a>(Option<Box<dyn quote::ToTokens + 'a>>);

impl<'a> Visit<'a> for Borrow<'a> {
    fn visit_type_reference(&mut self, r: &'a syn::TypeReference) {
        match &r.lifetime {
            Some(l) if l.ident == "static" => self.visit_type(&r.elem),
            _ if self.0.is_none() => self.0 = Some(Box::new(r)),
            _ => {}
        }
    }
    fn visit_lifetime(&mut self, l: &'a syn::Lifetime) {
        if self.0.is_none() && l.ident != "static" {
            self.0 = Some(Box::new(l));
        }
    }
}

/// `ty` with every `Self` replaced by `self_ty`, for items generated outside the impl block.
pub(crate) fn replace_self(ty: &Type, self_ty: &Type) -> Type {
    struct Replace<'a>(&'a Type);
    impl syn::visit_mut::VisitMut for Replace<'_> {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            match ty {
                Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self") => {
                    *ty = self.0.clone()
                }
                _ => syn::visit_mut::visit_type_mut(self, ty),
            }
        }
    }
    let mut ty = ty.clone();
    syn::visit_mut::VisitMut::visit_type_mut(&mut Replace(self_ty), &mut ty);
    ty
}

/// `String` (by its last segment, without arguments): arguments of this type accept
/// `impl Into<String>` in generated functions.
pub(crate) fn is_string(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    p.qself.is_none()
        && p.path
            .segments
            .last()
            .is_some_and(|s| s.ident == "String" && s.arguments.is_none())
}

/// Whether `ty` is written as a standard type that is always `Debug` (`u64`, `String`,
/// `Vec<u8>`, `Option<(bool, char)>`, `&'static str`..), and `Send` and `Clone`: its `Debug`
/// is used directly, without asking whether it has one, and no `Send` or `Clone` assertion
/// is generated for it, which is quicker to compile. A user type shadowing one of these
/// names would have to be all three too (or get the compiler's plainer error).
pub(crate) fn is_std_debug(ty: &Type) -> bool {
    const PLAIN: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64", "bool", "char", "String", "Duration",
    ];
    const WRAPPERS: &[&str] = &["Vec", "Option", "Box", "VecDeque"];
    match ty {
        Type::Group(g) => is_std_debug(&g.elem),
        Type::Paren(p) => is_std_debug(&p.elem),
        Type::Tuple(t) => t.elems.iter().all(is_std_debug),
        Type::Reference(r) if r.mutability.is_none() => {
            matches!(&*r.elem, Type::Path(p) if p.qself.is_none() && p.path.is_ident("str"))
                || is_std_debug(&r.elem)
        }
        Type::Path(p) if p.qself.is_none() => {
            let segments = &p.path.segments;
            let Some(last) = segments.last() else {
                return false;
            };
            // Only `Name` or a path through `std`/`core`/`alloc`.
            let prefix_ok = segments.len() == 1
                || segments
                    .first()
                    .is_some_and(|s| s.ident == "std" || s.ident == "core" || s.ident == "alloc");
            if !prefix_ok {
                return false;
            }
            let name = last.ident.to_string();
            match &last.arguments {
                PathArguments::None => PLAIN.contains(&name.as_str()),
                PathArguments::AngleBracketed(args) if WRAPPERS.contains(&name.as_str()) => {
                    args.args.iter().all(|a| match a {
                        GenericArgument::Type(t) => is_std_debug(t),
                        _ => false,
                    })
                }
                _ => false,
            }
        }
        _ => false,
    }
}
