//! A panic inside a process is never swallowed: with a `tracing` subscriber it becomes the
//! crash report; without one, the panic hook installed before (the default one prints to
//! stderr) sees it as usual. One test in its own binary: panic hooks are process-wide.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use supervise_runtime::{AsProcess, Context, Flow, Init, Worker, start};
use tests::capture_logs;

struct Fragile;

impl Worker for Fragile {
    type Args = ();
    type Info = &'static str;
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init(_: (), _: &mut Context<Self>) -> Init<Self> {
        Init::Ok(Fragile)
    }

    async fn handle_info(&mut self, msg: &'static str, _: &mut Context<Self>) -> Flow {
        panic!("{msg}")
    }
}

#[tokio::test]
async fn process_panics_reach_the_previous_hook_only_when_no_subscriber_listens() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::panic::set_hook(Box::new(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    }));

    let quiet = start::<Fragile>(()).await.unwrap();
    quiet.send("nobody listens").unwrap();
    assert!(quiet.process().wait().await.panic().is_some());
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "the earlier hook saw the panic"
    );

    let (_guard, logs) = capture_logs();
    let reported = start::<Fragile>(()).await.unwrap();
    reported.send("a subscriber listens").unwrap();
    reported.process().wait().await;
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "the crash report replaced the hook's output"
    );
    let crash = &logs.with_target("supervise::crash")[0];
    assert!(crash.field("reason").contains("a subscriber listens"));
}
