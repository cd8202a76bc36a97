//! Supervisor (static children): one integration test per row of OTP.md that concerns it.

use std::time::Duration;

use tokio::time::Instant;

use supervise_runtime::{
    AsProcess, AutoShutdown, Backoff, CallError, ChildCount, ChildError, ChildPid, ChildSpec,
    ChildType, ExitReason, FollowError, Handle, MessageOf, RefOf, Restart, Shutdown, SpecError,
    StartError, Strategy, Supervisor, SupervisorSpec, SupervisorStartError, registry,
};
use tests::{InitMode, Lab, Probe, ProbeCall, ProbeMsg, capture};

fn child(lab: &Lab, id: &str) -> ChildSpec<Probe> {
    ChildSpec::<Probe>::worker(lab.probe(id, true)).id(id)
}

fn abc(lab: &Lab, strategy: Strategy) -> SupervisorSpec {
    SupervisorSpec::new(strategy)
        .child(child(lab, "a"))
        .child(child(lab, "b"))
        .child(child(lab, "c"))
}

async fn handle(sup: &Handle<Supervisor>, id: &str) -> Handle<Probe> {
    RefOf::into_address(sup.child::<Probe>(id).await.unwrap().current().unwrap())
}

async fn crash(sup: &Handle<Supervisor>, id: &str) {
    let h = handle(sup, id).await;
    h.send(ProbeMsg::Crash(format!("{id} crashed"))).unwrap();
    h.process().wait().await;
}

