//! Failure injection: a panic from each user-supplied trait the library calls (`Debug` of
//! state, messages and start arguments, `Display` of reasons, `Drop` of queued messages,
//! `terminate`, panic payloads that are not strings), on the paths that call it. Whatever
//! the user code does, the process exits, its supervisor lives on and restarts it, and the
//! crash is reported.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use supervise_runtime::{
    AsProcess, ChildPid, ChildSpec, Context, DynamicSupervisor, DynamicSupervisorSpec, ExitReason,
    Flow, Handle, Init, MessageOf, Restart, Worker, start,
};
use tests::capture;

/// What the worker's user code does wrong.
#[derive(Clone, Default)]
struct Plan {
    /// Its start arguments' `Debug` panics.
    args_debug_panics: bool,
    /// Its state's `Debug` panics.
    state_debug_panics: bool,
    /// `terminate` panics.
    terminate_panics: bool,
    /// Dropping the state panics.
    drop_panics: bool,
    /// `terminate` calls, over every incarnation.
    terminated: Arc<AtomicUsize>,
    /// Successful inits, over every incarnation.
    started: Arc<AtomicUsize>,
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.args_debug_panics {
            panic!("args Debug panicked");
        }
        f.write_str("Plan")
    }
}

/// Panics when dropped, if armed.
struct Bomb(bool);

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.0 && !std::thread::panicking() {
            panic!("message Drop panicked");
        }
    }
}

impl fmt::Debug for Bomb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bomb")
    }
}

/// An error whose `Display` panics.
#[derive(Debug)]
struct RudeError;

impl fmt::Display for RudeError {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("reason Display panicked")
    }
}

impl std::error::Error for RudeError {}

#[derive(Debug)]
enum Msg {
    /// Panic with this payload.
    Crash,
    /// Panic with a payload that is not a string.
    CrashWithNumber,
    /// Stop with an error whose `Display` panics.
    StopRudely,
    /// Stop normally.
    Stop,
    /// Carries a bomb (never read: it is there to be dropped).
    Hold(#[allow(dead_code)] Bomb),
    /// Does nothing.
    Noop,
}

struct Mischief {
    plan: Plan,
}

impl Drop for Mischief {
    fn drop(&mut self) {
        if self.plan.drop_panics && !std::thread::panicking() {
            panic!("state Drop panicked");
        }
    }
}

impl Worker for Mischief {
    type Args = Plan;
    type Info = Msg;
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init(plan: Plan, _: &mut Context<Self>) -> Init<Self> {
        plan.started.fetch_add(1, Ordering::SeqCst);
        Init::Ok(Mischief { plan })
    }

    async fn handle_info(&mut self, msg: Msg, _: &mut Context<Self>) -> Flow {
        match msg {
            Msg::Crash => panic!("crash"),
            Msg::CrashWithNumber => std::panic::panic_any(42_u32),
            Msg::StopRudely => Flow::Stop(ExitReason::from_error(RudeError)),
            Msg::Stop => Flow::stop_normal(),
            Msg::Hold(_) | Msg::Noop => Flow::Continue,
        }
    }

    async fn terminate(&mut self, _: &ExitReason, _: &mut Context<Self>) {
        self.plan.terminated.fetch_add(1, Ordering::SeqCst);
        if self.plan.terminate_panics {
            panic!("terminate panicked");
        }
    }

    fn format_message(msg: &MessageOf<Self>, out: &mut dyn fmt::Write) -> fmt::Result {
        if let supervise_runtime::Envelope::Info(Msg::Noop) = msg {
            panic!("message Debug panicked");
        }
        write!(out, "{:?}", std::mem::discriminant(msg))
    }

