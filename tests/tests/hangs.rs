//! Nothing hangs, nothing is left behind: the stops and monitors of issue 13 that could
//! wait forever or deliver what was cancelled.

use std::cell::RefCell;
use std::convert::Infallible;
use std::time::Duration;

use supervise_runtime::{
    AsProcess, ChildSpec, Context, DynamicSupervisor, DynamicSupervisorSpec, ExitReason, Flow,
    Inbox, Init, Mailbox, Pid, ProcessRef, Received, Ref, Shutdown, StartOptions, Strategy,
    Supervisor, SupervisorSpec, Worker, start,
};
use tests::{Lab, Probe};

/// Generous: with the paused clock, only a hang ever reaches it.
const HANG: Duration = Duration::from_secs(24 * 3600);

/// A worker that unlinks itself from a process it is told of; told of its parent
/// (`Parent`), it unlinks itself from it when the parent asks it to exit, and lives on.
struct Loner {
    parent: Option<ProcessRef>,
}

#[derive(Debug)]
enum LonerMsg {
    Unlink(ProcessRef),
    Parent(ProcessRef),
    Stop,
}

impl Worker for Loner {
    type Args = bool;
    type Info = LonerMsg;
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init(trap: bool, ctx: &mut Context<Self>) -> Init<Self> {
        ctx.trap_exit(trap);
        Init::Ok(Loner { parent: None })
    }

    async fn handle_exit(
        &mut self,
        from: Pid,
        reason: ExitReason,
        ctx: &mut Context<Self>,
    ) -> Flow {
        match self.parent.take() {
            Some(parent) if parent.pid() == from => {
                ctx.unlink(&parent);
                Flow::Continue
            }
            _ => Flow::Stop(reason),
        }
    }

    async fn handle_info(&mut self, msg: LonerMsg, ctx: &mut Context<Self>) -> Flow {
        match msg {
            LonerMsg::Unlink(from) => {
                ctx.unlink(&from);
                Flow::Continue
            }
            LonerMsg::Parent(parent) => {
                self.parent = Some(parent);
                Flow::Continue
            }
            LonerMsg::Stop => Flow::Stop(ExitReason::error("gone")),
        }
    }
}

/// Issue 13 item 3: a DynamicSupervisor's stop hung forever, even with brutal_kill, when
/// a child had unlinked itself (its exit never came back through the link).
#[tokio::test(start_paused = true)]
async fn a_dynamic_supervisor_stops_a_child_that_unlinked_itself() {
    for (shutdown, trap) in [
        (Shutdown::BrutalKill, false),
        (Shutdown::Timeout(Duration::from_secs(1)), false),
        (Shutdown::Timeout(Duration::from_secs(1)), true),
        (Shutdown::Infinity, false),
    ] {
        let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
            .await
            .unwrap();
        let spec = ChildSpec::<Loner>::worker(trap).shutdown(shutdown);
        let child = sup.start_child(spec).await.unwrap();
        child.send(LonerMsg::Unlink(sup.process().clone())).unwrap();
        tokio::task::yield_now().await;
        assert!(!sup.process().is_linked_to(child.pid()));
        let reason = tokio::time::timeout(HANG, sup.stop(ExitReason::Shutdown))
            .await
            .unwrap_or_else(|_| panic!("stop hung with {shutdown:?}"));
        assert_eq!(reason, Ok(ExitReason::Shutdown));
        assert!(!child.is_alive(), "{shutdown:?}");
    }
}

/// Issue 13 item 3, the late case: a trapping child with an infinite shutdown that
/// unlinks itself only when the stop's shutdown signal reaches it, and exits later.
#[tokio::test(start_paused = true)]
async fn a_dynamic_supervisor_stops_a_child_that_unlinks_itself_while_stopping() {
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let spec = ChildSpec::<Loner>::worker(true).shutdown(Shutdown::Infinity);
    let child = sup.start_child(spec).await.unwrap();
    child.send(LonerMsg::Parent(sup.process().clone())).unwrap();
    let stopping = sup.clone();
    let stop = tokio::spawn(async move { stopping.stop(ExitReason::Shutdown).await });
    while sup.process().is_linked_to(child.pid()) {
        tokio::task::yield_now().await;
    }
    assert!(child.is_alive(), "it lives on, unlinked");
    child.send(LonerMsg::Stop).unwrap();
    let reason = tokio::time::timeout(HANG, stop).await.expect("stop hung");
    assert_eq!(reason.unwrap(), Ok(ExitReason::Shutdown));
}

