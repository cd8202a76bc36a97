//! The lifecycle events: a broadcast channel for subscribers, and `tracing` events.

use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::broadcast;

use crate::{ExitReason, Pid};

/// How many events a subscriber may fall behind before it misses some (it then gets
/// `RecvError::Lagged` with how many).
pub const EVENT_CAPACITY: usize = 1024;

static CHANNEL: OnceLock<broadcast::Sender<Event>> = OnceLock::new();

const TARGET: &str = "supervise::lifecycle";

/// Something that happened to a supervised process, as its supervisor saw it. Only
/// children of supervisors are followed (a process started on its own has no one to
/// tell of it).
///
/// ```
/// use supervise_runtime::observe::Event;
/// use supervise_runtime::{ExitReason, Inbox};
/// let (a, b) = (Inbox::<()>::new().pid(), Inbox::<()>::new().pid());
/// let e = Event::Exited { pid: a, supervisor: b, id: None, reason: ExitReason::Killed };
/// assert_eq!(e.supervisor(), b);
/// assert_eq!(e.pid(), Some(a));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "event", rename_all = "snake_case"))]
pub enum Event {
    /// A child was started (first start or restart), with pid `pid`.
    Started {
        /// The new process.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::ser::display"))]
        pid: Pid,
        /// Its supervisor.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::ser::display"))]
        supervisor: Pid,
        /// Its id; `None` under a dynamic supervisor.
        id: Option<String>,
        /// Its Rust type, as `which_children` prints it.
        worker_type: &'static str,
    },
    /// A child exited, on its own or stopped by its supervisor.
    Exited {
        /// The process that exited.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::ser::display"))]
        pid: Pid,
        /// Its supervisor.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::ser::display"))]
        supervisor: Pid,
        /// Its id; `None` under a dynamic supervisor.
        id: Option<String>,
        /// Why.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::ser::display"))]
        reason: ExitReason,
    },
    /// A child that had exited runs again: `new` replaces `old` (after `Exited` of `old`
    /// and `Started` of `new`).
    Restarted {
        /// The incarnation that exited.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::ser::display"))]
        old: Pid,
        /// The one that replaces it.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::ser::display"))]
        new: Pid,
        /// Their supervisor.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::ser::display"))]
        supervisor: Pid,
        /// The child's id; `None` under a dynamic supervisor.
        id: Option<String>,
    },
    /// A supervisor reached its maximum restart intensity: it stops its children and
    /// exits with `shutdown`.
    GaveUp {
        /// The supervisor.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::ser::display"))]
        supervisor: Pid,
        /// The child whose restart was one too many; `None` under a dynamic supervisor.
        id: Option<String>,
        /// Its intensity: at most this many restarts ...
        max_restarts: u32,
        /// ... within this period.
        #[cfg_attr(
            feature = "serde",
            serde(rename = "within_ms", serialize_with = "super::ser::millis")
        )]
        within: Duration,
    },
}

impl Event {
    /// The supervisor it happened under (the one that gave up, for `GaveUp`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervise_runtime::observe::Event;
    /// let sup = supervise_runtime::Inbox::<()>::new().pid();
    /// let e = Event::GaveUp { supervisor: sup, id: None, max_restarts: 3, within: Duration::from_secs(5) };
    /// assert_eq!(e.supervisor(), sup);
    /// ```
    pub fn supervisor(&self) -> Pid {
        match self {
            Event::Started { supervisor, .. }
            | Event::Exited { supervisor, .. }
            | Event::Restarted { supervisor, .. }
            | Event::GaveUp { supervisor, .. } => *supervisor,
        }
    }

    /// The process it is about: the started or exited one, the new one of a restart;
    /// `None` for `GaveUp`.
    ///
    /// ```
    /// use supervise_runtime::observe::Event;
    /// let (old, new, sup) = (
    ///     supervise_runtime::Inbox::<()>::new().pid(),
    ///     supervise_runtime::Inbox::<()>::new().pid(),
    ///     supervise_runtime::Inbox::<()>::new().pid(),
    /// );
    /// assert_eq!(Event::Restarted { old, new, supervisor: sup, id: None }.pid(), Some(new));
    /// ```
    pub fn pid(&self) -> Option<Pid> {
        match self {
            Event::Started { pid, .. } | Event::Exited { pid, .. } => Some(*pid),
            Event::Restarted { new, .. } => Some(*new),
            Event::GaveUp { .. } => None,
        }
    }
}