    fn format_state(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        if self.plan.state_debug_panics {
            panic!("state Debug panicked");
        }
        out.write_str("Mischief")
    }
}

/// Generous: with the paused clock, only a hang ever reaches it.
const HANG: Duration = Duration::from_secs(3600);

async fn supervised(
    plan: Plan,
) -> (
    Handle<DynamicSupervisor>,
    supervise_runtime::RefOf<Mischief>,
) {
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let spec = ChildSpec::<Mischief>::worker(plan).debug_args();
    let child = sup.start_child(spec).await.unwrap();
    (sup, child)
}

async fn only_child(sup: &Handle<DynamicSupervisor>) -> ChildPid {
    let children = tokio::time::timeout(HANG, sup.which_children())
        .await
        .expect("the supervisor answers")
        .unwrap();
    assert_eq!(children.len(), 1, "{children:?}");
    children[0].pid
}

/// Issue 13 item 6: the mailbox was dropped before `terminate`, outside the panic
/// boundary, so a queued message whose `Drop` panicked left a zombie never restarted.
#[tokio::test(start_paused = true)]
async fn a_queued_message_whose_drop_panics_does_not_leave_a_zombie() {
    let plan = Plan::default();
    let (sup, child) = supervised(plan.clone()).await;
    child.send(Msg::Crash).unwrap();
    child.send(Msg::Hold(Bomb(true))).unwrap();
    let reason = tokio::time::timeout(HANG, child.process().wait())
        .await
        .expect("the crashed worker exits");
    assert_eq!(reason.panic().map(|p| p.message()), Some("crash"));
    assert_ne!(only_child(&sup).await, ChildPid::Running(child.pid()));
    assert_eq!(plan.started.load(Ordering::SeqCst), 2, "restarted");
}

/// Issue 13 item 7: a `terminate` that panicked was run a second time.
#[tokio::test(start_paused = true)]
async fn a_panicking_terminate_runs_once() {
    let plan = Plan {
        terminate_panics: true,
        ..Plan::default()
    };
    let worker = start::<Mischief>(plan.clone()).await.unwrap();
    worker.send(Msg::Stop).unwrap();
    let reason = tokio::time::timeout(HANG, worker.process().wait())
        .await
        .unwrap();
    assert_eq!(
        reason.panic().map(|p| p.message()),
        Some("terminate panicked")
    );
    assert_eq!(plan.terminated.load(Ordering::SeqCst), 1);

    // After a crash in a callback, too.
    let plan = Plan {
        terminate_panics: true,
        ..Plan::default()
    };
    let worker = start::<Mischief>(plan.clone()).await.unwrap();
    worker.send(Msg::Crash).unwrap();
    worker.process().wait().await;
    assert_eq!(plan.terminated.load(Ordering::SeqCst), 1);
}

/// Issue 13 item 10: with a subscriber listening, a child's start arguments whose `Debug`
/// panics crashed its supervisor while it wrote its report.
#[tokio::test(start_paused = true)]
async fn start_arguments_whose_debug_panics_do_not_crash_the_supervisor() {
    let (reports, _guard) = capture();
    let plan = Plan {
        args_debug_panics: true,
        ..Plan::default()
    };
    let (sup, child) = supervised(plan.clone()).await;
    child.send(Msg::Crash).unwrap();
    child.process().wait().await;
    assert!(matches!(only_child(&sup).await, ChildPid::Running(p) if p != child.pid()));
    assert!(sup.is_alive());
    let report = reports
        .supervisor()
        .into_iter()
        .find(|r| r.field("context") == "child_terminated")
        .expect("a report");
    assert!(
        report.field("start").contains("formatting panicked"),
        "{:?}",
        report.field("start")
    );
}

/// Issue 13 item 10: an exit reason whose `Display` panics crashed the supervisor while
/// it wrote its report; the worker's own crash report survives it too.
#[tokio::test(start_paused = true)]
async fn a_reason_whose_display_panics_does_not_crash_the_supervisor() {
    let (reports, _guard) = capture();
    let (sup, child) = supervised(Plan::default()).await;
    child.send(Msg::StopRudely).unwrap();
    child.process().wait().await;
    assert!(matches!(only_child(&sup).await, ChildPid::Running(p) if p != child.pid()));
    assert!(sup.is_alive());
    let report = reports
        .supervisor()
        .into_iter()
        .find(|r| r.field("context") == "child_terminated")
        .expect("a supervisor report");
    assert!(report.field("reason").contains("formatting panicked"));
    let crash = reports.crash();
    assert_eq!(crash.len(), 1, "the worker's crash report");
    assert!(crash[0].field("reason").contains("formatting panicked"));
}

/// Issue 13 item 14: a crash whose state's `Debug` panicked left nothing at all (no
/// report, no panic output) when a subscriber listened.
#[tokio::test(start_paused = true)]
async fn a_state_whose_debug_panics_still_gets_a_crash_report() {
    let (reports, _guard) = capture();
    let plan = Plan {
        state_debug_panics: true,
        ..Plan::default()
    };
    let (sup, child) = supervised(plan).await;
    child.send(Msg::Crash).unwrap();
    child.process().wait().await;
    let crash = reports.crash();
    assert_eq!(crash.len(), 1, "one crash report");
    assert!(crash[0].field("state").contains("state Debug panicked"));
    assert!(crash[0].field("reason").contains("crash"));
    assert!(matches!(only_child(&sup).await, ChildPid::Running(p) if p != child.pid()));
}

/// A message whose `Debug` panics is not a crash of the worker (it is formatted only for
/// a report, so only when a subscriber listens): the report says it could not format it.
#[tokio::test(start_paused = true)]
async fn a_message_whose_debug_panics_does_not_crash_the_worker() {
    let (reports, _guard) = capture();
    let (_sup, child) = supervised(Plan::default()).await;
    child.send(Msg::Noop).unwrap();
    child.send(Msg::Crash).unwrap();
    let reason = child.process().wait().await;
    assert_eq!(reason.panic().map(|p| p.message()), Some("crash"));
    let crash = reports.crash();
    assert_eq!(crash.len(), 1);
}

/// A panic whose payload is not a string is a crash like any other.
#[tokio::test(start_paused = true)]
async fn a_panic_payload_that_is_not_a_string_is_a_crash() {
    let (reports, _guard) = capture();
    let (sup, child) = supervised(Plan::default()).await;
    child.send(Msg::CrashWithNumber).unwrap();
    let reason = child.process().wait().await;
    assert!(reason.is_failure());
    assert!(reason.panic().is_some());
    assert_eq!(reports.crash().len(), 1);
    assert!(matches!(only_child(&sup).await, ChildPid::Running(p) if p != child.pid()));
}

/// A temporary child that stops normally after a panicking terminate is not restarted,
/// and the supervisor lives on: the panic is the child's exit reason.
#[tokio::test(start_paused = true)]
async fn a_panicking_terminate_is_the_exit_reason_under_a_supervisor() {
    let plan = Plan {
        terminate_panics: true,
        ..Plan::default()
    };
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let spec = ChildSpec::<Mischief>::worker(plan.clone()).restart(Restart::Temporary);
    let child = sup.start_child(spec).await.unwrap();
    child.send(Msg::Stop).unwrap();
    let reason = child.process().wait().await;
    assert!(reason.is_failure());
    assert!(sup.which_children().await.unwrap().is_empty());
    assert_eq!(plan.terminated.load(Ordering::SeqCst), 1);
}

/// A state whose `Drop` panics: the process has exited by then (its links told, its
/// report written), so its supervisor restarts it as usual.
#[tokio::test(start_paused = true)]
async fn a_state_whose_drop_panics_is_still_restarted() {
    let (reports, _guard) = capture();
    let plan = Plan {
        drop_panics: true,
        ..Plan::default()
    };
    let (sup, child) = supervised(plan.clone()).await;
    child.send(Msg::Noop).unwrap();
    child.send(Msg::Crash).unwrap();
    let reason = tokio::time::timeout(HANG, child.process().wait())
        .await
        .unwrap();
    assert_eq!(reason.panic().map(|p| p.message()), Some("crash"));
    assert!(matches!(only_child(&sup).await, ChildPid::Running(p) if p != child.pid()));
    assert_eq!(reports.crash().len(), 1);
    // Killed without a task (it dies where the signal arrives): the killer lives on.
    let current = only_child(&sup).await.pid().unwrap();
    let sup_process = sup.process().clone();
    sup.terminate_child(current).await.unwrap();
    assert!(sup_process.is_alive());
}
