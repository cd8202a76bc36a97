//! Where the page's model comes from, and the actions on it.
//!
//! This is the one file that talks to the runtime. Today it builds the model from the
//! public supervisor API: `which_children` and `count_children` on every supervisor of the
//! tree, walked from the root every poll, and `ProcessRef::exit` / `terminate_child` /
//! `restart_child` for the actions. What that API does not tell (restart counts, the
//! intensity window, last exit reasons) the [`Collector`] works out itself by comparing one
//! poll with the previous one; what cannot be worked out (mailbox length, messages handled,
//! start time) is left `None`. When the runtime has a snapshot of its own, only this file
//! changes: the server and the page read [`TreeView`] and nothing else.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use supervise_runtime::tree::{ChildKind, Intensity, Shape, SupervisorShape};
use supervise_runtime::{
    AsProcess, ChildCount, ChildError, ChildPid, ChildType, DynamicSupervisor, ExitReason, Handle,
    Pid, ProcessRef, Strategy, Supervisor,
};

/// How long one supervisor call may take before the node is shown as not answering.
const CALL_TIMEOUT: Duration = Duration::from_secs(1);

/// Where the numbers come from, shown under the page.
const SOURCE: &str = "polled with which_children; restarts are counted from pid changes between polls, so two restarts faster than one poll count once";

/// What a process is.
///
/// ```
/// use supervise_observer::Kind;
/// assert_eq!(serde_json::to_string(&Kind::DynamicSupervisor).unwrap(), "\"dynamic_supervisor\"");
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

/// Whether a child runs: `which_children`'s pid column.
///
/// ```
/// use supervise_observer::Status;
/// assert_eq!(serde_json::to_string(&Status::Restarting).unwrap(), "\"restarting\"");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Running with the node's pid.
    Running,
    /// Its restart failed and is being retried.
    Restarting,
    /// Not running (terminated, or stopped for good).
    Undefined,
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

/// One process (or one child slot that has no process now).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_observer::{Collector, Kind};
/// use supervise_runtime::{Supervisor, SupervisorSpec};
/// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
/// let node = Collector::new(root).poll().await.root;
/// assert_eq!(node.kind, Kind::Supervisor);
/// assert_eq!(node.restarts, 0);
/// assert_eq!(node.mailbox_len, None, "not known before the runtime's snapshot");
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeView {
    /// A key that stays the same across restarts: the path of ids from the root (`""` for
    /// the root, `mid/low/d`), or `workers/#3` for the third slot of a dynamic supervisor.
    pub key: String,
    /// The child's id; `None` for the root and a dynamic supervisor's children.
    pub id: Option<String>,
    /// The pid as the runtime prints it (`#PID<0.104.0>`), when running.
    pub pid: Option<String>,
    /// Running, restarting or undefined.
    pub status: Status,
    /// Worker, supervisor or dynamic supervisor.
    pub kind: Kind,
    /// The Rust type of the child (OTP's module).
    pub worker_type: String,
    /// How many times this child got a new pid while the observer watched.
    pub restarts: u64,
    /// When it last got a new pid (milliseconds since the Unix epoch).
    pub last_restart_unix_ms: Option<u64>,
    /// The reason its previous process exited with, when seen.
    pub last_exit: Option<String>,
    /// When the observer first saw this pid (milliseconds since the Unix epoch).
    pub seen_since_unix_ms: u64,
    /// When the process started; not known from the public API yet.
    pub started_unix_ms: Option<u64>,
    /// Messages waiting in its mailbox; not known from the public API yet.
    pub mailbox_len: Option<usize>,
    /// Messages it handled; not known from the public API yet.
    pub messages_handled: Option<u64>,
    /// For a supervisor: its strategy, counts and restarts.
    pub supervisor: Option<SupervisorView>,
    /// Why its children could not be listed (a supervisor busy or gone), if so.
    pub error: Option<String>,
    /// Its children, in `which_children` order.
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
/// assert_eq!(sup.restarts, 0);
/// assert_eq!(sup.intensity, None, "known only from a tree's shape");
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SupervisorView {
    /// `one_for_one`, `one_for_all`, `rest_for_one`; `None` when not known (no shape given).
    pub strategy: Option<String>,
    /// `count_children`, when it answered.
    pub count: Option<CountView>,
    /// Restarts it made while the observer watched (one per restart of a group under
    /// `one_for_all` and `rest_for_one`).
    pub restarts: u64,
    /// Its restart intensity and how much of it the recent restarts used, when known.
    pub intensity: Option<IntensityView>,
    /// A dynamic supervisor's `max_children`, when known.
    pub max_children: Option<usize>,
}

/// `count_children` as plain data.
///
/// ```
/// let c = supervise_observer::CountView::from(supervise_runtime::ChildCount::default());
/// assert_eq!(c.active, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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

impl From<ChildCount> for CountView {
    fn from(c: ChildCount) -> Self {
        CountView {
            active: c.active,
            specs: c.specs,
            supervisors: c.supervisors,
            workers: c.workers,
        }
    }
}

/// A supervisor's restart intensity and its use.
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
    /// Restarts seen in the last window (as observed: see [`TreeView::source`]).
    pub recent: u32,
}

