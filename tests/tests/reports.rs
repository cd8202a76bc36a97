//! Where this crate's logs meet the BEAM's (issue 13, "where OTP and this crate still
//! differ"): SASL's progress reports, and the level of an unexpected message.

use std::convert::Infallible;

use supervise_runtime::{
    AsProcess, ChildSpec, Context, DynamicSupervisor, DynamicSupervisorSpec, Handle, Init,
    Strategy, Supervisor, SupervisorSpec, Worker, start,
};
use tests::{Lab, Probe, ProbeMsg, capture};

/// A supervisor logs SASL's `Child a of Supervisor .. started` for every start and
/// restart, at DEBUG under `supervise::progress` (hidden by default).
#[tokio::test(start_paused = true)]
async fn starts_and_restarts_are_progress_reports_at_debug() {
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(ChildSpec::<Probe>::worker(lab.probe("a", false)).id("a"));
    let sup = Supervisor::start(spec).await.unwrap();
    let children = sup.which_children().await.unwrap();
    let first = children[0].pid.pid().unwrap();
    let child = Handle::<Probe>::from_process(children[0].process.as_ref().unwrap()).unwrap();
    child.send(ProbeMsg::Crash("x".into())).unwrap();
    let progress = || {
        reports
            .all()
            .into_iter()
            .filter(|r| r.target == "supervise::progress")
            .collect::<Vec<_>>()
    };
    while progress().len() < 2 {
        tokio::task::yield_now().await;
    }
    let started = progress();
    assert!(started.iter().all(|r| r.level == tracing::Level::DEBUG));
    assert_eq!(started[0].field("child_id"), "a");
    assert_eq!(started[0].field("pid"), first.to_string());
    assert_ne!(started[1].field("pid"), first.to_string());
    assert_eq!(started[0].field("supervisor"), sup.pid().to_string());

    let dynamic = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let child = dynamic
        .start_child(ChildSpec::<Probe>::worker(lab.probe("d", false)))
        .await
        .unwrap();
    let last = progress().pop().unwrap();
    assert_eq!(last.field("child_id"), "undefined");
    assert_eq!(last.field("pid"), child.pid().to_string());
}

struct Deaf;

impl Worker for Deaf {
    type Args = ();
    type Info = u8;
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init((): (), _: &mut Context<Self>) -> Init<Self> {
        Init::Ok(Deaf)
    }
}

/// An unexpected message to a worker without `handle_info` is logged at ERROR, as the
/// BEAM does (it was WARN).
#[tokio::test(start_paused = true)]
async fn an_unexpected_message_is_logged_at_error() {
    let (reports, _guard) = capture();
    let deaf = start::<Deaf>(()).await.unwrap();
    deaf.send(1).unwrap();
    while !reports
        .all()
        .iter()
        .any(|r| r.target == "supervise::worker")
    {
        tokio::task::yield_now().await;
    }
    let logged = reports
        .all()
        .into_iter()
        .find(|r| r.target == "supervise::worker")
        .unwrap();
    assert_eq!(logged.level, tracing::Level::ERROR);
    assert_eq!(logged.field("pid"), deaf.pid().to_string());
    assert!(deaf.is_alive(), "and the worker continues");
}

/// A worker written by hand, without `format_message`: its messages are `Debug`.
struct Fragile;

#[derive(Debug)]
enum FragileMsg {
    Break { code: u8 },
}

impl Worker for Fragile {
    type Args = ();
    type Info = FragileMsg;
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init((): (), _: &mut Context<Self>) -> Init<Self> {
        Init::Ok(Fragile)
    }

    async fn handle_info(
        &mut self,
        FragileMsg::Break { code }: FragileMsg,
        _: &mut Context<Self>,
    ) -> supervise_runtime::Flow {
        panic!("broke with {code}")
    }
}

/// The default `format_message` shows the message being handled in its `Debug` form, so
/// the crash report of a worker written by hand names it (it used to say "not Debug").
#[tokio::test(start_paused = true)]
async fn a_hand_written_workers_crash_report_shows_its_last_message() {
    let (reports, _guard) = capture();
    let fragile = start::<Fragile>(()).await.unwrap();
    fragile.send(FragileMsg::Break { code: 7 }).unwrap();
    fragile.process().wait().await;
    let crash = reports
        .all()
        .into_iter()
        .find(|r| r.target == "supervise::crash")
        .expect("a crash report");
    assert!(
        crash
            .field("message")
            .contains("Last message: Break { code: 7 }"),
        "{}",
        crash.field("message")
    );
}
