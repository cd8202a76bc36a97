//! Where the page's model comes from, and the actions on it.
//!
//! This is the one file that talks to the runtime. The model is the runtime's own
//! [`observe::snapshot`] of the tree, turned into what the page reads ([`TreeView`]): the
//! restart counts, intensities, exits, uptimes, mailbox lengths and message counts are the
//! runtime's, nothing is inferred from pid changes. The [`Collector`] only adds what a page
//! needs across snapshots: a key per child that stays the same across its restarts (a
//! dynamic supervisor's children have no id), and wall-clock times for the durations. The
//! actions find their target in a fresh snapshot, so only a process of the tree is touched.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use supervise_runtime::observe::{self, Event, Node, NodeKind};
use supervise_runtime::tree::{ChildKind, Shape, SupervisorShape};
use supervise_runtime::{
    AsProcess, CallError, ChildError, DynamicSupervisor, ExitReason, Pid, ProcessRef, Restart,
    Supervisor,
};
use tokio::time::Instant;

/// How long [`state`] waits for a process to tell its state.
pub(crate) const STATE_TIMEOUT: Duration = Duration::from_secs(1);

/// Where the numbers come from, shown under the page.
const SOURCE: &str = "the runtime's observe::snapshot, taken again on every lifecycle event (at most every 75 ms) and polled; restarts and intensities are counted by the supervisors themselves";

/// What a process is.
///
/// ```
/// use supervise_observer::Kind;
/// use supervise_runtime::observe::NodeKind;
/// assert_eq!(serde_json::to_string(&Kind::DynamicSupervisor).unwrap(), "\"dynamic_supervisor\"");
/// assert_eq!(Kind::from(NodeKind::Supervisor), Kind::Supervisor);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A worker.
    Worker,
    /// A static supervisor.
    Supervisor,
    /// A dynamic supervisor.
    DynamicSupervisor,
}

impl From<NodeKind> for Kind {
    fn from(kind: NodeKind) -> Self {
        match kind {
            NodeKind::Worker => Kind::Worker,
            NodeKind::Supervisor => Kind::Supervisor,
            NodeKind::DynamicSupervisor => Kind::DynamicSupervisor,
        }
    }
}

/// Whether a child runs, as its supervisor tells it.
///
/// ```
/// use supervise_observer::Status;
/// assert_eq!(serde_json::to_string(&Status::Restarting).unwrap(), "\"restarting\"");
/// assert_eq!(serde_json::to_string(&Status::Unreachable).unwrap(), "\"unreachable\"");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Running with the node's pid.
    Running,
    /// It exited and its supervisor is starting it again (a restart being retried, or a
    /// backoff delay).
    Restarting,
    /// Not running: terminated, stopped for good, or ignored at start.
    Stopped,
    /// A supervisor that could not be asked for its children (it died while the tree was
    /// walked); the node's `error` says why.
    Unreachable,
}

/// The whole tree as the page shows it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_observer::Collector;
/// use supervise_runtime::{Supervisor, SupervisorSpec};
/// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
/// let view = Collector::new(root.clone()).poll().await;
/// assert_eq!(view.root.pid.as_deref(), Some(root.pid().to_string().as_str()));
/// assert!(view.root.children.is_empty());
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TreeView {
    /// The page's title (the tree type's name when a shape was given).
    pub title: String,
    /// Whether the kill, terminate and restart actions are on.
    pub actions: bool,
    /// How the numbers were obtained (shown in the page's footer).
    pub source: &'static str,
    /// The root supervisor.
    pub root: NodeView,
}

