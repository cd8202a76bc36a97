//! DynamicSupervisor: one integration test per row of OTP.md that concerns it.

use std::time::Duration;

use supervise_runtime::{
    AsProcess, ChildCount, ChildError, ChildPid, ChildSpec, ChildType, Context, DynamicSupervisor,
    DynamicSupervisorSpec, ExitReason, Handle, Init, Restart, Shutdown, SpecError, StartError,
    Strategy, Supervisor, SupervisorSpec, SupervisorStartError, Worker,
};
use tests::{InitMode, Lab, Probe, ProbeCall, ProbeMsg, capture};

async fn dyn_sup(spec: DynamicSupervisorSpec) -> Handle<DynamicSupervisor> {
    DynamicSupervisor::start(spec).await.unwrap()
}

fn probe(lab: &Lab, tag: &str) -> ChildSpec<Probe> {
    ChildSpec::<Probe>::worker(lab.probe(tag, false))
}

/// The only child's current handle.
async fn only_child(sup: &Handle<DynamicSupervisor>) -> Handle<Probe> {
    let children = sup.which_children().await.unwrap();
    assert_eq!(children.len(), 1, "{children:?}");
    Handle::from_process(children[0].process.as_ref().unwrap()).unwrap()
}

/// The seed scenario: a crash gives a new pid in which_children and a report; a
/// permanent child stopping normally is restarted too.
#[tokio::test(start_paused = true)]
async fn seed_scenario_restarts_with_a_new_pid() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let sup = dyn_sup(DynamicSupervisorSpec::new()).await;
    let worker = sup.start_child(probe(&lab, "redis")).await.unwrap();
    let children = sup.which_children().await.unwrap();
    assert_eq!(children[0].id, None);
    assert_eq!(children[0].pid, ChildPid::Running(worker.pid()));
    assert_eq!(children[0].child_type, ChildType::Worker);
    assert_eq!(
        sup.count_children().await.unwrap(),
        ChildCount {
            active: 1,
            specs: 1,
            supervisors: 0,
            workers: 1
        }
    );
    assert_eq!(worker.call(ProbeCall::Ping).await.unwrap(), "redis");

    worker.send(ProbeMsg::Crash("heck".into())).unwrap();
    let reason = worker.process().wait().await;
    assert_eq!(reason.panic().map(|p| p.message()), Some("heck"));
    let second = only_child(&sup).await;
    assert_ne!(second.pid(), worker.pid());
    let report = &reports.supervisor()[0];
    assert_eq!(report.field("context"), "child_terminated");
    assert!(report.field("reason").contains("heck"));
    assert_eq!(report.field("pid"), worker.pid().to_string());
    assert_eq!(report.field("restart"), "Permanent");
    assert_eq!(report.field("shutdown"), "5000");
    assert_eq!(report.field("child_type"), "worker");
    assert!(report.field("start").contains("Probe::start_link"));

    second.send(ProbeMsg::Stop(ExitReason::Normal)).unwrap();
    second.process().wait().await;
    let third = only_child(&sup).await;
    assert_ne!(third.pid(), second.pid());
    assert_eq!(lab.live(), 1);
}