async fn pids(sup: &Handle<Supervisor>) -> Vec<ChildPid> {
    sup.which_children()
        .await
        .unwrap()
        .iter()
        .map(|c| c.pid)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn starts_in_order_and_stops_in_reverse() {
    let lab = Lab::new();
    let sup = Supervisor::start(abc(&lab, Strategy::OneForOne))
        .await
        .unwrap();
    assert_eq!(lab.take_events(), ["start:a", "start:b", "start:c"]);
    let ids: Vec<_> = sup
        .which_children()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id.unwrap())
        .collect();
    assert_eq!(
        ids,
        ["a".into(), "b".into(), "c".into()] as [std::sync::Arc<str>; 3]
    );
    assert_eq!(
        sup.stop(ExitReason::Shutdown).await,
        Ok(ExitReason::Shutdown)
    );
    assert_eq!(lab.take_events(), ["stop:c", "stop:b", "stop:a"]);
    assert_eq!(lab.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn one_for_one_restarts_only_the_crashed_child() {
    let lab = Lab::new();
    let sup = Supervisor::start(abc(&lab, Strategy::OneForOne))
        .await
        .unwrap();
    let before = pids(&sup).await;
    lab.take_events();
    crash(&sup, "b").await;
    let after = pids(&sup).await;
    assert_eq!((before[0], before[2]), (after[0], after[2]));
    assert_ne!(before[1], after[1]);
    assert_eq!(lab.take_events(), ["stop:b", "start:b"]);
}

#[tokio::test(start_paused = true)]
async fn one_for_all_stops_others_in_reverse_then_starts_all() {
    let lab = Lab::new();
    let sup = Supervisor::start(abc(&lab, Strategy::OneForAll))
        .await
        .unwrap();
    let before = pids(&sup).await;
    lab.take_events();
    crash(&sup, "b").await;
    // b ran terminate as it crashed; then c then a are stopped; then a, b, c start.
    assert_eq!(
        lab.take_events(),
        [
            "stop:b", "stop:c", "stop:a", "start:a", "start:b", "start:c"
        ]
    );
    let after = pids(&sup).await;
    assert!(before.iter().zip(&after).all(|(x, y)| x != y));
}

#[tokio::test(start_paused = true)]
async fn rest_for_one_restarts_the_crashed_and_later_children() {
    let lab = Lab::new();
    let sup = Supervisor::start(abc(&lab, Strategy::RestForOne))
        .await
        .unwrap();
    let before = pids(&sup).await;
    lab.take_events();
    crash(&sup, "b").await;
    assert_eq!(
        lab.take_events(),
        ["stop:b", "stop:c", "start:b", "start:c"]
    );
    let after = pids(&sup).await;
    assert_eq!(before[0], after[0]);
    assert_ne!(before[1], after[1]);
    assert_ne!(before[2], after[2]);
}

#[tokio::test(start_paused = true)]
async fn failed_start_stops_started_children_in_reverse() {
    let lab = Lab::new();
    let failing = Lab::new();
    failing.set_init(InitMode::Stop);
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(child(&lab, "a"))
        .child(child(&lab, "b"))
        .child(ChildSpec::<Probe>::worker(failing.probe("x", false)).id("x"))
        .child(child(&lab, "c"));
    let err = Supervisor::start(spec).await.unwrap_err();
    assert_eq!(
        err,
        SupervisorStartError::FailedToStartChild {
            id: "x".into(),
            reason: StartError::Stopped(ExitReason::error("init failed")),
        }
    );
    assert_eq!(
        lab.take_events(),
        ["start:a", "start:b", "stop:b", "stop:a"]
    );
    assert_eq!(lab.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn restart_types_after_normal_and_abnormal_exits() {
    let lab = Lab::new();
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(child(&lab, "perm"))
        .child(child(&lab, "trans").restart(Restart::Transient))
        .child(child(&lab, "temp").restart(Restart::Temporary));
    let sup = Supervisor::start(spec).await.unwrap();
    for id in ["perm", "trans", "temp"] {
        let h = handle(&sup, id).await;
        h.send(ProbeMsg::Stop(ExitReason::Normal)).unwrap();
        h.process().wait().await;
    }
    let children = sup.which_children().await.unwrap();
    assert_eq!(children.len(), 2, "the temporary child's spec is removed");
    assert!(matches!(children[0].pid, ChildPid::Running(_)));
    assert_eq!(children[1].pid, ChildPid::Undefined);
    assert_eq!(
        sup.count_children().await.unwrap(),
        ChildCount {
            active: 1,
            specs: 2,
            supervisors: 0,
            workers: 2
        }
    );
    assert_eq!(sup.restart_child("trans").await.map(|_| ()), Ok(()));
    crash(&sup, "trans").await;
    assert!(matches!(pids(&sup).await[1], ChildPid::Running(_)));
}

#[tokio::test(start_paused = true)]
async fn child_api_results() {
    let lab = Lab::new();
    let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne))
        .await
        .unwrap();
    let a = sup.start_child(child(&lab, "a")).await.unwrap();
    assert_eq!(
        sup.start_child(child(&lab, "a")).await.unwrap_err(),
        ChildError::AlreadyStarted(a.pid())
    );
    assert_eq!(sup.restart_child("a").await, Err(ChildError::Running));
    assert_eq!(sup.delete_child("a").await, Err(ChildError::Running));
    assert_eq!(sup.terminate_child("a").await, Ok(()));
    assert_eq!(a.process().exit_reason(), Some(ExitReason::Shutdown));
    assert_eq!(pids(&sup).await, [ChildPid::Undefined]);
    assert_eq!(
        sup.start_child(child(&lab, "a")).await.unwrap_err(),
        ChildError::AlreadyPresent
    );
    let again = sup.restart_child("a").await.unwrap();
    assert_ne!(again, a.pid());
    sup.terminate_child("a").await.unwrap();
    assert_eq!(sup.delete_child("a").await, Ok(()));
    assert_eq!(sup.delete_child("a").await, Err(ChildError::NotFound));
    assert_eq!(sup.terminate_child("a").await, Err(ChildError::NotFound));
    assert_eq!(sup.restart_child("a").await, Err(ChildError::NotFound));
    assert!(sup.which_children().await.unwrap().is_empty());
    assert_eq!(lab.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn intensity_escalates_through_nested_supervisors() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let inner = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(1, Duration::from_secs(5))
        .child(child(&lab, "w"));
    let root = Supervisor::start(
        SupervisorSpec::new(Strategy::OneForOne)
            .child(child(&lab, "sibling"))
            .child(ChildSpec::supervisor(inner).id("inner")),
    )
    .await
    .unwrap();
    let inner_before = root
        .child::<Supervisor>("inner")
        .await
        .unwrap()
        .current()
        .unwrap();
    let w = handle(&inner_before, "w").await;
    w.send(ProbeMsg::Crash("1".into())).unwrap();
    w.process().wait().await;
    let w = handle(&inner_before, "w").await;
    w.send(ProbeMsg::Crash("2".into())).unwrap();
    assert_eq!(inner_before.process().wait().await, ExitReason::Shutdown);
    let info = root.which_children().await.unwrap();
    assert_ne!(
        info[1].pid.pid(),
        Some(inner_before.pid()),
        "the root restarted the inner supervisor"
    );
    assert!(reports.contexts().contains(&"shutdown".to_string()));
    assert_eq!(lab.live(), 2);
}

#[tokio::test(start_paused = true)]
async fn auto_shutdown_any_and_all_significant() {
    let lab = Lab::new();
    let significant = |id: &str| {
        child(&lab, id)
            .restart(Restart::Transient)
            .significant(true)
    };
    let any = Supervisor::start(
        SupervisorSpec::new(Strategy::OneForOne)
            .auto_shutdown(AutoShutdown::AnySignificant)
            .child(significant("s1"))
            .child(child(&lab, "plain")),
    )
    .await
    .unwrap();
    handle(&any, "s1")
        .await
        .send(ProbeMsg::Stop(ExitReason::Normal))
        .unwrap();
    assert_eq!(any.process().wait().await, ExitReason::Shutdown);

    let all = Supervisor::start(
        SupervisorSpec::new(Strategy::OneForOne)
            .auto_shutdown(AutoShutdown::AllSignificant)
            .child(significant("s1"))
            .child(significant("s2")),
    )
    .await
    .unwrap();
    let s1 = handle(&all, "s1").await;
    s1.send(ProbeMsg::Stop(ExitReason::Normal)).unwrap();
    s1.process().wait().await;
    assert!(all.which_children().await.is_ok());
    handle(&all, "s2")
        .await
        .send(ProbeMsg::Stop(ExitReason::Normal))
        .unwrap();
    assert_eq!(all.process().wait().await, ExitReason::Shutdown);
    assert_eq!(lab.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn invalid_specs_are_rejected_and_start_nothing() {
    let lab = Lab::new();
    let cases = [
        (
            SupervisorSpec::new(Strategy::OneForOne)
                .child(child(&lab, "a"))
                .child(child(&lab, "a")),
            SpecError::DuplicateId("a".into()),
        ),
        (
            SupervisorSpec::new(Strategy::OneForOne)
                .auto_shutdown(AutoShutdown::AnySignificant)
                .child(child(&lab, "a").significant(true)),
            SpecError::SignificantPermanent("a".into()),
        ),
        (
            SupervisorSpec::new(Strategy::OneForOne).child(
                child(&lab, "a")
                    .restart(Restart::Transient)
                    .significant(true),
            ),
            SpecError::SignificantWithoutAutoShutdown("a".into()),
        ),
        (
            SupervisorSpec::new(Strategy::OneForOne)
                .child(child(&lab, "a"))
                .intensity(1, Duration::ZERO),
            SpecError::ZeroPeriod,
        ),
        (
            SupervisorSpec::new(Strategy::OneForOne).backoff(Backoff::exponential(
                Duration::from_secs(2),
                Duration::from_secs(1),
            )),
            SpecError::BadBackoff,
        ),
    ];
    for (spec, rule) in cases {
        let message = rule.to_string();
        let err = Supervisor::start(spec).await.unwrap_err();
        assert_eq!(err, SupervisorStartError::Invalid(rule));
        assert!(err.to_string().contains(&message));
    }
    assert_eq!(lab.starts(), 0);
    let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne))
        .await
        .unwrap();
    let bad = child(&lab, "s")
        .restart(Restart::Temporary)
        .significant(true);
    assert_eq!(
        sup.start_child(bad).await.unwrap_err(),
        ChildError::Invalid(SpecError::SignificantWithoutAutoShutdown("s".into()))
    );
}

#[tokio::test(start_paused = true)]
async fn stable_handles_and_names_follow_restarts() {
    let lab = Lab::new();
    let spec = SupervisorSpec::new(Strategy::OneForOne).child(child(&lab, "db").name("test:db"));
    let sup = Supervisor::start(spec).await.unwrap();
    let stable = sup.child::<Probe>("db").await.unwrap();
    let first = stable.current().unwrap();
    assert_eq!(registry::whereis("test:db"), Some(first.pid()));
    crash(&sup, "db").await;
    let second = stable.current().unwrap();
    assert_ne!(second.pid(), first.pid());
    assert_eq!(registry::whereis("test:db"), Some(second.pid()));
    assert!(registry::lookup::<MessageOf<Probe>>("test:db").is_some());
    assert_eq!(stable.call(ProbeCall::Ping).await.unwrap(), "db");
    sup.terminate_child("db").await.unwrap();
    assert_eq!(stable.current().unwrap_err(), FollowError::Stopped);
    assert_eq!(registry::whereis("test:db"), None);
    sup.delete_child("db").await.unwrap();
    assert_eq!(stable.current().unwrap_err(), FollowError::Gone);
    assert_eq!(
        sup.child::<Supervisor>("db").await.unwrap_err(),
        ChildError::NotFound
    );
}

#[tokio::test(start_paused = true)]
async fn stable_handle_says_restarting_during_backoff() {
    let lab = Lab::new();
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(10, Duration::from_secs(60))
        .backoff(Backoff::exponential(
            Duration::from_millis(100),
            Duration::from_secs(1),
        ))
        .child(child(&lab, "w"));
    let sup = Supervisor::start(spec).await.unwrap();
    let stable = sup.child::<Probe>("w").await.unwrap();
    for delay in [100, 200, 400, 800, 1000, 1000] {
        crash(&sup, "w").await;
        assert_eq!(pids(&sup).await, [ChildPid::Restarting]);
        tokio::time::sleep(Duration::from_millis(delay - 1)).await;
        assert_eq!(stable.current().unwrap_err(), FollowError::Restarting);
        // The backoff timer and this test wake at the same instant: look 1 ms later.
        tokio::time::sleep(Duration::from_millis(2)).await;
        assert!(matches!(pids(&sup).await[0], ChildPid::Running(_)));
        assert!(stable.current().is_ok(), "restarted after {delay} ms");
    }
}

#[tokio::test(start_paused = true)]
async fn failed_restart_is_retried_then_gives_up() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let sup = Supervisor::start(
        SupervisorSpec::new(Strategy::OneForAll)
            .intensity(2, Duration::from_secs(5))
            .child(child(&lab, "a")),
    )
    .await
    .unwrap();
    lab.set_init(InitMode::Panic);
    crash(&sup, "a").await;
    assert_eq!(sup.process().wait().await, ExitReason::Shutdown);
    assert_eq!(
        reports.contexts(),
        ["child_terminated", "start_error", "start_error", "shutdown"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_supervisor_exits_when_its_parent_does_and_kills_reach_leaves() {
    let lab = Lab::new();
    let inner = abc(&lab, Strategy::OneForOne);
    let root = Supervisor::start(
        SupervisorSpec::new(Strategy::OneForOne).child(ChildSpec::supervisor(inner).id("inner")),
    )
    .await
    .unwrap();
    assert_eq!(lab.live(), 3);
    root.process().exit(ExitReason::Kill);
    root.process().wait().await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(lab.live(), 0);
    assert_eq!(registry::len(), registry::len());
}

/// What `which_children` and `count_children` show for one child.
async fn only(sup: &Handle<Supervisor>) -> (ChildPid, ChildCount) {
    let children = sup.which_children().await.unwrap();
    assert_eq!(children.len(), 1, "{children:?}");
    (children[0].pid, sup.count_children().await.unwrap())
}

const ONE_STOPPED: ChildCount = ChildCount {
    active: 0,
    specs: 1,
    supervisors: 0,
    workers: 1,
};

#[tokio::test(start_paused = true)]
async fn permanent_child_is_restarted_after_a_normal_exit() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let sup = Supervisor::start(SupervisorSpec::default().child(child(&lab, "p")))
        .await
        .unwrap();
    let first = handle(&sup, "p").await;
    first.send(ProbeMsg::Stop(ExitReason::Normal)).unwrap();
    first.process().wait().await;
    let (pid, count) = only(&sup).await;
    assert!(
        matches!(pid, ChildPid::Running(p) if p != first.pid()),
        "{pid:?}"
    );
    assert_eq!(count.active, 1);
    // As OTP's do_restart: a permanent child's exit is reported whatever the reason.
    let [report] = reports.supervisor().try_into().unwrap();
    assert_eq!(report.field("reason"), "normal");
}

#[tokio::test(start_paused = true)]
async fn transient_child_is_not_restarted_after_normal_shutdown_or_shutdown_with_reason() {
    let (reports, _guard) = capture();
    for reason in [
        ExitReason::Normal,
        ExitReason::Shutdown,
        ExitReason::shutdown_with("done"),
    ] {
        let lab = Lab::new();
        let spec = SupervisorSpec::default().child(child(&lab, "t").restart(Restart::Transient));
        let sup = Supervisor::start(spec).await.unwrap();
        let first = handle(&sup, "t").await;
        first.send(ProbeMsg::Stop(reason.clone())).unwrap();
        assert_eq!(first.process().wait().await, reason);
        assert_eq!(
            only(&sup).await,
            (ChildPid::Undefined, ONE_STOPPED),
            "{reason}"
        );
        assert_eq!(lab.starts(), 1, "{reason}");
    }
    assert!(reports.contexts().is_empty());
}

#[tokio::test(start_paused = true)]
async fn temporary_child_is_never_restarted_and_its_spec_is_removed() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let spec = SupervisorSpec::default().child(child(&lab, "t").restart(Restart::Temporary));
    let sup = Supervisor::start(spec).await.unwrap();
    let stable = sup.child::<Probe>("t").await.unwrap();
    crash(&sup, "t").await;
    assert!(sup.which_children().await.unwrap().is_empty());
    assert_eq!(sup.count_children().await.unwrap(), ChildCount::default());
    assert_eq!(stable.current().unwrap_err(), FollowError::Gone);
    assert_eq!(sup.restart_child("t").await, Err(ChildError::NotFound));
    assert_eq!(lab.starts(), 1);
    assert_eq!(reports.contexts(), ["child_terminated"]);
}

#[tokio::test(start_paused = true)]
async fn one_for_all_drops_a_temporary_sibling_instead_of_restarting_it() {
    let lab = Lab::new();
    let spec = SupervisorSpec::new(Strategy::OneForAll)
        .child(child(&lab, "a"))
        .child(child(&lab, "temp").restart(Restart::Temporary))
        .child(child(&lab, "c"));
    let sup = Supervisor::start(spec).await.unwrap();
    lab.take_events();
    crash(&sup, "c").await;
    assert_eq!(
        lab.take_events(),
        ["stop:c", "stop:temp", "stop:a", "start:a", "start:c"]
    );
    let ids: Vec<_> = sup
        .which_children()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id.unwrap().to_string())
        .collect();
    assert_eq!(ids, ["a", "c"]);
}

/// A probe child with this shutdown whose terminate takes `linger`.
fn lingering(lab: &Lab, id: &str, shutdown: Shutdown, linger: Duration) -> ChildSpec<Probe> {
    ChildSpec::<Probe>::worker(lab.probe(id, true).linger(linger))
        .id(id)
        .shutdown(shutdown)
}

/// Starts a supervisor whose only child `w` has this shutdown and a terminate taking
/// `linger`, then terminates it: the supervisor, the child's exit reason and how long the
/// stop took.
async fn terminate_lingering(
    lab: &Lab,
    shutdown: Shutdown,
    linger: Duration,
) -> (Handle<Supervisor>, ExitReason, Duration) {
    let spec = SupervisorSpec::default().child(lingering(lab, "w", shutdown, linger));
    let sup = Supervisor::start(spec).await.unwrap();
    lab.take_events();
    let (reason, took) = terminate_timed(&sup, "w").await;
    (sup, reason, took)
}

/// Terminates the only child; returns its exit reason and how long the stop took.
async fn terminate_timed(sup: &Handle<Supervisor>, id: &str) -> (ExitReason, Duration) {
    let h = handle(sup, id).await;
    let start = Instant::now();
    sup.terminate_child(id).await.unwrap();
    (h.process().exit_reason().unwrap(), start.elapsed())
}

#[tokio::test(start_paused = true)]
async fn brutal_kill_kills_at_once_and_terminate_does_not_run() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let (sup, reason, took) = terminate_lingering(&lab, Shutdown::BrutalKill, Duration::ZERO).await;
    assert_eq!((reason, took), (ExitReason::Killed, Duration::ZERO));
    assert!(lab.take_events().is_empty(), "terminate did not run");
    assert!(
        reports.contexts().is_empty(),
        "a brutal kill is a clean stop"
    );
    assert_eq!(only(&sup).await, (ChildPid::Undefined, ONE_STOPPED));
}

#[tokio::test(start_paused = true)]
async fn timeout_shutdown_lets_a_trapping_child_run_terminate() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let (_sup, reason, took) = terminate_lingering(
        &lab,
        Shutdown::Timeout(Duration::from_millis(500)),
        Duration::from_millis(200),
    )
    .await;
    assert_eq!(
        (reason, took),
        (ExitReason::Shutdown, Duration::from_millis(200))
    );
    assert_eq!(lab.take_events(), ["stop:w"]);
    assert!(reports.contexts().is_empty());
}