/// One process (or one child that has no process now).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_observer::{Collector, Kind, Status};
/// use supervise_runtime::{Supervisor, SupervisorSpec};
/// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
/// let node = Collector::new(root).poll().await.root;
/// assert_eq!((node.kind, node.status), (Kind::Supervisor, Status::Running));
/// assert_eq!(node.restarts, 0);
/// assert_eq!(node.mailbox_len, Some(0));
/// assert!(node.messages_handled.unwrap() >= 1, "it answered the snapshot");
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeView {
    /// A key that stays the same across restarts: the path of ids from the root (`""` for
    /// the root, `mid/low/d`), or `workers/#3` for a dynamic supervisor's third child (a
    /// restarted child keeps its number: its supervisor tells which pid it replaces).
    pub key: String,
    /// The child's id; `None` for the root and a dynamic supervisor's children.
    pub id: Option<String>,
    /// The pid as the runtime prints it (`#PID<0.104.0>`), when running.
    pub pid: Option<String>,
    /// The name the process is registered under, if any.
    pub name: Option<String>,
    /// Running, restarting, stopped or unreachable.
    pub status: Status,
    /// Worker, supervisor or dynamic supervisor.
    pub kind: Kind,
    /// The Rust type of the child (OTP's module).
    pub worker_type: String,
    /// `permanent`, `transient` or `temporary`; `None` for the root.
    pub restart: Option<&'static str>,
    /// How many times its supervisor started it again, as the supervisor counts them.
    pub restarts: u64,
    /// When its current incarnation was started by a restart (milliseconds since the Unix
    /// epoch); `None` when it was never restarted.
    pub last_restart_unix_ms: Option<u64>,
    /// The reason its previous incarnation exited with, as its supervisor saw it.
    pub last_exit: Option<String>,
    /// The pid of that previous incarnation.
    pub last_exit_pid: Option<String>,
    /// When it exited (milliseconds since the Unix epoch).
    pub last_exit_unix_ms: Option<u64>,
    /// When the current incarnation started (milliseconds since the Unix epoch), by its
    /// supervisor's clock; `None` for the root and a child without a process.
    pub started_unix_ms: Option<u64>,
    /// Messages waiting in its mailbox; `None` when it was busy in a callback and did not
    /// answer in time, or has no process.
    pub mailbox_len: Option<usize>,
    /// Messages it took from its mailbox since it started (a supervisor's include the
    /// observer's own requests); `None` without a process.
    pub messages_handled: Option<u64>,
    /// For a supervisor: its strategy, children and restart intensity.
    pub supervisor: Option<SupervisorView>,
    /// Why its children could not be listed (a supervisor gone meanwhile), if so.
    pub error: Option<String>,
    /// Its children: in start order under a static supervisor, in pid order under a
    /// dynamic one.
    pub children: Vec<NodeView>,
}

/// What is known of a supervisor.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_observer::Collector;
/// use supervise_runtime::{Supervisor, SupervisorSpec};
/// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
/// let sup = Collector::new(root).poll().await.root.supervisor.unwrap();
/// assert_eq!(sup.strategy, "one_for_one");
/// assert_eq!(sup.restarts, 0);
/// assert_eq!((sup.intensity.recent, sup.intensity.max_restarts), (0, 3));
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SupervisorView {
    /// `one_for_one`, `one_for_all` or `rest_for_one` (always `one_for_one` for a dynamic
    /// supervisor).
    pub strategy: String,
    /// Its children, counted from the snapshot.
    pub count: CountView,
    /// Its restarts since it started, as its intensity counts them (a crash under
    /// `one_for_all` that restarts every child is one): the runtime's count.
    pub restarts: u64,
    /// Its restart intensity and how much of it the current window used.
    pub intensity: IntensityView,
    /// A dynamic supervisor's `max_children`, when the tree's shape tells it.
    pub max_children: Option<usize>,
}

/// A supervisor's children, counted as `count_children` counts them.
///
/// ```
/// let c = supervise_observer::CountView { active: 1, specs: 2, supervisors: 0, workers: 2 };
/// assert!(c.active <= c.specs);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CountView {
    /// Children running.
    pub active: usize,
    /// All children.
    pub specs: usize,
    /// Children that are supervisors.
    pub supervisors: usize,
    /// Children that are workers.
    pub workers: usize,
}

/// A supervisor's restart intensity and its use, as the supervisor counts it.
///
/// ```
/// let i = supervise_observer::IntensityView { max_restarts: 3, within_ms: 5000, recent: 1 };
/// assert!(i.recent < i.max_restarts);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct IntensityView {
    /// Restarts allowed in the window.
    pub max_restarts: u32,
    /// The window, in milliseconds.
    pub within_ms: u64,
    /// Restarts counted in the current window (it gives up at the one that would exceed
    /// `max_restarts`).
    pub recent: u32,
}

// ---------------------------------------------------------------------------------------
// From snapshots to views.