// ---------------------------------------------------------------------------------------
// Walking the live tree.

/// A supervisor handle of either kind.
#[derive(Clone, Debug)]
pub(crate) enum SupHandle {
    Static(Handle<Supervisor>),
    Dynamic(Handle<DynamicSupervisor>),
}

impl SupHandle {
    async fn list(&self) -> Result<(Vec<supervise_runtime::ChildInfo>, ChildCount), String> {
        let call = async {
            match self {
                SupHandle::Static(h) => Ok((h.which_children().await?, h.count_children().await?)),
                SupHandle::Dynamic(h) => Ok((h.which_children().await?, h.count_children().await?)),
            }
        };
        match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Ok(Ok(listed)) => Ok(listed),
            Ok(Err(e)) => {
                let e: supervise_runtime::CallError = e;
                Err(format!("does not answer: {e}"))
            }
            Err(_) => Err(format!(
                "did not answer within {} ms (busy stopping a child?)",
                CALL_TIMEOUT.as_millis()
            )),
        }
    }
}

/// One process (or child slot) as listed, with what is needed to act on it.
#[derive(Debug)]
struct Raw {
    id: Option<String>,
    pid: ChildPid,
    process: Option<ProcessRef>,
    kind: Kind,
    module: &'static str,
    /// A supervisor's own handle, children and count.
    sup: Option<RawSup>,
}

#[derive(Debug)]
struct RawSup {
    handle: SupHandle,
    listed: Result<(Vec<Raw>, ChildCount), String>,
}

fn raw_child(info: supervise_runtime::ChildInfo) -> (Raw, Option<SupHandle>) {
    let static_sup = info.worker::<Supervisor>();
    let dynamic_sup = info.worker::<DynamicSupervisor>();
    let (kind, handle) = match (static_sup, dynamic_sup, info.child_type) {
        (Some(h), _, _) => (Kind::Supervisor, Some(SupHandle::Static(h))),
        (None, Some(h), _) => (Kind::DynamicSupervisor, Some(SupHandle::Dynamic(h))),
        (None, None, ChildType::Supervisor) => (Kind::Supervisor, None),
        (None, None, ChildType::Worker) => (Kind::Worker, None),
    };
    let raw = Raw {
        id: info.id.map(|id| id.to_string()),
        pid: info.pid,
        process: info.process,
        kind,
        module: info.module,
        sup: None,
    };
    (raw, handle)
}

