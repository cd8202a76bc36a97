//! The application root: stop on request in order with status 0, give up with status 1.

use std::time::Duration;

use supervise_runtime::{
    AppExit, Application, ChildSpec, DynamicSupervisorSpec, ExitReason, SpecError, Strategy,
    SupervisorSpec, SupervisorStartError,
};
use tests::{Lab, Probe, ProbeMsg, capture};

fn tree(lab: &Lab, max_restarts: u32) -> SupervisorSpec {
    let inner = SupervisorSpec::new(Strategy::OneForAll)
        .child(ChildSpec::<Probe>::worker(lab.probe("b", true)).id("b"))
        .child(ChildSpec::<Probe>::worker(lab.probe("c", true)).id("c"));
    SupervisorSpec::new(Strategy::OneForOne)
        .intensity(max_restarts, Duration::from_secs(5))
        .child(ChildSpec::<Probe>::worker(lab.probe("a", true)).id("a"))
        .child(ChildSpec::supervisor(inner).id("inner"))
}

#[tokio::test(start_paused = true)]
async fn a_stop_request_stops_the_tree_in_reverse_order_with_status_0() {
    let lab = Lab::new();
    let app = Application::start(tree(&lab, 3)).await.unwrap();
    assert_eq!(lab.take_events(), ["start:a", "start:b", "start:c"]);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tx.send(()).unwrap();
    let exit = app.run_until(async { rx.await.unwrap() }).await;
    assert_eq!(
        exit,
        AppExit {
            reason: ExitReason::Shutdown,
            gave_up: false
        }
    );
    assert_eq!(exit.code(), 0);
    assert_eq!(lab.take_events(), ["stop:c", "stop:b", "stop:a"]);
    assert_eq!(lab.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_root_that_gives_up_ends_with_status_1() {
    let lab = Lab::new();
    let (logs, _guard) = capture();
    let app = Application::start(tree(&lab, 0)).await.unwrap();
    let a = app
        .root()
        .child::<Probe>("a")
        .await
        .unwrap()
        .current()
        .unwrap();
    a.send(ProbeMsg::Crash("fatal".into())).unwrap();
    let exit = app.run_until(std::future::pending()).await;
    assert_eq!(
        exit,
        AppExit {
            reason: ExitReason::Shutdown,
            gave_up: true
        }
    );
    assert_eq!(exit.exit_code(), std::process::ExitCode::from(1));
    assert_eq!(lab.live(), 0);
    let all: Vec<_> = logs.all_targets();
    assert!(all.iter().any(|t| t == "supervise::application"));
}

#[tokio::test(start_paused = true)]
async fn a_dynamic_root_stops_its_children_on_request_with_status_0() {
    let lab = Lab::new();
    let app = Application::start_dynamic(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    for tag in ["x", "y"] {
        app.root()
            .start_child(ChildSpec::<Probe>::worker(lab.probe(tag, true)))
            .await
            .unwrap();
    }
    let exit = app.run_until(async {}).await;
    assert_eq!((exit.reason, exit.gave_up), (ExitReason::Shutdown, false));
    assert_eq!(lab.live(), 0);
    assert_eq!(lab.take_events().len(), 4, "two starts, two terminates");
}

#[tokio::test(start_paused = true)]
async fn a_dynamic_root_that_gives_up_ends_with_status_1() {
    let lab = Lab::new();
    let app = Application::start_dynamic(
        DynamicSupervisorSpec::new().intensity(0, Duration::from_secs(5)),
    )
    .await
    .unwrap();
    let child = app
        .root()
        .start_child(ChildSpec::<Probe>::worker(lab.probe("x", false)))
        .await
        .unwrap();
    child.send(ProbeMsg::Crash("fatal".into())).unwrap();
    let exit = app.run_until(std::future::pending()).await;
    assert_eq!(exit.code(), 1);
    assert_eq!(exit.reason, ExitReason::Shutdown);
}

#[tokio::test(start_paused = true)]
async fn an_invalid_root_spec_is_an_error_naming_the_rule_and_starts_nothing() {
    let lab = Lab::new();
    let spec = tree(&lab, 3).child(ChildSpec::<Probe>::worker(lab.probe("a", true)).id("a"));
    let err = Application::start(spec).await.unwrap_err();
    assert_eq!(
        err,
        SupervisorStartError::Invalid(SpecError::DuplicateId("a".into()))
    );
    assert!(err.to_string().contains("ids must be unique"), "{err}");
    assert_eq!(lab.starts(), 0);
    let err =
        Application::start_dynamic(DynamicSupervisorSpec::new().strategy(Strategy::OneForAll))
            .await
            .unwrap_err();
    assert!(err.to_string().contains("can only be OneForOne"), "{err}");
}

/// Issue 13 item 13: `app.root().stop(Shutdown)` read as the root giving up (status 1).
#[tokio::test(start_paused = true)]
async fn a_stop_asked_of_the_root_itself_is_not_a_failure() {
    let lab = Lab::new();
    let app = Application::start(tree(&lab, 3)).await.unwrap();
    let root = app.root().clone();
    let run = tokio::spawn(app.run_until(std::future::pending()));
    assert_eq!(
        root.stop(ExitReason::Shutdown).await,
        Ok(ExitReason::Shutdown)
    );
    let exit = run.await.unwrap();
    assert_eq!((exit.gave_up, exit.code()), (false, 0));
    assert_eq!(lab.live(), 0);

    let app = Application::start_dynamic(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let _ = app.root().stop(ExitReason::Shutdown).await;
    let exit = app.run_until(std::future::pending()).await;
    assert_eq!((exit.gave_up, exit.code()), (false, 0));
}

/// Issue 13 item 15: `Application::run` panicked "IO is disabled" on a runtime with only
/// the time driver, which the docs say is enough. It runs there, without signals.
#[test]
fn an_application_runs_on_a_runtime_with_only_the_time_driver() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async {
        let lab = Lab::new();
        let app = Application::start(tree(&lab, 0)).await.unwrap();
        let root = app.root().clone();
        let run = tokio::spawn(app.run());
        tokio::task::yield_now().await;
        let _ = root.stop(ExitReason::Shutdown).await;
        let exit = run.await.unwrap();
        assert_eq!((exit.code(), exit.reason), (0, ExitReason::Shutdown));
        assert_eq!(lab.live(), 0);
    });
}