/// Where a supervisor sits in the tree's static shape, if one was given.
#[derive(Clone, Copy, Debug)]
enum ShapeAt {
    Static(&'static SupervisorShape),
    Dynamic { max_children: Option<usize> },
}

impl ShapeAt {
    fn child(self, id: Option<&str>) -> Option<ShapeAt> {
        let ShapeAt::Static(sup) = self else {
            return None;
        };
        let child = sup.children.iter().find(|c| Some(c.name) == id)?;
        match &child.kind {
            ChildKind::Supervisor(s) => Some(ShapeAt::Static(s)),
            ChildKind::Tree(shape) => Some(ShapeAt::Static(&shape.root)),
            ChildKind::Dynamic { max_children, .. } => Some(ShapeAt::Dynamic {
                max_children: *max_children,
            }),
            _ => None,
        }
    }
}

/// A dynamic supervisor's numbering of its children: a restarted child keeps its number.
#[derive(Debug, Default)]
struct Slots {
    /// The supervisor's pid: a new incarnation numbers its children afresh.
    owner: Option<Pid>,
    next: u64,
    by_pid: HashMap<Pid, u64>,
}

/// At most this many restarts remembered from the events (old pid by new pid).
const REPLACED_CAP: usize = 4096;

/// Builds [`TreeView`]s from a running tree's [`observe::snapshot`].
///
/// Everything it shows is the runtime's: the restart counts and intensities kept by the
/// supervisors, the last exits, the mailboxes. It keeps only a key per child that survives
/// restarts, and the wall-clock time each incarnation started.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_observer::Collector;
/// use supervise_runtime::{worker, ExitReason, Supervisor, SupervisorSpec};
/// pub struct Job;
/// #[worker]
/// impl Job { fn init() -> Self { Job } }
/// let root = Supervisor::start(SupervisorSpec::default().child(Job::child_spec().id("job"))).await.unwrap();
/// let mut collector = Collector::new(root.clone());
/// let before = collector.poll().await;
/// let job = root.which_children().await.unwrap()[0].process.clone().unwrap();
/// job.exit(ExitReason::Kill);
/// job.wait().await;
/// let after = collector.poll().await; // the root answers once the restart is done
/// let node = &after.root.children[0];
/// assert_ne!(before.root.children[0].pid, node.pid);
/// assert_eq!(node.restarts, 1);
/// assert_eq!(node.last_exit.as_deref(), Some("killed"));
/// assert_eq!(node.last_exit_pid, Some(job.pid().to_string()));
/// let sup = after.root.supervisor.unwrap();
/// assert_eq!((sup.restarts, sup.intensity.recent), (1, 1));
/// # }
/// ```
#[derive(Debug)]
pub struct Collector {
    root: ProcessRef,
    shape: Option<&'static Shape>,
    title: String,
    actions: bool,
    /// The wall clock at `epoch` on the runtime's (tokio's) clock: durations from the
    /// runtime become wall-clock times through it.
    epoch: Instant,
    epoch_unix_ms: u64,
    /// When each running pid started, first computed from its uptime (kept, so that the
    /// view does not change by a millisecond from one snapshot to the next).
    started: HashMap<Pid, u64>,
    /// When each last exit happened, likewise.
    exited: HashMap<Pid, u64>,
    slots: HashMap<String, Slots>,
    /// From the `Restarted` events: the pid each new one replaced.
    replaced: HashMap<Pid, Pid>,
    /// The supervisors of the last view, to tell the events about this tree.
    supervisors: Vec<Pid>,
}

impl Collector {
    /// A collector for the tree under `root`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let view = supervise_observer::Collector::new(root).poll().await;
    /// assert_eq!(view.title, "supervise");
    /// # }
    /// ```
    pub fn new(root: impl AsProcess) -> Self {
        let root = root.process();
        Collector {
            root,
            shape: None,
            title: "supervise".to_string(),
            actions: false,
            epoch: Instant::now(),
            epoch_unix_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, millis),
            started: HashMap::new(),
            exited: HashMap::new(),
            slots: HashMap::new(),
            replaced: HashMap::new(),
            supervisors: Vec::new(),
        }
    }

    /// Uses a tree's static `SHAPE` (from `supervision_tree!`) for the title and the
    /// dynamic supervisors' `max_children`, which the runtime's snapshot does not tell.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{supervision_tree, worker};
    /// pub struct Job;
    /// #[worker]
    /// impl Job { fn init() -> Self { Job } }
    /// supervision_tree! {
    ///     pub App: one_for_one(max_restarts = 5, within = 10s) {
    ///         job: Job::child_spec(),
    ///         jobs: dynamic<Job>(max_children = 8),
    ///     }
    /// }
    /// let app = App::start().await.unwrap();
    /// let view = supervise_observer::Collector::new(&app).shape(&App::SHAPE).poll().await;
    /// assert_eq!(view.title, "App");
    /// let sup = view.root.supervisor.unwrap();
    /// assert_eq!(sup.strategy, "one_for_one");
    /// assert_eq!(sup.intensity.max_restarts, 5, "the runtime's, as the shape says");
    /// assert_eq!(view.root.children[1].supervisor.as_ref().unwrap().max_children, Some(8));
    /// # }
    /// ```
    pub fn shape(mut self, shape: &'static Shape) -> Self {
        self.shape = Some(shape);
        self.title = shape.name.to_string();
        self
    }

