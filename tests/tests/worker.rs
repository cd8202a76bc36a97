//! GenServer-style workers implemented by hand on the `Worker` trait: synchronous start,
//! init results, calls, casts, stops, crashes and their reports, trap_exit and terminate.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use supervise_runtime::{
    Addr, AsProcess, CallError, Context, DEFAULT_CALL_TIMEOUT, Down, ExitReason, Flow, Inbox, Init,
    Mailbox, MessageOf, Pid, Received, ReplyTo, SendError, StartError, StartOptions, Worker,
    registry, start, start_link, start_with,
};
use tests::capture_logs;

// ---------------------------------------------------------------------------------------
// The seed worker of the DynamicSupervisor story, written by hand.

#[derive(Debug, Clone, PartialEq)]
enum Reply {
    HelloFriend,
    Goodbye,
}

#[derive(Debug)]
struct Seed {
    reply_to: Addr<Reply>,
    conn: &'static str,
}

#[derive(Debug)]
enum SeedMsg {
    Store(String, String),
    Shutdown,
    Raise(String),
}

impl Worker for Seed {
    type Args = (Addr<Reply>, &'static str);
    type Info = SeedMsg;
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init((reply_to, conn): Self::Args, _: &mut Context<Self>) -> Init<Self> {
        Init::Ok(Seed { reply_to, conn })
    }

    async fn handle_info(&mut self, msg: SeedMsg, _: &mut Context<Self>) -> Flow {
        match msg {
            SeedMsg::Store(key, value) => {
                assert!(!key.is_empty() && !value.is_empty() && !self.conn.is_empty());
                let _ = self.reply_to.send(Reply::HelloFriend);
                Flow::Continue
            }
            SeedMsg::Shutdown => {
                let _ = self.reply_to.send(Reply::Goodbye);
                Flow::stop_normal()
            }
            SeedMsg::Raise(message) => panic!("{message}"),
        }
    }

    fn format_message(msg: &MessageOf<Self>, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(out, "{msg:?}")
    }

    fn format_state(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(out, "{self:?}")
    }
}

#[tokio::test]
async fn seed_story_start_link_crash_takes_the_shell_down() {
    let (_guard, logs) = capture_logs();
    let mut shell = Inbox::<Reply>::new();
    let worker = start_link::<Seed>((shell.addr(), "redis")).await.unwrap();
    assert!(shell.process().is_linked_to(worker.pid()));

    worker
        .send(SeedMsg::Store("foo".into(), "bar".into()))
        .unwrap();
    assert_eq!(
        shell.recv().await,
        Ok(Received::Message(Reply::HelloFriend))
    );

    worker.send(SeedMsg::Raise("heck".into())).unwrap();
    let reason = worker.process().wait().await;
    assert!(
        !shell.is_alive(),
        "the crash took the linked shell down with it"
    );
    let panic = reason.panic().expect("a panic reason");
    assert_eq!(panic.message(), "heck");
    assert!(
        panic
            .location()
            .unwrap()
            .starts_with("tests/tests/worker.rs:"),
        "{panic:?}"
    );
    assert_eq!(shell.exit_reason(), Some(reason.clone()));
    assert!(matches!(
        shell.recv().await,
        Err(supervise_runtime::RecvError::Exited(_))
    ));

    let crash = &logs.with_target("supervise::crash")[0];
    assert_eq!(crash.level, tracing::Level::ERROR);
    assert_eq!(crash.field("pid"), worker.pid().to_string());
    assert!(crash.field("worker").ends_with("Seed"));
    assert_eq!(crash.field("reason"), reason.to_string());
    assert_eq!(crash.field("location"), panic.location().unwrap());
    assert_eq!(crash.field("last_message"), r#"Raise("heck")"#);
    assert!(
        crash
            .field("state")
            .starts_with("Seed { reply_to: Addr(#PID<0."),
        "{}",
        crash.field("state")
    );
    assert!(crash.field("state").ends_with(r#"conn: "redis" }"#));
    assert!(
        crash
            .field("message")
            .contains("Last message: Raise(\"heck\")")
    );
}

#[tokio::test]
async fn seed_story_trapping_shell_gets_the_exit_and_lives() {
    let (_guard, _logs) = capture_logs();
    let mut shell = Inbox::<Reply>::new();
    shell.trap_exit(true);
    let worker = start_link::<Seed>((shell.addr(), "redis")).await.unwrap();
    worker.send(SeedMsg::Raise("heck".into())).unwrap();
    match shell.recv().await.unwrap() {
        Received::Exit { from, reason } => {
            assert_eq!(from, worker.pid());
            assert_eq!(reason.panic().unwrap().message(), "heck");
        }
        other => panic!("expected an exit message, got {other:?}"),
    }
    assert!(shell.is_alive());
}

#[tokio::test]
async fn seed_story_shutdown_answers_goodbye_and_stops_normally() {
    let (_guard, logs) = capture_logs();
    let mut shell = Inbox::<Reply>::new();
    let worker = start_link::<Seed>((shell.addr(), "redis")).await.unwrap();
    worker.send(SeedMsg::Shutdown).unwrap();
    assert_eq!(shell.recv().await, Ok(Received::Message(Reply::Goodbye)));
    assert_eq!(worker.process().wait().await, ExitReason::Normal);
    assert!(shell.is_alive(), "a normal exit kills no one");
    assert!(
        logs.with_target("supervise::crash").is_empty(),
        "normal exits are not crashes"
    );
}

// ---------------------------------------------------------------------------------------
// A configurable probe worker.

#[derive(Default)]
struct Probe {
    count: u64,
    held: Vec<ReplyTo<u64>>,
    events: Option<Addr<String>>,
}

enum ProbeInit {
    Ok(Option<Addr<String>>),
    Stop,
    Ignore,
    Panic,
    Trap(Addr<String>),
    Hang,
}

#[derive(Debug)]
enum Info {
    Add(u64),
    Stop(ExitReason),
    Fail,
    Release,
    Sleep(Duration),
    Watch(supervise_runtime::ProcessRef),
    /// Drops the held calls' reply handles without answering.
    Forget,
}

#[derive(Debug)]
enum Call {
    Get(ReplyTo<u64>),
    Held(ReplyTo<u64>),
    Drop(ReplyTo<u64>),
    Slow(Duration, ReplyTo<u64>),
    Recurse(ReplyTo<Result<u64, CallError>>),
}

impl Probe {
    fn note(&self, what: impl Into<String>) {
        if let Some(e) = &self.events {
            let _ = e.send(what.into());
        }
    }
}

impl Worker for Probe {
    type Args = ProbeInit;
    type Info = Info;
    type Call = Call;
    type Cast = u64;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init(args: ProbeInit, ctx: &mut Context<Self>) -> Init<Self> {
        match args {
            ProbeInit::Ok(events) => Init::Ok(Probe {
                events,
                ..Probe::default()
            }),
            ProbeInit::Stop => Init::Stop(ExitReason::error("no config")),
            ProbeInit::Ignore => Init::Ignore,
            ProbeInit::Panic => panic!("init exploded"),
            ProbeInit::Trap(events) => {
                ctx.trap_exit(true);
                Init::Ok(Probe {
                    events: Some(events),
                    ..Probe::default()
                })
            }
            ProbeInit::Hang => std::future::pending().await,
        }
    }

    async fn handle_info(&mut self, msg: Info, ctx: &mut Context<Self>) -> Flow {
        match msg {
            Info::Add(n) => self.count += n,
            Info::Stop(reason) => return Flow::Stop(reason),
            Info::Fail => {
                return Flow::Stop(ExitReason::from_error(std::io::Error::other(
                    "disk on fire",
                )));
            }
            Info::Release => {
                for r in self.held.drain(..) {
                    r.reply(self.count);
                }
            }
            Info::Sleep(d) => tokio::time::sleep(d).await,
            Info::Watch(target) => {
                ctx.monitor(&target);
            }
            Info::Forget => self.held.clear(),
        }
        Flow::Continue
    }

    async fn handle_call(&mut self, call: Call, ctx: &mut Context<Self>) -> Flow {
        match call {
            Call::Get(r) => r.reply(self.count),
            Call::Held(r) => self.held.push(r),
            Call::Drop(r) => {
                drop(r);
                return Flow::Stop(ExitReason::error("dropped the reply"));
            }
            Call::Slow(d, r) => {
                tokio::time::sleep(d).await;
                r.reply(self.count);
            }
            Call::Recurse(r) => r.reply(ctx.handle().call(Call::Get).await),
        }
        Flow::Continue
    }

    async fn handle_cast(&mut self, n: u64, _: &mut Context<Self>) -> Flow {
        self.count += n;
        Flow::Continue
    }

    async fn handle_exit(
        &mut self,
        from: Pid,
        reason: ExitReason,
        ctx: &mut Context<Self>,
    ) -> Flow {
        self.note(format!("exit {reason}"));
        if ctx.parent() == Some(from) {
            Flow::Stop(reason)
        } else {
            Flow::Continue
        }
    }

    async fn handle_down(&mut self, down: Down, _: &mut Context<Self>) -> Flow {
        self.note(format!("down {}", down.reason));
        Flow::Continue
    }

    async fn terminate(&mut self, reason: &ExitReason, _: &mut Context<Self>) {
        self.note(format!("terminate {reason}"));
    }
}

async fn probe() -> supervise_runtime::RefOf<Probe> {
    start::<Probe>(ProbeInit::Ok(None)).await.unwrap()
}

#[tokio::test]
async fn start_returns_after_init_with_a_live_handle() {
    let p = probe().await;
    assert!(p.is_alive());
    p.send(Info::Add(2)).unwrap();
    p.cast(3).unwrap();
    assert_eq!(p.call(Call::Get).await, Ok(5));
}

#[tokio::test]
async fn init_stop_ignore_and_panic_are_start_results_and_leak_nothing() {
    let (_guard, logs) = capture_logs();
    let shell = Inbox::<()>::new();
    assert_eq!(
        start_link::<Probe>(ProbeInit::Stop).await.unwrap_err(),
        StartError::Stopped(ExitReason::error("no config"))
    );
    assert_eq!(
        start_link::<Probe>(ProbeInit::Ignore).await.unwrap_err(),
        StartError::Ignored
    );
    let err = start_link::<Probe>(ProbeInit::Panic).await.unwrap_err();
    let StartError::Panicked(reason) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(reason.panic().unwrap().message(), "init exploded");
    assert!(
        shell.is_alive(),
        "a failed start_link reports through its result, not a signal"
    );
    assert_eq!(shell.process().links_and_monitors(), (0, 0));
    let crashes = logs.with_target("supervise::crash");
    assert_eq!(
        crashes.len(),
        2,
        "stop(abnormal) and the panic are reported; ignore is not"
    );
    assert_eq!(crashes[1].field("state"), "<init did not complete>");
}

#[tokio::test]
async fn named_start_registers_before_init_and_rejects_a_taken_name() {
    let first = start_with::<Probe>(
        ProbeInit::Ok(None),
        StartOptions::new().name("test:worker:named"),
    )
    .await
    .unwrap();
    assert_eq!(registry::whereis("test:worker:named"), Some(first.pid()));
    let second = start_with::<Probe>(
        ProbeInit::Panic,
        StartOptions::new().name("test:worker:named"),
    )
    .await;
    assert_eq!(
        second.unwrap_err(),
        StartError::AlreadyStarted(first.pid()),
        "init did not run"
    );
    first.process().exit(ExitReason::Kill);
    first.process().wait().await;
    assert_eq!(registry::whereis("test:worker:named"), None);
}

#[tokio::test]
async fn start_link_outside_any_process_is_an_error() {
    let err = tokio::spawn(start_link::<Probe>(ProbeInit::Ok(None)))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err, StartError::NoCaller);
    assert!(err.to_string().contains("open an Inbox"));
}

#[tokio::test(start_paused = true)]
async fn a_kill_during_init_fails_the_start_and_reaches_the_linked_caller() {
    let mut shell = Inbox::<()>::new();
    shell.trap_exit(true);
    let options = StartOptions::new().link(true).name("test:worker:hang");
    let starting = start_with::<Probe>(ProbeInit::Hang, options);
    let killer = async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let half_started =
            registry::lookup_process("test:worker:hang").expect("registered before init");
        half_started.exit(ExitReason::Kill);
        half_started.pid()
    };
    let (res, pid) = tokio::join!(starting, killer);
    assert_eq!(res.unwrap_err(), StartError::Exited(ExitReason::Killed));
    assert_eq!(
        shell.recv().await,
        Ok(Received::Exit {
            from: pid,
            reason: ExitReason::Killed
        })
    );
    assert_eq!(registry::whereis("test:worker:hang"), None);
}

#[tokio::test]
async fn call_to_dead_process_is_noproc_at_once_and_send_hands_the_message_back() {
    let p = probe().await;
    p.process().exit(ExitReason::Kill);
    p.process().wait().await;
    assert_eq!(p.call(Call::Get).await, Err(CallError::NoProc));
    let Err(SendError::NoProc(Info::Add(9))) = p.send(Info::Add(9)) else {
        panic!("message not handed back")
    };
    assert_eq!(p.cast(4), Err(SendError::NoProc(4)));
}

#[tokio::test(start_paused = true)]
async fn call_times_out_after_five_seconds_by_default_and_late_reply_is_dropped() {
    let p = probe().await;
    let start = tokio::time::Instant::now();
    let res = p.call(|r| Call::Slow(Duration::from_secs(10), r)).await;
    timed_out_on_time((res, start.elapsed()), DEFAULT_CALL_TIMEOUT);
    // the worker replies late into nothing and keeps serving
    assert_eq!(
        p.call_timeout(Call::Get, Duration::from_secs(60)).await,
        Ok(0)
    );
    assert_eq!(start.elapsed(), Duration::from_secs(10));
    assert!(p.is_alive());
}

#[tokio::test(start_paused = true)]
async fn call_timeout_uses_the_given_duration() {
    let p = probe().await;
    let start = tokio::time::Instant::now();
    let res = p
        .call_timeout(
            |r| Call::Slow(Duration::from_secs(1), r),
            Duration::from_millis(200),
        )
        .await;
    assert_eq!(res, Err(CallError::Timeout));
    assert_eq!(start.elapsed(), Duration::from_millis(200));
}

#[tokio::test]
async fn deferred_replies_are_answered_later() {
    let p = probe().await;
    let held = tokio::spawn({
        let p = p.clone();
        async move { p.call(Call::Held).await }
    });
    tokio::task::yield_now().await;
    p.send(Info::Add(7)).unwrap();
    p.send(Info::Release).unwrap();
    assert_eq!(held.await.unwrap(), Ok(7));
}

#[tokio::test]
async fn process_dying_during_a_call_returns_its_reason() {
    let (_guard, _logs) = capture_logs();
    let p = probe().await;
    assert_eq!(
        p.call(Call::Drop).await,
        Err(CallError::Exited(ExitReason::error("dropped the reply")))
    );
}

#[tokio::test]
async fn calling_oneself_is_an_error_not_a_deadlock() {
    let p = probe().await;
    assert_eq!(p.call(Call::Recurse).await, Ok(Err(CallError::CallingSelf)));
}

#[tokio::test]
async fn handler_stop_runs_terminate_and_exits_with_the_reason() {
    let mut events = Inbox::<String>::new();
    let p = start::<Probe>(ProbeInit::Ok(Some(events.addr())))
        .await
        .unwrap();
    p.send(Info::Stop(ExitReason::shutdown_with("done")))
        .unwrap();
    assert_eq!(p.process().wait().await, ExitReason::shutdown_with("done"));
    assert_eq!(
        events.recv().await,
        Ok(Received::Message("terminate {shutdown, done}".into()))
    );
}

#[tokio::test]
async fn handler_error_is_the_exit_reason_and_is_reported() {
    let (_guard, logs) = capture_logs();
    let p = probe().await;
    p.send(Info::Fail).unwrap();
    assert_eq!(p.process().wait().await, ExitReason::error("disk on fire"));
    let crash = &logs.with_target("supervise::crash")[0];
    assert_eq!(crash.field("reason"), "disk on fire");
    assert_eq!(crash.field("last_message"), "Fail");
    assert!(
        crash.field("state").contains("is not Debug"),
        "{}",
        crash.field("state")
    );
}

#[tokio::test]
async fn trapping_worker_runs_terminate_on_parent_shutdown() {
    let mut events = Inbox::<String>::new();
    let parent = Inbox::<()>::new();
    let p = start_link::<Probe>(ProbeInit::Trap(events.addr()))
        .await
        .unwrap();
    p.process().exit(ExitReason::Shutdown); // from the shell, its parent
    assert_eq!(p.process().wait().await, ExitReason::Shutdown);
    assert_eq!(
        events.recv().await,
        Ok(Received::Message("exit shutdown".into()))
    );
    assert_eq!(
        events.recv().await,
        Ok(Received::Message("terminate shutdown".into()))
    );
    drop(parent);
}

#[tokio::test]
async fn non_trapping_worker_dies_at_once_without_terminate() {
    let mut events = Inbox::<String>::new();
    let p = start::<Probe>(ProbeInit::Ok(Some(events.addr())))
        .await
        .unwrap();
    p.process().exit(ExitReason::Shutdown);
    assert_eq!(p.process().wait().await, ExitReason::Shutdown);
    assert!(events.flush().is_empty(), "terminate did not run");
}

#[tokio::test(start_paused = true)]
async fn kill_interrupts_a_busy_handler() {
    let mut events = Inbox::<String>::new();
    let p = start::<Probe>(ProbeInit::Trap(events.addr()))
        .await
        .unwrap();
    p.send(Info::Sleep(Duration::from_secs(3600))).unwrap();
    tokio::task::yield_now().await;
    let start = tokio::time::Instant::now();
    p.process().exit(ExitReason::Kill);
    assert_eq!(p.process().wait().await, ExitReason::Killed);
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert!(
        events.flush().is_empty(),
        "no terminate for a killed process"
    );
}

#[tokio::test]
async fn signals_are_served_before_queued_messages() {
    let mut events = Inbox::<String>::new();
    let p = start::<Probe>(ProbeInit::Trap(events.addr()))
        .await
        .unwrap();
    let other = Inbox::<()>::new();
    // Queue messages, then a signal, before the worker gets to run.
    for _ in 0..100 {
        p.send(Info::Add(1)).unwrap();
    }
    p.process().exit(ExitReason::error("ping"));
    drop(other);
    assert_eq!(
        events.recv().await,
        Ok(Received::Message("exit ping".into()))
    );
    assert_eq!(
        p.call(Call::Get).await,
        Ok(100),
        "the messages were then served"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_signal_reaches_an_idle_worker_however_many_came_before() {
    // The worker registers its task's waker once; each signal must still wake it, after
    // any number of earlier signals and messages, whichever thread it sleeps on.
    let mut events = Inbox::<String>::new();
    let p = start::<Probe>(ProbeInit::Trap(events.addr()))
        .await
        .unwrap();
    for round in 0..200 {
        p.process().exit(ExitReason::error(format!("ping {round}")));
        // Bounded, so that a lost wake fails rather than hangs the test.
        let got = tokio::time::timeout(Duration::from_secs(10), events.recv()).await;
        assert_eq!(
            got.expect("the signal must wake the worker"),
            Ok(Received::Message(format!("exit ping {round}")))
        );
        if round % 2 == 0 {
            assert_eq!(
                p.call(Call::Get).await,
                Ok(0),
                "idle again after round {round}"
            );
        }
    }
    p.process().exit(ExitReason::Kill);
    assert_eq!(p.process().wait().await, ExitReason::Killed);
}

#[tokio::test]
async fn worker_monitors_deliver_down_to_handle_down() {
    let mut events = Inbox::<String>::new();
    let p = start::<Probe>(ProbeInit::Ok(Some(events.addr())))
        .await
        .unwrap();
    let target = start::<Probe>(ProbeInit::Ok(None)).await.unwrap();
    p.send(Info::Watch(target.process())).unwrap();
    assert_eq!(p.call(Call::Get).await, Ok(0), "the monitor is set up");
    target.process().exit(ExitReason::Kill);
    assert_eq!(
        events.recv().await,
        Ok(Received::Message("down killed".into()))
    );
    assert!(p.is_alive(), "monitors never kill");
}

#[tokio::test]
async fn bounded_mailbox_hands_back_messages_when_full() {
    let p = start_with::<Probe>(
        ProbeInit::Ok(None),
        StartOptions::new().mailbox(Mailbox::Bounded(2)),
    )
    .await
    .unwrap();
    // The worker has not run yet on this single-threaded runtime: the mailbox fills up.
    p.send(Info::Add(1)).unwrap();
    p.send(Info::Add(1)).unwrap();
    assert!(matches!(
        p.send(Info::Add(1)),
        Err(SendError::Full(Info::Add(1)))
    ));
    assert_eq!(p.call(Call::Get).await, Err(CallError::MailboxFull));
    tokio::task::yield_now().await;
    assert_eq!(p.call(Call::Get).await, Ok(2));
}

static DROPS: AtomicUsize = AtomicUsize::new(0);

struct Guarded(#[allow(dead_code)] Arc<()>);
impl Drop for Guarded {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

impl Worker for Guarded {
    type Args = ();
    type Info = ();
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;
    async fn init(_: (), _: &mut Context<Self>) -> Init<Self> {
        Init::Ok(Guarded(Arc::new(())))
    }
}

#[tokio::test]
async fn a_dead_process_drops_its_state() {
    let before = DROPS.load(Ordering::SeqCst);
    let g = start::<Guarded>(()).await.unwrap();
    g.process().exit(ExitReason::Kill);
    g.process().wait().await;
    tokio::task::yield_now().await;
    assert_eq!(DROPS.load(Ordering::SeqCst), before + 1);
}

/// Asserts that a call timed out, never early. A timeout of a second or more is stamped
/// by the deadline keeper's next look rather than read from the clock, so it may fire up to
/// a keeper tick (5 ms, plus tokio's 1 ms timer resolution) late; a shorter one fires on
/// the dot.
fn timed_out_on_time((res, elapsed): (Result<u64, CallError>, Duration), timeout: Duration) {
    assert_eq!(res, Err(CallError::Timeout));
    let slack = match timeout >= Duration::from_secs(1) {
        true => Duration::from_millis(6),
        false => Duration::ZERO,
    };
    assert!(
        elapsed >= timeout && elapsed <= timeout + slack,
        "timed out after {elapsed:?} for a timeout of {timeout:?}"
    );
}

/// Starts a call the probe never answers, in its own task: its result and when it came.
fn held_call(
    p: &supervise_runtime::Handle<Probe>,
    timeout: Option<Duration>,
) -> tokio::task::JoinHandle<(Result<u64, CallError>, Duration)> {
    let p = p.clone();
    let start = tokio::time::Instant::now();
    tokio::spawn(async move {
        let res = match timeout {
            Some(timeout) => p.call_timeout(Call::Held, timeout).await,
            None => p.call(Call::Held).await,
        };
        (res, start.elapsed())
    })
}

#[tokio::test(start_paused = true)]
async fn call_deadlines_are_kept_whatever_order_they_are_made_in() {
    // Calls the worker never answers, the longest timeout first: each must time out at its
    // own deadline (the deadline keeper is woken by an earlier deadline). Both kinds of
    // timeout: read from the clock (under a second) and stamped by the keeper.
    for [long, short, middle] in [[900, 100, 500], [10_000, 1_000, 5_000]] {
        let p = probe().await;
        let [long, short, middle] = [long, short, middle].map(Duration::from_millis);
        let long_call = held_call(&p, Some(long));
        tokio::task::yield_now().await;
        let short_call = held_call(&p, Some(short));
        tokio::task::yield_now().await;
        let middle_call = match middle == DEFAULT_CALL_TIMEOUT {
            true => held_call(&p, None),
            false => held_call(&p, Some(middle)),
        };
        timed_out_on_time(short_call.await.unwrap(), short);
        timed_out_on_time(middle_call.await.unwrap(), middle);
        timed_out_on_time(long_call.await.unwrap(), long);
        p.process().exit(ExitReason::Kill);
    }
}

#[tokio::test(start_paused = true)]
async fn a_long_timeout_made_while_calls_flow_is_never_early_and_at_most_a_tick_late() {
    // Answered calls keep the keeper looking every tick; a long timeout made between two
    // looks is stamped at the next one.
    let p = probe().await;
    for offset in [0, 1, 2, 3, 4, 5, 7] {
        assert_eq!(p.call(Call::Get).await, Ok(0));
        tokio::time::sleep(Duration::from_millis(offset)).await;
        assert_eq!(p.call(Call::Get).await, Ok(0));
        let held = held_call(&p, Some(Duration::from_secs(2)));
        timed_out_on_time(held.await.unwrap(), Duration::from_secs(2));
    }
}

#[tokio::test(start_paused = true)]
async fn a_reply_handle_dropped_late_does_not_stretch_the_timeout() {
    // The worker keeps the call, then drops its reply handle unanswered and lives on: the
    // caller waits for an exit until the call's own deadline, not a timeout from the drop.
    for timeout in [Duration::from_millis(800), Duration::from_secs(2)] {
        let p = probe().await;
        let held = held_call(&p, Some(timeout));
        tokio::time::sleep(timeout * 3 / 4).await;
        p.send(Info::Forget).unwrap();
        timed_out_on_time(held.await.unwrap(), timeout);
        p.process().exit(ExitReason::Kill);
    }
}

#[tokio::test]
async fn a_kill_during_init_is_seen_after_the_start_moved_to_another_task() {
    // An `init` that never returns, its start polled once in one task and then awaited
    // in another: the kill must wake the task that awaits it now.
    let name = "test:worker:moved-start";
    let mut start = Box::pin(start_with::<Probe>(
        ProbeInit::Hang,
        StartOptions::new().name(name),
    ));
    #[allow(clippy::async_yields_async)] // the start future is handed back, unfinished
    let start = tokio::spawn(async move {
        std::future::poll_fn(|cx| {
            assert!(start.as_mut().poll(cx).is_pending());
            std::task::Poll::Ready(())
        })
        .await;
        start
    })
    .await
    .unwrap();
    let waiter = tokio::spawn(start);
    tokio::task::yield_now().await; // the waiter polls the start: still in init
    assert!(!waiter.is_finished());
    let pid = registry::lookup_process(name).expect("registered before init");
    pid.exit(ExitReason::Kill);
    let started = tokio::time::timeout(Duration::from_secs(10), waiter).await;
    assert_eq!(
        started
            .expect("the kill woke the start")
            .unwrap()
            .unwrap_err(),
        StartError::Exited(ExitReason::Killed)
    );
}

#[tokio::test(start_paused = true)]
async fn a_timeout_too_long_to_pass_is_no_timeout() {
    let p = probe().await;
    let held = held_call(&p, Some(Duration::MAX));
    tokio::time::sleep(Duration::from_secs(1_000_000)).await;
    assert!(!held.is_finished(), "still waiting, and nothing panicked");
    p.send(Info::Release).unwrap();
    assert_eq!(held.await.unwrap().0, Ok(0));
}

#[tokio::test(start_paused = true)]
async fn a_waiting_call_times_out_however_many_calls_follow_it() {
    // The keeper keeps the latest registrations in a short ring and moves a call that is
    // pushed out of it while still waiting to its heap: both must expire on time.
    // Both kinds of timeout: read from the clock, and stamped by the keeper.
    let timeouts = [Duration::from_millis(300), Duration::from_secs(1)];
    for (timeout, answered_after) in timeouts
        .into_iter()
        .flat_map(|t| [0, 5, 31, 32, 33, 200, 5_000].map(|n| (t, n)))
    {
        let p = probe().await;
        let held = held_call(&p, Some(timeout));
        tokio::task::yield_now().await;
        for _ in 0..answered_after {
            assert_eq!(p.call(Call::Get).await, Ok(0));
        }
        // Bounded, so that a lost registration fails rather than hangs the test.
        let held = tokio::time::timeout(Duration::from_secs(60), held).await;
        let held = held.expect("the call must end").unwrap();
        timed_out_on_time(held, timeout);
        p.process().exit(ExitReason::Kill);
    }
}

#[tokio::test(start_paused = true)]
async fn many_waiting_calls_each_time_out_at_their_own_deadline() {
    // More waiting calls than the ring holds, deadlines in no particular order.
    let p = probe().await;
    let start = tokio::time::Instant::now();
    let calls: Vec<_> = (0..100u64)
        .map(|i| {
            let timeout = Duration::from_millis(100 + (i * 37) % 1_000);
            let p = p.clone();
            let call = tokio::spawn(async move {
                let res = p.call_timeout(Call::Held, timeout).await;
                (res, start.elapsed())
            });
            (timeout, call)
        })
        .collect();
    for (timeout, call) in calls {
        let call = tokio::time::timeout(Duration::from_secs(60), call).await;
        let call = call.expect("the call must end").unwrap();
        timed_out_on_time(call, timeout);
    }
}

#[test]
fn call_timeouts_work_in_every_runtime_a_thread_runs() {
    // The deadline keeper of a thread dies with its runtime; the next runtime on the same
    // thread must get a new one rather than calls that never time out.
    for _ in 0..2 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(async {
            let p = probe().await;
            let call = p.call_timeout(Call::Held, Duration::from_secs(1));
            let res = tokio::time::timeout(Duration::from_secs(60), call).await;
            assert_eq!(res, Ok(Err(CallError::Timeout)));
        });
    }
}
