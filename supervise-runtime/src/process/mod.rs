//! Processes: pids, typed addresses, links, monitors and exit signals.
//!
//! A process is a tokio task (or, for code outside any task, an [`Inbox`](crate::Inbox))
//! with a typed mailbox and a control lane for signals. Everything here is reached through
//! handles: [`Addr`] for a process's mailbox, [`ProcessRef`] when only its identity and
//! signals matter.

pub(crate) mod control;
pub(crate) mod current;
pub(crate) mod interrupt;
mod links;
mod mailbox;
pub(crate) mod nursery;

use std::any::Any;
use std::fmt;
use std::sync::Arc;

pub use mailbox::{Mailbox, SendError};

use crate::{ExitReason, Pid, Ref};
pub(crate) use control::{Control, Kind, Signal, Via};
pub(crate) use mailbox::{Rx, Tx, channel};

/// The shared body of one process: its control block and the sending half of its mailbox.
pub(crate) struct Core<M> {
    pub(crate) control: Control,
    pub(crate) tx: Tx<M>,
}

impl<M> Core<M> {
    /// The send path: an atomic load, the channel's own push, and another load to see
    /// whether the process still needs its task spawned.
    #[inline]
    pub(crate) fn send(&self, msg: M) -> Result<(), SendError<M>> {
        if !self.control.is_alive() {
            return Err(SendError::NoProc(msg));
        }
        self.tx.send(msg)?;
        self.control.launch_if_taskless();
        Ok(())
    }
}

pub(crate) trait Process: Any + Send + Sync + 'static {
    fn control(&self) -> &Control;
    /// The mailbox's length when the sending half can tell (a bounded mailbox).
    fn mailbox_len_hint(&self) -> Option<usize>;
}

impl<M: Send + 'static> Process for Core<M> {
    fn control(&self) -> &Control {
        &self.control
    }
    fn mailbox_len_hint(&self) -> Option<usize> {
        self.tx.len_hint()
    }
}

/// A new process's shared body; `linked_to` starts in its links (see [`control::link_new`]).
pub(crate) fn new_core<M: Send + 'static>(
    kind: Kind,
    mailbox: Mailbox,
    linked_to: Option<ProcessRef>,
) -> (Arc<Core<M>>, Rx<M>) {
    let (tx, rx) = channel(mailbox);
    let core = Arc::new(Core {
        control: Control::new(kind, linked_to),
        tx,
    });
    (core, rx)
}

/// The process that stands for "no process" (OTP's `noproc`): it has already exited with
/// [`ExitReason::NoProc`], under the reserved pid `#PID<0.0.0>`, which no process gets.
/// What a following handle between incarnations gives as its process: monitoring it
/// delivers `Down(noproc)` at once, linking to it an exit `noproc`, sending to it fails.
pub(crate) fn noproc() -> ProcessRef {
    static NOPROC: std::sync::OnceLock<ProcessRef> = std::sync::OnceLock::new();
    NOPROC
        .get_or_init(|| {
            let (tx, rx) = channel::<()>(Mailbox::Unbounded);
            drop(rx);
            let core = Arc::new(Core {
                control: Control::with_pid(crate::Pid::from_serial(0), Kind::Inbox, None),
                tx,
            });
            core.control.terminate(crate::ExitReason::NoProc);
            ProcessRef(core)
        })
        .clone()
}

/// An untyped reference to a process: its pid, liveness and signals, not its mailbox.
///
/// Every handle converts to one with [`AsProcess::process`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{AsProcess, ExitReason, Inbox};
/// let inbox = Inbox::<u32>::new();
/// let p = inbox.process();
/// assert_eq!(p.pid(), inbox.pid());
/// assert!(p.is_alive());
/// p.exit(ExitReason::Kill);
/// assert!(!p.is_alive());
/// assert_eq!(p.wait().await, ExitReason::Killed);
/// # }
/// ```
#[derive(Clone)]
pub struct ProcessRef(pub(crate) Arc<dyn Process>);