    /// Sets the title shown by the page.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let view = supervise_observer::Collector::new(root).title("billing").poll().await;
    /// assert_eq!(view.title, "billing");
    /// # }
    /// ```
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Marks the views as coming from a server whose actions are on (the page then shows
    /// its buttons).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// assert!(supervise_observer::Collector::new(root).actions(true).poll().await.actions);
    /// # }
    /// ```
    pub fn actions(mut self, on: bool) -> Self {
        self.actions = on;
        self
    }

    /// Takes a snapshot of the tree and returns what it looks like now.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let mut collector = supervise_observer::Collector::new(root);
    /// let (a, b) = (collector.poll().await, collector.poll().await);
    /// assert_eq!(a.root.pid, b.root.pid);
    /// assert!(b.root.messages_handled > a.root.messages_handled, "each snapshot asks the root");
    /// # }
    /// ```
    pub async fn poll(&mut self) -> TreeView {
        let root = match observe::snapshot(&self.root).await {
            Ok(snapshot) => {
                let now = self.unix_ms();
                let shape = self.shape.map(|s| ShapeAt::Static(&s.root));
                let mut running = Vec::new();
                let mut supervisors = Vec::new();
                let root = self.build(
                    &snapshot.root,
                    String::new(),
                    shape,
                    now,
                    &mut running,
                    &mut supervisors,
                );
                self.started.retain(|pid, _| running.contains(pid));
                let exits: Vec<Pid> = running_exits(&snapshot.root);
                self.exited.retain(|pid, _| exits.contains(pid));
                self.slots
                    .retain(|_, s| s.owner.is_some_and(|o| supervisors.contains(&o)));
                self.supervisors = supervisors;
                root
            }
            Err(e) => self.gone_root(e),
        };
        TreeView {
            title: self.title.clone(),
            actions: self.actions,
            source: SOURCE,
            root,
        }
    }

    /// Whether `event` is about this tree: it happened under one of the supervisors of the
    /// last view (a supervisor started since is seen through its parent's event). Notes
    /// the restarts, so that a dynamic child restarted twice between two snapshots keeps
    /// its number.
    pub(crate) fn note(&mut self, event: &Event) -> bool {
        if let Event::Restarted { old, new, .. } = event {
            if self.replaced.len() >= REPLACED_CAP {
                self.replaced.clear();
            }
            self.replaced.insert(*new, *old);
        }
        self.supervisors.is_empty() || self.supervisors.contains(&event.supervisor())
    }

    fn unix_ms(&self) -> u64 {
        self.epoch_unix_ms + millis(self.epoch.elapsed())
    }

    fn gone_root(&self, e: CallError) -> NodeView {
        let alive = self.root.is_alive();
        NodeView {
            key: String::new(),
            id: None,
            pid: alive.then(|| self.root.pid().to_string()),
            name: None,
            status: if alive {
                Status::Unreachable
            } else {
                Status::Stopped
            },
            kind: Kind::Supervisor,
            worker_type: "supervise_runtime::Supervisor".to_string(),
            restart: None,
            restarts: 0,
            last_restart_unix_ms: None,
            last_exit: None,
            last_exit_pid: None,
            last_exit_unix_ms: None,
            started_unix_ms: None,
            mailbox_len: None,
            messages_handled: None,
            supervisor: None,
            error: Some(format!("the root supervisor does not answer: {e}")),
            children: Vec::new(),
        }
    }

    fn build(
        &mut self,
        node: &Node,
        key: String,
        shape: Option<ShapeAt>,
        now: u64,
        running: &mut Vec<Pid>,
        supervisors: &mut Vec<Pid>,
    ) -> NodeView {
        let started = match (node.pid, node.uptime) {
            (Some(pid), Some(up)) => {
                running.push(pid);
                Some(
                    *self
                        .started
                        .entry(pid)
                        .or_insert_with(|| now.saturating_sub(millis(up))),
                )
            }
            _ => None,
        };
        let last_exit_unix_ms = node.last_exit.as_ref().map(|exit| {
            *self
                .exited
                .entry(exit.pid)
                .or_insert_with(|| now.saturating_sub(millis(exit.ago)))
        });
        let (status, error) = match &node.status {
            observe::Status::Running => (Status::Running, None),
            observe::Status::Restarting => (Status::Restarting, None),
            observe::Status::Stopped => (Status::Stopped, None),
            observe::Status::Unreachable(why) => (Status::Unreachable, Some(why.clone())),
        };
        let mut view = NodeView {
            id: node.id.clone(),
            pid: node.pid.map(|p| p.to_string()),
            name: node.name.clone(),
            status,
            kind: node.kind.into(),
            worker_type: node.worker_type.to_string(),
            restart: node.restart.map(restart_name),
            restarts: u64::from(node.restarts),
            last_restart_unix_ms: if node.restarts > 0 { started } else { None },
            last_exit: node.last_exit.as_ref().map(|e| e.reason.clone()),
            last_exit_pid: node.last_exit.as_ref().map(|e| e.pid.to_string()),
            last_exit_unix_ms,
            started_unix_ms: started,
            mailbox_len: node.mailbox_len,
            messages_handled: node.pid.map(|_| node.messages_handled),
            supervisor: None,
            error,
            children: Vec::new(),
            key,
        };
        let Some(flags) = node.supervisor else {
            return view;
        };
        if let Some(pid) = node.pid {
            supervisors.push(pid);
        }
        let keys = match node.kind {
            NodeKind::DynamicSupervisor => self.slot_keys(&view.key, node),
            _ => node
                .children
                .iter()
                .enumerate()
                .map(|(i, c)| join(&view.key, c.id.as_deref().unwrap_or(&format!("?{i}"))))
                .collect(),
        };
        let mut count = CountView::default();
        for (child, child_key) in node.children.iter().zip(keys) {
            count.specs += 1;
            count.active += usize::from(child.pid.is_some());
            match child.kind {
                NodeKind::Worker => count.workers += 1,
                _ => count.supervisors += 1,
            }
            let child_shape = shape.and_then(|s| s.child(child.id.as_deref()));
            let child_view = self.build(child, child_key, child_shape, now, running, supervisors);
            view.children.push(child_view);
        }
        view.supervisor = Some(SupervisorView {
            strategy: flags.strategy.to_string(),
            count,
            restarts: flags.restarts,
            intensity: IntensityView {
                max_restarts: flags.max_restarts,
                within_ms: millis(flags.within),
                recent: flags.restarts_in_window,
            },
            max_children: match shape {
                Some(ShapeAt::Dynamic { max_children }) => max_children,
                _ => None,
            },
        });
        view
    }

    /// The keys of a dynamic supervisor's children: `#n`, a restarted child keeping the
    /// number of the pid it replaces (its supervisor's last exit record, or the events).
    fn slot_keys(&mut self, parent: &str, node: &Node) -> Vec<String> {
        let slots = self.slots.entry(parent.to_string()).or_default();
        if slots.owner != node.pid {
            *slots = Slots {
                owner: node.pid,
                ..Slots::default()
            };
        }
        let mut by_pid = HashMap::new();
        let mut keys = Vec::with_capacity(node.children.len());
        for (i, child) in node.children.iter().enumerate() {
            let Some(pid) = child.pid else {
                keys.push(join(parent, &format!("?{i}")));
                continue;
            };
            let inherited = slots.by_pid.get(&pid).copied().or_else(|| {
                // Walk back through the pids this child had: its last exit, then the
                // restarts the events told of.
                let mut back = child
                    .last_exit
                    .as_ref()
                    .map(|e| e.pid)
                    .or_else(|| self.replaced.get(&pid).copied());
                for _ in 0..64 {
                    let old = back?;
                    if let Some(slot) = slots.by_pid.get(&old) {
                        return Some(*slot);
                    }
                    back = self.replaced.get(&old).copied();
                }
                None
            });
            let slot = inherited
                .filter(|s| !by_pid.values().any(|taken| taken == s))
                .unwrap_or_else(|| {
                    slots.next += 1;
                    slots.next
                });
            by_pid.insert(pid, slot);
            keys.push(join(parent, &format!("#{slot}")));
        }
        slots.by_pid = by_pid;
        keys
    }
}

/// The pids of the last exits in the tree (to forget the others' times).
fn running_exits(node: &Node) -> Vec<Pid> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if let Some(exit) = &n.last_exit {
            out.push(exit.pid);
        }
        stack.extend(n.children.iter());
    }
    out
}

