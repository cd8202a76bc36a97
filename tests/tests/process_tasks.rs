//! A started worker gets its tokio task only when it first has something to do: a message
//! or a signal. These tests pin what a user can observe of that: nothing is lost or
//! delayed, a worker that never had anything to do costs no task, it goes with its runtime
//! like a task would, and killing many of them at once is safe.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use supervise_runtime::{
    AsProcess, Context, ExitReason, Flow, Inbox, Init, ProcessRef, Received, ReplyTo, Worker, start,
};

/// Counts its own drops (in its own counter, so tests in this binary do not mix).
struct Counted {
    drops: Arc<AtomicUsize>,
    seen: u64,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

enum Args {
    Plain(Arc<AtomicUsize>),
    /// Links to this process in `init`.
    LinkedTo(Arc<AtomicUsize>, ProcessRef),
    /// Sends itself a message in `init`, and reports it to the inbox when handled.
    Greets(Arc<AtomicUsize>, supervise_runtime::Addr<&'static str>),
}

#[derive(Debug)]
enum Info {
    Add(u64),
    Greeting(supervise_runtime::Addr<&'static str>),
}

impl Worker for Counted {
    type Args = Args;
    type Info = Info;
    type Call = ReplyTo<u64>;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;
    const SYNC_INIT: bool = true;

    async fn init(args: Args, ctx: &mut Context<Self>) -> Init<Self> {
        let drops = match args {
            Args::Plain(drops) => drops,
            Args::LinkedTo(drops, other) => {
                ctx.link(&other);
                drops
            }
            Args::Greets(drops, to) => {
                let _ = ctx.handle().send(Info::Greeting(to));
                drops
            }
        };
        Init::Ok(Counted { drops, seen: 0 })
    }

    async fn handle_info(&mut self, msg: Info, _: &mut Context<Self>) -> Flow {
        match msg {
            Info::Add(n) => self.seen += n,
            Info::Greeting(to) => {
                let _ = to.send("greeted myself");
            }
        }
        Flow::Continue
    }

    async fn handle_call(&mut self, reply: ReplyTo<u64>, _: &mut Context<Self>) -> Flow {
        reply.reply(self.seen);
        Flow::Continue
    }
}

/// The library's own tasks a runtime may hold per thread: the nursery of task-less
/// processes and the deadline keeper of timed calls.
const SERVICE_TASKS: usize = 2;

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

#[tokio::test]
async fn workers_that_never_had_anything_to_do_cost_no_task() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..1_000 {
        workers.push(start::<Counted>(Args::Plain(drops.clone())).await.unwrap());
    }
    assert!(workers.iter().all(|w| w.is_alive()));
    assert!(alive_tasks() <= SERVICE_TASKS, "{} tasks", alive_tasks());
    for (i, w) in workers.iter().enumerate() {
        w.send(Info::Add(i as u64)).unwrap();
    }
    for (i, w) in workers.iter().enumerate() {
        assert_eq!(
            w.call(|r| r).await,
            Ok(i as u64),
            "every message was served"
        );
    }
    assert!(alive_tasks() >= 1_000, "each now has its task");
}

#[tokio::test]
async fn a_message_sent_to_itself_during_init_is_served_without_another() {
    let mut inbox = Inbox::<&'static str>::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let _w = start::<Counted>(Args::Greets(drops, inbox.addr()))
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(10), inbox.recv()).await;
    assert_eq!(
        got.expect("served"),
        Ok(Received::Message("greeted myself"))
    );
}

#[test]
fn a_message_from_outside_any_runtime_starts_the_worker_in_its_own() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    let w = rt
        .block_on(start::<Counted>(Args::Plain(drops.clone())))
        .unwrap();
    // A plain thread, with no runtime: the worker's task goes to the worker's runtime.
    let sender = w.clone();
    std::thread::spawn(move || sender.send(Info::Add(7)).unwrap())
        .join()
        .unwrap();
    assert_eq!(rt.block_on(w.call(|r| r)), Ok(7));
}

#[test]
fn a_worker_without_a_task_goes_with_its_runtime() {
    for multi_thread in [false, true] {
        let rt = match multi_thread {
            true => tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build(),
            false => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build(),
        }
        .unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let idle = rt
            .block_on(start::<Counted>(Args::Plain(drops.clone())))
            .unwrap();
        let busy = rt
            .block_on(start::<Counted>(Args::Plain(drops.clone())))
            .unwrap();
        busy.send(Info::Add(1)).unwrap();
        assert_eq!(rt.block_on(busy.call(|r| r)), Ok(1));
        drop(rt);
        assert_eq!(
            drops.load(Ordering::SeqCst),
            2,
            "both states dropped with the runtime (multi_thread: {multi_thread})"
        );
        // Issue 13 item 2: they used to stay alive forever, names and links held.
        assert!(!idle.is_alive() && !busy.is_alive(), "they exit with it");
        assert_eq!(idle.process().exit_reason(), Some(ExitReason::Killed));
        assert_eq!(busy.process().exit_reason(), Some(ExitReason::Killed));
    }
}

