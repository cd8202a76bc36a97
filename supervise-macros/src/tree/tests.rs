//! No input makes `supervision_tree!` panic: malformed and hostile token streams all come
//! back as `compile_error!`, never as a panic.

use proc_macro2::TokenStream;

use super::expand;

fn expands_to_error(input: &str) {
    let tokens: TokenStream = input
        .parse()
        .unwrap_or_else(|_| panic!("test input does not lex: `{input}`"));
    let out = std::panic::catch_unwind(|| expand(tokens))
        .unwrap_or_else(|_| panic!("expand panicked on `{input}`"));
    assert!(
        out.to_string().contains("compile_error"),
        "no error for `{input}`: {out}"
    );
}

fn expands_cleanly(input: &str) -> String {
    let tokens: TokenStream = input.parse().expect("test input lexes");
    let text = expand(tokens).to_string();
    assert!(!text.contains("compile_error"), "{input}: {text}");
    text
}

/// A valid tree with `$` replaced by `hole`.
fn with(hole: &str) -> String {
    format!(
        "App(url: String): one_for_one {{ a: A::child_spec(url), b: B::child_spec() ; {hole} }}"
    )
}

#[test]
fn truncated_blocks_give_errors() {
    let full = "pub App(url: String): one_for_one(max_restarts = 3, within = 5s) { a: A::child_spec(url) ; restart = transient, b: rest_for_one { c: C::child_spec() }, d: dynamic<D>(max_children = 3), e: tree E(1) }";
    let tokens: Vec<String> = full
        .parse::<TokenStream>()
        .expect("lexes")
        .into_iter()
        .map(|tt| tt.to_string())
        .collect();
    // Every prefix of the top level's tokens (the braces are one group, so cut inside
    // them with the texts below).
    for n in 0..tokens.len() {
        expands_to_error(&tokens[..n].join(" "));
    }
    for cut in [
        "App: one_for_one { a: }",
        "App: one_for_one { a }",
        "App: one_for_one { a: A::child_spec() ; }",
        "App: one_for_one { a: A::child_spec() ; restart }",
        "App: one_for_one { a: A::child_spec() ; restart = }",
        "App: one_for_one { a: rest_for_one { } }",
        "App: one_for_one { a: dynamic< }",
        "App: one_for_one { a: dynamic<D>(max_children) }",
        "App: one_for_one { a: tree X }",
        "App(: u8): one_for_one { a: A::child_spec() }",
        "App(x): one_for_one { a: A::child_spec() }",
        "App(x:): one_for_one { a: A::child_spec() }",
        "App: one_for_one(within) { a: A::child_spec() }",
        "App: one_for_one(within =) { a: A::child_spec() }",
    ] {
        expands_to_error(cut);
    }
}

#[test]
fn stray_tokens_give_errors() {
    for input in [
        "",
        ";",
        "App",
        "App:",
        "App: one_for_one",
        "App: one_for_one {} extra",
        "App: one_for_one { a: A::child_spec() } App2: one_for_one { a: A::child_spec() }",
        "App: one_for_one { a: A::child_spec() b: B::child_spec() }",
        "App: one_for_one { a: A::child_spec(),, }",
        "App: one_for_one { , }",
        "App: one_for_one { 1: A::child_spec() }",
        "App: one_for_one { a: A::child_spec() ;; }",
        "App: one_for_one { a: A::child_spec() ; restart = transient restart = temporary }",
        "App: 1 { a: A::child_spec() }",
        "App: one_for_one [ a: A::child_spec() ]",
        "App: one_for_one ( a: A::child_spec() )",
        "#[x] #![crate = ::a] App: one_for_one { a: A::child_spec() }",
        "#![crate = 1] App: one_for_one { a: A::child_spec() }",
        "#![foo] App: one_for_one { a: A::child_spec() }",
        "pub(crate) pub App: one_for_one { a: A::child_spec() }",
        "App: one_for_one { a: dynamic<D> { b: B::child_spec() } }",
        "App: one_for_one { a: dynamic<D>(max_children = 1)(x = 2) }",
        "App: one_for_one { a: tree E }",
        "App: one_for_one { a: tree E(1) { } }",
        "App: one_for_one { a: A = }",
        "App: one_for_one { a: = A::child_spec() }",
        "App(a: u8, a: u8): one_for_one { a: A::child_spec() }",
        "App(self: u8): one_for_one { a: A::child_spec() }",
        "App: one_for_one { self: A::child_spec() }",
        "App: one_for_one { r#type: A::child_spec(), r#type: A::child_spec() }",
    ] {
        expands_to_error(input);
    }
}

