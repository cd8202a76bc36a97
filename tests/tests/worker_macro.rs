//! Behaviour of the code `#[worker]` generates: messages, calls, casts, sync and async
//! handlers, stopping, crashing with a handler's error, the context, deferred replies.
#![allow(missing_docs, missing_debug_implementations)]

use supervise_runtime::{Addr, Flow, Inbox, Received, worker};
use tests::seed::{Reply, Worker, WorkerMsg};

#[tokio::test]
async fn seed_worker_greets_answers_and_stops() {
    let mut inbox = Inbox::<Reply>::new();
    let w = Worker::start_link(inbox.addr(), "redis").await.unwrap();
    w.store("foo", "bar").unwrap();
    assert_eq!(
        inbox.recv().await.unwrap(),
        Received::Message(Reply::HelloFriend)
    );
    assert_eq!(w.lookup("conn").await, Ok(Some("redis".to_string())));
    assert_eq!(w.lookup("other").await, Ok(None));
    w.send(WorkerMsg::Shutdown).unwrap();
    assert_eq!(
        inbox.recv().await.unwrap(),
        Received::Message(Reply::Goodbye)
    );
}

mod log {
    //! Captures what the runtime logs (the crash reports) on this thread.
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    pub struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Captured {
        pub fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
    }

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    pub fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (captured, tests::scoped_subscriber(subscriber))
    }
}

