//! The seed story of the design, step by step, as `examples/dynamic_supervision.rs` tells
//! it: the `#[worker]` worker started with `(reply_to, "redis")` crashes the linked shell;
//! under a `DynamicSupervisor` its crash is reported, it comes back with a new pid, the
//! caller lives on with the same pid, and after a normal `shutdown` it comes back again.

use std::any::type_name;

use supervise_runtime::tree::DynamicRef;
use supervise_runtime::{
    AsProcess, ChildCount, ChildInfo, ChildPid, ChildType, ExitReason, Inbox, Pid, Received,
    Restart,
};
use tests::seed::{self, Reply, Worker, WorkerRef};
use tests::{Captured, capture};

async fn next(shell: &mut Inbox<Reply>) -> Reply {
    match shell.recv().await {
        Ok(Received::Message(reply)) => reply,
        other => panic!("expected a reply, got {other:?}"),
    }
}

/// Asserts the crash report of the worker `pid`, crashed by `raise("heck")` with the shell
/// `reply_to` in its state.
fn assert_crash_report(report: &Captured, pid: Pid, reply_to: Pid) {
    assert_eq!(report.level, tracing::Level::ERROR);
    assert_eq!(report.field("pid"), pid.to_string());
    assert_eq!(report.field("worker"), type_name::<Worker>());
    assert!(report.field("reason").ends_with(": heck"), "{report:?}");
    assert!(
        report.field("location").starts_with(seed::FILE),
        "{report:?}"
    );
    assert_eq!(report.field("last_message"), r#"Raise { message: "heck" }"#);
    let state = format!(r#"Worker {{ reply_to: Addr({reply_to}), conn: "redis" }}"#);
    assert_eq!(report.field("state"), state);
}

/// The one child of `sup`: its `which_children` line, checked, and its pid.
async fn only_child(sup: &DynamicRef<Worker>) -> (Pid, ChildInfo) {
    let mut children = sup.which_children().await.unwrap();
    assert_eq!(children.len(), 1, "{children:?}");
    let child = children.remove(0);
    assert_eq!(child.id, None, "undefined, as in OTP");
    assert_eq!(child.child_type, ChildType::Worker);
    assert_eq!(child.module, type_name::<Worker>());
    let ChildPid::Running(pid) = child.pid else {
        panic!("the child is not running: {child:?}")
    };
    (pid, child)
}

fn one_worker() -> ChildCount {
    ChildCount {
        active: 1,
        specs: 1,
        supervisors: 0,
        workers: 1,
    }
}

#[tokio::test]
async fn a_linked_crash_takes_the_shell_down() {
    let (reports, _guard) = capture();
    let mut shell = Inbox::<Reply>::new();
    let worker = Worker::start_link(shell.addr(), "redis").await.unwrap();
    assert_ne!(worker.pid(), shell.pid());

    worker.store("key", "value").unwrap();
    assert_eq!(next(&mut shell).await, Reply::HelloFriend);

    worker.raise("heck").unwrap();
    let reason = worker.process().wait().await;
    assert_eq!(reason.panic().map(|p| p.message()), Some("heck"));
    assert!(!shell.is_alive(), "the crash took the linked shell down");
    assert_eq!(shell.exit_reason(), Some(reason));
    let crashes = reports.crash();
    assert_eq!(crashes.len(), 1);
    assert_crash_report(&crashes[0], worker.pid(), shell.pid());
}

#[tokio::test]
async fn under_a_dynamic_supervisor_the_crash_is_reported_and_the_caller_lives_on() {
    let (reports, _guard) = capture();
    let mut shell = Inbox::<Reply>::new();
    let caller = shell.pid();
    // The application's tree; its DynamicSupervisor is the first child.
    let app = seed::App::start().await.unwrap();
    let sup = app.workers();

    // start_child -> ok(pid); which_children; count_children
    let worker: WorkerRef = sup
        .start_child(Worker::child_spec(shell.addr(), "redis"))
        .await
        .unwrap();
    let (first, info) = only_child(sup).await;
    assert_eq!(first, worker.pid());
    assert_eq!(info.process.map(|p| p.pid()), Some(first));
    assert_eq!(sup.count_children().await.unwrap(), one_worker());

    // store -> HelloFriend
    worker.store("key", "value").unwrap();
    assert_eq!(next(&mut shell).await, Reply::HelloFriend);

    // raise("heck"): the crash report, then the supervisor report
    worker.raise("heck").unwrap();
    let reason = worker.process().wait().await;
    assert_eq!(reason.panic().map(|p| p.message()), Some("heck"));
    let crashes = reports.crash();
    assert_eq!(crashes.len(), 1);
    assert_crash_report(&crashes[0], first, caller);
    let sup_reports = reports.supervisor();
    assert_eq!(sup_reports.len(), 1);
    let report = &sup_reports[0];
    assert_eq!(report.field("supervisor"), sup.pid().unwrap().to_string());
    assert_eq!(report.field("context"), "child_terminated");
    assert_eq!(report.field("pid"), first.to_string());
    assert_eq!(report.field("reason"), reason.to_string());
    assert_eq!(report.field("restart"), "Permanent");
    assert_eq!(report.field("shutdown"), "5000");
    assert_eq!(report.field("child_type"), "worker");
    // `child_spec` shows its arguments when they are all `Debug`, as OTP's Start Call does.
    let start = format!(
        "{}::start_link({:?}, \"redis\")",
        type_name::<Worker>(),
        shell.addr()
    );
    assert_eq!(report.field("start"), start);

    // which_children after the crash: a new pid; the caller alive, with the same pid
    let (second, info) = only_child(sup).await;
    assert_ne!(second, first);
    assert_eq!(sup.count_children().await.unwrap(), one_worker());
    assert!(shell.is_alive());
    assert_eq!(shell.pid(), caller);
    assert!(
        shell.flush().is_empty(),
        "no exit signal reached the caller"
    );

    // shutdown -> Goodbye, a normal exit, and yet a new pid: permanent means always
    let worker: WorkerRef = info.worker::<Worker>().unwrap();
    assert_eq!(worker.pid(), second);
    worker.shutdown().unwrap();
    assert_eq!(next(&mut shell).await, Reply::Goodbye);
    assert_eq!(worker.process().wait().await, ExitReason::Normal);
    let (third, _) = only_child(sup).await;
    assert!(
        third != first && third != second,
        "{first} {second} {third}"
    );
    assert_eq!(reports.crash().len(), 1, "a normal exit is not a crash");
    // OTP reports a permanent child's every exit, a normal one included.
    let sup_reports = reports.supervisor();
    assert_eq!(sup_reports.len(), 2);
    assert_eq!(sup_reports[1].field("pid"), second.to_string());
    assert_eq!(sup_reports[1].field("reason"), "normal");
    assert!(shell.is_alive());
    assert_eq!(shell.pid(), caller);

    // A transient child that stops normally is not restarted.
    let transient = sup
        .start_child(Worker::child_spec(shell.addr(), "redis").restart(Restart::Transient))
        .await
        .unwrap();
    assert_eq!(sup.count_children().await.unwrap().active, 2);
    transient.shutdown().unwrap();
    assert_eq!(next(&mut shell).await, Reply::Goodbye);
    assert_eq!(transient.process().wait().await, ExitReason::Normal);
    let (still, _) = only_child(sup).await;
    assert_eq!(still, third, "only the permanent child is left");
    assert_eq!(sup.count_children().await.unwrap(), one_worker());
    assert_eq!(
        reports.supervisor().len(),
        2,
        "a transient child's normal exit is not reported"
    );
    assert!(shell.is_alive());
}
