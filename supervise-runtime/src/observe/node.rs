//! The snapshot's plain data, its terminal form, and its serialized form.

use std::fmt;
use std::time::Duration;

use crate::{Pid, ProcessRef, Restart, Strategy};

#[cfg(feature = "serde")]
use super::ser;

/// A whole tree at one moment, from [`snapshot`](super::snapshot): its root and, nested,
/// every process under it.
///
/// `Display` prints an indented tree, one process a line (see [`Node`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{observe, Strategy, Supervisor, SupervisorSpec};
/// let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForAll)).await.unwrap();
/// let tree = observe::snapshot(&sup).await.unwrap();
/// assert_eq!(tree.root.pid, Some(sup.pid()));
/// assert!(tree.to_string().starts_with(&format!("{} supervisor", sup.pid())));
/// assert_eq!(tree.find(sup.pid()).unwrap().children.len(), 0);
/// # }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Snapshot {
    /// The process the snapshot was taken from.
    pub root: Node,
}

impl Snapshot {
    /// The node of the process `pid`, anywhere in the tree.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{observe, DynamicSupervisor, Inbox};
    /// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    /// let tree = observe::snapshot(&sup).await.unwrap();
    /// assert!(tree.find(sup.pid()).is_some());
    /// assert!(tree.find(Inbox::<()>::new().pid()).is_none(), "not in the tree");
    /// # }
    /// ```
    pub fn find(&self, pid: Pid) -> Option<&Node> {
        self.root.find(pid)
    }
}

/// One process of a [`Snapshot`] (or one child of a supervisor that has no process now:
/// restarting, or stopped).
///
/// Its line in the printed tree: pid (or status), kind, id (`undefined` under a dynamic
/// supervisor, as OTP shows it), registered name, type, then the numbers.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::observe::{self, NodeKind, Status};
/// use supervise_runtime::{worker, ChildSpec, Restart, Strategy, Supervisor, SupervisorSpec};
///
/// pub struct Job;
/// #[worker]
/// impl Job {
///     fn init() -> Self { Job }
///     #[call] fn ping(&self) {}
/// }
/// let spec = SupervisorSpec::new(Strategy::OneForOne).child(Job::child_spec().id("job"));
/// let sup = Supervisor::start(spec).await.unwrap();
/// let job = sup.child::<Job>("job").await.unwrap();
/// job.ping().await.unwrap();
///
/// let tree = observe::snapshot(&sup).await.unwrap();
/// let node = &tree.root.children[0];
/// assert_eq!(node.id.as_deref(), Some("job"));
/// assert_eq!(node.kind, NodeKind::Worker);
/// assert_eq!(node.status, Status::Running);
/// assert_eq!(node.restart, Some(Restart::Permanent));
/// assert!(node.worker_type.ends_with("::Job"));
/// assert_eq!((node.restarts, node.messages_handled, node.mailbox_len), (0, 1, Some(0)));
/// # }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Node {
    /// The running process's pid; `None` while the child has no process.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser::opt_display"))]
    pub pid: Option<Pid>,
    /// The running process, to reach it ([`state`](super::state), `exit`, a typed handle
    /// through [`ProcessRef::worker`]). Not serialized. A snapshot keeps it alive as a
    /// handle does: its pid stays valid, its memory is freed when the snapshot is dropped.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub process: Option<ProcessRef>,
    /// Whether it runs, and if not why.
    pub status: Status,
    /// The child's id under a static supervisor; `None` under a dynamic supervisor
    /// (OTP's `undefined`) and for the root.
    pub id: Option<String>,
    /// The name the process is registered under, if any.
    pub name: Option<String>,
    /// Worker, supervisor or dynamic supervisor.
    pub kind: NodeKind,
    /// The Rust type of the child (OTP's module), as `which_children` prints it:
    /// `supervise_runtime::Supervisor` for the runtime's own; `?` for a root worker,
    /// whose spec the snapshot does not see.
    pub worker_type: &'static str,
    /// When its supervisor restarts it; `None` for the root.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser::opt_restart"))]
    pub restart: Option<Restart>,
    /// How long this incarnation has been running, by its supervisor's clock; `None` for
    /// the root and for a child without a process.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "uptime_ms", serialize_with = "ser::opt_millis")
    )]
    pub uptime: Option<Duration>,
    /// How many times its supervisor started it again (after it exited, or as its
    /// strategy asked, or through `restart_child`).
    pub restarts: u32,
    /// Its previous incarnation's exit, as its supervisor saw it.
    pub last_exit: Option<LastExit>,
    /// Messages waiting in its mailbox, as the process itself counted them when asked;
    /// `None` when it did not answer in time (busy in a callback), or has no process.
    pub mailbox_len: Option<usize>,
    /// Messages the process took from its mailbox since it started (calls, casts and
    /// infos; not signals). A supervisor's counts the snapshot's own request to it.
    pub messages_handled: u64,
    /// A supervisor's restart rules and intensity used; `None` for a worker.
    pub supervisor: Option<SupervisorFlags>,
    /// A supervisor's children: in start order under a static supervisor, in pid order
    /// under a dynamic one.
    pub children: Vec<Node>,
}

