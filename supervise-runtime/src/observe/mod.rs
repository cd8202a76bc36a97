//! Looking at a running tree, as Erlang's `observer` does: a [`snapshot`] of a whole tree,
//! a worker's [`state`], and a stream of lifecycle [`Event`]s ([`subscribe`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use std::time::Duration;
//! use supervise_runtime::{observe, worker, ChildSpec, Strategy, Supervisor, SupervisorSpec};
//!
//! #[derive(Debug)]
//! pub struct Counter { n: u32 }
//! #[worker]
//! impl Counter {
//!     fn init(n: u32) -> Self { Counter { n } }
//!     #[call] fn bump(&mut self) -> u32 { self.n += 1; self.n }
//! }
//!
//! let spec = SupervisorSpec::new(Strategy::OneForOne)
//!     .child(Counter::child_spec(0).id("counter"))
//!     .child(ChildSpec::dynamic_supervisor(Default::default()).id("jobs"));
//! let root = Supervisor::start(spec).await.unwrap();
//!
//! let tree = observe::snapshot(&root).await.unwrap();
//! println!("{tree}"); // an indented tree, one process a line
//! let counter = &tree.root.children[0];
//! assert_eq!(counter.id.as_deref(), Some("counter"));
//! assert_eq!(tree.root.children[1].kind, observe::NodeKind::DynamicSupervisor);
//!
//! // A node keeps its process, to ask it for its state (or to kill it).
//! let process = counter.process.as_ref().unwrap();
//! let text = observe::state(process, Duration::from_secs(1)).await.unwrap();
//! assert_eq!(text, "Counter { n: 0 }");
//! # }
//! ```
//!
//! # What it costs
//!
//! A worker counts the messages it takes from its mailbox (a relaxed atomic load and
//! store each, in its control block: it is the counter's only writer, so no
//! read-modify-write is needed; measured within the benchmark's noise);
//! supervisors keep, per child, its restart count and last exit. Everything else is done
//! when asked: a snapshot calls each supervisor of the tree (as `which_children` does,
//! without timeout: a supervisor that dies meanwhile is shown [`Status::Unreachable`],
//! never waited for) and asks each process for its mailbox's length, which it answers
//! between two messages (a process busy in a callback for longer than
//! [`PROBE_TIMEOUT`] is shown with `mailbox_len: None`). Events are built only while
//! someone subscribes, and traced only when a subscriber listens to
//! `supervise::lifecycle` at DEBUG.
//!
//! # Keeping secrets out
//!
//! What [`state`] shows, and what a crash report prints as the state, is the worker's
//! [`Worker::format_state`](crate::Worker::format_state): the same text in both places.
//! `#[worker]` writes it from what the worker's `fn format_status(&self) -> impl Debug`
//! returns when it has one (Elixir's `format_status`; see [the guide](crate::docs_worker)),
//! else from the state's `Debug`, so a state with a secret either has a `format_status`
//! that leaves it out or implements `Debug` by hand without it (Elixir's `@derive
//! {Inspect, except: [:password]}`); a worker written by hand overrides `format_state`
//! (below). The start arguments are not the state: a supervisor report's `Start Call`
//! prints them with their `Debug`, so a secret passed to `init` needs a type whose `Debug`
//! redacts it. (A tree and its accessors are processes too: `observe::snapshot(&app)`,
//! `observe::state(app.cache(), timeout)` reach the incarnation current when asked, and
//! `NoProc` between two.)
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use std::fmt;
//! use std::time::Duration;
//! use supervise_runtime::{observe, worker};
//!
//! pub struct Conn { user: String, password: String }
//!
//! impl fmt::Debug for Conn {
//!     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
//!         f.debug_struct("Conn")
//!             .field("user", &self.user)
//!             .field("password", &"<redacted>")
//!             .finish()
//!     }
//! }
//!
//! #[worker]
//! impl Conn {
//!     fn init(user: String, password: String) -> Self { Conn { user, password } }
//! }
//!
//! let conn = Conn::start("ada".to_string(), "hunter2".to_string()).await.unwrap();
//! let shown = observe::state(&conn, Duration::from_secs(1)).await.unwrap();
//! assert_eq!(shown, r#"Conn { user: "ada", password: "<redacted>" }"#);
//! # }
//! ```

mod events;
mod node;
mod probe;
#[cfg(feature = "serde")]
mod ser;

