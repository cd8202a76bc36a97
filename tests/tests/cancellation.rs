//! Cancellation safety: each public start future dropped at each of its await points
//! (polled k times, then dropped, for k = 1.. until it completes). Afterwards nothing it
//! made is alive, named or linked.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use parking_lot::Mutex;
use supervise_runtime::{
    AsProcess, ChildSpec, Context, DynamicSupervisor, DynamicSupervisorSpec, ExitReason, Flow,
    Inbox, Init, ProcessRef, Shutdown, StartOptions, Strategy, Supervisor, SupervisorSpec, Worker,
    registry, start_with,
};

/// Every process a test's workers were, in start order.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<ProcessRef>>>);

impl Seen {
    fn alive(&self) -> Vec<ProcessRef> {
        self.0
            .lock()
            .iter()
            .filter(|p| p.is_alive())
            .cloned()
            .collect()
    }
}

/// A worker whose `init` awaits twice (a second each) before it is ready.
struct Slow;

#[derive(Clone)]
struct SlowArgs {
    seen: Seen,
    /// How long each of the two awaits of `init` takes.
    delay: Arc<Mutex<Duration>>,
}

#[derive(Debug)]
enum SlowMsg {
    Crash,
}

impl Worker for Slow {
    type Args = SlowArgs;
    type Info = SlowMsg;
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init(args: SlowArgs, ctx: &mut Context<Self>) -> Init<Self> {
        args.seen.0.lock().push(ctx.handle().process().clone());
        let delay = *args.delay.lock();
        tokio::time::sleep(delay).await;
        tokio::time::sleep(delay).await;
        Init::Ok(Slow)
    }

    async fn handle_info(&mut self, msg: SlowMsg, _: &mut Context<Self>) -> Flow {
        match msg {
            SlowMsg::Crash => panic!("crash"),
        }
    }
}

fn slow(seen: &Seen) -> SlowArgs {
    SlowArgs {
        seen: seen.clone(),
        delay: Arc::new(Mutex::new(Duration::from_secs(1))),
    }
}

