//! Supervisor (static children): one integration test per row of OTP.md that concerns it.

use std::time::Duration;

use supervise_runtime::{
    AsProcess, AutoShutdown, Backoff, ChildCount, ChildError, ChildPid, ChildSpec, ExitReason,
    Handle, MessageOf, Restart, SpecError, StableError, StartError, Strategy, Supervisor,
    SupervisorSpec, SupervisorStartError, registry,
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
    sup.child::<Probe>(id).await.unwrap().current().unwrap()
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
    assert_eq!(sup.stop(ExitReason::Shutdown).await, ExitReason::Shutdown);
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
    assert_eq!(stable.current().unwrap_err(), StableError::Stopped);
    assert_eq!(registry::whereis("test:db"), None);
    sup.delete_child("db").await.unwrap();
    assert_eq!(stable.current().unwrap_err(), StableError::Gone);
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
        assert_eq!(stable.current().unwrap_err(), StableError::Restarting);
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
