//! Runtime lifecycle: several runtimes in one program. A runtime dropped while processes,
//! calls and observers in another runtime wait on its processes: everything waiting
//! returns, and the names its processes held are free again.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::mpsc;
use std::task::{Poll, Wake, Waker};
use std::time::Duration;

use supervise_runtime::{
    AsProcess, CallError, Context, ExitReason, Flow, Inbox, Init, Received, ReplyTo, StartError,
    StartOptions, Worker, registry, start_with,
};

/// Holds every call it gets, unanswered; answers `Ping` at once.
struct Mute {
    held: Vec<ReplyTo<u8>>,
}

#[derive(Debug)]
enum MuteCall {
    Hold(ReplyTo<u8>),
    Ping(ReplyTo<u8>),
}

impl Worker for Mute {
    type Args = ();
    type Info = ();
    type Call = MuteCall;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init((): (), _: &mut Context<Self>) -> Init<Self> {
        Init::Ok(Mute { held: Vec::new() })
    }

    async fn handle_call(&mut self, call: MuteCall, _: &mut Context<Self>) -> Flow {
        match call {
            MuteCall::Hold(reply) => self.held.push(reply),
            MuteCall::Ping(reply) => reply.reply(7),
        }
        Flow::Continue
    }
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// Generous: with the paused clock, only a hang ever reaches it.
const HANG: Duration = Duration::from_secs(24 * 3600);

/// Issue 13 item 2: when a runtime was dropped, its processes never exited: `wait()` and
/// a `call_infinity` from another runtime never returned, and their names stayed taken,
/// so the next runtime got `AlreadyStarted`.
#[tokio::test(start_paused = true)]
async fn a_dropped_runtime_ends_its_processes_and_frees_their_names() {
    let (handles, take_handles) = mpsc::channel::<[supervise_runtime::RefOf<Mute>; 2]>();
    let (drop_now, told_to_drop) = mpsc::channel::<()>();
    let other = std::thread::spawn(move || {
        let runtime = current_thread();
        let workers = runtime.block_on(async {
            // One that got its task (a message came), one that never did.
            let busy = start_with::<Mute>((), StartOptions::new().name("lifecycle::busy"))
                .await
                .unwrap();
            assert_eq!(busy.call(MuteCall::Ping).await, Ok(7));
            let idle = start_with::<Mute>((), StartOptions::new().name("lifecycle::idle"))
                .await
                .unwrap();
            [busy, idle]
        });
        handles.send(workers).unwrap();
        told_to_drop.recv().unwrap();
        drop(runtime);
    });
    let [busy, idle] = take_handles.recv().unwrap();
    let mut observer = Inbox::<()>::new();
    observer.trap_exit(true);
    observer.link(&busy);
    observer.monitor(&idle);
    let waits =
        [busy.clone(), idle.clone()].map(|w| tokio::spawn(async move { w.process().wait().await }));
    let calls = [busy.clone(), idle.clone()]
        .map(|w| tokio::spawn(async move { w.call_infinity(MuteCall::Hold).await }));
    tokio::task::yield_now().await;
    drop_now.send(()).unwrap();
    other.join().unwrap();

    for wait in waits {
        let reason = tokio::time::timeout(HANG, wait).await.expect("wait hung");
        assert_eq!(reason.unwrap(), ExitReason::Killed);
    }
    for call in calls {
        let answer = tokio::time::timeout(HANG, call).await.expect("call hung");
        assert!(answer.unwrap().is_err());
    }
    let got: Vec<_> = [observer.recv().await, observer.recv().await]
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert!(
        got.iter().any(|m| matches!(m, Received::Exit { .. })),
        "{got:?}"
    );
    assert!(
        got.iter().any(|m| matches!(m, Received::Down(_))),
        "{got:?}"
    );
    assert_eq!(registry::whereis("lifecycle::busy"), None);
    assert_eq!(registry::whereis("lifecycle::idle"), None);

    // The next runtime of the program takes the names again.
    let again = start_with::<Mute>((), StartOptions::new().name("lifecycle::busy")).await;
    assert!(!matches!(again, Err(StartError::AlreadyStarted(_))));
}

/// Issue 13 item 5: on a thread that ran two runtimes, timed calls in the second never
/// timed out while the first was alive but idle (the thread's deadline keeper lived in
/// the first).
#[test]
fn timed_calls_time_out_in_the_second_runtime_of_a_thread() {
    let first = current_thread();
    first.block_on(async {
        let mute = supervise_runtime::start::<Mute>(()).await.unwrap();
        let answer = mute
            .call_timeout(MuteCall::Hold, Duration::from_millis(10))
            .await;
        assert_eq!(answer, Err(CallError::Timeout));
    });
    let second = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    second.block_on(async {
        let mute = supervise_runtime::start::<Mute>(()).await.unwrap();
        for timeout in [Duration::from_millis(10), Duration::from_secs(5)] {
            let answer = tokio::time::timeout(HANG, mute.call_timeout(MuteCall::Hold, timeout))
                .await
                .expect("the timed call hung");
            assert_eq!(answer, Err(CallError::Timeout));
        }
    });
    // And back in the first, which kept its own keeper.
    first.block_on(async {
        let mute = supervise_runtime::start::<Mute>(()).await.unwrap();
        let answer = mute
            .call_timeout(MuteCall::Hold, Duration::from_millis(10))
            .await;
        assert_eq!(answer, Err(CallError::Timeout));
    });
}

/// The same from spawned tasks, whose calls find the thread's keeper by their task id
/// (a task lives in one runtime): a task of the first runtime, a task of the second,
/// then the first task again, each with a call that must time out in its own runtime.
#[test]
fn timed_calls_from_tasks_of_two_runtimes_time_out_in_their_own() {
    let first = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let second = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let (again, go_again) = tokio::sync::oneshot::channel::<()>();
    let (answers, mut answered) = tokio::sync::mpsc::unbounded_channel();
    let mute = first
        .block_on(supervise_runtime::start::<Mute>(()))
        .unwrap();
    let task = first.spawn(async move {
        let mut go_again = Some(go_again);
        for _ in 0..2 {
            let call = mute.call_timeout(MuteCall::Hold, Duration::from_secs(5));
            let answer = tokio::time::timeout(HANG, call).await;
            answers.send(answer).unwrap();
            if let Some(go) = go_again.take() {
                go.await.unwrap();
            }
        }
    });
    first.block_on(async {
        let answer = answered.recv().await.unwrap();
        assert_eq!(
            answer.expect("the first task's call hung"),
            Err(CallError::Timeout)
        );
    });
    second.block_on(async {
        let mute = supervise_runtime::start::<Mute>(()).await.unwrap();
        let other = tokio::spawn(async move {
            let call = mute.call_timeout(MuteCall::Hold, Duration::from_secs(5));
            tokio::time::timeout(HANG, call).await
        });
        let answer = other
            .await
            .unwrap()
            .expect("the second runtime's call hung");
        assert_eq!(answer, Err(CallError::Timeout));
    });
    first.block_on(async {
        again.send(()).unwrap();
        let answer = answered.recv().await.unwrap();
        assert_eq!(
            answer.expect("the first task's second call hung"),
            Err(CallError::Timeout)
        );
        task.await.unwrap();
    });
}

/// Runs a future on the calling thread, with no runtime at all.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// Issue 13 item 16: `call_timeout` from a plain thread panicked "no reactor running",
/// while `send` and `call_infinity` worked there.
#[test]
fn call_timeout_works_from_a_plain_thread() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mute = runtime
        .block_on(supervise_runtime::start::<Mute>(()))
        .unwrap();
    let plain = std::thread::spawn(move || {
        let answered = block_on(mute.call_timeout(MuteCall::Ping, Duration::from_secs(5)));
        let unanswered = block_on(mute.call_timeout(MuteCall::Hold, Duration::from_millis(20)));
        let infinity = block_on(mute.call_infinity(MuteCall::Ping));
        (answered, unanswered, infinity)
    });
    let (answered, unanswered, infinity) = plain.join().unwrap();
    assert_eq!(answered, Ok(7));
    assert_eq!(unanswered, Err(CallError::Timeout));
    assert_eq!(infinity, Ok(7));
}

/// Issue 13 item 2, on a thread that runs two runtimes: a worker without a task of the
/// second, dropped while the first lives on idle, used to wait in the first's list.
#[test]
fn a_second_runtime_of_a_thread_takes_its_idle_workers_with_it() {
    let first = current_thread();
    let kept = first
        .block_on(supervise_runtime::start::<Mute>(()))
        .unwrap();
    let second = current_thread();
    let gone = second
        .block_on(start_with::<Mute>(
            (),
            StartOptions::new().name("lifecycle::second"),
        ))
        .unwrap();
    drop(second);
    assert!(!gone.is_alive());
    assert_eq!(gone.process().exit_reason(), Some(ExitReason::Killed));
    assert_eq!(registry::whereis("lifecycle::second"), None);
    assert!(kept.is_alive());
    assert_eq!(first.block_on(kept.call(MuteCall::Ping)), Ok(7));
}