#[tokio::test(start_paused = true)]
async fn timeout_shutdown_kills_a_child_still_terminating_when_it_passes() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let (_sup, reason, took) = terminate_lingering(
        &lab,
        Shutdown::Timeout(Duration::from_millis(300)),
        Duration::from_secs(3600),
    )
    .await;
    assert_eq!(
        (reason, took),
        (ExitReason::Killed, Duration::from_millis(300))
    );
    assert!(
        lab.take_events().is_empty(),
        "killed before terminate finished"
    );
    assert_eq!(reports.contexts(), ["shutdown_error"]);
    assert_eq!(reports.supervisor()[0].field("reason"), "killed");
}

#[tokio::test(start_paused = true)]
async fn infinity_shutdown_waits_as_long_as_terminate_takes() {
    let lab = Lab::new();
    let (_sup, reason, took) =
        terminate_lingering(&lab, Shutdown::Infinity, Duration::from_secs(3600)).await;
    assert_eq!(
        (reason, took),
        (ExitReason::Shutdown, Duration::from_secs(3600))
    );
    assert_eq!(lab.take_events(), ["stop:w"]);
}

#[tokio::test(start_paused = true)]
async fn a_child_that_does_not_trap_exits_dies_at_once_without_terminate() {
    let lab = Lab::new();
    let spec = SupervisorSpec::default().child(
        ChildSpec::<Probe>::worker(lab.probe("w", false).linger(Duration::from_secs(60))).id("w"),
    );
    let sup = Supervisor::start(spec).await.unwrap();
    lab.take_events();
    let (reason, took) = terminate_timed(&sup, "w").await;
    assert_eq!((reason, took), (ExitReason::Shutdown, Duration::ZERO));
    assert!(lab.take_events().is_empty());
}