#[test]
fn every_option_with_a_wrong_value_gives_an_error() {
    let sup_values = [
        "max_restarts = -1",
        "max_restarts = 1.5",
        "max_restarts = \"3\"",
        "max_restarts = 3u8",
        "max_restarts = 99999999999",
        "max_restarts = x",
        "within = 0s",
        "within = 5",
        "within = 5h",
        "within = 1.5s",
        "within = -5s",
        "within = \"5s\"",
        "within = five",
        "within = 99999999999999999999m",
        "auto_shutdown = sometimes",
        "auto_shutdown = 1",
        "auto_shutdown = any_significant",
        "backoff = 5s",
        "backoff = 0ms..1s",
        "backoff = 5s..1s",
        "backoff = 1s..=5s",
        "backoff = ..5s",
        "backoff = 1s..",
        "backoff = 1..5",
        "strategy = one_for_all",
        "max_children = 3",
        "nonsense = 1",
        "within = 1s, within = 2s",
    ];
    for v in sup_values {
        expands_to_error(&format!("App: one_for_one({v}) {{ a: A::child_spec() }}"));
        expands_to_error(&format!(
            "App: one_for_one {{ p: rest_for_one({v}) {{ a: A::child_spec() }} }}"
        ));
    }
    let dyn_values = [
        "max_children = 0",
        "max_children = -1",
        "max_children = ten",
        "max_restarts = -3",
        "within = 0ms",
        "within = 5",
        "backoff = 3",
        "strategy = rest_for_one",
        "strategy = one_for_all",
        "strategy = sideways",
        "auto_shutdown = any_significant",
        "extra_arguments = 1, extra_arguments = 2",
        "bogus = 1",
    ];
    for v in dyn_values {
        expands_to_error(&format!("App: one_for_one {{ d: dynamic<D>({v}) }}"));
        expands_to_error(&format!("App: one_for_one {{ d: dynamic({v}) }}"));
    }
    let child_values = [
        "restart = sometimes",
        "restart = 1",
        "restart = \"transient\"",
        "shutdown = soon",
        "shutdown = 5",
        "shutdown = -1s",
        "shutdown = 1.5s",
        "significant = 1",
        "significant = yes",
        "significant = true",
        "significant = true, restart = permanent",
        "name = writer",
        "name = 1",
        "name = \"a\", name = \"b\"",
        "id = \"x\"",
        "max_restarts = 3",
    ];
    for v in child_values {
        expands_to_error(&with(v));
    }
}

#[test]
fn rule_breaking_trees_give_errors() {
    for input in [
        "App: one_for_two { a: A::child_spec() }",
        "App: one_for_one { }",
        "App: one_for_one { p: rest_for_one { } }",
        "App: one_for_one { a: A::child_spec(), a: A::child_spec(), a: A::child_spec() }",
        "App: one_for_one { p: one_for_all { a: A::child_spec(), a: B::child_spec() } }",
        "App: one_for_one { stop: A::child_spec() }",
        "App: one_for_one { Upper: A::child_spec() }",
        "App: one_for_one(auto_shutdown = all_significant) { a: A::child_spec() }",
        "App: one_for_one { a: A::child_spec() ; significant = true, restart = transient }",
        "App: one_for_one { p: sideways(within = 0s) { a: A::child_spec(), a: A::child_spec() } }",
    ] {
        expands_to_error(input);
    }
}

#[test]
fn token_soups_give_errors() {
    let atoms = [
        "App",
        ":",
        "one_for_one",
        "{",
        "}",
        "(",
        ")",
        ",",
        ";",
        "=",
        "<",
        ">",
        "..",
        "5s",
        "dynamic",
        "tree",
        "a",
        "A::child_spec()",
        "#",
        "!",
        "[",
        "]",
        "pub",
        "'a",
        "\"s\"",
        "-",
        "1.5",
        "true",
        "::",
        "r#x",
    ];
    // A fixed-seed xorshift, so a failure replays.
    let mut seed: u64 = 0x5eed_1234_abcd_9876;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..2_000 {
        let len = (next() % 24) as usize;
        let text: Vec<&str> = (0..len)
            .map(|_| atoms[(next() % atoms.len() as u64) as usize])
            .collect();
        let text = text.join(" ");
        let Ok(tokens) = text.parse::<TokenStream>() else {
            continue; // unbalanced delimiters do not lex: rustc never passes them
        };
        let out = std::panic::catch_unwind(|| expand(tokens))
            .unwrap_or_else(|_| panic!("expand panicked on `{text}`"));
        let _ = out;
    }
}

#[test]
fn valid_trees_expand_without_errors() {
    let text = expands_cleanly(
        "/// Docs.\npub App(redis_url: String, path: std::path::PathBuf): one_for_one(max_restarts = 3, within = 5s) {
            redis: Redis::child_spec(redis_url.clone()),
            jobs: dynamic<Job>(max_children = 10_000),
            any: dynamic(max_children = 5, within = 1s, backoff = 10ms..1s, extra_arguments = 7u32, strategy = one_for_one),
            pipeline: rest_for_one(max_restarts = 5, within = 1m, auto_shutdown = any_significant) {
                reader: Reader::child_spec(path.clone()),
                writer: Writer::child_spec() ; restart = transient, shutdown = 5s, significant = true, name = \"writer\",
                typed: Cache = ChildSpec::<Cache>::worker(1) ; shutdown = brutal_kill,
                deep: one_for_all { leaf: Leaf::child_spec() ; shutdown = infinity },
            },
            other: tree Other(redis_url.clone()),
        }",
    );
    for item in [
        "struct App",
        "struct AppRef",
        "enum AppChild",
        "enum AppPipelineChild",
        "enum AppPipelineDeepChild",
        "SHAPE",
    ] {
        assert!(text.contains(item), "{item} missing: {text}");
    }
}