impl Node {
    /// The node of the process `pid`: this one or one below it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{observe, DynamicSupervisor};
    /// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    /// let tree = observe::snapshot(&sup).await.unwrap();
    /// assert_eq!(tree.root.find(sup.pid()).unwrap().pid, Some(sup.pid()));
    /// # }
    /// ```
    pub fn find(&self, pid: Pid) -> Option<&Node> {
        if self.pid == Some(pid) {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(pid))
    }

    pub(crate) fn empty(kind: NodeKind, worker_type: &'static str) -> Self {
        Node {
            pid: None,
            process: None,
            status: Status::Running,
            id: None,
            name: None,
            kind,
            worker_type,
            restart: None,
            uptime: None,
            restarts: 0,
            last_exit: None,
            mailbox_len: None,
            messages_handled: 0,
            supervisor: None,
            children: Vec::new(),
        }
    }
}

/// Whether a [`Node`]'s child runs.
///
/// ```
/// use supervise_runtime::observe::Status;
/// assert_eq!(Status::Restarting.to_string(), "restarting");
/// assert_eq!(Status::Unreachable("noproc".into()).to_string(), "unreachable (noproc)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Status {
    /// It has a process.
    Running,
    /// It exited and its supervisor is starting it again (a failed restart being retried,
    /// or a backoff delay).
    Restarting,
    /// Not running: terminated by `terminate_child`, stopped for good, or ignored at start
    /// (OTP's `undefined`).
    Stopped,
    /// A supervisor that could not be asked for its children: it died while the tree was
    /// walked (the text says why). Its children are not listed.
    Unreachable(String),
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Running => f.write_str("running"),
            Status::Restarting => f.write_str("restarting"),
            Status::Stopped => f.write_str("stopped"),
            Status::Unreachable(why) => write!(f, "unreachable ({why})"),
        }
    }
}

/// What a [`Node`] is.
///
/// ```
/// use supervise_runtime::observe::NodeKind;
/// assert_eq!(NodeKind::DynamicSupervisor.to_string(), "dynamic_supervisor");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum NodeKind {
    /// A worker (anything that is not one of the runtime's supervisors).
    Worker,
    /// A static [`Supervisor`](crate::Supervisor).
    Supervisor,
    /// A [`DynamicSupervisor`](crate::DynamicSupervisor).
    DynamicSupervisor,
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NodeKind::Worker => "worker",
            NodeKind::Supervisor => "supervisor",
            NodeKind::DynamicSupervisor => "dynamic_supervisor",
        })
    }
}

/// How a child's previous incarnation ended, as its supervisor saw it.
///
/// ```
/// use std::time::Duration;
/// use supervise_runtime::observe::LastExit;
/// use supervise_runtime::{Inbox, Pid};
/// let pid = Inbox::<()>::new().pid();
/// let exit = LastExit { pid, reason: "boom".into(), ago: Duration::from_secs(2) };
/// assert_eq!(exit.to_string(), format!("{pid} exited 2s ago: boom"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LastExit {
    /// The incarnation's pid.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser::display"))]
    pub pid: Pid,
    /// The exit reason, as [`ExitReason`](crate::ExitReason)'s `Display` prints it.
    pub reason: String,
    /// How long before the snapshot it exited.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "ago_ms", serialize_with = "ser::millis")
    )]
    pub ago: Duration,
}

impl fmt::Display for LastExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} exited {:?} ago: {}",
            self.pid,
            Rounded(self.ago),
            self.reason
        )
    }
}