#[tokio::test(start_paused = true)]
async fn default_shutdown_is_5000_ms_for_workers_and_infinity_for_supervisors() {
    let lab = Lab::new();
    let spec = SupervisorSpec::default()
        .child(child(&lab, "w"))
        .child(ChildSpec::supervisor(SupervisorSpec::default()).id("s"));
    let sup = Supervisor::start(spec).await.unwrap();
    let w = sup.get_childspec::<Probe>("w").await.unwrap();
    let s = sup.get_childspec::<Supervisor>("s").await.unwrap();
    assert_eq!(
        w.get_shutdown(),
        Shutdown::Timeout(Duration::from_millis(5000))
    );
    assert_eq!(s.get_shutdown(), Shutdown::Infinity);
    assert_eq!(s.get_type(), ChildType::Supervisor);
}

/// Static stop order is one child at a time: the second waits for the first.
#[tokio::test(start_paused = true)]
async fn stop_is_one_child_at_a_time_in_reverse_order() {
    let lab = Lab::new();
    let slow = |id| lingering(&lab, id, Shutdown::Infinity, Duration::from_millis(100));
    let spec = SupervisorSpec::default()
        .child(slow("a"))
        .child(slow("b"))
        .child(slow("c"));
    let sup = Supervisor::start(spec).await.unwrap();
    lab.take_events();
    let start = Instant::now();
    assert_eq!(
        sup.stop(ExitReason::Shutdown).await,
        Ok(ExitReason::Shutdown)
    );
    assert_eq!(start.elapsed(), Duration::from_millis(300));
    assert_eq!(lab.take_events(), ["stop:c", "stop:b", "stop:a"]);
}