fn join(parent: &str, tail: &str) -> String {
    if parent.is_empty() {
        tail.to_string()
    } else {
        format!("{parent}/{tail}")
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn restart_name(r: Restart) -> &'static str {
    match r {
        Restart::Permanent => "permanent",
        Restart::Transient => "transient",
        Restart::Temporary => "temporary",
    }
}

// ---------------------------------------------------------------------------------------
// Actions, and a process's state.

/// Why a request was refused; nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ActionError {
    /// The HTTP status: 400, 404, 409, 502 or 504.
    pub status: u16,
    pub message: String,
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn refuse(status: u16, message: impl Into<String>) -> ActionError {
    ActionError {
        status,
        message: message.into(),
    }
}

/// What an action did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ActionDone {
    pub done: &'static str,
    pub pid: Option<String>,
    pub new_pid: Option<String>,
    pub key: Option<String>,
}

/// A process's state, as its worker's `format_state` writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct StateView {
    pub pid: String,
    pub state: String,
}

/// Parses a pid as the runtime prints it (`#PID<0.104.0>`), or `<0.104.0>`, or `0.104.0`.
pub(crate) fn parse_pid(text: &str) -> Result<u64, ActionError> {
    let malformed = || {
        refuse(
            400,
            format!(
                "malformed pid `{}`: expected a pid as the page prints it, like #PID<0.104.0>",
                text.chars().take(60).collect::<String>()
            ),
        )
    };
    let t = text.trim();
    let t = t.strip_prefix("#PID").unwrap_or(t);
    let t = match t.strip_prefix('<') {
        Some(inner) => inner.strip_suffix('>').ok_or_else(malformed)?,
        None => t,
    };
    let mut parts = t.split('.');
    let (Some("0"), Some(serial), Some("0"), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    if serial.is_empty() || !serial.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed());
    }
    serial.parse().map_err(|_| malformed())
}

