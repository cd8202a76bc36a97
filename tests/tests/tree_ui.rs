//! Compile-time behaviour of `supervision_tree!`: what compiles, and each misuse's message.

#[test]
fn tree_ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/supervision_tree/pass/*.rs");
    t.compile_fail("ui/supervision_tree/fail/*.rs");
}