/// A supervisor's restart rules, and how much of its intensity is used.
///
/// ```
/// use std::time::Duration;
/// use supervise_runtime::Strategy;
/// use supervise_runtime::observe::SupervisorFlags;
/// let flags = SupervisorFlags {
///     strategy: Strategy::OneForOne,
///     max_restarts: 3,
///     within: Duration::from_secs(5),
///     restarts_in_window: 1,
///     restarts: 4,
/// };
/// assert_eq!(flags.to_string(), "one_for_one, 1/3 restarts in 5s");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SupervisorFlags {
    /// The strategy (always one-for-one for a dynamic supervisor).
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser::strategy"))]
    pub strategy: Strategy,
    /// At most this many restarts ...
    pub max_restarts: u32,
    /// ... within this period, or the supervisor gives up.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "within_ms", serialize_with = "ser::millis")
    )]
    pub within: Duration,
    /// Restarts counted in the current window: the supervisor gives up at the restart
    /// that would make it exceed `max_restarts`.
    pub restarts_in_window: u32,
    /// Restarts since this supervisor started, counted as its intensity counts them: a
    /// crash under `one_for_all` that restarts every child is one.
    pub restarts: u64,
}

impl fmt::Display for SupervisorFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {}/{} restarts in {:?}",
            strategy_name(self.strategy),
            self.restarts_in_window,
            self.max_restarts,
            self.within
        )
    }
}

pub(crate) fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::OneForOne => "one_for_one",
        Strategy::OneForAll => "one_for_all",
        Strategy::RestForOne => "rest_for_one",
    }
}

pub(crate) fn restart_name(r: Restart) -> &'static str {
    match r {
        Restart::Permanent => "permanent",
        Restart::Transient => "transient",
        Restart::Temporary => "temporary",
    }
}

/// A duration to the millisecond, for people.
struct Rounded(Duration);

impl fmt::Debug for Rounded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = u64::try_from(self.0.as_millis()).unwrap_or(u64::MAX);
        // Whole milliseconds; under one, say so rather than "0ns".
        if ms == 0 && !self.0.is_zero() {
            return f.write_str("<1ms");
        }
        write!(f, "{:?}", Duration::from_millis(ms))
    }
}

impl fmt::Display for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.write_tree(f, "", "")
    }
}

impl fmt::Display for Node {
    /// The node's own line, without its children (a [`Snapshot`] prints the tree).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{observe, DynamicSupervisor};
    /// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    /// let tree = observe::snapshot(&sup).await.unwrap();
    /// let line = tree.root.to_string();
    /// assert!(line.contains("dynamic_supervisor supervise_runtime::DynamicSupervisor"), "{line}");
    /// assert!(line.contains("one_for_one, 0/3 restarts in 5s"), "{line}");
    /// # }
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pid {
            Some(pid) => write!(f, "{pid}")?,
            None => write!(f, "{}", self.status)?,
        }
        write!(f, " {}", self.kind)?;
        if let Some(id) = &self.id {
            write!(f, " {id:?}")?;
        } else if self.restart.is_some() {
            f.write_str(" undefined")?;
        }
        if let Some(name) = &self.name {
            write!(f, " (registered as {name:?})")?;
        }
        write!(f, " {}", self.worker_type)?;
        if let Some(restart) = self.restart {
            write!(f, " {}", restart_name(restart))?;
        }
        if let Status::Unreachable(_) = self.status {
            write!(f, " {}", self.status)?;
        }
        if let Some(flags) = &self.supervisor {
            write!(f, " [{flags}]")?;
        }
        if self.pid.is_some() {
            match self.mailbox_len {
                Some(n) => write!(f, " mailbox={n}")?,
                None => f.write_str(" mailbox=?")?,
            }
            write!(f, " handled={}", self.messages_handled)?;
        }
        if let Some(up) = self.uptime {
            write!(f, " up={:?}", Rounded(up))?;
        }
        if self.restarts > 0 {
            write!(f, " restarts={}", self.restarts)?;
        }
        if let Some(exit) = &self.last_exit {
            write!(f, " last_exit=({exit})")?;
        }
        Ok(())
    }
}

impl Node {
    /// This node's line, then its children's, each under `prefix` and its branch.
    fn write_tree(&self, f: &mut fmt::Formatter<'_>, branch: &str, prefix: &str) -> fmt::Result {
        writeln!(f, "{branch}{self}")?;
        let last = self.children.len().saturating_sub(1);
        for (i, child) in self.children.iter().enumerate() {
            let (branch, more) = match i == last {
                true => ("└─ ", "   "),
                false => ("├─ ", "│  "),
            };
            child.write_tree(f, &format!("{prefix}{branch}"), &format!("{prefix}{more}"))?;
        }
        Ok(())
    }
}