/// Whether a restart target names a pid (else it names a child by its key).
fn looks_like_pid(text: &str) -> bool {
    let t = text.trim();
    t.starts_with('#') || t.starts_with('<') || t.starts_with("0.")
}

/// A process found in the tree, with its supervisor.
struct Found {
    process: ProcessRef,
    /// Its supervisor's process and kind; `None` for the root.
    parent: Option<(ProcessRef, NodeKind)>,
    id: Option<String>,
}

fn find_in(node: &Node, parent: Option<&Node>, serial: u64) -> Option<Found> {
    if let Some(pid) = node.pid
        && pid.serial() == serial
        && let Some(process) = &node.process
    {
        return Some(Found {
            process: process.clone(),
            parent: parent.and_then(|p| Some((p.process.clone()?, p.kind))),
            id: node.id.clone(),
        });
    }
    node.children
        .iter()
        .find_map(|c| find_in(c, Some(node), serial))
}

async fn snapshot(root: &ProcessRef) -> Result<observe::Snapshot, ActionError> {
    observe::snapshot(root)
        .await
        .map_err(|e| refuse(502, format!("the root supervisor does not answer: {e}")))
}

/// The process `text` names, if it is in the tree now.
async fn find_pid(root: &ProcessRef, text: &str) -> Result<Found, ActionError> {
    let serial = parse_pid(text)?;
    let tree = snapshot(root).await?;
    find_in(&tree.root, None, serial)
        .ok_or_else(|| refuse(404, format!("no process #PID<0.{serial}.0> in the tree")))
}

fn child_error(e: ChildError) -> ActionError {
    let status = match e {
        ChildError::NotFound => 404,
        ChildError::Call(_) | ChildError::Start(_) => 502,
        _ => 409,
    };
    refuse(status, e.to_string())
}

/// The state of a process of the tree, asked through the process itself: its worker's
/// `format_state` (which leaves out what the worker redacts), within [`STATE_TIMEOUT`].
pub(crate) async fn state(root: &ProcessRef, pid: &str) -> Result<StateView, ActionError> {
    let found = find_pid(root, pid).await?;
    let pid = found.process.pid();
    match observe::state(&found.process, STATE_TIMEOUT).await {
        Ok(state) => Ok(StateView {
            pid: pid.to_string(),
            state,
        }),
        Err(CallError::Timeout) => Err(refuse(
            504,
            format!(
                "{pid} did not tell its state within {} ms: it is busy in a callback (a process answers between two messages); try again",
                STATE_TIMEOUT.as_millis()
            ),
        )),
        Err(CallError::NoProc | CallError::Exited(_)) => Err(refuse(
            404,
            format!("{pid} exited before telling its state"),
        )),
        Err(e) => Err(refuse(502, format!("{pid} did not tell its state: {e}"))),
    }
}

/// Kills a process of the tree with the untrappable `kill`.
pub(crate) async fn kill(root: &ProcessRef, pid: &str) -> Result<ActionDone, ActionError> {
    let found = find_pid(root, pid).await?;
    if found.parent.is_none() {
        return Err(refuse(
            409,
            "refusing to kill the root supervisor: nothing would restart it",
        ));
    }
    found.process.exit(ExitReason::Kill);
    Ok(ActionDone {
        done: "killed",
        pid: Some(found.process.pid().to_string()),
        new_pid: None,
        key: None,
    })
}

/// Terminates a child through its supervisor (`terminate_child`).
pub(crate) async fn terminate(root: &ProcessRef, pid: &str) -> Result<ActionDone, ActionError> {
    let found = find_pid(root, pid).await?;
    let pid = found.process.pid();
    let gone = || refuse(409, "its supervisor is gone: nothing was done");
    match (&found.parent, &found.id) {
        (None, _) => {
            return Err(refuse(
                409,
                "refusing to terminate the root supervisor: stop it from the program",
            ));
        }
        (Some((sup, NodeKind::Supervisor)), Some(id)) => {
            let sup = sup.worker::<Supervisor>().ok_or_else(gone)?;
            sup.terminate_child(id).await.map_err(child_error)?
        }
        (Some((sup, NodeKind::DynamicSupervisor)), _) => {
            let sup = sup.worker::<DynamicSupervisor>().ok_or_else(gone)?;
            sup.terminate_child(pid).await.map_err(child_error)?
        }
        (Some(_), _) => {
            return Err(refuse(409, "this child has no id to terminate it by"));
        }
    }
    Ok(ActionDone {
        done: "terminated",
        pid: Some(pid.to_string()),
        new_pid: None,
        key: None,
    })
}

