//! Micro-benchmarks of the hot paths with divan: send (cast), call (through a handle to
//! one incarnation, and through one that follows restarts), spawn, against the same
//! operations on plain tokio primitives.
//!
//! `cargo bench -p supervise-bench --bench hot_paths`

use std::convert::Infallible;
use std::future::Future;

use supervise_runtime::{
    ChildSpec, Context, DynamicSupervisor, Flow, Following, Handle, Init, RefOf, ReplyTo, Worker,
};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};

fn main() {
    divan::main();
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

struct Counter(u64);

impl Worker for Counter {
    type Args = ();
    type Info = u64;
    type Call = ReplyTo<u64>;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init(_: (), _: &mut Context<Self>) -> Init<Self> {
        Init::Ok(Counter(0))
    }
    async fn handle_info(&mut self, n: u64, _: &mut Context<Self>) -> Flow {
        self.0 += n;
        Flow::Continue
    }
    async fn handle_call(&mut self, reply: ReplyTo<u64>, _: &mut Context<Self>) -> Flow {
        reply.reply(self.0);
        Flow::Continue
    }
}

async fn counter() -> RefOf<Counter> {
    supervise_runtime::start::<Counter>(())
        .await
        .expect("start")
}

/// A counter under a dynamic supervisor, through a handle that follows its restarts; the
/// supervisor is kept for as long as the benchmark runs.
async fn followed_counter() -> (
    Handle<DynamicSupervisor>,
    RefOf<Counter, Following<Counter>>,
) {
    let sup = DynamicSupervisor::start(Default::default())
        .await
        .expect("start the supervisor");
    let h = sup
        .start_child_following(ChildSpec::<Counter>::worker(()))
        .await
        .expect("start the child");
    (sup, h)
}

#[divan::bench(sample_count = 50, sample_size = 1000)]
fn send_supervise(b: divan::Bencher<'_, '_>) {
    let rt = runtime();
    let h = rt.block_on(counter());
    b.bench_local(|| h.send(1).is_ok());
}

#[divan::bench(sample_count = 50, sample_size = 1000)]
fn send_tokio_mpsc(b: divan::Bencher<'_, '_>) {
    let rt = runtime();
    let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
    rt.spawn(async move { while rx.recv().await.is_some() {} });
    b.bench_local(|| tx.send(1).is_ok());
}

/// Calls per timed iteration: one `block_on` per iteration costs microseconds, so each
/// iteration makes this many sequential calls from a spawned task (a `block_on` thread is
/// woken through a condvar, slower than a worker) and divan reports the time per call.
const CALLS: usize = 1000;

/// Times `CALLS` sequential calls, each iteration's calls made by one spawned task.
fn bench_calls<F>(b: divan::Bencher<'_, '_>, rt: &Runtime, calls: impl Fn() -> F + Sync)
where
    F: Future<Output = ()> + Send + 'static,
{
    b.counter(divan::counter::ItemsCount::new(CALLS))
        .bench_local(|| rt.block_on(rt.spawn(calls())));
}

#[divan::bench(sample_count = 30, sample_size = 5)]
fn call_supervise(b: divan::Bencher<'_, '_>) {
    let rt = runtime();
    let h = rt.block_on(counter());
    bench_calls(b, &rt, || {
        let h = h.clone();
        async move {
            for _ in 0..CALLS {
                let _ = h.call(|r| r).await;
            }
        }
    });
}

#[divan::bench(sample_count = 30, sample_size = 5)]
fn call_infinity_supervise(b: divan::Bencher<'_, '_>) {
    let rt = runtime();
    let h = rt.block_on(counter());
    bench_calls(b, &rt, || {
        let h = h.clone();
        async move {
            for _ in 0..CALLS {
                let _ = h.call_infinity(|r| r).await;
            }
        }
    });
}

/// A call through a handle that follows restarts (`Following`): the child of a dynamic
/// supervisor, as `call-following` in the harness.
#[divan::bench(sample_count = 30, sample_size = 5)]
fn call_following_supervise(b: divan::Bencher<'_, '_>) {
    let rt = runtime();
    let (sup, h) = rt.block_on(followed_counter());
    bench_calls(b, &rt, || {
        let h = h.clone();
        async move {
            for _ in 0..CALLS {
                let _ = h.call(|r| r).await;
            }
        }
    });
    drop(sup);
}

/// Four tasks call one worker at once, `CALLS / 4` calls each.
fn bench_concurrent_calls<H, F>(b: divan::Bencher<'_, '_>, rt: &Runtime, h: &H, calls: fn(H) -> F)
where
    H: Clone + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    b.counter(divan::counter::ItemsCount::new(CALLS))
        .bench_local(|| {
            rt.block_on(async {
                let tasks: Vec<_> = (0..4).map(|_| tokio::spawn(calls(h.clone()))).collect();
                for task in tasks {
                    task.await.expect("a caller");
                }
            })
        });
}

/// Four tasks calling through clones of one handle to one incarnation.
#[divan::bench(sample_count = 30, sample_size = 5)]
fn call_4_callers_supervise(b: divan::Bencher<'_, '_>) {
    let rt = runtime();
    let h = rt.block_on(counter());
    bench_concurrent_calls(b, &rt, &h, |h| async move {
        for _ in 0..CALLS / 4 {
            let _ = h.call(|r| r).await;
        }
    });
}

/// Four tasks calling through clones of one following handle: they read its slot at
/// once (a read lock each, no waiting on one another).
#[divan::bench(sample_count = 30, sample_size = 5)]
fn call_following_4_callers_supervise(b: divan::Bencher<'_, '_>) {
    let rt = runtime();
    let (sup, h) = rt.block_on(followed_counter());
    bench_concurrent_calls(b, &rt, &h, |h| async move {
        for _ in 0..CALLS / 4 {
            let _ = h.call(|r| r).await;
        }
    });
    drop(sup);
}

#[divan::bench(sample_count = 30, sample_size = 5)]
fn call_tokio_oneshot(b: divan::Bencher<'_, '_>) {
    let rt = runtime();
    let (tx, mut rx) = mpsc::unbounded_channel::<oneshot::Sender<u64>>();
    rt.spawn(async move {
        while let Some(reply) = rx.recv().await {
            let _ = reply.send(0);
        }
    });
    bench_calls(b, &rt, || {
        let tx = tx.clone();
        async move {
            for _ in 0..CALLS {
                let (rtx, rrx) = oneshot::channel();
                let _ = tx.send(rtx);
                let _ = rrx.await;
            }
        }
    });
}

#[divan::bench(sample_count = 30, sample_size = 200)]
fn spawn_supervise(b: divan::Bencher<'_, '_>) {
    let rt = runtime();
    b.bench_local(|| rt.block_on(counter()));
}

#[divan::bench(sample_count = 30, sample_size = 200)]
fn spawn_tokio_task(b: divan::Bencher<'_, '_>) {
    let rt = runtime();
    b.bench_local(|| {
        let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
        rt.spawn(async move { while rx.recv().await.is_some() {} });
        tx
    });
}