use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, join_all};
use tokio::time::Instant;

use crate::process::ProcessRef;
use crate::supervisor::{ChildId, DynamicSupervisor, Restart, Supervisor};
use crate::{AsProcess, CallError, ExitReason, Handle, Pid};

pub use events::{EVENT_CAPACITY, Event, subscribe};
pub(crate) use events::{exited, gave_up, restarted, started};
pub use node::{LastExit, Node, NodeKind, Snapshot, Status, SupervisorFlags};
pub(crate) use probe::Probe;

/// How long a snapshot waits for each process to tell its mailbox's length.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(100);

/// A snapshot of the tree under `root` (a supervisor's handle, or any process): every
/// process, nested supervisors walked through their own processes.
///
/// Fails only when `root` cannot be asked: `NoProc` when it is dead, `Exited` when it
/// dies during the call (a nested supervisor that does is shown as
/// [`Status::Unreachable`] instead). A root that is not a supervisor gives a lone node.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{observe, worker, DynamicSupervisor, AsProcess, CallError};
///
/// pub struct Job;
/// #[worker]
/// impl Job { fn init() -> Self { Job } }
///
/// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
/// let job = sup.start_child(Job::child_spec()).await.unwrap();
/// let tree = observe::snapshot(&sup).await.unwrap();
/// assert_eq!(tree.root.children[0].pid, Some(job.pid()));
/// assert_eq!(tree.root.children[0].id, None, "undefined under a dynamic supervisor");
///
/// sup.process().exit(supervise_runtime::ExitReason::Kill);
/// sup.process().wait().await;
/// assert_eq!(observe::snapshot(&sup).await, Err(CallError::NoProc));
/// # }
/// ```
pub async fn snapshot(root: &impl AsProcess) -> Result<Snapshot, CallError> {
    let process = root.process();
    if !process.is_alive() {
        return Err(CallError::NoProc);
    }
    let (kind, worker_type) = kind_of(&process);
    let mut node = Node::empty(kind, worker_type);
    if kind != NodeKind::Worker {
        let view = ask(&process, kind).await?;
        fill(&mut node, view).await;
    }
    probe_into(&mut node, &process).await;
    if let Status::Unreachable(_) = node.status {
        return Err(CallError::Exited(
            process.exit_reason().unwrap_or(ExitReason::NoProc),
        ));
    }
    Ok(Snapshot { root: node })
}

/// The state of the worker `process`, as its [`Worker::format_state`](crate::Worker::format_state)
/// writes it (the text its crash report would show), asked through the process itself and
/// answered between two of its messages.
///
/// `Timeout` when it is busy in a callback for all of `timeout`; `NoProc` when it is dead;
/// `Exited` when it dies before answering; `CallingSelf` from the process itself. A
/// supervisor answers a summary of itself, an [`Inbox`](crate::Inbox) a note saying
/// that its state lives in the code that owns it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// use std::time::Duration;
/// use supervise_runtime::{observe, worker, CallError};
///
/// #[derive(Debug)]
/// pub struct Slow { calls: u32 }
/// #[worker]
/// impl Slow {
///     fn init() -> Self { Slow { calls: 0 } }
///     #[info] async fn nap(&mut self) { tokio::time::sleep(Duration::from_secs(60)).await }
/// }
///
/// let slow = Slow::start().await.unwrap();
/// assert_eq!(observe::state(&slow, Duration::from_secs(1)).await.unwrap(), "Slow { calls: 0 }");
/// slow.nap().unwrap();
/// // The question is a signal, served before messages: let the worker start its nap.
/// tokio::time::sleep(Duration::from_millis(1)).await;
/// assert_eq!(observe::state(&slow, Duration::from_secs(1)).await, Err(CallError::Timeout));
/// # }
/// ```
pub async fn state(process: &impl AsProcess, timeout: Duration) -> Result<String, CallError> {
    let inspection = probe::inspect(&process.process(), true, timeout).await?;
    Ok(inspection.state.unwrap_or_default())
}

/// What a supervisor tells about itself and its children (the `Observe` requests).
pub(crate) struct SupervisorView {
    pub(crate) flags: SupervisorFlags,
    pub(crate) children: Vec<ChildView>,
}