#[tokio::test]
async fn killing_a_long_chain_of_linked_workers_without_tasks_kills_them_all() {
    // Each dies of the previous one's exit signal. A worker without a task dies where the
    // signal arrives, so the chain must not become a deep recursion.
    let drops = Arc::new(AtomicUsize::new(0));
    let first = start::<Counted>(Args::Plain(drops.clone())).await.unwrap();
    let mut last = first.process();
    for _ in 0..20_000 {
        let next = start::<Counted>(Args::LinkedTo(drops.clone(), last))
            .await
            .unwrap();
        last = next.process();
    }
    first.process().exit(ExitReason::error("boom"));
    let reason = tokio::time::timeout(Duration::from_secs(60), last.wait()).await;
    assert_eq!(
        reason.expect("the chain ends").to_string(),
        ExitReason::error("boom").to_string()
    );
    assert!(!first.is_alive());
    assert_eq!(drops.load(Ordering::SeqCst), 20_001, "every state dropped");
}

#[tokio::test]
async fn a_kill_reaches_a_worker_without_a_task_at_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let w = start::<Counted>(Args::Plain(drops.clone())).await.unwrap();
    let mut watcher = Inbox::<()>::new();
    watcher.trap_exit(true);
    watcher.link(&w);
    w.process().exit(ExitReason::Kill);
    assert!(!w.is_alive(), "dead before the caller goes on");
    assert_eq!(drops.load(Ordering::SeqCst), 1, "its state dropped");
    assert_eq!(
        watcher.recv().await,
        Ok(Received::Exit {
            from: w.pid(),
            reason: ExitReason::Killed
        })
    );
}

/// A state whose drop panics.
struct Brittle;

impl Drop for Brittle {
    fn drop(&mut self) {
        panic!("brittle state");
    }
}

impl Worker for Brittle {
    type Args = ();
    type Info = ();
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;
    const SYNC_INIT: bool = true;

    async fn init(_: (), _: &mut Context<Self>) -> Init<Self> {
        Init::Ok(Brittle)
    }
}

#[tokio::test]
async fn a_state_that_panics_when_dropped_does_not_take_its_killer_down() {
    let w = start::<Brittle>(()).await.unwrap();
    w.process().exit(ExitReason::Kill);
    assert_eq!(w.process().wait().await, ExitReason::Killed);
    // Still here, and the runtime still serves.
    let drops = Arc::new(AtomicUsize::new(0));
    let other = start::<Counted>(Args::Plain(drops)).await.unwrap();
    other.send(Info::Add(2)).unwrap();
    assert_eq!(other.call(|r| r).await, Ok(2));
}

/// A future that counts its polls and finishes once `open` is set (and it is woken).
#[derive(Default, Debug)]
struct Gate {
    open: std::sync::atomic::AtomicBool,
    polls: AtomicUsize,
    waker: parking_lot::Mutex<Option<std::task::Waker>>,
}

impl Gate {
    async fn pass(&self) {
        std::future::poll_fn(|cx| {
            self.polls.fetch_add(1, Ordering::SeqCst);
            if self.open.load(Ordering::SeqCst) {
                return std::task::Poll::Ready(());
            }
            *self.waker.lock() = Some(cx.waker().clone());
            std::task::Poll::Pending
        })
        .await
    }

    fn open(&self) {
        self.open.store(true, Ordering::SeqCst);
        if let Some(w) = self.waker.lock().take() {
            w.wake();
        }
    }
}

/// Traps exits and waits at a gate: in `init` if asked, else in a handler.
struct Patient;

impl Worker for Patient {
    /// The gate, and whether `init` waits at it.
    type Args = (Arc<Gate>, bool);
    type Info = Arc<Gate>;
    type Call = ReplyTo<()>;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init((gate, in_init): Self::Args, ctx: &mut Context<Self>) -> Init<Self> {
        ctx.trap_exit(true);
        if in_init {
            gate.pass().await;
        }
        Init::Ok(Patient)
    }

    async fn handle_info(&mut self, gate: Arc<Gate>, _: &mut Context<Self>) -> Flow {
        gate.pass().await;
        Flow::Continue
    }

    async fn handle_call(&mut self, reply: ReplyTo<()>, _: &mut Context<Self>) -> Flow {
        reply.reply(());
        Flow::Continue
    }
}

#[tokio::test]
async fn a_signal_queued_while_a_handler_awaits_does_not_spin_the_worker() {
    let gate = Arc::new(Gate::default());
    let w = start::<Patient>((Arc::new(Gate::default()), false))
        .await
        .unwrap();
    w.send(gate.clone()).unwrap();
    tokio::task::yield_now().await; // the handler now waits at the gate
    w.process()
        .exit(ExitReason::error("served after the handler"));
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    let polls = gate.polls.load(Ordering::SeqCst);
    assert!(polls <= 3, "the waiting handler was polled {polls} times");
    gate.open();
    assert_eq!(w.call(|r| r).await, Ok(()), "the worker serves on");
}

#[tokio::test]
async fn a_signal_queued_while_init_awaits_does_not_spin_the_start() {
    // `init` serves no signals: one that is queued while it awaits waits for the serving
    // loop, without the start being polled over and over meanwhile.
    let gate = Arc::new(Gate::default());
    let name = "test:process-tasks:patient";
    let starting = tokio::spawn(supervise_runtime::start_with::<Patient>(
        (gate.clone(), true),
        supervise_runtime::StartOptions::new().name(name),
    ));
    tokio::task::yield_now().await; // init now waits at the gate
    let process = supervise_runtime::registry::lookup_process(name).expect("registered");
    process.exit(ExitReason::error("served after init"));
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    let polls = gate.polls.load(Ordering::SeqCst);
    assert!(polls <= 3, "the waiting init was polled {polls} times");
    gate.open();
    let w = starting.await.unwrap().expect("started");
    assert_eq!(w.call(|r| r).await, Ok(()), "the worker serves on");
}