/// Follows the lifecycle events of every supervised process of the program, from now on.
///
/// Each subscriber gets every event; one that falls more than [`EVENT_CAPACITY`] behind
/// misses the oldest (`RecvError::Lagged`). While no one subscribes, no event is built.
/// The same events go to `tracing` (target `supervise::lifecycle`, DEBUG, with the fields
/// `event`, `pid`, `supervisor`, `id`, `reason`), for metrics layers.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::observe::{self, Event};
/// use supervise_runtime::{worker, DynamicSupervisor};
///
/// pub struct Job;
/// #[worker]
/// impl Job { fn init() -> Self { Job } }
///
/// let mut events = observe::subscribe();
/// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
/// let job = sup.start_child(Job::child_spec()).await.unwrap();
/// loop {
///     match events.recv().await.unwrap() {
///         Event::Started { pid, supervisor, .. } if supervisor == sup.pid() => {
///             assert_eq!(pid, job.pid());
///             break;
///         }
///         _ => {} // another tree of the program
///     }
/// }
/// # }
/// ```
pub fn subscribe() -> broadcast::Receiver<Event> {
    CHANNEL
        .get_or_init(|| broadcast::channel(EVENT_CAPACITY).0)
        .subscribe()
}

/// Sends the event built by `make` to the subscribers, if any.
fn send(make: impl FnOnce() -> Event) {
    if let Some(tx) = CHANNEL.get()
        && tx.receiver_count() > 0
    {
        let _ = tx.send(make());
    }
}

fn traced() -> bool {
    tracing::enabled!(target: TARGET, tracing::Level::DEBUG)
}

pub(crate) fn started(supervisor: Pid, id: Option<&str>, pid: Pid, worker_type: &'static str) {
    if traced() {
        tracing::debug!(
            target: TARGET,
            event = "started",
            pid = %pid,
            supervisor = %supervisor,
            id,
            worker_type,
            "started {pid} under {supervisor}",
        );
    }
    send(|| Event::Started {
        pid,
        supervisor,
        id: id.map(str::to_string),
        worker_type,
    });
}

pub(crate) fn exited(supervisor: Pid, id: Option<&str>, pid: Pid, reason: &ExitReason) {
    if traced() {
        let text = crate::panic::format_guarded(|out| {
            std::fmt::Write::write_fmt(out, format_args!("{reason}"))
        });
        tracing::debug!(
            target: TARGET,
            event = "exited",
            pid = %pid,
            supervisor = %supervisor,
            id,
            reason = %text,
            "{pid} under {supervisor} exited: {text}",
        );
    }
    send(|| Event::Exited {
        pid,
        supervisor,
        id: id.map(str::to_string),
        reason: reason.clone(),
    });
}

pub(crate) fn restarted(supervisor: Pid, id: Option<&str>, old: Pid, new: Pid) {
    if traced() {
        tracing::debug!(
            target: TARGET,
            event = "restarted",
            pid = %new,
            old = %old,
            supervisor = %supervisor,
            id,
            "{old} restarted as {new} under {supervisor}",
        );
    }
    send(|| Event::Restarted {
        old,
        new,
        supervisor,
        id: id.map(str::to_string),
    });
}

pub(crate) fn gave_up(supervisor: Pid, id: Option<&str>, max_restarts: u32, within: Duration) {
    if traced() {
        tracing::debug!(
            target: TARGET,
            event = "gave_up",
            supervisor = %supervisor,
            id,
            reason = "reached_max_restart_intensity",
            max_restarts,
            within_ms = u64::try_from(within.as_millis()).unwrap_or(u64::MAX),
            "supervisor {supervisor} gave up",
        );
    }
    send(|| Event::GaveUp {
        supervisor,
        id: id.map(str::to_string),
        max_restarts,
        within,
    });
}