impl ProcessRef {
    pub(crate) fn control(&self) -> &Control {
        self.0.control()
    }

    /// The process's pid.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, Inbox};
    /// let inbox = Inbox::<()>::new();
    /// assert_eq!(inbox.process().pid(), inbox.pid());
    /// # }
    /// ```
    pub fn pid(&self) -> Pid {
        self.control().pid()
    }

    /// Whether the process is still running.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, Inbox};
    /// let inbox = Inbox::<()>::new();
    /// let p = inbox.process();
    /// drop(inbox);
    /// assert!(!p.is_alive());
    /// # }
    /// ```
    pub fn is_alive(&self) -> bool {
        self.control().is_alive()
    }

    /// The reason the process exited with, once it has.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, ExitReason, Inbox};
    /// let inbox = Inbox::<()>::new();
    /// let p = inbox.process();
    /// assert_eq!(p.exit_reason(), None);
    /// drop(inbox);
    /// assert_eq!(p.exit_reason(), Some(ExitReason::Normal));
    /// # }
    /// ```
    pub fn exit_reason(&self) -> Option<ExitReason> {
        self.control().exit_reason()
    }

    /// Sends an exit signal, as OTP's `exit(Pid, Reason)`.
    ///
    /// `Kill` cannot be trapped; other reasons kill a process that does not trap exits
    /// (except `Normal`, which it ignores) and become an exit message for one that does.
    /// The sender is the current process, or `#PID<0.0.0>` outside any process.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, ExitReason, Inbox};
    /// let target = Inbox::<()>::new();
    /// let _shell = Inbox::<()>::new(); // the newest inbox is the calling process
    /// target.process().exit(ExitReason::Normal);
    /// assert!(target.is_alive(), "normal is ignored by a non-trapping process");
    /// target.process().exit(ExitReason::error("boom"));
    /// assert!(!target.is_alive());
    /// # }
    /// ```
    pub fn exit(&self, reason: ExitReason) {
        let from = current::pid().unwrap_or(Pid::EXTERNAL);
        self.control().exit_signal(from, reason, Via::Exit);
    }

    /// Waits until the process has exited and returns its reason.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, ExitReason, Inbox};
    /// let inbox = Inbox::<()>::new();
    /// let p = inbox.process();
    /// drop(inbox);
    /// assert_eq!(p.wait().await, ExitReason::Normal);
    /// # }
    /// ```
    pub async fn wait(&self) -> ExitReason {
        let waiter = self.control().exit_waiter();
        waiter.await.unwrap_or(ExitReason::NoProc)
    }

    /// The typed handle of this process if it runs worker `W` (a process found in
    /// `which_children`, say): `CounterRef` for a `#[worker]` `Counter`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, AsProcess, DynamicSupervisor};
    ///
    /// pub struct Job(u32);
    /// #[worker]
    /// impl Job {
    ///     fn init(n: u32) -> Self { Job(n) }
    ///     #[call] fn n(&self) -> u32 { self.0 }
    /// }
    /// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    /// sup.start_child(Job::child_spec(7)).await.unwrap();
    /// let children = sup.which_children().await.unwrap();
    /// let job = children[0].process.as_ref().unwrap().worker::<Job>().unwrap();
    /// assert_eq!(job.n().await, Ok(7));
    /// assert!(sup.process().worker::<Job>().is_none(), "not a Job");
    /// # }
    /// ```
    pub fn worker<W: crate::Worker>(&self) -> Option<crate::RefOf<W>> {
        crate::Handle::<W>::from_process(self).map(Into::into)
    }

    /// How many links and monitors this process holds (for leak checks).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, Inbox};
    /// let a = Inbox::<()>::new();
    /// let b = Inbox::<()>::new();
    /// a.link(&b);
    /// assert_eq!(a.process().links_and_monitors(), (1, 0));
    /// # }
    /// ```
    pub fn links_and_monitors(&self) -> (usize, usize) {
        self.control().entry_counts()
    }

