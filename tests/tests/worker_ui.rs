//! Compile-time behaviour of `#[worker]`: what compiles, and each misuse's message.

#[test]
fn worker_ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/worker/pass/*.rs");
    t.compile_fail("ui/worker/fail/*.rs");
}
