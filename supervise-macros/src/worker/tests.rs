//! No input makes `#[worker]` panic: malformed and hostile token streams all come back as
//! `compile_error!`, never as a panic.

use proc_macro2::TokenStream;

use super::expand;

fn expands_to_error(args: &str, item: &str) {
    let (a, i): (TokenStream, TokenStream) = (
        args.parse().expect("test input lexes"),
        item.parse().expect("test input lexes"),
    );
    let out = std::panic::catch_unwind(|| expand(a, i))
        .unwrap_or_else(|_| panic!("expand panicked on `{args}` / `{item}`"));
    assert!(
        out.to_string().contains("compile_error"),
        "no error for `{args}` / `{item}`: {out}"
    );
}

#[test]
fn malformed_items_give_errors() {
    let items = [
        "",
        "impl",
        "impl W",
        "fn f() {}",
        "struct S;",
        "impl W { #[info] }",
        "impl W { #[info] fn }",
        "impl W { #[info] const X: u8 = 1; }",
        "impl Tr for W { fn init() -> Self { W } }",
        "impl<T> W<T> { fn init() -> Self { todo!() } }",
        "impl [u8] { fn init() -> Self { todo!() } }",
        "impl W { #[info] fn a(&mut self, (x): u8) {} }",
        "impl W { fn init(self) {} fn init(&self) {} }",
        "impl W { #[info] fn self_(&mut self) {} }",
        "impl W { #[call] fn c(&self, r: ReplyTo, s: ReplyTo<u8>) {} }",
        "impl W { #[call] fn c(&self, ctx: &Context<Self>, c2: &mut Context<Self>) {} }",
        "impl W { #[info(x)] #[call = 1] #[cast] fn x(self: Box<Self>) {} }",
        "impl W { fn terminate(self, a: u8, b: u8) {} }",
        "impl W { #[info] unsafe fn u(&mut self) {} }",
        "impl W { #[info] const fn c(&self) {} }",
        "impl W { #[info] fn r#pid(&self) {} fn init() -> Self { W } }",
        "impl W { #[info] fn a(&mut self, k: &'a str, v: Vec<&u8>) {} }",
        "impl W { #[info] fn a(&mut self, f: impl Fn()) {} }",
        "impl W { fn init() -> Self { W } #[cast] fn s(&self) {} #[info] fn S(&self) {} #[cast] fn r#s_(&self) {} }",
        "impl W { #[exit] fn e() {} }",
        "impl W { #[exit] const X: u8 = 1; }",
        "impl W { #[down(x)] #[exit] fn d(self, a: u8, b: u8, c: u8) {} }",
        "impl W { fn init() -> Self { W } #[down] fn d(&self) {} }",
        "impl W { fn init() -> Self { W } #[exit] fn e(&self, (a, b): (Pid, u8), _: ExitReason) {} }",
        "impl W { fn init() -> Self { W } #[exit] fn a(&self, f: Pid, r: ExitReason) {} #[exit] fn b(&self, f: Pid, r: ExitReason) {} }",
        "impl W { fn init() -> Self { W } #[down] fn d(&self, c: &Context<Self>, d: &mut Context<Self>, e: Down) {} }",
    ];
    for item in items {
        expands_to_error("", item);
    }
}

#[test]
fn malformed_arguments_give_errors() {
    let item = "impl W { fn init() -> Self { W } }";
    let args = [
        "crate",
        "crate =",
        "crate = 1",
        "= ::x",
        ",",
        "crate = ::a,,",
        "crate = ::a crate = ::b",
        "vis = ",
        "vis = pub(in)",
        "unknown",
        "unknown = (1, 2), crate = ::a",
        "crate = ::a, crate = ::a",
        "vis = pub, vis = pub",
        "1 = 2",
        "\"crate\" = x",
    ];
    for a in args {
        expands_to_error(a, item);
    }
}

#[test]
fn a_valid_block_expands_without_errors() {
    let item = "impl W { fn init(n: u8) -> Self { W } #[info] fn add(&mut self, n: u8) {} #[call] fn get(&self) -> u8 { 0 } }";
    let out = expand(TokenStream::new(), item.parse().expect("lexes"));
    let text = out.to_string();
    assert!(!text.contains("compile_error"), "{text}");
    assert!(text.contains("enum WMsg"), "{text}");
    assert!(text.contains("type WRef"), "{text}");
    assert!(text.contains("struct WApi"), "{text}");
}

/// Bodies are set aside unparsed and emitted as they came; braces inside a signature
/// (a const generic argument) are not taken for a body, and only marker attributes are
/// removed from the block.
#[test]
fn bodies_come_back_as_written_and_only_markers_go() {
    let item = "impl W {
        /// Made once.
        fn init() -> Self { W }
        #[cfg(all())] #[call] fn get(&self) -> Arr<{ 1 + 1 }> { let x = [0u8; { 2 }]; Arr(x) }
        #[info] fn add(&mut self, n: u8) { self.0 += n; }
        fn helper(&self) -> usize where [u8; { 1 }]: Sized { 3 }
    }";
    let out = expand(TokenStream::new(), item.parse().expect("lexes")).to_string();
    assert!(!out.contains("compile_error"), "{out}");
    for kept in [
        "let x = [0u8 ; { 2 }] ; Arr (x)",
        "self . 0 += n ;",
        "Arr < { 1 + 1 } >",
        "# [cfg (all ())]",
        "# [doc = \" Made once.\"]",
        "Add {",
        "where [u8 ; { 1 }] : Sized { 3 }",
    ] {
        assert!(out.contains(kept), "`{kept}` missing from {out}");
    }
    assert!(
        !out.contains("# [call]") && !out.contains("# [info]"),
        "{out}"
    );
}