#[tokio::test(start_paused = true)]
async fn supervisor_report_has_every_field_of_otps() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let spec = SupervisorSpec::default().child(child(&lab, "plain")).child(
        ChildSpec::<Probe>::worker(lab.probe("shown", false))
            .id("shown")
            .debug_args(),
    );
    let sup = Supervisor::start(spec).await.unwrap();
    for id in ["plain", "shown"] {
        let h = handle(&sup, id).await;
        h.send(ProbeMsg::Crash(format!("{id} broke"))).unwrap();
        h.process().wait().await;
    }
    let [plain, shown] = reports.supervisor().try_into().unwrap();
    let victim = |r: &tests::Captured| r.field("pid").to_string();
    assert_eq!(plain.level, tracing::Level::ERROR);
    assert_eq!(plain.field("supervisor"), sup.pid().to_string());
    assert_eq!(plain.field("context"), "child_terminated");
    assert_eq!(plain.field("child_id"), "plain");
    assert!(victim(&plain).starts_with("#PID<"), "{}", victim(&plain));
    assert!(plain.field("reason").contains("plain broke"));
    assert_eq!(plain.field("start"), "tests::Probe::start_link(..)");
    assert_eq!(plain.field("restart"), "Permanent");
    assert_eq!(plain.field("shutdown"), "5000");
    assert_eq!(plain.field("child_type"), "worker");
    let message = plain.field("message");
    for line in [
        "Child plain of supervisor",
        "** (exit)",
        "Pid: #PID<",
        "Start Call: tests::Probe::start_link(..)",
        "Restart: Permanent",
        "Shutdown: 5000",
        "Type: worker",
    ] {
        assert!(message.contains(line), "{line:?} missing from {message}");
    }
    assert_eq!(shown.field("child_id"), "shown");
    let start = shown.field("start");
    assert!(
        start.starts_with("tests::Probe::start_link(ProbeArgs {")
            && start.contains("tag: \"shown\""),
        "{start}"
    );
}

