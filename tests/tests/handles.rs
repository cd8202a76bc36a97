//! One typed handle from every door, in two flavours: one incarnation (`JobRef`) and one
//! that follows restarts (`JobRef<Following<Job>>`); names; `stop`; plain tasks as callers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use supervise_runtime::{
    AsProcess, CallError, ChildSpec, Context, DynamicSupervisor, ExitReason, Following, Handle,
    Inbox, Received, ReplyTo, Restart, SendError, StartOptions, Strategy, Supervisor,
    SupervisorSpec, worker,
};

/// A job that knows which incarnation it is, can crash, and can take its time to start.
#[derive(Debug)]
pub struct Job {
    n: u32,
    incarnation: u32,
}

#[worker]
impl Job {
    async fn init(n: u32, starts: Arc<AtomicU32>, init_delay: Duration) -> Self {
        let incarnation = starts.fetch_add(1, Ordering::SeqCst) + 1;
        if !init_delay.is_zero() && incarnation > 1 {
            tokio::time::sleep(init_delay).await;
        }
        Job { n, incarnation }
    }

    #[call]
    fn n(&self) -> u32 {
        self.n
    }

    #[call]
    fn incarnation(&self) -> u32 {
        self.incarnation
    }

    #[info]
    fn poke(&mut self) {}

    #[info]
    fn crash(&mut self) {
        panic!("job {} crashed", self.n)
    }

    /// Crashes while the call waits for its answer.
    #[call]
    fn crash_answering(&self) -> u32 {
        panic!("job {} crashed answering", self.n)
    }

    /// Hands the reply to a plain task, which drops it unanswered when `drop` is notified.
    #[call]
    fn pass_on(&self, drop_now: Arc<tokio::sync::Notify>, reply: ReplyTo<u32>) {
        tokio::spawn(async move {
            drop_now.notified().await;
            drop(reply);
        });
    }
}

fn job(n: u32, starts: &Arc<AtomicU32>) -> ChildSpec<Job> {
    Job::child_spec(n, starts.clone(), Duration::ZERO)
}

fn slow_job(n: u32, starts: &Arc<AtomicU32>, delay: Duration) -> ChildSpec<Job> {
    Job::child_spec(n, starts.clone(), delay)
}

fn counter() -> Arc<AtomicU32> {
    Arc::new(AtomicU32::new(0))
}

// --- Every door gives the generated handle, with its methods -----------------------------