    /// Whether this process is linked to `other`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, Inbox};
    /// let a = Inbox::<()>::new();
    /// let b = Inbox::<()>::new();
    /// a.link(&b);
    /// assert!(a.process().is_linked_to(b.pid()));
    /// a.unlink(&b);
    /// assert!(!b.process().is_linked_to(a.pid()));
    /// # }
    /// ```
    pub fn is_linked_to(&self, other: Pid) -> bool {
        self.control().is_linked(other)
    }

    pub(crate) fn downcast<M: Send + 'static>(&self) -> Option<Arc<Core<M>>> {
        self.clone().into_downcast()
    }

    /// [`downcast`](Self::downcast) by value, without touching the reference count.
    pub(crate) fn into_downcast<M: Send + 'static>(self) -> Option<Arc<Core<M>>> {
        // An upcast to `dyn Any` (no call: the supertrait's vtable is found in this one),
        // then one type check.
        let any: Arc<dyn Any + Send + Sync> = self.0;
        any.downcast::<Core<M>>().ok()
    }

    /// [`downcast`](Self::downcast) by reference: the process's body, borrowed.
    pub(crate) fn downcast_ref<M: Send + 'static>(&self) -> Option<&Core<M>> {
        let any: &(dyn Any + Send + Sync) = &*self.0;
        any.downcast_ref::<Core<M>>()
    }
}

impl fmt::Debug for ProcessRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProcessRef({})", self.pid())
    }
}

impl PartialEq for ProcessRef {
    fn eq(&self, other: &Self) -> bool {
        self.pid() == other.pid()
    }
}

impl Eq for ProcessRef {}

/// Anything that names a process: [`Addr`], [`Handle`](crate::Handle), [`Inbox`](crate::Inbox), [`ProcessRef`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{AsProcess, Inbox};
/// fn pid_of(p: &impl AsProcess) -> supervise_runtime::Pid { p.process().pid() }
/// let inbox = Inbox::<()>::new();
/// assert_eq!(pid_of(&inbox), inbox.pid());
/// # }
/// ```
pub trait AsProcess {
    /// The untyped reference to the process.
    fn process(&self) -> ProcessRef;
}

impl AsProcess for ProcessRef {
    fn process(&self) -> ProcessRef {
        self.clone()
    }
}

/// A reference to a process is one: `observe::snapshot(&app)`, `serve(&app, addr)`.
///
/// ```
/// use supervise_runtime::{AsProcess, Inbox};
/// fn pid_of(p: impl AsProcess) -> supervise_runtime::Pid { p.process().pid() }
/// let inbox = Inbox::<()>::new();
/// assert_eq!(pid_of(&inbox), inbox.pid());
/// ```
impl<T: AsProcess + ?Sized> AsProcess for &T {
    fn process(&self) -> ProcessRef {
        (**self).process()
    }
}

/// The typed address of a process whose mailbox carries `M`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{Inbox, Received};
/// let mut inbox = Inbox::<&'static str>::new();
/// let addr = inbox.addr();
/// addr.send("hi").unwrap();
/// assert_eq!(inbox.recv().await.unwrap(), Received::Message("hi"));
/// # }
/// ```
pub struct Addr<M> {
    pub(crate) core: Arc<Core<M>>,
}