/// Polls the future `make` gives k times and drops it, for k = 1, 2, .. until a run
/// completes within k polls; `check` runs after each drop, once the dust settled. Returns
/// how many runs were cancelled.
async fn cancel_at_each_await<T, F: Future<Output = T>>(
    mut make: impl FnMut() -> F,
    mut check: impl FnMut(usize),
) -> usize {
    for k in 1.. {
        let mut fut = Box::pin(make());
        let mut polls = 0;
        let done = std::future::poll_fn(|cx| {
            polls += 1;
            match fut.as_mut().poll(cx) {
                Poll::Ready(out) => Poll::Ready(Some(out)),
                Poll::Pending if polls >= k => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        if done.is_some() {
            return k - 1;
        }
        drop(fut);
        // Whatever the drop set going (exit signals, dying tasks) runs now.
        for _ in 0..16 {
            tokio::task::yield_now().await;
        }
        check(k);
    }
    unreachable!()
}

/// Issue 13 item 1: a start dropped while `init` awaited left the new process alive,
/// its name taken and its link in place.
#[tokio::test(start_paused = true)]
async fn a_worker_start_dropped_in_init_leaves_nothing() {
    let seen = Seen::default();
    let shell = Inbox::<()>::new();
    let name = "cancellation::worker";
    let cancelled = cancel_at_each_await(
        || start_with::<Slow>(slow(&seen), StartOptions::new().link(true).name(name)),
        |k| {
            assert!(seen.alive().is_empty(), "alive after a drop at poll {k}");
            assert_eq!(
                registry::whereis(name),
                None,
                "named after a drop at poll {k}"
            );
            assert_eq!(
                shell.process().links_and_monitors(),
                (0, 0),
                "linked at poll {k}"
            );
        },
    )
    .await;
    assert!(cancelled >= 2, "{cancelled}");
    assert!(
        shell.is_alive(),
        "a cancelled start does not kill the caller"
    );
    assert!(
        registry::whereis(name).is_some(),
        "the completed start holds the name"
    );
}

/// Issue 13 item 1: the children a cancelled `Supervisor::start` had already started
/// lived on.
#[tokio::test(start_paused = true)]
async fn a_supervisor_start_dropped_midway_leaves_no_child() {
    let seen = Seen::default();
    let spec = || {
        SupervisorSpec::new(Strategy::OneForOne)
            .child(
                ChildSpec::<Slow>::worker(slow(&seen))
                    .id("a")
                    .name("cancellation::a"),
            )
            .child(
                ChildSpec::<Slow>::worker(slow(&seen))
                    .id("b")
                    .name("cancellation::b"),
            )
            .child(ChildSpec::<Slow>::worker(slow(&seen)).id("c"))
    };
    let cancelled = cancel_at_each_await(
        || Supervisor::start(spec()),
        |k| {
            assert!(seen.alive().is_empty(), "alive after a drop at poll {k}");
            assert_eq!(registry::whereis("cancellation::a"), None);
            assert_eq!(registry::whereis("cancellation::b"), None);
        },
    )
    .await;
    assert!(cancelled >= 6, "{cancelled}");
    assert_eq!(seen.alive().len(), 3, "the completed start's children");
}

/// The same for a nested tree started as a dynamic supervisor's child.
#[tokio::test(start_paused = true)]
async fn a_start_child_dropped_midway_leaves_no_child() {
    let seen = Seen::default();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let inner = || {
        SupervisorSpec::new(Strategy::OneForOne)
            .child(ChildSpec::<Slow>::worker(slow(&seen)).id("a"))
            .child(ChildSpec::<Slow>::worker(slow(&seen)).id("b"))
    };
    cancel_at_each_await(|| sup.start_child(ChildSpec::supervisor(inner())), |_| {}).await;
    // A cancelled request still runs in the supervisor (it was sent): every tree it
    // started is its child, and they all go when it stops.
    let _ = sup.stop(ExitReason::Shutdown).await;
    assert!(seen.alive().is_empty());
}

/// Issue 13 item 1, reached by an ordinary shutdown: a nested supervisor killed at its
/// shutdown timeout while restarting a child with a slow `init` left the grandchild
/// holding its name.
#[tokio::test(start_paused = true)]
async fn a_supervisor_killed_while_restarting_leaves_no_grandchild() {
    let seen = Seen::default();
    let args = slow(&seen);
    *args.delay.lock() = Duration::ZERO;
    let name = "cancellation::grandchild";
    let inner = SupervisorSpec::new(Strategy::OneForOne)
        .child(ChildSpec::<Slow>::worker(args.clone()).id("g").name(name));
    let outer = SupervisorSpec::new(Strategy::OneForOne).child(
        ChildSpec::supervisor(inner)
            .id("inner")
            .shutdown(Shutdown::Timeout(Duration::from_secs(1))),
    );
    let sup = Supervisor::start(outer).await.unwrap();
    // The next init takes an hour: the restart is under way when the stop comes.
    *args.delay.lock() = Duration::from_secs(1800);
    let grandchild = registry::lookup::<supervise_runtime::MessageOf<Slow>>(name).unwrap();
    grandchild
        .send(supervise_runtime::Envelope::Info(SlowMsg::Crash))
        .unwrap();
    for _ in 0..16 {
        tokio::task::yield_now().await;
    }
    assert_eq!(
        seen.alive().len(),
        1,
        "the restarting grandchild, in its init"
    );
    let _ = sup.stop(ExitReason::Shutdown).await;
    for _ in 0..16 {
        tokio::task::yield_now().await;
    }
    assert!(seen.alive().is_empty());
    assert_eq!(registry::whereis(name), None);
}

/// Calls and supervisor requests dropped at each await leave no monitor, link or slot
/// behind, and the processes serve the next request.
#[tokio::test(start_paused = true)]
async fn calls_and_supervisor_requests_dropped_midway_leave_nothing() {
    use tests::{Lab, Probe, ProbeCall};
    let lab = Lab::new();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let child = sup
        .start_child(ChildSpec::<Probe>::worker(lab.probe("p", false)))
        .await
        .unwrap();
    let shell = Inbox::<()>::new();
    let before = (
        sup.process().links_and_monitors(),
        child.process().links_and_monitors(),
    );
    let check = |_| {
        assert_eq!(
            (
                sup.process().links_and_monitors(),
                child.process().links_and_monitors(),
            ),
            before
        );
        assert_eq!(shell.process().links_and_monitors(), (0, 0));
    };
    cancel_at_each_await(|| child.call(ProbeCall::Ping), check).await;
    cancel_at_each_await(
        || child.call_timeout(ProbeCall::Ping, Duration::from_millis(1)),
        check,
    )
    .await;
    cancel_at_each_await(|| child.call_infinity(ProbeCall::Ping), check).await;
    cancel_at_each_await(|| sup.which_children(), check).await;
    cancel_at_each_await(|| sup.count_children(), check).await;
    assert_eq!(child.call(ProbeCall::Ping).await.unwrap(), "p");
    assert_eq!(sup.count_children().await.unwrap().active, 1);
    // A stop dropped midway still stops (the request was sent): nothing hangs after it.
    cancel_at_each_await(|| sup.stop(ExitReason::Shutdown), |_| {}).await;
    assert_eq!(sup.process().wait().await, ExitReason::Shutdown);
    assert_eq!(lab.live(), 0);
}

/// Counts the calls it answered.
#[derive(Debug)]
pub struct Counted {
    answered: u32,
}

#[supervise_runtime::worker]
impl Counted {
    fn init() -> Self {
        Counted { answered: 0 }
    }

    #[call]
    fn answer(&mut self) -> u32 {
        self.answered += 1;
        self.answered
    }

    /// Awaits a while before answering.
    #[call]
    async fn slow_answer(&mut self) -> u32 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        self.answered += 1;
        self.answered
    }
}

#[tokio::test(start_paused = true)]
async fn a_call_dropped_before_its_first_poll_sends_nothing() {
    let counted = Counted::start().await.unwrap();
    let call = counted.answer();
    drop(call);
    let also = counted.slow_answer().timeout(Duration::from_secs(5));
    drop(also);
    assert_eq!(
        counted.answer().await,
        Ok(1),
        "only this call reached the worker"
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_dropped_while_waiting_leaves_the_worker_serving() {
    let counted = Counted::start().await.unwrap();
    let drops =
        cancel_at_each_await(|| counted.slow_answer(), |_| assert!(counted.is_alive())).await;
    assert!(
        drops >= 1,
        "the call was dropped at least once while waiting"
    );
    // Every dropped call was answered into a reply nobody waited for, and the worker
    // went on: the next call is answered, after them.
    let n = counted.answer().await.unwrap();
    assert!(n >= 2, "{n}");
    assert!(counted.is_alive());
}

#[tokio::test(start_paused = true)]
async fn a_start_dropped_before_its_first_poll_starts_nothing() {
    let before = registry::whereis("cancellation:lazy-start");
    assert_eq!(before, None);
    let start = Counted::start_with(StartOptions::new().name("cancellation:lazy-start"));
    drop(start);
    assert_eq!(registry::whereis("cancellation:lazy-start"), None);
    let started = Counted::start_with(StartOptions::new().name("cancellation:lazy-start"))
        .await
        .unwrap();
    assert_eq!(
        registry::whereis("cancellation:lazy-start"),
        Some(started.pid())
    );
}