/// One child, as its supervisor knows it.
pub(crate) struct ChildView {
    pub(crate) id: Option<ChildId>,
    pub(crate) process: Option<ProcessRef>,
    pub(crate) status: Status,
    pub(crate) worker_type: &'static str,
    pub(crate) restart: Restart,
    pub(crate) uptime: Option<Duration>,
    pub(crate) restarts: u32,
    pub(crate) last_exit: Option<LastExit>,
}

/// A child's last exit, kept by its supervisor.
#[derive(Debug)]
pub(crate) struct ExitRecord {
    pub(crate) pid: Pid,
    pub(crate) reason: ExitReason,
    pub(crate) at: Instant,
}

impl ExitRecord {
    pub(crate) fn new(pid: Pid, reason: &ExitReason) -> Box<Self> {
        Box::new(ExitRecord {
            pid,
            reason: reason.clone(),
            at: Instant::now(),
        })
    }

    /// As a snapshot shows it, at `now`. The reason's `Display` is user code: one that
    /// panics is shown so, and the supervisor answering lives on.
    pub(crate) fn view(&self, now: Instant) -> LastExit {
        let reason = &self.reason;
        LastExit {
            pid: self.pid,
            reason: crate::panic::format_guarded(|out| {
                std::fmt::Write::write_fmt(out, format_args!("{reason}"))
            }),
            ago: now.saturating_duration_since(self.at),
        }
    }
}

fn kind_of(process: &ProcessRef) -> (NodeKind, &'static str) {
    if Handle::<Supervisor>::from_process(process).is_some() {
        (NodeKind::Supervisor, "supervise_runtime::Supervisor")
    } else if Handle::<DynamicSupervisor>::from_process(process).is_some() {
        (
            NodeKind::DynamicSupervisor,
            "supervise_runtime::DynamicSupervisor",
        )
    } else {
        (NodeKind::Worker, "?")
    }
}

/// Asks a supervisor for its view, without timeout (as `which_children` does).
async fn ask(process: &ProcessRef, kind: NodeKind) -> Result<SupervisorView, CallError> {
    match kind {
        NodeKind::Supervisor => match Handle::<Supervisor>::from_process(process) {
            Some(h) => Supervisor::observe(&h).await,
            None => Err(CallError::NoProc),
        },
        NodeKind::DynamicSupervisor => match Handle::<DynamicSupervisor>::from_process(process) {
            Some(h) => DynamicSupervisor::observe(&h).await,
            None => Err(CallError::NoProc),
        },
        NodeKind::Worker => Err(CallError::NoProc),
    }
}

/// Fills a supervisor's node from its view: its flags, and its children, walked at once.
async fn fill(node: &mut Node, view: SupervisorView) {
    node.supervisor = Some(view.flags);
    node.children = join_all(view.children.into_iter().map(child_node)).await;
}

fn child_node(child: ChildView) -> BoxFuture<'static, Node> {
    async move {
        let (kind, _) = match &child.process {
            Some(p) => kind_of(p),
            None => (NodeKind::Worker, ""),
        };
        let mut node = Node::empty(kind, child.worker_type);
        node.id = child.id.map(|id| id.to_string());
        node.status = child.status;
        node.restart = Some(child.restart);
        node.uptime = child.uptime;
        node.restarts = child.restarts;
        node.last_exit = child.last_exit;
        if let Some(process) = child.process {
            if kind != NodeKind::Worker {
                match ask(&process, kind).await {
                    Ok(view) => fill(&mut node, view).await,
                    Err(e) => node.status = Status::Unreachable(e.to_string()),
                }
            }
            probe_into(&mut node, &process).await;
        }
        node
    }
    .boxed()
}

/// What the process tells about itself: pid, name, messages handled, mailbox length.
async fn probe_into(node: &mut Node, process: &ProcessRef) {
    let control = process.control();
    node.pid = Some(process.pid());
    node.process = Some(process.clone());
    node.name = control.names().first().map(|n| n.to_string());
    node.mailbox_len = match probe::inspect(process, false, PROBE_TIMEOUT).await {
        Ok(inspection) => inspection.mailbox_len,
        Err(_) => process.0.mailbox_len_hint(),
    };
    node.messages_handled = control.handled();
    if !process.is_alive() && node.status == Status::Running {
        let reason = process.exit_reason().unwrap_or(ExitReason::NoProc);
        node.status = Status::Unreachable(format!("exited: {reason}"));
    }
}

#[cfg(test)]
mod tests;