#[tokio::test(start_paused = true)]
async fn start_child_results_leak_nothing() {
    let lab = Lab::new();
    let sup = dyn_sup(DynamicSupervisorSpec::new().max_children(1)).await;
    lab.set_init(InitMode::Ignore);
    assert_eq!(
        sup.start_child(probe(&lab, "a")).await.unwrap_err(),
        ChildError::Ignored
    );
    lab.set_init(InitMode::Stop);
    assert_eq!(
        sup.start_child(probe(&lab, "a")).await.unwrap_err(),
        ChildError::Start(StartError::Stopped(ExitReason::error("init failed")))
    );
    lab.set_init(InitMode::Panic);
    match sup.start_child(probe(&lab, "a")).await.unwrap_err() {
        ChildError::Start(StartError::Panicked(r)) => {
            assert_eq!(r.panic().unwrap().message(), "init panicked")
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(sup.count_children().await.unwrap(), ChildCount::default());
    lab.set_init(InitMode::Ok);
    sup.start_child(probe(&lab, "a")).await.unwrap();
    assert_eq!(
        sup.start_child(probe(&lab, "b")).await.unwrap_err(),
        ChildError::MaxChildren
    );
    assert_eq!(sup.count_children().await.unwrap().specs, 1);
    assert_eq!(lab.live(), 1);
    assert_eq!(sup.process().links_and_monitors(), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn terminate_child_ok_then_not_found() {
    let lab = Lab::new();
    let sup = dyn_sup(DynamicSupervisorSpec::new()).await;
    let child = sup
        .start_child(ChildSpec::<Probe>::worker(lab.probe("t", true)))
        .await
        .unwrap();
    assert_eq!(sup.terminate_child(child.pid()).await, Ok(()));
    assert_eq!(child.process().exit_reason(), Some(ExitReason::Shutdown));
    assert_eq!(lab.take_events(), ["start:t", "stop:t"]);
    assert_eq!(
        sup.terminate_child(child.pid()).await,
        Err(ChildError::NotFound)
    );
    assert!(sup.which_children().await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn restart_types_transient_and_temporary() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let sup = dyn_sup(DynamicSupervisorSpec::new()).await;
    let transient = sup
        .start_child(probe(&lab, "tr").restart(Restart::Transient))
        .await
        .unwrap();
    transient
        .send(ProbeMsg::Stop(ExitReason::shutdown_with("done")))
        .unwrap();
    transient.process().wait().await;
    assert!(sup.which_children().await.unwrap().is_empty());

    let transient = sup
        .start_child(probe(&lab, "tr").restart(Restart::Transient))
        .await
        .unwrap();
    transient.send(ProbeMsg::Crash("x".into())).unwrap();
    transient.process().wait().await;
    let again = only_child(&sup).await;
    assert_ne!(again.pid(), transient.pid());
    sup.terminate_child(again.pid()).await.unwrap();

    let temporary = sup
        .start_child(probe(&lab, "te").restart(Restart::Temporary))
        .await
        .unwrap();
    temporary.send(ProbeMsg::Crash("y".into())).unwrap();
    temporary.process().wait().await;
    assert!(sup.which_children().await.unwrap().is_empty());
    assert_eq!(reports.contexts(), ["child_terminated", "child_terminated"]);
}

#[tokio::test(start_paused = true)]
async fn intensity_exceeded_stops_everything_with_shutdown() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let sup = dyn_sup(DynamicSupervisorSpec::new().intensity(2, Duration::from_secs(5))).await;
    sup.start_child(probe(&lab, "other")).await.unwrap();
    let mut child = sup.start_child(probe(&lab, "crashy")).await.unwrap();
    for _ in 0..2 {
        child.send(ProbeMsg::Crash("again".into())).unwrap();
        child.process().wait().await;
        let children = sup.which_children().await.unwrap();
        let p = children
            .iter()
            .find_map(|c| c.process.clone().filter(|p| p.pid() > child.pid()));
        child = Handle::from_process(&p.unwrap()).unwrap().into();
    }
    child.send(ProbeMsg::Crash("third".into())).unwrap();
    assert_eq!(sup.process().wait().await, ExitReason::Shutdown);
    assert_eq!(lab.live(), 0);
    let last = reports.supervisor().pop().unwrap();
    assert_eq!(last.field("reason"), "reached_max_restart_intensity");
}

#[tokio::test(start_paused = true)]
async fn intensity_window_slides() {
    let lab = Lab::new();
    let sup = dyn_sup(DynamicSupervisorSpec::new().intensity(1, Duration::from_secs(5))).await;
    sup.start_child(probe(&lab, "c")).await.unwrap();
    for _ in 0..5 {
        let child = only_child(&sup).await;
        child.send(ProbeMsg::Crash("tick".into())).unwrap();
        child.process().wait().await;
        tokio::time::advance(Duration::from_secs(6)).await;
    }
    assert!(sup.is_alive());
    assert_eq!(lab.starts(), 6);
}

#[tokio::test(start_paused = true)]
async fn max_restarts_zero_ends_at_first_crash() {
    let lab = Lab::new();
    let sup = dyn_sup(DynamicSupervisorSpec::new().intensity(0, Duration::from_secs(5))).await;
    let child = sup.start_child(probe(&lab, "c")).await.unwrap();
    child.send(ProbeMsg::Crash("once".into())).unwrap();
    assert_eq!(sup.process().wait().await, ExitReason::Shutdown);
}

#[tokio::test(start_paused = true)]
async fn failed_restarts_count_towards_intensity() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let sup = dyn_sup(DynamicSupervisorSpec::new().intensity(3, Duration::from_secs(5))).await;
    let child = sup.start_child(probe(&lab, "c")).await.unwrap();
    lab.set_init(InitMode::Stop);
    child.send(ProbeMsg::Crash("first".into())).unwrap();
    assert_eq!(sup.process().wait().await, ExitReason::Shutdown);
    let contexts = reports.contexts();
    assert_eq!(
        contexts,
        [
            "child_terminated",
            "start_error",
            "start_error",
            "start_error",
            "shutdown"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn stop_signals_all_children_and_trapping_ones_run_terminate() {
    let lab = Lab::new();
    let sup = dyn_sup(DynamicSupervisorSpec::new()).await;
    for i in 0..100 {
        let trap = i % 2 == 0;
        sup.start_child(ChildSpec::<Probe>::worker(lab.probe(&i.to_string(), trap)))
            .await
            .unwrap();
    }
    assert_eq!(lab.live(), 100);
    assert_eq!(
        sup.stop(ExitReason::Shutdown).await,
        Ok(ExitReason::Shutdown)
    );
    assert_eq!(lab.live(), 0);
    let stops = lab
        .take_events()
        .iter()
        .filter(|e| e.starts_with("stop:"))
        .count();
    assert_eq!(stops, 50);
}

/// A child that ignores shutdown is killed after its timeout.
#[tokio::test(start_paused = true)]
async fn shutdown_timeout_then_kill() {
    struct Stubborn;
    impl Worker for Stubborn {
        type Args = ();
        type Info = std::convert::Infallible;
        type Call = std::convert::Infallible;
        type Cast = std::convert::Infallible;
        type Api<A: supervise_runtime::Address<Self>> = A;
        async fn init(_: (), ctx: &mut Context<Self>) -> Init<Self> {
            ctx.trap_exit(true);
            Init::Ok(Stubborn)
        }
        async fn terminate(&mut self, _: &ExitReason, _: &mut Context<Self>) {
            std::future::pending::<()>().await;
        }
    }
    let (reports, _guard) = capture();
    let sup = dyn_sup(DynamicSupervisorSpec::new()).await;
    let spec =
        ChildSpec::<Stubborn>::worker(()).shutdown(Shutdown::Timeout(Duration::from_millis(300)));
    let child = sup.start_child(spec).await.unwrap();
    let start = tokio::time::Instant::now();
    sup.terminate_child(child.pid()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(300));
    assert_eq!(child.process().exit_reason(), Some(ExitReason::Killed));
    assert_eq!(reports.contexts(), ["shutdown_error"]);
}

#[tokio::test(start_paused = true)]
async fn extra_arguments_are_prepended() {
    struct Pooled {
        pool: String,
        own: u32,
    }
    impl Worker for Pooled {
        type Args = (String, u32);
        type Info = std::convert::Infallible;
        type Call = supervise_runtime::ReplyTo<String>;
        type Cast = std::convert::Infallible;
        type Api<A: supervise_runtime::Address<Self>> = A;
        async fn init((pool, own): (String, u32), _: &mut Context<Self>) -> Init<Self> {
            Init::Ok(Pooled { pool, own })
        }
        async fn handle_call(
            &mut self,
            r: Self::Call,
            _: &mut Context<Self>,
        ) -> supervise_runtime::Flow {
            r.reply(format!("{}/{}", self.pool, self.own));
            supervise_runtime::Flow::Continue
        }
    }
    let sup = dyn_sup(DynamicSupervisorSpec::new().extra_arguments(String::from("pool-1"))).await;
    let child = sup
        .start_child(ChildSpec::<Pooled>::with_extra_arguments::<String, u32>(7))
        .await
        .unwrap();
    assert_eq!(child.call(|r| r).await.unwrap(), "pool-1/7");
    let plain = dyn_sup(DynamicSupervisorSpec::new()).await;
    let err = plain
        .start_child(ChildSpec::<Pooled>::with_extra_arguments::<String, u32>(7))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no extra_arguments"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn bad_flags_are_rejected_naming_the_rule() {
    let cases = [
        (
            DynamicSupervisorSpec::new().strategy(Strategy::OneForAll),
            SpecError::DynamicStrategy(Strategy::OneForAll),
        ),
        (
            DynamicSupervisorSpec::new().intensity(3, Duration::ZERO),
            SpecError::ZeroPeriod,
        ),
        (
            DynamicSupervisorSpec::new().max_children(0),
            SpecError::ZeroMaxChildren,
        ),
    ];
    for (spec, rule) in cases {
        let err = DynamicSupervisor::start(spec).await.unwrap_err();
        assert_eq!(err, SupervisorStartError::Invalid(rule));
    }
    let lab = Lab::new();
    let sup = dyn_sup(DynamicSupervisorSpec::new()).await;
    let significant = probe(&lab, "s")
        .restart(Restart::Transient)
        .significant(true);
    assert_eq!(
        sup.start_child(significant).await.unwrap_err(),
        ChildError::Invalid(SpecError::SignificantDynamic)
    );
    assert_eq!(lab.live(), 0);
}

/// A dynamic supervisor under a static one: killed, it is restarted empty.
#[tokio::test(start_paused = true)]
async fn restarted_dynamic_supervisor_comes_back_empty() {
    let lab = Lab::new();
    let root = Supervisor::start(
        SupervisorSpec::new(Strategy::OneForOne)
            .child(ChildSpec::dynamic_supervisor(DynamicSupervisorSpec::new()).id("pool")),
    )
    .await
    .unwrap();
    let pool = root.child::<DynamicSupervisor>("pool").await.unwrap();
    let first = pool.current().unwrap();
    first.start_child(probe(&lab, "a")).await.unwrap();
    first.start_child(probe(&lab, "b")).await.unwrap();
    first.process().exit(ExitReason::Kill);
    first.process().wait().await;
    let info = root.which_children().await.unwrap();
    assert_eq!(info[0].child_type, ChildType::Supervisor);
    let second = pool.current().unwrap();
    assert_ne!(second.pid(), first.pid());
    assert!(second.which_children().await.unwrap().is_empty());
    // Its old children died with it: they were linked.
    tokio::task::yield_now().await;
    assert_eq!(lab.live(), 0);
}

/// A supervisor exits when its parent exits, even normally.
#[tokio::test(start_paused = true)]
async fn exits_when_its_parent_exits() {
    let lab = Lab::new();
    let shell = supervise_runtime::Inbox::<()>::new();
    let sup = DynamicSupervisor::start_link(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    sup.start_child(ChildSpec::<Probe>::worker(lab.probe("x", true)))
        .await
        .unwrap();
    drop(shell);
    assert_eq!(sup.process().wait().await, ExitReason::Normal);
    assert_eq!(lab.live(), 0);
    assert_eq!(lab.take_events(), ["start:x", "stop:x"]);
}

/// OTP's report for a dynamic child: id `undefined`, the rest as for a static child.
#[tokio::test(start_paused = true)]
async fn report_names_a_dynamic_child_undefined() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let sup = dyn_sup(DynamicSupervisorSpec::new()).await;
    let child = sup
        .start_child(probe(&lab, "w").id("ignored").debug_args())
        .await
        .unwrap();
    child.send(ProbeMsg::Crash("heck".into())).unwrap();
    child.process().wait().await;
    let [report] = reports.supervisor().try_into().unwrap();
    assert_eq!(report.field("child_id"), "undefined");
    assert_eq!(report.field("pid"), child.pid().to_string());
    assert!(report.field("start").contains("tag: \"w\""));
    assert!(
        report
            .field("message")
            .starts_with("Child undefined of supervisor")
    );
}

/// Stopping a dynamic supervisor signals every child at once: three children that each
/// take 100 ms to terminate are all gone after 100 ms, not 300.
#[tokio::test(start_paused = true)]
async fn stop_signals_all_children_at_once() {
    let lab = Lab::new();
    let sup = dyn_sup(DynamicSupervisorSpec::new()).await;
    for tag in ["a", "b", "c"] {
        let args = lab.probe(tag, true).linger(Duration::from_millis(100));
        sup.start_child(ChildSpec::<Probe>::worker(args))
            .await
            .unwrap();
    }
    let start = tokio::time::Instant::now();
    assert_eq!(
        sup.stop(ExitReason::Shutdown).await,
        Ok(ExitReason::Shutdown)
    );
    assert_eq!(start.elapsed(), Duration::from_millis(100));
    assert_eq!(lab.live(), 0);
}

/// A worker that claims its `init` never awaits (so a supervisor starts it without a
/// future), and one that claims so falsely.
struct Quick;

impl Worker for Quick {
    type Args = bool;
    type Info = std::convert::Infallible;
    type Call = std::convert::Infallible;
    type Cast = std::convert::Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;
    const SYNC_INIT: bool = true;

    async fn init(awaits: bool, _: &mut Context<Self>) -> Init<Self> {
        if awaits {
            tokio::task::yield_now().await;
        }
        Init::Ok(Quick)
    }
}

#[tokio::test(start_paused = true)]
async fn sync_init_workers_start_and_restart_and_a_false_claim_is_an_error() {
    let sup = dyn_sup(DynamicSupervisorSpec::new()).await;
    let quick = sup
        .start_child(ChildSpec::<Quick>::worker(false))
        .await
        .unwrap();
    quick.process().exit(ExitReason::error("crash"));
    quick.process().wait().await;
    let children = sup.which_children().await.unwrap();
    assert!(
        matches!(children[0].pid, ChildPid::Running(pid) if pid != quick.pid()),
        "restarted"
    );

    let err = sup
        .start_child(ChildSpec::<Quick>::worker(true))
        .await
        .unwrap_err();
    let ChildError::Start(StartError::Stopped(reason)) = &err else {
        panic!("{err:?}")
    };
    assert!(
        reason
            .to_string()
            .contains("init awaited, but the worker sets SYNC_INIT"),
        "{reason}"
    );
    assert_eq!(
        sup.count_children().await.unwrap().specs,
        1,
        "nothing left of the failed start"
    );
}