#[tokio::test(start_paused = true)]
async fn intensity_exceeded_is_a_loud_error_naming_the_limit() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let spec = SupervisorSpec::default()
        .intensity(1, Duration::from_secs(10))
        .child(child(&lab, "w"));
    let sup = Supervisor::start(spec).await.unwrap();
    crash(&sup, "w").await;
    let w = handle(&sup, "w").await;
    w.send(ProbeMsg::Crash("again".into())).unwrap();
    assert_eq!(sup.process().wait().await, ExitReason::Shutdown);
    let loud = reports.supervisor().pop().unwrap();
    assert_eq!(loud.level, tracing::Level::ERROR);
    assert_eq!(loud.field("context"), "shutdown");
    assert_eq!(loud.field("reason"), "reached_max_restart_intensity");
    assert_eq!(loud.field("child_id"), "w");
    assert_eq!(loud.field("max_restarts"), "1");
    assert_eq!(loud.field("period_ms"), "10000");
    assert!(
        loud.field("message")
            .contains("reached its maximum restart intensity (1 restarts in 10s)"),
        "{}",
        loud.field("message")
    );
    assert_eq!(lab.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn max_restarts_zero_ends_at_the_first_crash() {
    let lab = Lab::new();
    let spec = SupervisorSpec::default()
        .intensity(0, Duration::from_secs(5))
        .child(child(&lab, "w"));
    let sup = Supervisor::start(spec).await.unwrap();
    let w = handle(&sup, "w").await;
    w.send(ProbeMsg::Stop(ExitReason::Normal)).unwrap();
    assert_eq!(sup.process().wait().await, ExitReason::Shutdown);
    assert_eq!(lab.starts(), 1);
}

#[tokio::test(start_paused = true)]
async fn intensity_window_slides() {
    let lab = Lab::new();
    let spec = SupervisorSpec::default()
        .intensity(2, Duration::from_secs(5))
        .child(child(&lab, "w"));
    let sup = Supervisor::start(spec).await.unwrap();
    // Two crashes 3 s apart, forever: never three within 5 s.
    for _ in 0..10 {
        crash(&sup, "w").await;
        tokio::time::advance(Duration::from_secs(3)).await;
    }
    assert!(sup.is_alive());
    crash(&sup, "w").await;
    crash(&sup, "w").await;
    assert_eq!(sup.process().wait().await, ExitReason::Shutdown);
}

/// OTP: a supervisor exits when its parent exits, even normally.
#[tokio::test(start_paused = true)]
async fn a_supervisor_exits_when_its_parent_exits_normally() {
    let lab = Lab::new();
    let shell = supervise_runtime::Inbox::<()>::new();
    let sup = Supervisor::start_link(abc(&lab, Strategy::OneForOne))
        .await
        .unwrap();
    lab.take_events();
    drop(shell);
    assert_eq!(sup.process().wait().await, ExitReason::Normal);
    assert_eq!(lab.take_events(), ["stop:c", "stop:b", "stop:a"]);
    assert_eq!(lab.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_taken_name_is_already_started_and_leaves_nothing() {
    let lab = Lab::new();
    let holder = supervise_runtime::Inbox::<()>::new();
    registry::register("test:sup:taken", &holder).unwrap();
    let sup = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    let err = sup
        .start_child(child(&lab, "w").name("test:sup:taken"))
        .await
        .unwrap_err();
    assert_eq!(err, ChildError::AlreadyStarted(holder.pid()));
    assert!(sup.which_children().await.unwrap().is_empty());
    assert_eq!(lab.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_failed_start_child_leaves_nothing() {
    let lab = Lab::new();
    let sup = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    lab.set_init(InitMode::Stop);
    assert_eq!(
        sup.start_child(child(&lab, "w")).await.unwrap_err(),
        ChildError::Start(StartError::Stopped(ExitReason::error("init failed")))
    );
    lab.set_init(InitMode::Ignore);
    assert_eq!(
        sup.start_child(child(&lab, "i")).await.unwrap_err(),
        ChildError::Ignored
    );
    // OTP keeps an ignored non-temporary child as a stopped spec.
    assert_eq!(only(&sup).await, (ChildPid::Undefined, ONE_STOPPED));
    assert_eq!(sup.process().links_and_monitors(), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn stable_handle_is_gone_once_its_supervisor_stopped() {
    let lab = Lab::new();
    let sup = Supervisor::start(SupervisorSpec::default().child(child(&lab, "w")))
        .await
        .unwrap();
    let stable = sup.child::<Probe>("w").await.unwrap();
    let _ = sup.stop(ExitReason::Shutdown).await;
    assert_eq!(stable.current().unwrap_err(), FollowError::Gone);
    assert_eq!(
        stable.call(ProbeCall::Ping).await.unwrap_err(),
        CallError::NoProc
    );
    assert!(stable.current().unwrap_err().to_string().contains("gone"));
}

#[tokio::test(start_paused = true)]
async fn get_childspec_returns_a_typed_copy_that_starts_elsewhere() {
    let lab = Lab::new();
    let spec = SupervisorSpec::default().child(child(&lab, "w").restart(Restart::Transient));
    let sup = Supervisor::start(spec).await.unwrap();
    let copy = sup.get_childspec::<Probe>("w").await.unwrap();
    assert_eq!(
        (copy.get_id(), copy.get_restart()),
        ("w", Restart::Transient)
    );
    assert_eq!(
        sup.get_childspec::<Supervisor>("w").await.unwrap_err(),
        ChildError::WrongType("supervise_runtime::supervisor::server::Supervisor")
    );
    assert_eq!(
        sup.get_childspec::<Probe>("x").await.unwrap_err(),
        ChildError::NotFound
    );
    let other = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    other.start_child(copy).await.unwrap();
    assert_eq!(lab.live(), 2);
}

/// auto_shutdown counts only a significant child that stops on its own.
#[tokio::test(start_paused = true)]
async fn terminate_child_of_a_significant_child_does_not_shut_down() {
    let lab = Lab::new();
    let spec = SupervisorSpec::default()
        .auto_shutdown(AutoShutdown::AnySignificant)
        .child(
            child(&lab, "s")
                .restart(Restart::Transient)
                .significant(true),
        );
    let sup = Supervisor::start(spec).await.unwrap();
    sup.terminate_child("s").await.unwrap();
    assert_eq!(only(&sup).await, (ChildPid::Undefined, ONE_STOPPED));
    sup.restart_child("s").await.unwrap();
    crash(&sup, "s").await; // transient + crash: restarted, so not "for good"
    assert!(matches!(only(&sup).await.0, ChildPid::Running(_)));
    handle(&sup, "s")
        .await
        .send(ProbeMsg::Stop(ExitReason::Normal))
        .unwrap();
    assert_eq!(sup.process().wait().await, ExitReason::Shutdown);
}

/// Trees nest to any depth: ten supervisors deep, a leaf crash is handled at the
/// bottom, and stopping the root stops level by level, the deepest last.
#[tokio::test(start_paused = true)]
async fn trees_nest_ten_deep() {
    let lab = Lab::new();
    let mut spec = SupervisorSpec::default().child(child(&lab, "leaf"));
    for depth in 0..10 {
        spec = SupervisorSpec::default()
            .child(ChildSpec::supervisor(spec).id("sub"))
            .child(child(&lab, &format!("w{depth}")));
    }
    let root = Supervisor::start(spec).await.unwrap();
    assert_eq!(lab.live(), 11);
    let mut bottom = root.clone();
    for _ in 0..10 {
        let sub = bottom.child::<Supervisor>("sub").await.unwrap();
        bottom = RefOf::into_address(sub.current().unwrap());
    }
    let leaf = handle(&bottom, "leaf").await;
    crash(&bottom, "leaf").await;
    assert_ne!(handle(&bottom, "leaf").await.pid(), leaf.pid());
    assert_eq!(root.which_children().await.unwrap().len(), 2);
    lab.take_events();
    let _ = root.stop(ExitReason::Shutdown).await;
    // Each level stops its worker (started last) before descending into its `sub`.
    let mut want: Vec<String> = (0..10).rev().map(|d| format!("stop:w{d}")).collect();
    want.push("stop:leaf".into());
    assert_eq!(lab.take_events(), want);
    assert_eq!(lab.live(), 0);
}