fn walk(handle: SupHandle) -> Pin<Box<dyn Future<Output = RawSup> + Send>> {
    Box::pin(async move {
        let listed = match handle.list().await {
            Ok((infos, count)) => {
                let mut children = Vec::with_capacity(infos.len());
                for info in infos {
                    let (mut raw, sup) = raw_child(info);
                    if let Some(sup) = sup {
                        raw.sup = Some(walk(sup).await);
                    }
                    children.push(raw);
                }
                Ok((children, count))
            }
            Err(e) => Err(e),
        };
        RawSup { handle, listed }
    })
}

async fn walk_root(root: &Handle<Supervisor>) -> Raw {
    let sup = walk(SupHandle::Static(root.clone())).await;
    Raw {
        id: None,
        pid: if root.is_alive() {
            ChildPid::Running(root.pid())
        } else {
            ChildPid::Undefined
        },
        process: Some(root.process()),
        kind: Kind::Supervisor,
        module: "supervise_runtime::Supervisor",
        sup: Some(sup),
    }
}

// ---------------------------------------------------------------------------------------
// From one poll to the next.

/// The static shape of a supervisor, when the tree's `SHAPE` was given.
#[derive(Clone, Copy, Debug)]
enum SupShape {
    Static(&'static SupervisorShape),
    Dynamic {
        intensity: Intensity,
        max_children: Option<usize>,
    },
}

impl SupShape {
    fn child(self, id: Option<&str>) -> Option<SupShape> {
        let SupShape::Static(sup) = self else {
            return None;
        };
        let child = sup.children.iter().find(|c| Some(c.name) == id)?;
        match &child.kind {
            ChildKind::Supervisor(s) => Some(SupShape::Static(s)),
            ChildKind::Tree(shape) => Some(SupShape::Static(&shape.root)),
            ChildKind::Dynamic {
                intensity,
                max_children,
                ..
            } => Some(SupShape::Dynamic {
                intensity: *intensity,
                max_children: *max_children,
            }),
            _ => None,
        }
    }

    fn strategy(self) -> Option<Strategy> {
        match self {
            SupShape::Static(s) => Some(s.strategy),
            SupShape::Dynamic { .. } => Some(Strategy::OneForOne),
        }
    }

    fn intensity(self) -> Intensity {
        match self {
            SupShape::Static(s) => s.intensity,
            SupShape::Dynamic { intensity, .. } => intensity,
        }
    }
}

/// What the collector remembers of one key.
#[derive(Debug)]
struct Seen {
    pid: Option<Pid>,
    process: Option<ProcessRef>,
    restarts: u64,
    last_restart_unix_ms: Option<u64>,
    last_exit: Option<String>,
    seen_since_unix_ms: u64,
    generation: u64,
}

/// What the collector remembers of one supervisor.
#[derive(Debug, Default)]
struct SupSeen {
    restarts: u64,
    recent: VecDeque<Instant>,
    generation: u64,
}

/// A dynamic supervisor's slots: children keep their slot, and a new pid of the same type
/// takes the slot of one that vanished (the supervisor restarted it).
#[derive(Debug, Default)]
struct Slots {
    next: u64,
    by_pid: HashMap<Pid, (u64, &'static str)>,
}

/// Builds [`TreeView`]s from a running tree, remembering enough between polls to count
/// restarts.
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
/// let _ = root.count_children().await; // answered once the restart is done
/// let after = collector.poll().await;
/// assert_ne!(before.root.children[0].pid, after.root.children[0].pid);
/// assert_eq!(after.root.children[0].restarts, 1);
/// assert_eq!(after.root.children[0].last_exit.as_deref(), Some("killed"));
/// assert_eq!(after.root.supervisor.unwrap().restarts, 1);
/// # }
/// ```
#[derive(Debug)]
pub struct Collector {
    root: Handle<Supervisor>,
    shape: Option<&'static Shape>,
    title: String,
    actions: bool,
    generation: u64,
    seen: HashMap<String, Seen>,
    sups: HashMap<String, SupSeen>,
    slots: HashMap<String, Slots>,
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
    pub fn new(root: Handle<Supervisor>) -> Self {
        Collector {
            root,
            shape: None,
            title: "supervise".to_string(),
            actions: false,
            generation: 0,
            seen: HashMap::new(),
            sups: HashMap::new(),
            slots: HashMap::new(),
        }
    }