#[tokio::test]
async fn every_door_gives_the_generated_handle() {
    let starts = counter();
    let _shell = Inbox::<()>::new();

    let started: JobRef = Job::start(1, starts.clone(), Duration::ZERO).await.unwrap();
    assert_eq!(started.n().await, Ok(1));
    let linked: JobRef = Job::start_link(2, starts.clone(), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(linked.n().await, Ok(2));
    let generic: JobRef = supervise_runtime::start::<Job>((3, starts.clone(), Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(generic.n().await, Ok(3));

    let dynamic = DynamicSupervisor::start(Default::default()).await.unwrap();
    let child: JobRef = dynamic.start_child(job(4, &starts)).await.unwrap();
    assert_eq!(child.n().await, Ok(4));
    let following: JobRef<Following<Job>> = dynamic
        .start_child_following(job(5, &starts))
        .await
        .unwrap();
    assert_eq!(following.n().await, Ok(5));

    let sup = Supervisor::start(SupervisorSpec::default().child(job(6, &starts).id("six")))
        .await
        .unwrap();
    let static_following: JobRef<Following<Job>> = sup.child::<Job>("six").await.unwrap();
    assert_eq!(static_following.n().await, Ok(6));
    let current: JobRef = static_following.current().unwrap();
    assert_eq!(current.n().await, Ok(6));
    let added: JobRef = sup.start_child(job(7, &starts).id("seven")).await.unwrap();
    assert_eq!(added.n().await, Ok(7));

    let children = sup.which_children().await.unwrap();
    let from_info: JobRef = children[0].worker::<Job>().unwrap();
    assert_eq!(from_info.n().await, Ok(6));
    let from_process: JobRef = children[1]
        .process
        .as_ref()
        .unwrap()
        .worker::<Job>()
        .unwrap();
    assert_eq!(from_process.n().await, Ok(7));

    let named = supervise_runtime::start_with::<Job>(
        (8, starts.clone(), Duration::ZERO),
        StartOptions::new().name("handles:doors:eight"),
    )
    .await
    .unwrap();
    let found: JobRef = JobRef::whereis("handles:doors:eight").unwrap();
    assert_eq!(found, named);
    assert_eq!(found.n().await, Ok(8));
    assert_eq!(JobRef::named("handles:doors:eight").n().await, Ok(8));
}

/// `Context::handle` gives the worker's own typed handle.
#[derive(Debug)]
pub struct Selfish;

#[worker]
impl Selfish {
    fn init() -> Self {
        Selfish
    }

    #[call]
    fn me(&self, ctx: &Context<Self>) -> SelfishRef {
        ctx.handle()
    }

    #[call]
    fn ping(&self) -> &'static str {
        "pong"
    }
}

#[tokio::test]
async fn the_context_gives_the_generated_handle() {
    let s = Selfish::start().await.unwrap();
    let me = s.me().await.unwrap();
    assert_eq!(me, s);
    assert_eq!(me.ping().await, Ok("pong"));
}

// --- Following handles --------------------------------------------------------------------

/// Crashes the current incarnation through `job` and waits until it has exited.
async fn crash(job: &JobRef<Following<Job>>) {
    let current = job.current().unwrap();
    current.crash().unwrap();
    current.process().wait().await;
    assert_eq!(
        current.incarnation().await,
        Err(CallError::NoProc),
        "that one is dead"
    );
}

#[tokio::test(start_paused = true)]
async fn a_static_child_is_followed_through_its_restarts() {
    let starts = counter();
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(100, Duration::from_secs(5))
        .child(job(1, &starts).id("job"));
    let sup = Supervisor::start(spec).await.unwrap();
    let job = sup.child::<Job>("job").await.unwrap();
    for round in 1..=5u32 {
        assert_eq!(job.incarnation().await, Ok(round));
        crash(&job).await;
    }
    assert_eq!(job.incarnation().await, Ok(6));
    assert_eq!(starts.load(Ordering::SeqCst), 6);
}

#[tokio::test(start_paused = true)]
async fn a_dynamic_child_is_followed_through_its_restarts() {
    let starts = counter();
    let sup = DynamicSupervisor::start(
        supervise_runtime::DynamicSupervisorSpec::new().intensity(100, Duration::from_secs(5)),
    )
    .await
    .unwrap();
    let other = sup.start_child_following(job(2, &starts)).await.unwrap();
    let job3 = sup.start_child_following(job(3, &starts)).await.unwrap();
    let mut pids = vec![job3.pid().unwrap()];
    for _ in 0..3 {
        crash(&job3).await;
        assert_eq!(job3.n().await, Ok(3), "job 3 is still job 3");
        pids.push(job3.pid().unwrap());
    }
    pids.dedup();
    assert_eq!(pids.len(), 4, "four incarnations, four pids");
    assert_eq!(other.n().await, Ok(2), "the other job was left alone");
}

#[tokio::test(start_paused = true)]
async fn a_call_during_a_restart_is_answered_by_the_next_incarnation() {
    let starts = counter();
    let init_delay = Duration::from_secs(2);
    let spec = SupervisorSpec::default().child(slow_job(1, &starts, init_delay).id("job"));
    let sup = Supervisor::start(spec).await.unwrap();
    let job = sup.child::<Job>("job").await.unwrap();
    let first = job.current().unwrap();
    first.crash().unwrap();
    first.process().wait().await;
    // The supervisor is now restarting it, which takes two seconds.
    let began = tokio::time::Instant::now();
    assert_eq!(job.incarnation().await, Ok(2));
    assert!(
        began.elapsed() >= init_delay,
        "it waited for the new incarnation"
    );
    assert!(began.elapsed() < Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_call_during_a_slow_restart_times_out_at_its_own_timeout() {
    let starts = counter();
    let spec =
        SupervisorSpec::default().child(slow_job(1, &starts, Duration::from_secs(60)).id("job"));
    let sup = Supervisor::start(spec).await.unwrap();
    let job = sup.child::<Job>("job").await.unwrap();
    let first = job.current().unwrap();
    first.crash().unwrap();
    first.process().wait().await;
    let began = tokio::time::Instant::now();
    let r = job.incarnation().timeout(Duration::from_secs(3)).await;
    assert_eq!(r, Err(CallError::Timeout));
    let waited = began.elapsed();
    assert!(
        waited >= Duration::from_secs(3) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn sends_through_a_following_handle_say_restarting_or_gone_and_hand_the_message_back() {
    let starts = counter();
    let spec = SupervisorSpec::default().child(
        slow_job(1, &starts, Duration::from_secs(2))
            .id("job")
            .restart(Restart::Transient),
    );
    let sup = Supervisor::start(spec).await.unwrap();
    let job = sup.child::<Job>("job").await.unwrap();
    assert!(job.poke().is_ok());

    let first = job.current().unwrap();
    first.crash().unwrap();
    first.process().wait().await;
    // Until the supervisor handled the exit, and while the new init runs: restarting.
    assert!(matches!(
        job.poke(),
        Err(SendError::Restarting(JobMsg::Poke))
    ));
    assert_eq!(job.incarnation().await, Ok(2));
    assert!(job.poke().is_ok());

    // A normal stop of a transient child: not restarted, gone (the spec is kept, stopped).
    assert_eq!(job.stop(ExitReason::Normal).await, Ok(ExitReason::Normal));
    let _ = sup.count_children().await;
    assert!(matches!(job.poke(), Err(SendError::NoProc(JobMsg::Poke))));
    assert_eq!(job.n().await, Err(CallError::NoProc));
}

/// A worker with a bounded mailbox that never reads it while it is busy.
#[derive(Debug)]
pub struct Busy;

#[worker]
impl Busy {
    fn init() -> Self {
        Busy
    }

    #[info]
    async fn hold(&mut self, d: u64) {
        tokio::time::sleep(Duration::from_secs(d)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_full_mailbox_through_a_following_handle_is_full_not_restarting() {
    let spec = SupervisorSpec::default().child(
        Busy::child_spec()
            .id("busy")
            .mailbox(supervise_runtime::Mailbox::Bounded(1)),
    );
    let sup = Supervisor::start(spec).await.unwrap();
    let busy = sup.child::<Busy>("busy").await.unwrap();
    busy.hold(100).unwrap();
    tokio::task::yield_now().await; // it takes that one and sleeps
    busy.hold(1).unwrap();
    assert!(matches!(
        busy.hold(2),
        Err(SendError::Full(BusyMsg::Hold { d: 2 }))
    ));
}

#[tokio::test(start_paused = true)]
async fn a_following_handle_reports_gone_once_its_supervisor_stopped() {
    let starts = counter();
    let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    let job = sup.start_child_following(job(1, &starts)).await.unwrap();
    assert_eq!(
        sup.stop(ExitReason::Shutdown).await,
        Ok(ExitReason::Shutdown)
    );
    assert_eq!(job.n().await, Err(CallError::NoProc));
    assert!(matches!(job.poke(), Err(SendError::NoProc(_))));
    assert_eq!(
        job.current().unwrap_err(),
        supervise_runtime::FollowError::Gone
    );
}

#[tokio::test(start_paused = true)]
async fn a_terminated_dynamic_child_is_gone_for_its_following_handle() {
    let starts = counter();
    let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    let job = sup.start_child_following(job(1, &starts)).await.unwrap();
    sup.terminate_child(job.pid().unwrap()).await.unwrap();
    assert_eq!(job.n().await, Err(CallError::NoProc));
}

#[tokio::test(start_paused = true)]
async fn a_following_handle_within_a_restarted_supervisor_waits_for_it() {
    let starts = counter();
    // root (one_for_one) -> inner (one_for_one, max_restarts 0) -> job
    let inner = Following::<Supervisor>::new();
    let job = JobRef::from(Following::<Job>::within(&inner));
    let inner_spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(0, Duration::from_secs(5))
        .child(
            slow_job(1, &starts, Duration::from_secs(1))
                .id("job")
                .publish(&job),
        );
    let root = Supervisor::start(
        SupervisorSpec::default().child(
            ChildSpec::supervisor(inner_spec)
                .id("inner")
                .publish(&inner),
        ),
    )
    .await
    .unwrap();
    assert_eq!(job.incarnation().await, Ok(1));
    let inner_pid = inner.pid().unwrap();
    // A crash is one restart too many for `inner`: it gives up, and `root` restarts it,
    // with a new job inside. The call waits through both.
    let first = job.current().unwrap();
    first.crash().unwrap();
    first.process().wait().await;
    assert_eq!(job.incarnation().await, Ok(2));
    assert_ne!(inner.pid().unwrap(), inner_pid, "inner was restarted");
    let _ = root.stop(ExitReason::Shutdown).await;
    assert_eq!(
        job.n().await,
        Err(CallError::NoProc),
        "gone with the whole tree"
    );
}

/// A supervisor of one job, and the job's following handle.
async fn one_followed_job(n: u32) -> (Handle<Supervisor>, JobRef<Following<Job>>) {
    let spec = SupervisorSpec::default().child(job(n, &counter()).id("job"));
    let sup = Supervisor::start(spec).await.unwrap();
    let job = sup.child::<Job>("job").await.unwrap();
    (sup, job)
}

/// A followed call keeps only its callee's pid: when the callee crashes while answering,
/// the call still ends with that crash's reason, after the restart as before it.
#[tokio::test(start_paused = true)]
async fn a_followed_call_whose_callee_crashes_ends_with_the_crash_reason() {
    let (_sup, job) = one_followed_job(4).await;
    let first = job.pid().unwrap();
    let outcome = job.crash_answering().await;
    match outcome {
        Err(CallError::Exited(reason)) => {
            assert!(
                reason.to_string().contains("job 4 crashed answering"),
                "{reason}"
            )
        }
        other => panic!("expected the crash's reason, got {other:?}"),
    }
    // The restart has happened by now, and the next call reaches the new incarnation.
    assert_eq!(job.incarnation().await, Ok(2));
    assert_ne!(job.pid(), Some(first));
}

/// A reply handle passed on to a plain task and dropped there: the call waits for its
/// callee, as OTP's does (its monitor is on the callee): `Timeout` while the callee
/// lives, its exit reason if it dies in time.
#[tokio::test(start_paused = true)]
async fn a_followed_call_whose_reply_is_dropped_elsewhere_waits_for_its_callee() {
    let (_sup, job) = one_followed_job(5).await;
    let drop_now = Arc::new(tokio::sync::Notify::new());

    // The callee lives on: the call times out at its own timeout.
    let began = tokio::time::Instant::now();
    let call = job
        .pass_on(drop_now.clone())
        .timeout(Duration::from_secs(2));
    let dropper = async {
        tokio::task::yield_now().await;
        drop_now.notify_one();
    };
    let (outcome, ()) = tokio::join!(call, dropper);
    assert_eq!(outcome, Err(CallError::Timeout));
    assert!(began.elapsed() >= Duration::from_secs(2));

    // The callee dies after the drop: the call ends with its reason.
    let callee = job.current().unwrap();
    let call = job
        .pass_on(drop_now.clone())
        .timeout(Duration::from_secs(2));
    let killer = async {
        tokio::task::yield_now().await;
        drop_now.notify_one();
        tokio::time::sleep(Duration::from_millis(100)).await;
        callee.process().exit(ExitReason::error("shot"));
    };
    let (outcome, ()) = tokio::join!(call, killer);
    assert_eq!(outcome, Err(CallError::Exited(ExitReason::error("shot"))));
}

/// The one case where a followed call cannot know its callee's reason: the reply handle
/// was dropped by a plain task after the callee had already been replaced. Like a monitor
/// set on a pid that no longer exists, it ends with `noproc`, at once.
#[tokio::test(start_paused = true)]
async fn a_followed_call_whose_callee_was_replaced_before_the_drop_ends_with_noproc() {
    let (_sup, job) = one_followed_job(6).await;
    let drop_now = Arc::new(tokio::sync::Notify::new());
    let callee = job.current().unwrap();
    let call = job.pass_on(drop_now.clone());
    let replace_then_drop = async {
        tokio::task::yield_now().await;
        callee.process().exit(ExitReason::error("shot"));
        let next = job.wait_current(Duration::from_secs(1)).await.unwrap();
        assert_ne!(next.pid(), callee.pid());
        drop_now.notify_one();
    };
    let began = tokio::time::Instant::now();
    let (outcome, ()) = tokio::join!(call, replace_then_drop);
    assert_eq!(outcome, Err(CallError::Exited(ExitReason::NoProc)));
    assert!(
        began.elapsed() < Duration::from_secs(1),
        "no wait for the timeout"
    );
}

/// Asks itself, through a handle that follows its own name.
#[derive(Debug)]
pub struct Narcissus;

#[worker]
impl Narcissus {
    fn init() -> Self {
        Narcissus
    }

    #[call]
    fn me(&self) -> u8 {
        1
    }

    #[call]
    async fn ask_myself(&self) -> Result<u8, CallError> {
        NarcissusRef::from(Following::named("handles:narcissus"))
            .me()
            .await
    }
}

#[tokio::test]
async fn a_call_to_oneself_through_a_following_handle_is_calling_self() {
    let _n = supervise_runtime::start_with::<Narcissus>(
        (),
        StartOptions::new().name("handles:narcissus"),
    )
    .await
    .unwrap();
    let by_name = NarcissusRef::from(Following::named("handles:narcissus"));
    assert_eq!(by_name.me().await, Ok(1));
    assert_eq!(by_name.ask_myself().await, Ok(Err(CallError::CallingSelf)));
}

/// Many tasks call through one following handle at once, on two threads: every call is
/// answered, by the one incarnation there is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_call_through_one_following_handle_at_once() {
    let starts = counter();
    let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    let job = sup.start_child_following(job(8, &starts)).await.unwrap();
    let callers: Vec<_> = (0..8)
        .map(|_| {
            let job = job.clone();
            tokio::spawn(async move {
                for _ in 0..200 {
                    assert_eq!(job.n().await, Ok(8));
                    job.poke().unwrap();
                }
            })
        })
        .collect();
    for caller in callers {
        caller.await.unwrap();
    }
    assert_eq!(starts.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn following_calls_never_hang_while_a_child_crashes_again_and_again() {
    let starts = counter();
    let sup = DynamicSupervisor::start(
        supervise_runtime::DynamicSupervisorSpec::new().intensity(1000, Duration::from_secs(1)),
    )
    .await
    .unwrap();
    let job = sup.start_child_following(job(9, &starts)).await.unwrap();
    let caller = {
        let job = job.clone();
        tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for _ in 0..200 {
                outcomes.push(job.incarnation().timeout(Duration::from_secs(1)).await);
                tokio::task::yield_now().await;
            }
            outcomes
        })
    };
    for _ in 0..50 {
        if let Ok(current) = job.current() {
            let _ = current.crash();
        }
        tokio::task::yield_now().await;
        tokio::task::yield_now().await;
    }
    let outcomes = caller.await.unwrap();
    assert_eq!(outcomes.len(), 200);
    for outcome in &outcomes {
        match outcome {
            Ok(_) | Err(CallError::Exited(_)) => {}
            other => panic!("a call ended badly: {other:?}"),
        }
    }
    let answered: Vec<u32> = outcomes.iter().filter_map(|o| o.clone().ok()).collect();
    assert!(
        answered.windows(2).all(|w| w[0] <= w[1]),
        "incarnations only go forward"
    );
    assert!(
        answered.last().copied().unwrap_or(0) > 1,
        "later calls reached later incarnations"
    );
}

/// A worker that keeps calls unanswered and can be killed while it holds them.
#[derive(Debug)]
pub struct Keeper {
    parked: Vec<ReplyTo<u8>>,
}

#[worker]
impl Keeper {
    fn init() -> Self {
        Keeper { parked: Vec::new() }
    }

    #[call]
    fn park(&mut self, reply: ReplyTo<u8>) {
        self.parked.push(reply);
    }

    #[call]
    fn ping(&self) -> u8 {
        1
    }

    #[call]
    async fn slow_crash(&self) -> u8 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        panic!("slow crash")
    }

    #[info]
    fn poke(&mut self) {}
}

/// Calls queued behind a handler that crashes: each ends with the crash's reason, though
/// none holds its callee (their reply handles go with the callee's mailbox, as its own).
#[tokio::test(start_paused = true)]
async fn followed_calls_queued_behind_a_crash_end_with_its_reason() {
    let sup = Supervisor::start(SupervisorSpec::default().child(Keeper::child_spec().id("k")))
        .await
        .unwrap();
    let keeper = sup.child::<Keeper>("k").await.unwrap();
    let (a, b, c) = tokio::join!(keeper.slow_crash(), keeper.ping(), keeper.park());
    for outcome in [a, b, c] {
        match outcome {
            Err(CallError::Exited(reason)) => {
                assert!(reason.to_string().contains("slow crash"), "{reason}")
            }
            other => panic!("expected the crash's reason, got {other:?}"),
        }
    }
}

/// Many tasks send and call through one following handle while another kills its child
/// again and again: every call ends, with a reply or its callee's exit reason, never at
/// its timeout. (A callee killed while calls were still being written into its mailbox
/// once left them there until their timeout.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn calls_through_a_following_handle_end_while_its_child_is_killed_again_and_again() {
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(1_000_000, Duration::from_secs(1))
        .child(Keeper::child_spec().id("keeper"));
    let sup = Supervisor::start(spec).await.unwrap();
    let keeper = sup.child::<Keeper>("keeper").await.unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let callers: Vec<_> = (0..6)
        .map(|_| {
            let (keeper, stop) = (keeper.clone(), stop.clone());
            tokio::spawn(async move {
                let mut calls = 0u32;
                loop {
                    let _ = keeper.poke();
                    match keeper.ping().timeout(Duration::from_secs(10)).await {
                        Ok(1) | Err(CallError::Exited(_)) => calls += 1,
                        other => panic!("a call ended badly: {other:?}"),
                    }
                    if stop.load(Ordering::Relaxed) {
                        break calls;
                    }
                }
            })
        })
        .collect();
    let killer = {
        let keeper = keeper.clone();
        tokio::spawn(async move {
            for _ in 0..2_000 {
                if let Ok(current) = keeper.current() {
                    current.process().exit(ExitReason::Kill);
                }
                tokio::task::yield_now().await;
            }
        })
    };
    killer.await.unwrap();
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        assert!(caller.await.unwrap() > 0);
    }
}

/// A deferred reply kept in the callee's state, the callee killed: the call ends with
/// `killed`, found through the process that dropped the reply.
#[tokio::test(start_paused = true)]
async fn a_followed_call_kept_by_a_killed_callee_ends_with_killed() {
    let sup = Supervisor::start(SupervisorSpec::default().child(Keeper::child_spec().id("k")))
        .await
        .unwrap();
    let keeper = sup.child::<Keeper>("k").await.unwrap();
    let callee = keeper.current().unwrap();
    let killer = async {
        tokio::time::sleep(Duration::from_millis(10)).await;
        callee.process().exit(ExitReason::Kill);
    };
    let (outcome, ()) = tokio::join!(keeper.park(), killer);
    assert_eq!(outcome, Err(CallError::Exited(ExitReason::Killed)));
}

// --- Names ----------------------------------------------------------------------------------
/// A worker whose `init` takes its time, then fails.
#[derive(Debug)]
pub struct NoDatabase;

#[worker]
impl NoDatabase {
    async fn init() -> Result<Self, String> {
        tokio::time::sleep(Duration::from_millis(100)).await;
        Err("no database".into())
    }

    #[call]
    fn ping(&self) -> u8 {
        1
    }
}

/// A call by name reaches a process while its `init` runs (the name is taken first); when
/// `init` fails, the call ends with that reason, as OTP's does.
#[tokio::test(start_paused = true)]
async fn a_call_by_name_during_a_failing_init_ends_with_its_reason() {
    let name = "handles:no-database";
    let start = supervise_runtime::start_with::<NoDatabase>((), StartOptions::new().name(name));
    let by_name = NoDatabaseRef::from(Following::named(name));
    let call = async {
        tokio::task::yield_now().await;
        by_name.ping().await
    };
    let (started, called) = tokio::join!(start, call);
    assert!(started.is_err(), "{started:?}");
    match called {
        Err(CallError::Exited(reason)) => {
            assert!(reason.to_string().contains("no database"), "{reason}")
        }
        other => panic!("expected init's reason, got {other:?}"),
    }
}

/// The same when the start is abandoned (its future dropped) while `init` runs: the call
/// ends with the process's `shutdown`.
#[tokio::test(start_paused = true)]
async fn a_call_by_name_during_an_abandoned_start_ends_with_shutdown() {
    let name = "handles:abandoned";
    let by_name = NoDatabaseRef::from(Following::named(name));
    let start = supervise_runtime::start_with::<NoDatabase>((), StartOptions::new().name(name));
    let call = async {
        tokio::task::yield_now().await;
        by_name.ping().await
    };
    let (abandoned, called) =
        tokio::join!(tokio::time::timeout(Duration::from_millis(50), start), call);
    assert!(abandoned.is_err(), "the start was dropped at its timeout");
    assert_eq!(called, Err(CallError::Exited(ExitReason::Shutdown)));
}

#[tokio::test(start_paused = true)]
async fn a_named_dynamic_child_is_found_by_name_after_three_restarts() {
    let starts = counter();
    let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    sup.start_child(job(3, &starts).name("handles:job:3"))
        .await
        .unwrap();
    let by_name = JobRef::named("handles:job:3");
    for _ in 0..3 {
        let current = JobRef::whereis("handles:job:3").unwrap();
        current.crash().unwrap();
        current.process().wait().await;
        let _ = sup.count_children().await; // the restart is done when this answers
    }
    let found = JobRef::whereis("handles:job:3").expect("registered again after each restart");
    assert_eq!(found.n().await, Ok(3));
    assert_eq!(found.incarnation().await, Ok(4));
    assert_eq!(by_name.incarnation().await, Ok(4));
}

#[tokio::test]
async fn an_unknown_name_is_noproc() {
    assert!(JobRef::whereis("handles:nobody").is_none());
    let nobody = JobRef::named("handles:nobody");
    assert_eq!(nobody.n().await, Err(CallError::NoProc));
    assert!(matches!(
        nobody.poke(),
        Err(SendError::NoProc(JobMsg::Poke))
    ));
    assert!(nobody.pid().is_none());
}

// --- stop -----------------------------------------------------------------------------------

/// Tells `log` the reason its `terminate` ran with. Does not trap exits.
#[derive(Debug)]
pub struct Conn {
    log: supervise_runtime::Addr<String>,
}

#[worker]
impl Conn {
    fn init(log: supervise_runtime::Addr<String>) -> Self {
        Conn { log }
    }

    fn terminate(&mut self, reason: &ExitReason) {
        let _ = self.log.send(format!("terminate({reason})"));
    }
}

#[tokio::test(start_paused = true)]
async fn stop_runs_terminate_and_exits_with_the_reason() {
    let mut log = Inbox::<String>::new();
    let conn = Conn::start(log.addr()).await.unwrap();
    let watcher = Inbox::<()>::new();
    let watch = watcher.monitor(&conn);
    let reason = ExitReason::error("maintenance");
    assert_eq!(conn.stop(reason.clone()).await, Ok(reason.clone()));
    assert_eq!(
        log.recv().await,
        Ok(Received::Message("terminate(maintenance)".into()))
    );
    assert!(!conn.is_alive());
    let mut watcher = watcher;
    match watcher.recv().await.unwrap() {
        Received::Down(down) => {
            assert_eq!(down.reference, watch);
            assert_eq!(down.reason, reason);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(conn.stop(ExitReason::Normal).await, Err(CallError::NoProc));
}

#[tokio::test(start_paused = true)]
async fn a_stopped_permanent_child_is_restarted() {
    let mut log = Inbox::<String>::new();
    let spec = SupervisorSpec::default().child(Conn::child_spec(log.addr()).id("conn"));
    let sup = Supervisor::start(spec).await.unwrap();
    let conn = sup.child::<Conn>("conn").await.unwrap();
    let first = conn.pid().unwrap();
    assert_eq!(conn.stop(ExitReason::Normal).await, Ok(ExitReason::Normal));
    assert_eq!(
        log.recv().await,
        Ok(Received::Message("terminate(normal)".into()))
    );
    let second = conn.wait_current(Duration::from_secs(1)).await.unwrap();
    assert_ne!(
        second.pid(),
        first,
        "a permanent child is restarted after a stop"
    );
    assert_eq!(sup.count_children().await.unwrap().active, 1);
}

#[tokio::test(start_paused = true)]
async fn stop_timeout_times_out_on_a_slow_terminate() {
    pub struct Slow;
    #[worker]
    impl Slow {
        fn init() -> Self {
            Slow
        }
        async fn terminate(&mut self) {
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
    }
    let slow = Slow::start().await.unwrap();
    let r = slow
        .stop_timeout(ExitReason::Shutdown, Duration::from_secs(1))
        .await;
    assert_eq!(r, Err(CallError::Timeout));
    assert!(slow.is_alive(), "still running its terminate");
    assert_eq!(slow.process().wait().await, ExitReason::Shutdown);
}

// --- Plain tasks as callers -----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_task_starts_links_to_and_traps_the_exit_of_a_worker() {
    let starts = counter();
    let task = tokio::spawn(Inbox::<()>::new().run(|mut inbox| async move {
        inbox.trap_exit(true);
        let job = Job::start_link(1, starts, Duration::ZERO).await.unwrap();
        assert!(inbox.process().is_linked_to(job.pid()));
        assert_eq!(job.n().await, Ok(1));
        let watched = Job::start(2, Arc::new(AtomicU32::new(0)), Duration::ZERO)
            .await
            .unwrap();
        let reference = inbox.monitor(&watched);
        job.crash().unwrap();
        watched.crash().unwrap();
        let mut exit_from = None;
        let mut down_of = None;
        for _ in 0..2 {
            match inbox.recv_timeout(Duration::from_secs(5)).await.unwrap() {
                Received::Exit { from, reason } => {
                    assert!(reason.to_string().contains("job 1 crashed"));
                    exit_from = Some(from);
                }
                Received::Down(down) => {
                    assert_eq!(down.reference, reference);
                    down_of = Some(down.pid);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(exit_from, Some(job.pid()));
        assert_eq!(down_of, Some(watched.pid()));
        inbox.is_alive()
    }));
    assert!(
        task.await.unwrap(),
        "the task trapped the exit and lives on"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_task_without_an_inbox_is_not_a_caller_for_start_link() {
    let r = tokio::spawn(async {
        Job::start_link(1, counter(), Duration::ZERO)
            .await
            .map(|_| ())
    })
    .await
    .unwrap();
    assert_eq!(r, Err(supervise_runtime::StartError::NoCaller));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inbox_moves_between_tasks() {
    let inbox = tokio::spawn(async { Inbox::<u8>::new() }).await.unwrap();
    let addr = inbox.addr();
    let got = tokio::spawn(inbox.run(|mut inbox| async move {
        addr.send(7).unwrap();
        inbox.recv().await
    }))
    .await
    .unwrap();
    assert_eq!(got, Ok(Received::Message(7)));
}

#[tokio::test]
async fn a_handle_flavour_is_chosen_by_type() {
    let starts = counter();
    let one: JobRef = Job::start(1, starts, Duration::ZERO).await.unwrap();
    let raw: &Handle<Job> = &one;
    let fixed: JobRef<Following<Job>> = Following::from(raw.clone()).into();
    assert_eq!(fixed.n().await, Ok(1));
    one.stop(ExitReason::Normal).await.unwrap();
    assert_eq!(
        fixed.n().await,
        Err(CallError::NoProc),
        "a fixed handle follows nobody"
    );
}

// --- Printing -------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn which_children_and_count_children_print_as_otp_does() {
    let starts = counter();
    let sup = Supervisor::start(
        SupervisorSpec::default()
            .child(job(1, &starts).id("job"))
            .child(ChildSpec::dynamic_supervisor(Default::default()).id("jobs")),
    )
    .await
    .unwrap();
    let children = sup.which_children().await.unwrap();
    let printed = supervise_runtime::supervisor::Children(&children).to_string();
    let (job_pid, jobs_pid) = (children[0].pid, children[1].pid);
    assert_eq!(
        printed,
        format!(
            "[{{job, {job_pid}, worker, [handles::Job]}}, {{jobs, {jobs_pid}, supervisor, [supervise_runtime::DynamicSupervisor]}}]"
        )
    );
    assert_eq!(
        sup.count_children().await.unwrap().to_string(),
        "%{active: 2, specs: 2, supervisors: 1, workers: 1}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_dynamic_supervisor_lists_its_children_in_pid_order() {
    let starts = counter();
    let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    let mut started = Vec::new();
    for n in 0..20 {
        started.push(sup.start_child(job(n, &starts)).await.unwrap().pid());
    }
    let listed: Vec<_> = sup
        .which_children()
        .await
        .unwrap()
        .iter()
        .map(|c| c.pid.pid().unwrap())
        .collect();
    assert_eq!(listed, started, "start order");
    // A restarted child has a new pid and moves to the end, as in Elixir's listing.
    let first = sup.which_children().await.unwrap()[0]
        .worker::<Job>()
        .unwrap();
    first.crash().unwrap();
    first.process().wait().await;
    let listed: Vec<_> = sup
        .which_children()
        .await
        .unwrap()
        .iter()
        .map(|c| c.pid.pid().unwrap())
        .collect();
    assert_eq!(&listed[..19], &started[1..]);
    assert!(listed[19] > started[19]);
}
