//! Code generation from a tree that passed every check.
//!
//! Every runtime name the generated code uses is in [`Rt`], in one place, as
//! `#krate::__private::Name`.
//!
//! Generated, for `pub App(params): strategy(..) { .. }`:
//! - `pub struct App`, with `SHAPE` (the tree's shape as plain data), `spec(params)`,
//!   `child_spec(params)`, `start(params)`, `start_link(params)` and `application(params)`;
//! - `pub struct AppRef`, the running tree: the root supervisor's API with ids typed;
//! - one id enum per static supervisor: `AppChild`, `AppPipelineChild`, ..

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident};

use super::ast::{
    AutoShutdown, Backoff, Child, Dynamic, Kind, Restart, Set, Shutdown, Strategy, Sup, Tree,
};
use crate::worker::names;

/// The runtime's names, all through `#krate::__private`.
struct Rt(TokenStream);

impl Rt {
    fn name(&self, name: &str) -> TokenStream {
        let private = &self.0;
        let ident = Ident::new(name, Span::call_site());
        quote!(#private::#ident)
    }
    fn private(&self) -> &TokenStream {
        &self.0
    }
    fn child_spec(&self) -> TokenStream {
        self.name("ChildSpec")
    }
    fn supervisor(&self) -> TokenStream {
        self.name("Supervisor")
    }
    fn supervisor_spec(&self) -> TokenStream {
        self.name("SupervisorSpec")
    }
    fn dynamic_spec(&self) -> TokenStream {
        self.name("DynamicSupervisorSpec")
    }
    fn start_error(&self) -> TokenStream {
        self.name("SupervisorStartError")
    }
    fn application(&self) -> TokenStream {
        self.name("Application")
    }
    fn duration(&self, millis: u64) -> TokenStream {
        let private = &self.0;
        quote!(#private::core::time::Duration::from_millis(#millis))
    }
    /// The spanned assertion that a child's expression is a `ChildSpec<W>`.
    fn tree_child(&self) -> TokenStream {
        self.name("tree_child")
    }
    /// The shape types (`supervise_runtime::tree`).
    fn shape(&self, name: &str) -> TokenStream {
        let private = &self.0;
        let ident = Ident::new(name, Span::call_site());
        quote!(#private::tree::#ident)
    }
}

/// Everything generated for a tree.
pub(crate) fn all(tree: &Tree) -> TokenStream {
    let krate = &tree.krate;
    let rt = Rt(quote!(#krate::__private));
    let g = Gen { tree, rt };
    let ty = g.tree_type();
    let reference = g.ref_structs(&tree.root, &tree.name, &g.ref_name());
    let enums = g.id_enums(&tree.root, &tree.name);
    quote! {
        #ty
        #reference
        #enums
    }
}

struct Gen<'a> {
    tree: &'a Tree,
    rt: Rt,
}

impl Gen<'_> {
    fn params(&self) -> TokenStream {
        let params = self.tree.params.iter().map(|p| {
            let (name, ty) = (&p.name, &p.ty);
            quote!(#name: #ty)
        });
        quote!(#(#params),*)
    }

    /// The parameters' names, each followed by a comma (for a call with more arguments).
    fn args_then(&self) -> TokenStream {
        let names = self.tree.params.iter().map(|p| &p.name);
        quote!(#(#names,)*)
    }

    /// The parameters, each followed by a comma.
    fn params_then(&self) -> TokenStream {
        let params = self.tree.params.iter().map(|p| {
            let (name, ty) = (&p.name, &p.ty);
            quote!(#name: #ty,)
        });
        quote!(#(#params)*)
    }

    fn param_names(&self) -> TokenStream {
        let names = self.tree.params.iter().map(|p| &p.name);
        quote!(#(#names),*)
    }

    /// `let p = p.clone();` for every parameter: each child's expression gets its own
    /// copy, as it is evaluated once and the spec keeps what it was given.
    fn clones(&self) -> TokenStream {
        let private = self.rt.private();
        let lets = self.tree.params.iter().map(|p| {
            let name = &p.name;
            let ty = &p.ty;
            let clone = quote_spanned!(ty.span()=> <#ty as #private::CloneArg>::clone_arg(&#name));
            quote! {
                #[allow(unused_variables)]
                let #name: #ty = #clone;
            }
        });
        quote!(#(#lets)*)
    }

    fn ref_name(&self) -> Ident {
        names::suffixed(&self.tree.name, "Ref").unwrap_or_else(|| format_ident!("TreeRef"))
    }

    fn tree_type(&self) -> TokenStream {
        let Tree {
            vis, name, docs, ..
        } = self.tree;
        let rt = &self.rt;
        let (params, args, then) = (self.params(), self.param_names(), self.args_then());
        let (child_spec, sup, sup_spec, err, app, following, sup_ref) = (
            rt.child_spec(),
            rt.supervisor(),
            rt.supervisor_spec(),
            rt.start_error(),
            rt.application(),
            rt.name("Following"),
            rt.shape("SupervisorRef"),
        );
        let reference = self.ref_name();
        let build = self.build();
        let (shape_ty, shape) = (rt.shape("Shape"), self.tree_shape());
        let start_doc = format!(
            "Starts the tree, not linked to the caller; returns its [`{reference}`], whose accessors reach every named child."
        );
        let link_doc =
            format!("Starts the tree linked to the calling process; returns its [`{reference}`].");
        let following_doc = format!(
            "The tree as a child of a supervisor written by hand, with the [`{reference}`] that reaches its children once that supervisor started it (and after its restarts)."
        );
        let app_doc = format!(
            "Starts the tree as the application's root (see `Application::run`: ordered stop on SIGINT/SIGTERM, exit code non-zero when the root gave up), with its [`{reference}`]."
        );
        let (spec_var, root_var, tree_var) = (
            Ident::new("__spec", Span::mixed_site()),
            Ident::new("__root", Span::mixed_site()),
            Ident::new("__tree", Span::mixed_site()),
        );
        quote! {
            #(#docs)*
            #[derive(Clone, Copy, Debug)]
            #vis struct #name {
                _private: (),
            }

            impl #name {
                /// The tree's shape (names, strategies, worker types, intensity), known
                /// at compile time: print it without starting anything.
                #vis const SHAPE: #shape_ty = #shape;

                /// The root supervisor's spec, every child in it.
                #[allow(clippy::too_many_arguments)]
                #vis fn spec(#params) -> #sup_spec {
                    Self::__build(#then ::core::option::Option::None).0
                }

                /// The tree as a child of another supervisor (or tree).
                #[allow(clippy::too_many_arguments)]
                #vis fn child_spec(#params) -> #child_spec<#sup> {
                    #child_spec::supervisor(Self::spec(#args))
                }

                #[doc = #following_doc]
                #[allow(clippy::too_many_arguments)]
                #vis fn child_spec_following(#params) -> (#child_spec<#sup>, #reference) {
                    let (#spec_var, #root_var, #tree_var) = Self::__build(#then ::core::option::Option::None);
                    (#child_spec::supervisor(#spec_var).publish(&#root_var), #tree_var)
                }

                #[doc = #start_doc]
                #[allow(clippy::too_many_arguments)]
                #vis async fn start(#params) -> ::core::result::Result<#reference, #err> {
                    let (#spec_var, _, mut #tree_var) = Self::__build(#then ::core::option::Option::None);
                    let #root_var = #sup::start(#spec_var).await?;
                    #tree_var.__sup = #sup_ref::__new(#following::from(#root_var));
                    ::core::result::Result::Ok(#tree_var)
                }

                #[doc = #link_doc]
                #[allow(clippy::too_many_arguments)]
                #vis async fn start_link(#params) -> ::core::result::Result<#reference, #err> {
                    let (#spec_var, _, mut #tree_var) = Self::__build(#then ::core::option::Option::None);
                    let #root_var = #sup::start_link(#spec_var).await?;
                    #tree_var.__sup = #sup_ref::__new(#following::from(#root_var));
                    ::core::result::Result::Ok(#tree_var)
                }

                #[doc = #app_doc]
                #[allow(clippy::too_many_arguments)]
                #vis async fn application(#params) -> ::core::result::Result<(#app, #reference), #err> {
                    let (#spec_var, _, mut #tree_var) = Self::__build(#then ::core::option::Option::None);
                    let #root_var = #app::start(#spec_var).await?;
                    #tree_var.__sup = #sup_ref::__new(#following::from(#root_var.root().clone()));
                    ::core::result::Result::Ok((#root_var, #tree_var))
                }

                #build
            }
        }
    }

    /// `__build(params, parent)`: the root's spec, the handle its own supervisor publishes
    /// it into (within `parent`'s, when the tree is another tree's child), and the tree's
    /// handle, whose followings the specs publish into.
    fn build(&self) -> TokenStream {
        let Tree { vis, .. } = self.tree;
        let rt = &self.rt;
        let params = self.params_then();
        let (sup_spec, sup, following) =
            (rt.supervisor_spec(), rt.supervisor(), rt.name("Following"));
        let reference = self.ref_name();
        let parent = Ident::new("__parent", Span::mixed_site());
        let root = Ident::new("__f", Span::mixed_site());
        let mut lets = Vec::new();
        let (spec, tree) = self.build_sup(&self.tree.root, &root, &reference, "", &mut lets);
        quote! {
            #[doc(hidden)]
            #[allow(clippy::too_many_arguments, clippy::redundant_clone, unused_variables)]
            #vis fn __build(
                #params
                #parent: ::core::option::Option<&#following<#sup>>,
            ) -> (#sup_spec, #following<#sup>, #reference) {
                let #root: #following<#sup> = match #parent {
                    ::core::option::Option::Some(p) => #following::within(p),
                    ::core::option::Option::None => #following::new(),
                };
                #(#lets)*
                (#spec, ::core::clone::Clone::clone(&#root), #tree)
            }
        }
    }

    /// A static supervisor's spec and handle expressions; the followings they use are
    /// pushed on `lets` (made within `me`, the supervisor's own).
    fn build_sup(
        &self,
        sup: &Sup,
        me: &Ident,
        ref_ty: &Ident,
        prefix: &str,
        lets: &mut Vec<TokenStream>,
    ) -> (TokenStream, TokenStream) {
        let rt = &self.rt;
        let (following, sup_ref, dynamic_ref) = (
            rt.name("Following"),
            rt.shape("SupervisorRef"),
            rt.shape("DynamicRef"),
        );
        let (child_spec, supervisor, dynamic) = (
            rt.child_spec(),
            rt.supervisor(),
            rt.name("DynamicSupervisor"),
        );
        let mut children = Vec::new();
        let mut fields = Vec::new();
        for (i, child) in sup.children.iter().enumerate() {
            let path = format!("{prefix}_{i}");
            let var = Ident::new(&format!("__f{path}"), Span::mixed_site());
            let name = &child.name;
            let id = syn::ext::IdentExt::unraw(name).to_string();
            let overrides = self.overrides(child);
            let spec = match &child.kind {
                Kind::Worker { ty: Some(ty), expr } => {
                    let spec = self.worker_spec(Some(ty), expr);
                    lets.push(quote!(let #var = #following::<#ty>::within(&#me);));
                    fields.push(quote!(#name: ::core::convert::From::from(#var)));
                    quote!(#spec.publish(&#var))
                }
                Kind::Worker { ty: None, expr } => self.worker_spec(None, expr),
                Kind::Sup(inner) => {
                    lets.push(quote!(let #var = #following::<#supervisor>::within(&#me);));
                    let inner_ref = self.sup_ref_name(ref_ty, name);
                    let (spec, reference) = self.build_sup(inner, &var, &inner_ref, &path, lets);
                    fields.push(quote!(#name: #reference));
                    quote!(#child_spec::supervisor(#spec).publish(&#var))
                }
                Kind::Dynamic(d) => {
                    lets.push(quote!(let #var = #following::<#dynamic>::within(&#me);));
                    fields.push(quote!(#name: #dynamic_ref::__new(#var)));
                    let spec = self.dynamic_spec(d);
                    quote!(#spec.publish(&#var))
                }
                Kind::Tree { path, args } => {
                    let clones = self.clones();
                    let (s, r) = (
                        Ident::new(&format!("__s{}", var), Span::mixed_site()),
                        Ident::new(&format!("__r{}", var), Span::mixed_site()),
                    );
                    lets.push(quote! {
                        let (#s, #var, #r) = { #clones #path::__build(#(#args,)* ::core::option::Option::Some(&#me)) };
                    });
                    fields.push(quote!(#name: #r));
                    quote!(#child_spec::supervisor(#s).publish(&#var))
                }
            };
            children.push(quote!(.child(#spec.id(#id) #overrides)));
        }
        let spec = self.supervisor_spec(sup, &children);
        let reference = quote! {
            #ref_ty { __sup: #sup_ref::__new(::core::clone::Clone::clone(&#me)), #(#fields,)* }
        };
        (spec, reference)
    }

    /// The handle type of the nested supervisor `child` of the one whose handle is
    /// `parent` (`AppRef` + `pipeline` = `AppPipelineRef`).
    fn sup_ref_name(&self, parent: &Ident, child: &Ident) -> Ident {
        let base = parent.to_string();
        let base = base.strip_suffix("Ref").unwrap_or(&base);
        let variant = names::variant(child).map_or_else(|| "Child".to_owned(), |v| v.to_string());
        format_ident!("{}{}Ref", base.trim_start_matches("r#"), variant)
    }
}

/// Specs.
impl Gen<'_> {
    /// `SupervisorSpec::new(..).intensity(..)..child(..)..`, `children` being the
    /// `.child(..)` calls.
    fn supervisor_spec(&self, sup: &Sup, children: &[TokenStream]) -> TokenStream {
        let rt = &self.rt;
        let sup_spec = rt.supervisor_spec();
        let strategy = strategy(rt, sup.strategy);
        let intensity = self.intensity(sup.flags.max_restarts.as_ref(), sup.flags.within.as_ref());
        let auto = sup.flags.auto_shutdown.as_ref().map(|a| {
            let value = auto_shutdown(rt, a.value);
            quote!(.auto_shutdown(#value))
        });
        let backoff = self.backoff(sup.flags.backoff.as_ref());
        quote! {
            #sup_spec::new(#strategy) #intensity #auto #backoff #(#children)*
        }
    }

    fn intensity(&self, max: Option<&Set<u32>>, within: Option<&Set<u64>>) -> Option<TokenStream> {
        if max.is_none() && within.is_none() {
            return None;
        }
        let max = max.map_or(3, |m| m.value);
        let within = self.rt.duration(within.map_or(5_000, |w| w.value));
        Some(quote!(.intensity(#max, #within)))
    }

    fn backoff(&self, backoff: Option<&Set<Backoff>>) -> Option<TokenStream> {
        let Backoff { base, max } = backoff?.value;
        let rt = &self.rt;
        let (ty, base, max) = (rt.name("Backoff"), rt.duration(base), rt.duration(max));
        Some(quote!(.backoff(#ty::exponential(#base, #max))))
    }

    fn worker_spec(&self, ty: Option<&syn::Type>, expr: &Expr) -> TokenStream {
        let clones = self.clones();
        let assert = respan(self.rt.tree_child(), expr.span());
        let checked = quote_spanned!(expr.span()=> #assert(#expr));
        match ty {
            Some(ty) => {
                let child_spec = self.rt.child_spec();
                let spec = Ident::new("__spec", Span::mixed_site());
                let typed = respan(quote!(#child_spec<#ty>), ty.span());
                quote!({ #clones let #spec: #typed = #checked; #spec })
            }
            None => quote!({ #clones #checked }),
        }
    }

    fn dynamic_spec(&self, d: &Dynamic) -> TokenStream {
        let rt = &self.rt;
        let (spec, child_spec) = (rt.dynamic_spec(), rt.child_spec());
        let max_children = d.max_children.as_ref().map(|m| {
            let n = m.value as usize;
            quote!(.max_children(#n))
        });
        let intensity = self.intensity(d.max_restarts.as_ref(), d.within.as_ref());
        let backoff = self.backoff(d.backoff.as_ref());
        let extra = d.extra_arguments.as_ref().map(|e| {
            let clones = self.clones();
            let value = &e.value;
            quote!(.extra_arguments({ #clones #value }))
        });
        quote! {
            #child_spec::dynamic_supervisor(#spec::new() #max_children #intensity #backoff #extra)
        }
    }

    fn overrides(&self, child: &Child) -> TokenStream {
        let rt = &self.rt;
        let o = &child.overrides;
        let restart = o.restart.as_ref().map(|r| {
            let value = restart(rt, r.value);
            quote!(.restart(#value))
        });
        let shutdown = o.shutdown.as_ref().map(|s| {
            let value = shutdown(rt, s.value);
            quote!(.shutdown(#value))
        });
        let significant = o.significant.as_ref().map(|s| {
            let value = s.value;
            quote!(.significant(#value))
        });
        let name = o.name.as_ref().map(|n| {
            let value = &n.value;
            quote!(.name(#value))
        });
        quote!(#restart #shutdown #significant #name)
    }
}

fn strategy(rt: &Rt, s: Strategy) -> TokenStream {
    let ty = rt.name("Strategy");
    match s {
        Strategy::OneForOne => quote!(#ty::OneForOne),
        Strategy::OneForAll => quote!(#ty::OneForAll),
        Strategy::RestForOne => quote!(#ty::RestForOne),
    }
}

fn auto_shutdown(rt: &Rt, a: AutoShutdown) -> TokenStream {
    let ty = rt.name("AutoShutdown");
    match a {
        AutoShutdown::Never => quote!(#ty::Never),
        AutoShutdown::AnySignificant => quote!(#ty::AnySignificant),
        AutoShutdown::AllSignificant => quote!(#ty::AllSignificant),
    }
}

fn restart(rt: &Rt, r: Restart) -> TokenStream {
    let ty = rt.name("Restart");
    match r {
        Restart::Permanent => quote!(#ty::Permanent),
        Restart::Transient => quote!(#ty::Transient),
        Restart::Temporary => quote!(#ty::Temporary),
    }
}

fn shutdown(rt: &Rt, s: Shutdown) -> TokenStream {
    let ty = rt.name("Shutdown");
    match s {
        Shutdown::BrutalKill => quote!(#ty::BrutalKill),
        Shutdown::Infinity => quote!(#ty::Infinity),
        Shutdown::Millis(ms) => {
            let d = rt.duration(ms);
            quote!(#ty::Timeout(#d))
        }
    }
}

/// The shape, as a constant.
impl Gen<'_> {
    fn tree_shape(&self) -> TokenStream {
        let shape = self.rt.shape("Shape");
        let name = syn::ext::IdentExt::unraw(&self.tree.name).to_string();
        let root = self.sup_shape(&self.tree.root);
        quote!(#shape { name: #name, root: #root })
    }

    fn sup_shape(&self, sup: &Sup) -> TokenStream {
        let rt = &self.rt;
        let ty = rt.shape("SupervisorShape");
        let strategy = strategy(rt, sup.strategy);
        let intensity =
            self.intensity_shape(sup.flags.max_restarts.as_ref(), sup.flags.within.as_ref());
        let auto = auto_shutdown(
            rt,
            sup.flags
                .auto_shutdown
                .as_ref()
                .map_or(AutoShutdown::Never, |a| a.value),
        );
        let children = sup.children.iter().map(|c| self.child_shape(c));
        let backoff = self.backoff_shape(sup.flags.backoff.as_ref());
        quote! {
            #ty { strategy: #strategy, intensity: #intensity, auto_shutdown: #auto, backoff: #backoff, children: &[#(#children),*] }
        }
    }

    fn backoff_shape(&self, backoff: Option<&Set<Backoff>>) -> TokenStream {
        match backoff {
            Some(b) => {
                let ty = self.rt.shape("BackoffShape");
                let (base, max) = (
                    self.rt.duration(b.value.base),
                    self.rt.duration(b.value.max),
                );
                quote!(::core::option::Option::Some(#ty { base: #base, max: #max }))
            }
            None => quote!(::core::option::Option::None),
        }
    }

    fn intensity_shape(&self, max: Option<&Set<u32>>, within: Option<&Set<u64>>) -> TokenStream {
        let ty = self.rt.shape("Intensity");
        let max = max.map_or(3, |m| m.value);
        let within = self.rt.duration(within.map_or(5_000, |w| w.value));
        quote!(#ty { max_restarts: #max, within: #within })
    }

    fn child_shape(&self, child: &Child) -> TokenStream {
        let rt = &self.rt;
        let (ty, kind) = (rt.shape("ChildShape"), rt.shape("ChildKind"));
        let name = syn::ext::IdentExt::unraw(&child.name).to_string();
        let body = match &child.kind {
            Kind::Worker { ty, .. } => {
                let worker = type_text(ty.as_ref());
                quote!(#kind::Worker { worker: #worker })
            }
            Kind::Sup(sup) => {
                let sup = self.sup_shape(sup);
                quote!(#kind::Supervisor(#sup))
            }
            Kind::Dynamic(d) => {
                let worker = type_text(d.worker.as_ref());
                let max = match &d.max_children {
                    Some(m) => {
                        let n = m.value as usize;
                        quote!(::core::option::Option::Some(#n))
                    }
                    None => quote!(::core::option::Option::None),
                };
                let intensity = self.intensity_shape(d.max_restarts.as_ref(), d.within.as_ref());
                let backoff = self.backoff_shape(d.backoff.as_ref());
                quote!(#kind::Dynamic { worker: #worker, max_children: #max, intensity: #intensity, backoff: #backoff })
            }
            Kind::Tree { path, .. } => quote!(#kind::Tree(&#path::SHAPE)),
        };
        let o = &child.overrides;
        let restart = restart(
            rt,
            o.restart.as_ref().map_or(Restart::Permanent, |r| r.value),
        );
        let significant = o.significant.as_ref().is_some_and(|s| s.value);
        quote!(#ty { name: #name, kind: #body, restart: #restart, significant: #significant })
    }
}

/// `tokens` with every span set to `span`, so a type error in generated code around the
/// user's expression points at the expression.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = proc_macro2::TokenTree::Group(group);
            }
            tt.set_span(span);
            tt
        })
        .collect()
}

/// A type as written (`Option<&str>`), for the shape.
fn type_text(ty: Option<&syn::Type>) -> TokenStream {
    match ty {
        Some(ty) => {
            let text = quote!(#ty).to_string().replace(' ', "");
            quote!(::core::option::Option::Some(#text))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// The running tree's handles and the id enums.
impl Gen<'_> {
    /// One handle type per static supervisor (`AppRef`, `AppPipelineRef`): an accessor
    /// per named child, and the supervisor's API (through `Deref` to `SupervisorRef`).
    fn ref_structs(&self, sup: &Sup, path_name: &Ident, ref_ty: &Ident) -> TokenStream {
        let Tree { vis, name, .. } = self.tree;
        let rt = &self.rt;
        let (following, refof, sup_ref, dynamic_ref, any) = (
            rt.name("Following"),
            rt.name("RefOf"),
            rt.shape("SupervisorRef"),
            rt.shape("DynamicRef"),
            rt.shape("AnyWorker"),
        );
        let ids = id_enum_name(&[path_name]);
        let (as_process, process_ref) = (rt.name("AsProcess"), rt.name("ProcessRef"));
        let mut fields = Vec::new();
        let mut accessors = Vec::new();
        let mut nested = Vec::new();
        for child in &sup.children {
            let child_name = &child.name;
            let id = syn::ext::IdentExt::unraw(child_name).to_string();
            let (ty, what) = match &child.kind {
                Kind::Worker { ty: Some(ty), .. } => (
                    quote!(#refof<#ty, #following<#ty>>),
                    format!(
                        "the worker `{id}` (`{}`), following its restarts: calls made while it restarts wait for the next incarnation within their timeout",
                        quote!(#ty).to_string().replace(' ', "")
                    ),
                ),
                Kind::Worker { ty: None, .. } => continue,
                Kind::Sup(inner) => {
                    let inner_ref = self.sup_ref_name(ref_ty, child_name);
                    let inner_path = names::variant(child_name)
                        .and_then(|v| names::suffixed(path_name, &v.to_string()))
                        .unwrap_or_else(|| format_ident!("Child"));
                    nested.push(self.ref_structs(inner, &inner_path, &inner_ref));
                    (
                        quote!(#inner_ref),
                        format!("the supervisor `{id}`: its children's accessors and its API"),
                    )
                }
                Kind::Dynamic(d) => match &d.worker {
                    Some(w) => (
                        quote!(#dynamic_ref<#w>),
                        format!(
                            "the dynamic supervisor `{id}`, which starts `{}` workers",
                            quote!(#w).to_string().replace(' ', "")
                        ),
                    ),
                    None => (
                        quote!(#dynamic_ref<#any>),
                        format!("the dynamic supervisor `{id}`, open to any worker"),
                    ),
                },
                Kind::Tree { path, .. } => {
                    let mut path = path.clone();
                    let Some(last) = path.segments.last_mut() else {
                        continue;
                    };
                    let Some(r) = names::suffixed(&last.ident, "Ref") else {
                        continue;
                    };
                    let tree = last.ident.to_string();
                    last.ident = r;
                    (
                        quote!(#path),
                        format!("the tree `{id}` (`{tree}`): its accessors and its root's API"),
                    )
                }
            };
            let line = format!(" The child `{id}`: {what}.");
            let docs = &child.docs;
            fields.push(quote!(#child_name: #ty));
            accessors.push(quote! {
                #(#docs)*
                #[doc = #line]
                #vis fn #child_name(&self) -> &#ty {
                    &self.#child_name
                }
            });
        }
        let doc = if *ref_ty == self.ref_name() {
            format!(
                "A running [`{name}`]: an accessor per named child, and (through `Deref`) the root supervisor's API, ids typed as [`{ids}`]."
            )
        } else {
            format!(
                "A supervisor of a running [`{name}`]: an accessor per named child, and (through `Deref`) its API, ids typed as [`{ids}`]."
            )
        };
        quote! {
            #[doc = #doc]
            #[derive(Clone, Debug)]
            #vis struct #ref_ty {
                __sup: #sup_ref<#ids>,
                #(#fields,)*
            }

            #[allow(dead_code)]
            impl #ref_ty {
                #(#accessors)*
            }

            impl #as_process for #ref_ty {
                fn process(&self) -> #process_ref {
                    #as_process::process(&self.__sup)
                }
            }

            impl ::core::ops::Deref for #ref_ty {
                type Target = #sup_ref<#ids>;
                fn deref(&self) -> &#sup_ref<#ids> {
                    &self.__sup
                }
            }

            #(#nested)*
        }
    }

    /// One id enum per static supervisor, named after its path: `AppChild`,
    /// `AppPipelineChild`.
    fn id_enums(&self, sup: &Sup, path_name: &Ident) -> TokenStream {
        let vis = &self.tree.vis;
        let enum_name = id_enum_name(&[path_name]);
        let child_ids = self.rt.shape("ChildIds");
        let variants: Vec<Ident> = sup
            .children
            .iter()
            .map(|c| names::variant(&c.name).unwrap_or_else(|| format_ident!("Child")))
            .collect();
        let ids: Vec<String> = sup
            .children
            .iter()
            .map(|c| syn::ext::IdentExt::unraw(&c.name).to_string())
            .collect();
        let doc = format!(
            "The children of `{path_name}`'s supervisor, in start order: its `terminate_child` and `restart_child` take one."
        );
        let nested = sup.children.iter().filter_map(|c| match &c.kind {
            Kind::Sup(inner) => {
                let variant = names::variant(&c.name)?;
                let name = names::suffixed(path_name, &variant.to_string())?;
                Some(self.id_enums(inner, &name))
            }
            _ => None,
        });
        let variant_docs = sup.children.iter().zip(&ids).map(|(c, id)| {
            let own = c.docs.iter();
            let line = format!(" The child `{id}`.");
            if c.docs.is_empty() {
                quote!(#[doc = #line])
            } else {
                quote!(#(#own)*)
            }
        });
        quote! {
            #[doc = #doc]
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            #[allow(dead_code)]
            #vis enum #enum_name {
                #(#variant_docs #variants,)*
            }

            impl #enum_name {
                /// Every child, in start order.
                #vis const ALL: &'static [#enum_name] = &[#(#enum_name::#variants),*];

                /// The child's id in its supervisor (its name in the block).
                #vis const fn id(self) -> &'static str {
                    match self {
                        #(#enum_name::#variants => #ids,)*
                    }
                }
            }

            impl #child_ids for #enum_name {
                fn id(self) -> &'static str {
                    #enum_name::id(self)
                }
            }

            impl ::core::fmt::Display for #enum_name {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(self.id())
                }
            }

            #(#nested)*
        }
    }
}

fn id_enum_name(path: &[&Ident]) -> Ident {
    let base = path
        .last()
        .map_or_else(|| "Tree".to_owned(), |i| i.to_string());
    format_ident!("{}Child", base.trim_start_matches("r#"))
}