#[tokio::test]
async fn a_crash_report_shows_the_last_message_and_the_state() {
    let (log, _guard) = log::capture();
    let inbox = Inbox::<Reply>::new();
    let w = Worker::start(inbox.addr(), "redis").await.unwrap();
    w.raise("heck").unwrap();
    let reason = w.process().wait().await;
    assert_eq!(reason.panic().map(|p| p.message()), Some("heck"));
    let text = log.text();
    assert!(
        text.contains(r#"Last message: Raise { message: "heck" }"#),
        "{text}"
    );
    assert!(text.contains(r#"conn: "redis""#), "{text}");
    assert!(text.contains("State: Worker {"), "{text}");
}

#[tokio::test]
async fn the_generated_enum_is_debug_and_names_fields_that_are_not() {
    struct Opaque;
    let _ = Opaque;
    let msg = WorkerMsg::Store {
        key: "k".into(),
        value: "v".into(),
    };
    assert_eq!(format!("{msg:?}"), r#"Store { key: "k", value: "v" }"#);
    assert_eq!(format!("{:?}", WorkerMsg::Shutdown), "Shutdown");
}

use std::time::Duration;

use supervise_runtime::{AsProcess, CallError, Context, ExitReason, Init, ReplyTo};

/// Not `Debug`, on purpose.
pub struct Token(u32);

/// A worker exercising every kind of handler.
pub struct Kitchen {
    total: u64,
    parked: Vec<ReplyTo<u64>>,
    log: Addr<String>,
}

#[derive(Debug)]
pub struct Broken;

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("broken on purpose")
    }
}

impl std::error::Error for Broken {}

#[worker]
impl Kitchen {
    async fn init(log: Addr<String>, start: u64, ctx: &mut Context<Self>) -> Result<Self, String> {
        let _ = ctx.pid();
        if start == 13 {
            return Err("unlucky start".to_string());
        }
        Ok(Kitchen {
            total: start,
            parked: Vec::new(),
            log,
        })
    }

    /// Adds `n`, asynchronously.
    #[info]
    async fn add(&mut self, n: u64) {
        tokio::task::yield_now().await;
        self.total += n;
    }

    /// Crashes with a typed error.
    #[info]
    fn fail(&mut self) -> Result<(), Broken> {
        Err(Broken)
    }

    /// Crashes with a string error.
    #[cast]
    fn fail_text(&mut self, why: String) -> Result<Flow, String> {
        Err(why)
    }

    /// Stops with a chosen reason.
    #[cast]
    fn halt(&mut self, reason: String) -> Flow {
        Flow::Stop(ExitReason::shutdown_with(reason))
    }

    #[cast]
    fn reset(&mut self) {
        self.total = 0;
    }

    #[info]
    fn opaque(&mut self, token: Token) {
        self.total += u64::from(token.0);
    }

    #[call]
    fn total(&self) -> u64 {
        self.total
    }

    #[call]
    async fn double(&mut self) -> u64 {
        self.total *= 2;
        self.total
    }

    #[call]
    fn me(&self, ctx: &Context<Self>) -> supervise_runtime::Pid {
        ctx.pid()
    }

    #[call]
    fn checked(&self, divisor: u64) -> Result<u64, String> {
        self.total
            .checked_div(divisor)
            .ok_or_else(|| "division by zero".to_string())
    }

    /// Answers when `release` is sent.
    #[call]
    fn park(&mut self, reply: ReplyTo<u64>) {
        self.parked.push(reply);
    }

    #[info]
    fn release(&mut self) {
        for reply in self.parked.drain(..) {
            reply.reply(self.total);
        }
    }

    #[call]
    fn stop_and_answer(&mut self, answer: ReplyTo<&'static str>) -> Flow {
        answer.reply("bye");
        Flow::stop_normal()
    }

    #[call]
    fn slow(&self) {
        std::thread::sleep(Duration::from_millis(50));
    }

    #[info]
    fn tick_later(&mut self, ctx: &mut Context<Self>) {
        ctx.send_after(KitchenMsg::Add { n: 100 }, Duration::from_millis(10));
    }

    fn terminate(&mut self, reason: &ExitReason) {
        let _ = self.log.send(format!("terminate: {reason}"));
    }
}

async fn kitchen(start: u64) -> (Inbox<String>, KitchenRef) {
    let inbox = Inbox::new();
    let k = Kitchen::start(inbox.addr(), start).await.unwrap();
    (inbox, k)
}

async fn next(inbox: &mut Inbox<String>) -> String {
    inbox.recv().await.unwrap().into_message().unwrap()
}

#[tokio::test]
async fn sync_and_async_info_and_call_handlers() {
    let (_inbox, k) = kitchen(1).await;
    k.add(2).unwrap();
    k.opaque(Token(4)).unwrap();
    assert_eq!(k.total().await, Ok(7));
    assert_eq!(k.double().await, Ok(14));
    k.reset().unwrap();
    assert_eq!(k.total().timeout(Duration::from_secs(1)).await, Ok(0));
}

#[tokio::test]
async fn a_result_returning_call_replies_with_the_whole_result() {
    let (_inbox, k) = kitchen(10).await;
    assert_eq!(k.checked(2).await, Ok(Ok(5)));
    assert_eq!(k.checked(0).await, Ok(Err("division by zero".to_string())));
    assert!(k.is_alive(), "an Err reply does not stop the worker");
}

#[tokio::test(start_paused = true)]
async fn the_context_parameter_is_the_workers_own() {
    let (_inbox, k) = kitchen(0).await;
    assert_eq!(k.me().await, Ok(k.pid()));
    k.tick_later().unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(k.total().await, Ok(100));
}

#[tokio::test]
async fn a_deferred_reply_answers_later() {
    let (_inbox, k) = kitchen(3).await;
    let parked = {
        let k = k.clone();
        tokio::spawn(async move { k.park().await })
    };
    tokio::task::yield_now().await;
    k.add(4).unwrap();
    k.release().unwrap();
    assert_eq!(parked.await.unwrap(), Ok(7));
}

#[tokio::test]
async fn a_deferred_reply_can_stop_the_worker_after_answering() {
    let (mut inbox, k) = kitchen(0).await;
    assert_eq!(k.stop_and_answer().await, Ok("bye"));
    assert_eq!(k.process().wait().await, ExitReason::Normal);
    assert_eq!(next(&mut inbox).await, "terminate: normal");
}

#[tokio::test]
async fn a_flow_stop_ends_the_worker_with_its_reason_after_terminate() {
    let (mut inbox, k) = kitchen(0).await;
    k.halt("maintenance").unwrap();
    assert_eq!(
        k.process().wait().await,
        ExitReason::shutdown_with("maintenance")
    );
    assert_eq!(next(&mut inbox).await, "terminate: {shutdown, maintenance}");
}

#[tokio::test]
async fn an_err_from_a_handler_crashes_with_the_error_as_reason() {
    let (_log, _guard) = log::capture();
    let (_inbox, k) = kitchen(0).await;
    k.fail().unwrap();
    let reason = k.process().wait().await;
    assert_eq!(reason.to_string(), "broken on purpose");
    let ExitReason::Error(source) = &reason else {
        panic!("{reason:?}")
    };
    assert!(source.is::<Broken>(), "a std error is kept as the source");

    let (_inbox, k) = kitchen(0).await;
    k.fail_text("bad input").unwrap();
    assert_eq!(k.process().wait().await, ExitReason::error("bad input"));
}

#[tokio::test]
async fn init_err_fails_the_start_with_the_reason() {
    let (_log, _guard) = log::capture();
    let inbox = Inbox::new();
    let err = Kitchen::start(inbox.addr(), 13).await.unwrap_err();
    assert_eq!(
        err,
        supervise_runtime::StartError::Stopped(ExitReason::error("unlucky start"))
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_times_out_with_the_timeout_variant() {
    let (_inbox, k) = kitchen(0).await;
    let _ = k.slow().timeout(Duration::from_millis(1)).await;
    assert_eq!(k.total().await, Ok(0));
}

#[tokio::test]
async fn a_state_that_is_not_debug_is_named_in_the_crash_report() {
    let (log, _guard) = log::capture();
    let (_inbox, k) = kitchen(0).await;
    k.fail().unwrap();
    k.process().wait().await;
    let text = log.text();
    assert!(text.contains("Last message: Fail"), "{text}");
    assert!(text.contains("State: <"), "{text}");
    assert!(text.contains("Kitchen is not Debug>"), "{text}");
    let msg = KitchenMsg::Opaque { token: Token(1) };
    assert!(
        format!("{msg:?}").contains("Token is not Debug>"),
        "{msg:?}"
    );
}

#[tokio::test]
async fn calls_to_a_dead_worker_fail_at_once() {
    let (_inbox, k) = kitchen(0).await;
    k.process().exit(ExitReason::Kill);
    k.process().wait().await;
    assert_eq!(k.total().await, Err(CallError::NoProc));
    assert!(k.add(1).is_err());
}

#[tokio::test]
async fn the_handle_is_clone_debug_and_derefs_to_its_address() {
    let (_inbox, k) = kitchen(0).await;
    let copy = k.clone();
    assert_eq!(copy, k);
    let address: &supervise_runtime::Handle<Kitchen> = &k;
    assert_eq!(address.pid(), k.pid());
    assert!(format!("{k:?}").starts_with("KitchenRef("));
    let raw: KitchenRef = address.clone().into();
    assert_eq!(raw, k);
    address.cast(KitchenCast::Reset).unwrap();
}

mod renamed {
    //! `crate = path` for users who rename the runtime.
    pub mod my_rt {
        pub use supervise_runtime::*;
    }

    pub(crate) struct Named;

    #[supervise_runtime::worker(crate = self::my_rt, vis = pub(crate))]
    impl Named {
        fn init() -> my_rt::Init<Self> {
            my_rt::Init::Ok(Named)
        }
        #[call]
        fn name(&self) -> String {
            "named".into()
        }
    }

    #[tokio::test]
    async fn a_renamed_runtime_path_is_used() {
        let n = Named::start().await.unwrap();
        assert_eq!(n.name().await.unwrap(), "named");
    }
}

#[tokio::test]
async fn init_may_return_init_ignore() {
    pub struct Shy;
    #[worker]
    impl Shy {
        fn init(go: bool) -> Init<Self> {
            if go { Init::Ok(Shy) } else { Init::Ignore }
        }
    }
    assert!(matches!(
        Shy::start(false).await,
        Err(supervise_runtime::StartError::Ignored)
    ));
    assert!(Shy::start(true).await.is_ok());
}

mod signals {
    //! `#[exit]` and `#[down]`: a worker that traps exits and monitors sees both, and its
    //! `#[exit]` replaces the default parent-exit handling, so forwarding it is its own job.
    use std::time::Duration;

    use supervise_runtime::{
        AsProcess, Context, Down, ExitReason, Flow, Inbox, Pid, ProcessRef, Received, Strategy,
        Supervisor, SupervisorSpec, worker,
    };
    use tokio::time::Instant;

    /// What a `Sentinel` saw, in order.
    #[derive(Debug, PartialEq)]
    pub enum Seen {
        Exit(Pid, ExitReason),
        Down(Pid, ExitReason),
        Terminated(ExitReason),
    }

    /// Links to one process, monitors another, and reports every signal.
    pub struct Sentinel {
        seen: supervise_runtime::Addr<Seen>,
    }

    #[worker]
    impl Sentinel {
        fn init(
            seen: supervise_runtime::Addr<Seen>,
            linked: ProcessRef,
            watched: ProcessRef,
            ctx: &mut Context<Self>,
        ) -> Self {
            ctx.trap_exit(true);
            ctx.link(&linked);
            ctx.monitor(&watched);
            Sentinel { seen }
        }
        /// Forwards the parent's exit, as the default `handle_exit` does.
        #[exit]
        fn on_exit(&mut self, from: Pid, reason: ExitReason, ctx: &Context<Self>) -> Flow {
            if Some(from) == ctx.parent() {
                return Flow::Stop(reason);
            }
            let _ = self.seen.send(Seen::Exit(from, reason));
            Flow::Continue
        }
        #[down]
        async fn on_down(&mut self, down: Down) {
            let _ = self.seen.send(Seen::Down(down.pid, down.reason));
        }
        fn terminate(&mut self, reason: &ExitReason) {
            let _ = self.seen.send(Seen::Terminated(reason.clone()));
        }
    }

    /// Traps exits but ignores every one, its parent's included.
    pub struct Deaf;

    #[worker]
    impl Deaf {
        fn init(ctx: &Context<Self>) -> Self {
            ctx.trap_exit(true);
            Deaf
        }
        #[exit]
        fn on_exit(&mut self, _from: Pid, _reason: ExitReason) {}
    }

    async fn next(inbox: &mut Inbox<Seen>) -> Seen {
        match inbox.recv().await {
            Ok(Received::Message(seen)) => seen,
            other => panic!("expected a report, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_trapping_monitoring_worker_gets_exits_and_downs() {
        let mut seen = Inbox::<Seen>::new();
        let (linked, watched) = (Inbox::<()>::new(), Inbox::<()>::new());
        let sentinel = Sentinel::start(seen.addr(), linked.process(), watched.process())
            .await
            .unwrap();

        linked.process().exit(ExitReason::error("linked broke"));
        let exit = Seen::Exit(linked.pid(), ExitReason::error("linked broke"));
        assert_eq!(next(&mut seen).await, exit);
        watched.process().exit(ExitReason::error("gone"));
        let down = Seen::Down(watched.pid(), ExitReason::error("gone"));
        assert_eq!(next(&mut seen).await, down);
        assert!(
            sentinel.is_alive(),
            "a trapped exit is a message, not a death"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_exit_handler_forwarding_the_parents_exit_stops_on_shutdown() {
        let mut seen = Inbox::<Seen>::new();
        let (linked, watched) = (Inbox::<()>::new(), Inbox::<()>::new());
        let spec = Sentinel::child_spec(seen.addr(), linked.process(), watched.process());
        let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne).child(spec))
            .await
            .unwrap();
        let asked = Instant::now();
        assert_eq!(
            sup.stop(ExitReason::Shutdown).await,
            Ok(ExitReason::Shutdown)
        );
        assert_eq!(asked.elapsed(), Duration::ZERO, "stopped, not killed later");
        assert_eq!(
            next(&mut seen).await,
            Seen::Terminated(ExitReason::Shutdown)
        );
    }

    /// Guards the documented contract: `#[exit]` replaces the default entirely.
    #[tokio::test(start_paused = true)]
    async fn an_exit_handler_ignoring_the_parent_is_killed_after_the_shutdown_timeout() {
        let sup =
            Supervisor::start(SupervisorSpec::new(Strategy::OneForOne).child(Deaf::child_spec()))
                .await
                .unwrap();
        let asked = Instant::now();
        assert_eq!(
            sup.stop(ExitReason::Shutdown).await,
            Ok(ExitReason::Shutdown)
        );
        assert_eq!(asked.elapsed(), Duration::from_millis(5000));
    }
}