    /// Uses a tree's static `SHAPE` (from `supervision_tree!`) for the title, strategies and
    /// restart intensities, which the public API does not tell.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{supervision_tree, worker};
    /// pub struct Job;
    /// #[worker]
    /// impl Job { fn init() -> Self { Job } }
    /// supervision_tree! { pub App: one_for_one(max_restarts = 5, within = 10s) { job: Job::child_spec() } }
    /// let app = App::start().await.unwrap();
    /// let view = supervise_observer::Collector::new(app.current().unwrap()).shape(&App::SHAPE).poll().await;
    /// assert_eq!(view.title, "App");
    /// let sup = view.root.supervisor.unwrap();
    /// assert_eq!(sup.strategy.as_deref(), Some("one_for_one"));
    /// assert_eq!(sup.intensity.unwrap().max_restarts, 5);
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

    /// Walks the tree once and returns what it looks like now.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let mut collector = supervise_observer::Collector::new(root);
    /// assert_eq!(collector.poll().await, collector.poll().await);
    /// # }
    /// ```
    pub async fn poll(&mut self) -> TreeView {
        let raw = walk_root(&self.root).await;
        self.generation += 1;
        let shape = self.shape.map(|s| SupShape::Static(&s.root));
        let (root, _) = self.build(raw, String::new(), shape, false);
        let generation = self.generation;
        self.seen.retain(|_, s| s.generation == generation);
        self.sups.retain(|_, s| s.generation == generation);
        self.slots.retain(|k, _| self.sups.contains_key(k));
        TreeView {
            title: self.title.clone(),
            actions: self.actions,
            source: SOURCE,
            root,
        }
    }

    /// Builds the node for `raw` under `key`; returns it and whether it got a new pid
    /// since the last poll (`fresh`: its parent was just started, so a new pid here is
    /// part of that start and not a restart).
    fn build(
        &mut self,
        raw: Raw,
        key: String,
        shape: Option<SupShape>,
        fresh: bool,
    ) -> (NodeView, bool) {
        let now_ms = unix_ms();
        let pid = raw.pid.pid();
        let generation = self.generation;
        let seen = self.seen.entry(key.clone()).or_insert_with(|| Seen {
            pid,
            process: raw.process.clone(),
            restarts: 0,
            last_restart_unix_ms: None,
            last_exit: None,
            seen_since_unix_ms: now_ms,
            generation,
        });
        seen.generation = generation;
        let mut restarted = false;
        if let Some(new) = pid
            && seen.pid != Some(new)
        {
            if let Some(old) = &seen.process
                && let Some(reason) = old.exit_reason()
            {
                seen.last_exit = Some(reason_text(&reason));
            }
            if seen.pid.is_some() && !fresh {
                restarted = true;
                seen.restarts += 1;
                seen.last_restart_unix_ms = Some(now_ms);
            }
            seen.pid = Some(new);
            seen.process = raw.process.clone();
            seen.seen_since_unix_ms = now_ms;
        } else if pid.is_none()
            && let Some(old) = &seen.process
            && let Some(reason) = old.exit_reason()
        {
            seen.last_exit = Some(reason_text(&reason));
        }
        let mut node = NodeView {
            key: key.clone(),
            id: raw.id,
            pid: pid.map(|p| p.to_string()),
            status: match raw.pid {
                ChildPid::Running(_) => Status::Running,
                ChildPid::Restarting => Status::Restarting,
                ChildPid::Undefined => Status::Undefined,
            },
            kind: raw.kind,
            worker_type: raw.module.to_string(),
            restarts: seen.restarts,
            last_restart_unix_ms: seen.last_restart_unix_ms,
            last_exit: seen.last_exit.clone(),
            seen_since_unix_ms: seen.seen_since_unix_ms,
            started_unix_ms: None,
            mailbox_len: None,
            messages_handled: None,
            supervisor: None,
            error: None,
            children: Vec::new(),
        };
        if let Some(sup) = raw.sup {
            let fresh_children = fresh || restarted;
            let mut count = None;
            let mut changed = 0;
            match sup.listed {
                Ok((children, c)) => {
                    count = Some(CountView::from(c));
                    let keys = self.child_keys(&key, &children, raw.kind);
                    for (child, child_key) in children.into_iter().zip(keys) {
                        let child_shape = shape.and_then(|s| s.child(child.id.as_deref()));
                        let (view, child_restarted) =
                            self.build(child, child_key, child_shape, fresh_children);
                        changed += u64::from(child_restarted);
                        node.children.push(view);
                    }
                }
                Err(e) => {
                    // Keep what is known of its subtree until it answers again.
                    let prefix = if key.is_empty() {
                        String::new()
                    } else {
                        format!("{key}/")
                    };
                    for (k, seen) in &mut self.seen {
                        if k.starts_with(&prefix) {
                            seen.generation = generation;
                        }
                    }
                    for (k, seen) in &mut self.sups {
                        if k.starts_with(&prefix) {
                            seen.generation = generation;
                        }
                    }
                    node.error = Some(e);
                }
            }
            if restarted {
                // A new incarnation starts with a fresh restart window, as in OTP.
                if let Some(seen) = self.sups.get_mut(&key) {
                    seen.recent.clear();
                }
            }
            node.supervisor = Some(self.supervisor_view(&key, shape, count, changed));
        }
        (node, restarted)
    }

