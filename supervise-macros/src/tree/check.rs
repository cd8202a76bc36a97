//! The rules a tree must follow, one function each. Every violation is recorded, so the
//! user sees all of them at once.

use std::collections::BTreeMap;

use quote::quote;
use syn::ext::IdentExt;

use super::ast::{AutoShutdown, Backoff, Child, Dynamic, Kind, Restart, Set, Sup, Tree};
use crate::ctxt::Ctxt;

/// Methods of a generated supervisor handle that a child's accessor would shadow.
pub(crate) const HANDLE_METHODS: &[&str] = &[
    "which_children",
    "count_children",
    "terminate_child",
    "restart_child",
    "delete_child",
    "start_child",
    "start_child_following",
    "stop",
    "pid",
    "is_alive",
    "current",
    "following",
    "handle",
    "process",
    "shape",
    "clone",
    "deref",
    "fmt",
];

/// Runs every rule.
pub(crate) fn all(tree: &Tree, cx: &mut Ctxt) {
    params_unique(tree, cx);
    supervisor(&tree.root, cx);
}

fn supervisor(sup: &Sup, cx: &mut Ctxt) {
    not_empty(sup, cx);
    names_unique(sup, cx);
    window(sup.flags.within.as_ref(), cx);
    backoff(sup.flags.backoff.as_ref(), cx);
    auto_shutdown_needs_significant(sup, cx);
    for child in &sup.children {
        child_name(child, cx);
        significant_not_permanent(child, cx);
        significant_needs_auto_shutdown(sup, child, cx);
        match &child.kind {
            Kind::Sup(inner) => supervisor(inner, cx),
            Kind::Dynamic(d) => dynamic(d, cx),
            Kind::Worker { .. } | Kind::Tree { .. } => {}
        }
    }
}

fn dynamic(d: &Dynamic, cx: &mut Ctxt) {
    window(d.within.as_ref(), cx);
    backoff(d.backoff.as_ref(), cx);
    if let Some(max) = &d.max_children {
        if max.value == 0 {
            cx.error(
                &max.tokens,
                "`max_children = 0` would refuse every child: leave `max_children` out for no limit",
            );
        }
    }
}

/// OTP accepts `Supervisor.init([], ..)`; a block's children are all it will ever start
/// (the tree's shape is fixed here), so an empty one is a mistake.
fn not_empty(sup: &Sup, cx: &mut Ctxt) {
    if sup.children.is_empty() {
        cx.push(syn::Error::new(
            sup.brace,
            "a supervisor needs at least one child: its children are fixed in the block; for children started at run time use `dynamic` (`jobs: dynamic<Job>`)",
        ));
    }
}

/// Names are the children's ids: each duplicate is reported, not only the first.
fn names_unique(sup: &Sup, cx: &mut Ctxt) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for child in &sup.children {
        let name = child.name.unraw().to_string();
        let count = seen.entry(name.clone()).or_default();
        *count += 1;
        if *count > 1 {
            cx.error(
                &child.name,
                format!("duplicate child name `{name}`: a child's name is its id, so the names of one supervisor's children must be unique"),
            );
        }
    }
}

/// A child's name becomes a method of its supervisor's handle and an id enum variant.
fn child_name(child: &Child, cx: &mut Ctxt) {
    let name = child.name.unraw().to_string();
    if HANDLE_METHODS.contains(&name.as_str()) {
        cx.error(
            &child.name,
            format!("a child cannot be named `{name}`: each child's name becomes an accessor of its supervisor's handle, which already has `{name}`"),
        );
    } else if name.starts_with('_') || name.chars().any(|c| c.is_uppercase()) {
        cx.error(
            &child.name,
            format!("child names are snake_case (`{}`): each becomes an accessor method and an id enum variant", name.trim_start_matches('_').to_lowercase()),
        );
    }
}

/// The restart window cannot be zero (OTP's `period` is at least 1 second).
fn window(within: Option<&Set<u64>>, cx: &mut Ctxt) {
    if let Some(within) = within {
        if within.value == 0 {
            cx.error(
                &within.tokens,
                "`within` is the window restarts are counted in and cannot be zero: write e.g. `within = 5s`",
            );
        }
    }
}

fn backoff(backoff: Option<&Set<Backoff>>, cx: &mut Ctxt) {
    let Some(set) = backoff else { return };
    let Backoff { base, max } = set.value;
    if base == 0 {
        cx.error(
            &set.tokens,
            "the backoff's base cannot be zero: it doubles from there",
        );
    } else if base > max {
        cx.error(
            &set.tokens,
            "the backoff's base is longer than its max: write `base..max`, shorter first",
        );
    }
}

fn is_significant(child: &Child) -> bool {
    child
        .overrides
        .significant
        .as_ref()
        .is_some_and(|s| s.value)
}

/// OTP rejects a significant permanent child: it is never done on its own.
fn significant_not_permanent(child: &Child, cx: &mut Ctxt) {
    let Some(significant) = &child.overrides.significant else {
        return;
    };
    let restart = child.overrides.restart.as_ref().map(|r| r.value);
    if significant.value && matches!(restart, None | Some(Restart::Permanent)) {
        let where_ = match &child.overrides.restart {
            Some(r) => r.tokens.clone(),
            None => significant.tokens.clone(),
        };
        let name = &child.name;
        cx.error(
            quote!(#where_),
            format!("`{name}` is significant, so it cannot be permanent (the default restart): a permanent child is always restarted and never ends its supervisor; add `restart = transient` or `restart = temporary`"),
        );
    }
}

fn auto_shutdown_of(sup: &Sup) -> AutoShutdown {
    sup.flags
        .auto_shutdown
        .as_ref()
        .map_or(AutoShutdown::Never, |a| a.value)
}

/// OTP rejects a significant child under `auto_shutdown = never`.
fn significant_needs_auto_shutdown(sup: &Sup, child: &Child, cx: &mut Ctxt) {
    if is_significant(child) && auto_shutdown_of(sup) == AutoShutdown::Never {
        if let Some(significant) = &child.overrides.significant {
            cx.error(
                &significant.tokens,
                format!("`{}` is significant, but its supervisor has no `auto_shutdown`: write `auto_shutdown = any_significant` or `all_significant` in the supervisor's options, or leave `significant` out", child.name),
            );
        }
    }
}

/// OTP accepts this (the supervisor then never stops itself); in a block it is a
/// forgotten `significant = true`.
fn auto_shutdown_needs_significant(sup: &Sup, cx: &mut Ctxt) {
    let Some(auto) = &sup.flags.auto_shutdown else {
        return;
    };
    if auto.value != AutoShutdown::Never && !sup.children.iter().any(is_significant) {
        cx.error(
            &auto.tokens,
            "`auto_shutdown` needs a significant child: mark the children whose end ends this supervisor with `; significant = true, restart = transient`",
        );
    }
}

fn params_unique(tree: &Tree, cx: &mut Ctxt) {
    for (i, param) in tree.params.iter().enumerate() {
        if tree.params[..i].iter().any(|p| p.name == param.name) {
            cx.error(
                &param.name,
                format!("the start parameter `{}` is declared twice", param.name),
            );
        }
    }
}