/// Issue 13 item 3: a child that unlinked itself and died stayed in which_children.
#[tokio::test(start_paused = true)]
async fn a_child_that_unlinked_itself_and_died_is_not_listed() {
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let child = sup
        .start_child(ChildSpec::<Loner>::worker(false))
        .await
        .unwrap();
    child.send(LonerMsg::Unlink(sup.process().clone())).unwrap();
    child.send(LonerMsg::Stop).unwrap();
    child.process().wait().await;
    assert!(sup.which_children().await.unwrap().is_empty());
    assert_eq!(sup.count_children().await.unwrap().specs, 0);
}

/// Issue 13 item 4: `stop()` of a supervisor whose bounded mailbox was full dropped the
/// request and waited forever.
#[tokio::test(start_paused = true)]
async fn stop_waits_for_room_in_a_full_mailbox() {
    let lab = Lab::new();
    let slow = ChildSpec::<Probe>::worker(lab.probe("slow", true).linger(Duration::from_secs(1)))
        .id("slow");
    let spec = SupervisorSpec::new(Strategy::OneForOne).child(slow);
    let options = StartOptions::new().mailbox(Mailbox::Bounded(1));
    let sup = Supervisor::start_with(spec, options).await.unwrap();
    // The supervisor is busy stopping `slow` for a second; one request fills its mailbox.
    let busy = sup.clone();
    let terminating = tokio::spawn(async move { busy.terminate_child("slow").await });
    tokio::task::yield_now().await;
    let queued = sup.clone();
    let listing = tokio::spawn(async move { queued.which_children().await });
    tokio::task::yield_now().await;
    let reason = tokio::time::timeout(HANG, sup.stop(ExitReason::Shutdown))
        .await
        .expect("stop hung");
    assert_eq!(reason, Ok(ExitReason::Shutdown));
    terminating.await.unwrap().unwrap();
    let _ = listing.await.unwrap();
}

/// The watcher, its monitor, and what `demonitor` returned.
type Watch = (Inbox<()>, Ref, Option<bool>);

thread_local! {
    /// The watcher and its monitor, for the demonitor made from a `Drop` below.
    static WATCH: RefCell<Option<Watch>> = const { RefCell::new(None) };
}

/// A worker linked to a target; dropping its state demonitors the watcher's monitor of
/// that target. It dies when the target dies, while the target tells its links, that is
/// before the target tells its monitors.
struct Bystander;

impl Drop for Bystander {
    fn drop(&mut self) {
        WATCH.with(|w| {
            if let Some((inbox, reference, result)) = w.borrow_mut().as_mut() {
                *result = Some(inbox.demonitor(*reference));
            }
        });
    }
}

impl Worker for Bystander {
    type Args = ProcessRef;
    type Info = ();
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init(target: ProcessRef, ctx: &mut Context<Self>) -> Init<Self> {
        ctx.link(&target);
        Init::Ok(Bystander)
    }
}

/// Issue 13 item 9: `demonitor` returned true and the `Down` for that reference still
/// arrived (a dying target tells links first, monitors after, and delivery did not check
/// the monitor was still wanted). OTP: no `Down` after `demonitor` returns.
#[tokio::test(start_paused = true)]
async fn no_down_arrives_after_demonitor_returned() {
    let target = start::<Loner>(false).await.unwrap();
    let watcher = Inbox::<()>::new();
    let reference = watcher.monitor(&target);
    let bystander = start::<Bystander>(target.process().clone()).await.unwrap();
    // The watcher demonitors from the bystander's `Drop`, in the middle of the target's exit.
    WATCH.with(|w| *w.borrow_mut() = Some((watcher, reference, None)));
    target.process().exit(ExitReason::Kill);
    target.process().wait().await;
    bystander.process().wait().await;
    let (mut watcher, _, demonitored) = WATCH.with(|w| w.borrow_mut().take()).unwrap();
    assert_eq!(demonitored, Some(true), "demonitored while the target died");
    let flushed = watcher.flush();
    assert!(
        !flushed.iter().any(|m| matches!(m, Received::Down(_))),
        "{flushed:?}"
    );
    assert_eq!(watcher.process().links_and_monitors(), (0, 0));
}