    /// The keys of a supervisor's children: their ids, or slots under a dynamic one.
    fn child_keys(&mut self, parent: &str, children: &[Raw], kind: Kind) -> Vec<String> {
        let join = |tail: &str| {
            if parent.is_empty() {
                tail.to_string()
            } else {
                format!("{parent}/{tail}")
            }
        };
        if kind != Kind::DynamicSupervisor {
            return children
                .iter()
                .enumerate()
                .map(|(i, c)| join(c.id.as_deref().unwrap_or(&format!("?{i}"))))
                .collect();
        }
        let slots = self.slots.entry(parent.to_string()).or_default();
        let present: Vec<Option<Pid>> = children.iter().map(|c| c.pid.pid()).collect();
        let mut vanished: Vec<(u64, &'static str)> = slots
            .by_pid
            .iter()
            .filter(|(pid, _)| !present.contains(&Some(**pid)))
            .map(|(_, slot)| *slot)
            .collect();
        vanished.sort_unstable();
        let mut by_pid = HashMap::new();
        let mut keys = Vec::with_capacity(children.len());
        for (i, child) in children.iter().enumerate() {
            let Some(pid) = child.pid.pid() else {
                keys.push(join(&format!("?{i}")));
                continue;
            };
            let slot = match slots.by_pid.get(&pid) {
                Some(&(slot, _)) => slot,
                None => match vanished.iter().position(|&(_, m)| m == child.module) {
                    Some(at) => vanished.remove(at).0,
                    None => {
                        slots.next += 1;
                        slots.next
                    }
                },
            };
            by_pid.insert(pid, (slot, child.module));
            keys.push(join(&format!("#{slot}")));
        }
        slots.by_pid = by_pid;
        keys
    }

    fn supervisor_view(
        &mut self,
        key: &str,
        shape: Option<SupShape>,
        count: Option<CountView>,
        restarted_children: u64,
    ) -> SupervisorView {
        let generation = self.generation;
        let seen = self.sups.entry(key.to_string()).or_default();
        seen.generation = generation;
        let strategy = shape.and_then(SupShape::strategy);
        let events = match strategy {
            Some(Strategy::OneForAll | Strategy::RestForOne) => restarted_children.min(1),
            _ => restarted_children,
        };
        let now = Instant::now();
        seen.restarts += events;
        let intensity = shape.map(|s| {
            let limit = s.intensity();
            for _ in 0..events {
                seen.recent.push_back(now);
            }
            while seen
                .recent
                .front()
                .is_some_and(|t| now.duration_since(*t) > limit.within)
            {
                seen.recent.pop_front();
            }
            IntensityView {
                max_restarts: limit.max_restarts,
                within_ms: u64::try_from(limit.within.as_millis()).unwrap_or(u64::MAX),
                recent: u32::try_from(seen.recent.len()).unwrap_or(u32::MAX),
            }
        });
        SupervisorView {
            strategy: strategy.map(|s| s.to_string()),
            count,
            restarts: seen.restarts,
            intensity,
            max_children: match shape {
                Some(SupShape::Dynamic { max_children, .. }) => max_children,
                _ => None,
            },
        }
    }
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// An exit reason for a person: a panic's message first, then where it panicked.
fn reason_text(reason: &ExitReason) -> String {
    match reason.panic() {
        Some(panic) => match panic.location() {
            Some(at) => format!("panic: {} (at {at})", panic.message()),
            None => format!("panic: {}", panic.message()),
        },
        None => reason.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Actions.

/// Why an action was refused; nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ActionError {
    /// The HTTP status: 400, 404 or 409.
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
    parent: Option<SupHandle>,
    id: Option<String>,
}

fn find_in(raw: &Raw, parent: Option<&SupHandle>, serial: u64) -> Option<Found> {
    if let Some(pid) = raw.pid.pid()
        && pid.serial() == serial
        && let Some(process) = &raw.process
    {
        return Some(Found {
            process: process.clone(),
            parent: parent.cloned(),
            id: raw.id.clone(),
        });
    }
    let sup = raw.sup.as_ref()?;
    let (children, _) = sup.listed.as_ref().ok()?;
    children
        .iter()
        .find_map(|c| find_in(c, Some(&sup.handle), serial))
}

async fn find_pid(root: &Handle<Supervisor>, text: &str) -> Result<Found, ActionError> {
    let serial = parse_pid(text)?;
    let raw = walk_root(root).await;
    find_in(&raw, None, serial)
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

/// Kills a process of the tree with the untrappable `kill`.
pub(crate) async fn kill(root: &Handle<Supervisor>, pid: &str) -> Result<ActionDone, ActionError> {
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
pub(crate) async fn terminate(
    root: &Handle<Supervisor>,
    pid: &str,
) -> Result<ActionDone, ActionError> {
    let found = find_pid(root, pid).await?;
    let pid = found.process.pid();
    match (&found.parent, &found.id) {
        (None, _) => {
            return Err(refuse(
                409,
                "refusing to terminate the root supervisor: stop it from the program",
            ));
        }
        (Some(SupHandle::Static(sup)), Some(id)) => {
            sup.terminate_child(id).await.map_err(child_error)?
        }
        (Some(SupHandle::Dynamic(sup)), _) => {
            sup.terminate_child(pid).await.map_err(child_error)?
        }
        (Some(SupHandle::Static(_)), None) => {
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
pub(crate) async fn restart(
    root: &Handle<Supervisor>,
    target: &str,
) -> Result<ActionDone, ActionError> {
    if looks_like_pid(target) {
        let found = find_pid(root, target).await?;
        let old = found.process.pid();
        let (Some(SupHandle::Static(sup)), Some(id)) = (&found.parent, &found.id) else {
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
    let mut sup = root.clone();
    for id in parents {
        let children = sup
            .which_children()
            .await
            .map_err(|e| refuse(502, format!("a supervisor does not answer: {e}")))?;
        sup = children
            .iter()
            .find(|c| c.id.as_deref() == Some(*id))
            .and_then(|c| c.worker::<Supervisor>())
            .ok_or_else(|| {
                refuse(
                    404,
                    format!("no running static supervisor `{id}` on the path `{target}`"),
                )
            })?;
    }
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