/// Restarts a static child: a running one (by pid) is terminated and restarted; a stopped
/// one is named by its key (`mid/low/d`), as it has no pid.
pub(crate) async fn restart(root: &ProcessRef, target: &str) -> Result<ActionDone, ActionError> {
    if looks_like_pid(target) {
        let found = find_pid(root, target).await?;
        let old = found.process.pid();
        let static_sup = match &found.parent {
            Some((sup, NodeKind::Supervisor)) => sup.worker::<Supervisor>(),
            _ => None,
        };
        let (Some(sup), Some(id)) = (static_sup, &found.id) else {
            return Err(refuse(
                409,
                format!(
                    "{old} is not a static child: only a static supervisor's children can be restarted (kill a dynamic child instead: its supervisor restarts it)"
                ),
            ));
        };
        sup.terminate_child(id).await.map_err(child_error)?;
        let new = sup.restart_child(id).await.map_err(child_error)?;
        return Ok(ActionDone {
            done: "restarted",
            pid: Some(old.to_string()),
            new_pid: Some(new.to_string()),
            key: None,
        });
    }
    let path: Vec<&str> = target.split('/').collect();
    let Some((last, parents)) = path.split_last() else {
        return Err(refuse(400, "empty child key"));
    };
    let tree = snapshot(root).await?;
    let mut node = &tree.root;
    for id in parents {
        node = node
            .children
            .iter()
            .find(|c| c.id.as_deref() == Some(*id) && c.kind == NodeKind::Supervisor)
            .ok_or_else(|| {
                refuse(
                    404,
                    format!("no running static supervisor `{id}` on the path `{target}`"),
                )
            })?;
    }
    let sup = node
        .process
        .as_ref()
        .and_then(|p| p.worker::<Supervisor>())
        .ok_or_else(|| {
            refuse(
                404,
                format!("no running static supervisor on the path `{target}`"),
            )
        })?;
    let new = sup.restart_child(last).await.map_err(child_error)?;
    Ok(ActionDone {
        done: "restarted",
        pid: None,
        new_pid: Some(new.to_string()),
        key: Some(target.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use supervise_runtime::Handle;
    use supervise_runtime::{AsProcess, ChildSpec, Strategy, SupervisorSpec, worker};

    #[derive(Debug)]
    pub struct Job;

    #[worker]
    impl Job {
        fn init() -> Self {
            Job
        }
        #[call]
        fn ping(&self) {}
    }

    /// root (one_for_all): job "a", and a dynamic supervisor "jobs" with two jobs.
    async fn tree() -> (Handle<Supervisor>, Handle<DynamicSupervisor>) {
        let spec = SupervisorSpec::new(Strategy::OneForAll)
            .child(Job::child_spec().id("a"))
            .child(ChildSpec::dynamic_supervisor(Default::default()).id("jobs"));
        let root = Supervisor::start(spec).await.unwrap();
        let jobs = root
            .which_children()
            .await
            .unwrap()
            .iter()
            .find_map(|c| c.worker::<DynamicSupervisor>())
            .unwrap();
        for _ in 0..2 {
            jobs.start_child(Job::child_spec()).await.unwrap();
        }
        (root, supervise_runtime::RefOf::into_address(jobs))
    }

    async fn kill(process: ProcessRef) {
        process.exit(ExitReason::Kill);
        process.wait().await;
    }

    #[tokio::test(start_paused = true)]
    async fn times_are_the_runtimes_durations_on_the_wall_clock() {
        let (root, _jobs) = tree().await;
        let mut collector = Collector::new(root.clone());
        let epoch = collector.epoch_unix_ms;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let first = collector.poll().await;
        let a = &first.root.children[0];
        assert_eq!(
            a.started_unix_ms,
            Some(epoch),
            "started when the collector was made"
        );
        assert_eq!(a.last_restart_unix_ms, None);
        assert_eq!((a.mailbox_len, a.messages_handled), (Some(0), Some(0)));

        let old = root.which_children().await.unwrap()[0]
            .process
            .clone()
            .unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
        kill(old.clone()).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let view = collector.poll().await;
        let a = &view.root.children[0];
        assert_eq!(a.restarts, 1);
        assert_eq!(a.last_exit.as_deref(), Some("killed"));
        assert_eq!(a.last_exit_pid, Some(old.pid().to_string()));
        assert_eq!(a.last_exit_unix_ms, Some(epoch + 7_000));
        assert_eq!(a.started_unix_ms, Some(epoch + 7_000));
        assert_eq!(a.last_restart_unix_ms, a.started_unix_ms);
        // one_for_all: the crash restarted both children, which the supervisor counts
        // once, as its intensity does.
        let sup = view.root.supervisor.as_ref().unwrap();
        assert_eq!(sup.strategy, "one_for_all");
        assert_eq!((sup.restarts, sup.intensity.recent), (1, 1));
        assert_eq!(
            sup.count,
            CountView {
                active: 2,
                specs: 2,
                supervisors: 1,
                workers: 1
            }
        );

        // The times stay put from one snapshot to the next.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let again = collector.poll().await;
        assert_eq!(again.root.children[0].started_unix_ms, Some(epoch + 7_000));
        assert_eq!(
            again.root.children[0].last_exit_unix_ms,
            Some(epoch + 7_000)
        );
        // ... and the intensity's window moves on: 3 restarts in 5 s by default.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let later = collector.poll().await;
        assert_eq!(later.root.supervisor.unwrap().intensity.recent, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_restarted_dynamic_child_keeps_its_key() {
        let (root, jobs) = tree().await;
        let mut collector = Collector::new(root.clone());
        let first = collector.poll().await;
        let keys = |v: &TreeView| -> Vec<(String, Option<String>, u64)> {
            v.root.children[1]
                .children
                .iter()
                .map(|c| (c.key.clone(), c.pid.clone(), c.restarts))
                .collect()
        };
        let before = keys(&first);
        assert_eq!(before[0].0, "jobs/#1");
        assert_eq!(before[1].0, "jobs/#2");

        // The first job is restarted: it gets a larger pid, so it is listed last.
        let old = jobs.which_children().await.unwrap()[0]
            .process
            .clone()
            .unwrap();
        kill(old).await;
        let after = keys(&collector.poll().await);
        assert_eq!(after[0], before[1], "the other job is untouched");
        assert_eq!(after[1].0, "jobs/#1", "{after:?}");
        assert_ne!(after[1].1, before[0].1);
        assert_eq!(after[1].2, 1);

        // Twice between two snapshots: the events tell the way back.
        let mut events = observe::subscribe();
        for _ in 0..2 {
            let p = jobs.which_children().await.unwrap()[1]
                .process
                .clone()
                .unwrap();
            kill(p).await;
            let _ = jobs.count_children().await; // the restart is done
        }
        let mut restarts = 0;
        while let Ok(event) = events.try_recv() {
            // Other tests' trees run meanwhile: only ours are about this tree.
            if event.supervisor() == jobs.pid() {
                assert!(collector.note(&event), "about this tree: {event:?}");
                restarts += usize::from(matches!(event, Event::Restarted { .. }));
            }
        }
        assert_eq!(restarts, 2);
        let twice = keys(&collector.poll().await);
        assert_eq!(twice[1].0, "jobs/#1", "{twice:?}");
        assert_eq!(twice[1].2, 3);

        // A new child gets a new number.
        jobs.start_child(Job::child_spec()).await.unwrap();
        assert_eq!(keys(&collector.poll().await)[2].0, "jobs/#3");
    }

    #[tokio::test(start_paused = true)]
    async fn events_of_other_trees_are_not_ours() {
        let (root, _jobs) = tree().await;
        let mut collector = Collector::new(root);
        collector.poll().await;
        let mut events = observe::subscribe();
        let (other, _) = tree().await;
        let mut seen = 0;
        while let Ok(event) = events.try_recv() {
            seen += 1;
            assert!(!collector.note(&event), "{event:?}");
        }
        assert!(seen > 0);
        drop(other);
    }

    #[tokio::test(start_paused = true)]
    async fn a_dead_root_is_shown_stopped() {
        let (root, _jobs) = tree().await;
        let mut collector = Collector::new(root.clone());
        kill(root.process()).await;
        let view = collector.poll().await;
        assert_eq!(view.root.status, Status::Stopped);
        assert!(
            view.root
                .error
                .as_deref()
                .unwrap()
                .contains("does not answer")
        );
    }

    #[test]
    fn pids_parse_as_printed() {
        assert_eq!(parse_pid("#PID<0.104.0>"), Ok(104));
        assert_eq!(parse_pid("<0.7.0>"), Ok(7));
        assert_eq!(parse_pid(" 0.12.0 "), Ok(12));
        for bad in [
            "",
            "<0.x.0>",
            "#PID<0.1.0",
            "#PID<1.2.0>",
            "0.1",
            "0..0",
            "0.1.0.0",
            "0.+1.0",
            "0.99999999999999999999999.0",
            "#PID<0.-1.0>",
        ] {
            let e = parse_pid(bad).unwrap_err();
            assert_eq!(e.status, 400, "{bad}");
            assert!(e.message.starts_with("malformed pid"), "{bad}: {e}");
        }
    }

    #[test]
    fn restart_targets_tell_pids_from_keys() {
        assert!(looks_like_pid("#PID<0.1.0>"));
        assert!(looks_like_pid("<0.1.0>"));
        assert!(!looks_like_pid("mid/low/d"));
    }
}