impl<M: Send + 'static> Addr<M> {
    /// Puts `msg` in the mailbox; a dead process (or a full bounded mailbox) hands it back.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = supervise_runtime::Inbox::<u8>::new();
    /// assert!(inbox.addr().send(1).is_ok());
    /// # }
    /// ```
    pub fn send(&self, msg: M) -> Result<(), SendError<M>> {
        self.core.send(msg)
    }

    /// Like [`send`](Self::send), but waits for room in a bounded mailbox.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = supervise_runtime::Inbox::<u8>::new();
    /// inbox.addr().send_wait(1).await.unwrap();
    /// # }
    /// ```
    pub async fn send_wait(&self, msg: M) -> Result<(), SendError<M>> {
        if !self.core.control.is_alive() {
            return Err(SendError::NoProc(msg));
        }
        self.core.tx.send_wait(msg).await?;
        self.core.control.launch_if_taskless();
        Ok(())
    }

    /// The process's pid.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = supervise_runtime::Inbox::<u8>::new();
    /// assert_eq!(inbox.addr().pid(), inbox.pid());
    /// # }
    /// ```
    pub fn pid(&self) -> Pid {
        self.core.control.pid()
    }

    /// Whether the process is still running.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = supervise_runtime::Inbox::<u8>::new();
    /// let addr = inbox.addr();
    /// assert!(addr.is_alive());
    /// drop(inbox);
    /// assert!(!addr.is_alive());
    /// # }
    /// ```
    pub fn is_alive(&self) -> bool {
        self.core.control.is_alive()
    }
}

impl<M: Send + 'static> AsProcess for Addr<M> {
    fn process(&self) -> ProcessRef {
        ProcessRef(self.core.clone())
    }
}

impl<M> Clone for Addr<M> {
    fn clone(&self) -> Self {
        Addr {
            core: self.core.clone(),
        }
    }
}

impl<M> fmt::Debug for Addr<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Addr({})", self.core.control.pid())
    }
}

impl<M> PartialEq for Addr<M> {
    fn eq(&self, other: &Self) -> bool {
        self.core.control.pid() == other.core.control.pid()
    }
}

impl<M> Eq for Addr<M> {}

/// The message a monitor delivers when its target exits.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{AsProcess, Down, ExitReason, Inbox, Received};
/// let mut watcher = Inbox::<()>::new();
/// let target = Inbox::<()>::new();
/// let reference = watcher.monitor(&target);
/// let pid = target.pid();
/// target.process().exit(ExitReason::error("bad"));
/// match watcher.recv().await.unwrap() {
///     Received::Down(down) => {
///         assert_eq!(down, Down { reference, pid, reason: ExitReason::error("bad") });
///     }
///     other => panic!("unexpected {other:?}"),
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Down {
    /// The monitor's reference, as returned by `monitor`.
    pub reference: Ref,
    /// The process that exited.
    pub pid: Pid,
    /// Why it exited (`NoProc` if it was already dead when monitored).
    pub reason: ExitReason,
}

/// What a process can receive: a message, a trapped exit signal, or a monitor's `Down`.
///
/// ```
/// use supervise_runtime::{ExitReason, Received};
/// let r: Received<u8> = Received::Message(1);
/// assert_eq!(r.into_message(), Some(1));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Received<M> {
    /// A message from the mailbox.
    Message(M),
    /// An exit signal turned into a message because the process traps exits.
    Exit {
        /// The process that sent it (the linked process that died, or the caller of `exit`).
        from: Pid,
        /// The exit reason.
        reason: ExitReason,
    },
    /// A monitored process exited.
    Down(Down),
}

impl<M> Received<M> {
    /// The message, if this is one.
    ///
    /// ```
    /// use supervise_runtime::{Pid, Received, ExitReason};
    /// let r: Received<u8> = Received::Message(3);
    /// assert_eq!(r.into_message(), Some(3));
    /// ```
    pub fn into_message(self) -> Option<M> {
        match self {
            Received::Message(m) => Some(m),
            _ => None,
        }
    }

    /// What an inbox receives for a signal; none for an inspection (never queued on an
    /// inbox: dropped, its asker is told the process cannot answer).
    pub(crate) fn from_signal(signal: Signal) -> Option<Self> {
        match signal {
            Signal::Exit { from, reason } => Some(Received::Exit { from, reason }),
            Signal::Down(down) => Some(Received::Down(down)),
            Signal::Stop { from, reason } => Some(Received::Exit { from, reason }),
            Signal::Inspect(_) => None,
        }
    }
}

impl Pid {
    /// The sender of signals that come from outside any process.
    pub const EXTERNAL: Pid = Pid::from_serial(0);
}
