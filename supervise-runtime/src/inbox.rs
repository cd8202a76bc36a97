//! A process without a task, for code that is not a process: `main`, a test, a REPL.

use std::fmt;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use crate::process::{self, AsProcess, Core, Kind, Mailbox, ProcessRef, Received, Rx, current};
use crate::{Addr, ExitReason, Pid, Ref};

/// A process that lives in the calling code rather than in a task: Erlang's shell.
///
/// It has its own pid and typed mailbox, can be linked and monitored, can trap exits, and
/// receives with a timeout. An inbox that a linked crash kills stays dead:
/// [`recv`](Self::recv) then returns the reason. Dropping an inbox exits it with `Normal` (or, dropped by a panic, with an error, so
/// linked processes learn that its owner crashed).
///
/// Which code it is the *current process* of (what `start_link` links to, what
/// `ReplyTo`s and calls count as "self"):
/// - opened outside any tokio task (the body of `main` or of a test), it is the current
///   process of the code on that thread that runs outside any task, until it is dropped
///   (the newest such inbox wins), as Erlang's shell is;
/// - in a plain tokio task (a web handler, a spawned job), [`run`](Self::run) makes it the
///   current process of the future it runs, so that task can `start_link`, link, monitor
///   and trap exits like any process (`tokio::spawn(Inbox::new().run(|inbox| ..))` plays
///   `proc_lib:spawn`).
///
/// An inbox is `Send`: it can be opened in one task and moved into another.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::Duration;
/// use supervise_runtime::{Inbox, RecvError, Received};
/// let mut shell = Inbox::<String>::new();
/// shell.addr().send("hello".into()).unwrap();
/// assert_eq!(shell.recv().await.unwrap(), Received::Message("hello".to_string()));
/// let timeout = shell.recv_timeout(Duration::from_millis(10)).await;
/// assert_eq!(timeout, Err(RecvError::Timeout));
/// # }
/// ```
pub struct Inbox<M: Send + 'static> {
    core: Arc<Core<M>>,
    rx: Rx<M>,
}

/// Why an inbox returned no message.
///
/// ```
/// use supervise_runtime::{ExitReason, RecvError};
/// assert_eq!(RecvError::Timeout.to_string(), "no message arrived before the timeout");
/// let e = RecvError::Exited(ExitReason::Killed);
/// assert_eq!(e.to_string(), "the inbox process has exited: killed");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum RecvError {
    /// Nothing arrived in time.
    Timeout,
    /// The inbox's process was killed by an exit signal (or exited), with this reason.
    Exited(ExitReason),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Timeout => f.write_str("no message arrived before the timeout"),
            RecvError::Exited(r) => write!(f, "the inbox process has exited: {r}"),
        }
    }
}

impl std::error::Error for RecvError {}

impl<M: Send + 'static> Inbox<M> {
    /// Opens an inbox with an unbounded mailbox.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = supervise_runtime::Inbox::<u8>::new();
    /// assert!(inbox.is_alive());
    /// # }
    /// ```
    pub fn new() -> Self {
        Self::with_mailbox(Mailbox::Unbounded)
    }

    /// Opens an inbox with the given mailbox.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Inbox, Mailbox, SendError};
    /// let inbox = Inbox::<u8>::with_mailbox(Mailbox::Bounded(1));
    /// inbox.addr().send(1).unwrap();
    /// assert_eq!(inbox.addr().send(2), Err(SendError::Full(2)));
    /// # }
    /// ```
    pub fn with_mailbox(mailbox: Mailbox) -> Self {
        let (core, rx) = process::new_core(Kind::Inbox, mailbox, None);
        // Only code outside any task has a shell; a task's inbox is current in `run`.
        if tokio::task::try_id().is_none() {
            current::push_shell(ProcessRef(core.clone()));
        }
        Inbox { core, rx }
    }

    /// Runs `body` with this inbox as the current process of the future it returns: the
    /// way for a plain tokio task to act as a process (`start_link` links to the inbox,
    /// calls from it are calls from its pid). The inbox is handed to `body`, so the future
    /// can receive, trap exits and flush; it exits (`Normal`) when dropped as usual.
    ///
    /// ```
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// use supervise_runtime::{worker, AsProcess, Inbox, Received};
    ///
    /// pub struct Job;
    /// #[worker]
    /// impl Job {
    ///     fn init() -> Self { Job }
    ///     #[info] fn crash(&mut self) { panic!("boom") }
    /// }
    ///
    /// // A plain task (a web handler, say) that starts a linked worker and traps its exit.
    /// let task = tokio::spawn(Inbox::<()>::new().run(|mut inbox| async move {
    ///     inbox.trap_exit(true);
    ///     let job = Job::start_link().await.unwrap();
    ///     assert!(inbox.process().is_linked_to(job.pid()));
    ///     job.crash().unwrap();
    ///     match inbox.recv().await.unwrap() {
    ///         Received::Exit { from, reason } => (from == job.pid(), reason.to_string()),
    ///         other => panic!("{other:?}"),
    ///     }
    /// }));
    /// let (from_job, reason) = task.await.unwrap();
    /// assert!(from_job);
    /// assert!(reason.contains("boom"));
    /// # }
    /// ```
    pub fn run<F, Fut>(self, body: F) -> impl Future<Output = Fut::Output>
    where
        F: FnOnce(Self) -> Fut,
        Fut: Future,
    {
        let me = self.process();
        current::scope(me, body(self))
    }

    /// The inbox's pid.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, Inbox};
    /// let shell = Inbox::<u8>::new();
    /// assert!(shell.pid().to_string().starts_with("#PID<0."));
    /// assert_eq!(shell.process().pid(), shell.pid());
    /// assert_ne!(Inbox::<u8>::new().pid(), shell.pid(), "every inbox is a process of its own");
    /// # }
    /// ```
    pub fn pid(&self) -> Pid {
        self.core.control.pid()
    }

    /// Its typed address, to hand to other processes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = supervise_runtime::Inbox::<u8>::new();
    /// let addr = inbox.addr();
    /// assert_eq!(addr.pid(), inbox.pid());
    /// # }
    /// ```
    pub fn addr(&self) -> Addr<M> {
        Addr {
            core: self.core.clone(),
        }
    }

    /// Whether the inbox is alive (a linked crash may have killed it).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = supervise_runtime::Inbox::<u8>::new();
    /// assert!(inbox.is_alive());
    /// # }
    /// ```
    pub fn is_alive(&self) -> bool {
        self.core.control.is_alive()
    }

    /// The reason the inbox died with, if it did.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, ExitReason, Inbox};
    /// let inbox = Inbox::<u8>::new();
    /// inbox.process().exit(ExitReason::Kill);
    /// assert_eq!(inbox.exit_reason(), Some(ExitReason::Killed));
    /// # }
    /// ```
    pub fn exit_reason(&self) -> Option<ExitReason> {
        self.core.control.exit_reason()
    }

    /// Turns exit signals into [`Received::Exit`] messages (true) or not; returns the old setting.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, ExitReason, Inbox, Received};
    /// let mut inbox = Inbox::<u8>::new();
    /// assert!(!inbox.trap_exit(true));
    /// inbox.process().exit(ExitReason::error("boom"));
    /// assert!(inbox.is_alive());
    /// assert!(matches!(inbox.recv().await.unwrap(), Received::Exit { .. }));
    /// # }
    /// ```
    pub fn trap_exit(&self, on: bool) -> bool {
        self.core.control.set_trap_exit(on)
    }

    /// Links the inbox to `other` (both ways). Linking to a dead process delivers an exit
    /// signal with reason `noproc` at once.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, ExitReason, Inbox};
    /// let a = Inbox::<()>::new();
    /// let b = Inbox::<()>::new();
    /// a.link(&b);
    /// b.process().exit(ExitReason::error("crash"));
    /// assert!(!a.is_alive(), "the crash travelled over the link");
    /// # }
    /// ```
    pub fn link(&self, other: &impl AsProcess) {
        process::control::link(&self.process(), &other.process());
    }

    /// Removes a link.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, ExitReason, Inbox};
    /// let a = Inbox::<()>::new();
    /// let b = Inbox::<()>::new();
    /// a.link(&b);
    /// a.unlink(&b);
    /// b.process().exit(ExitReason::error("crash"));
    /// assert!(a.is_alive());
    /// # }
    /// ```
    pub fn unlink(&self, other: &impl AsProcess) {
        process::control::unlink(&self.process(), &other.process());
    }

    /// Monitors `other`: when it exits, a [`Received::Down`] arrives. A dead target gives
    /// one at once with reason `noproc`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, ExitReason, Inbox, Received};
    /// let mut watcher = Inbox::<()>::new();
    /// let target = Inbox::<()>::new().process();
    /// // the inbox behind `target` was dropped: it exited normally
    /// let reference = watcher.monitor(&target);
    /// match watcher.recv().await.unwrap() {
    ///     Received::Down(down) => {
    ///         assert_eq!(down.reference, reference);
    ///         assert_eq!(down.reason, ExitReason::NoProc);
    ///     }
    ///     other => panic!("unexpected {other:?}"),
    /// }
    /// # }
    /// ```
    pub fn monitor(&self, other: &impl AsProcess) -> Ref {
        process::control::monitor(&self.process(), &other.process())
    }

    /// Cancels a monitor; a `Down` it already delivered is removed. Returns whether it was active.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::Inbox;
    /// let watcher = Inbox::<()>::new();
    /// let target = Inbox::<()>::new();
    /// let r = watcher.monitor(&target);
    /// assert!(watcher.demonitor(r));
    /// assert!(!watcher.demonitor(r));
    /// # }
    /// ```
    pub fn demonitor(&self, reference: Ref) -> bool {
        process::control::demonitor(&self.process(), reference)
    }

    /// Receives the next signal or message (signals first). Fails once the inbox is dead.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Inbox, Received};
    /// let mut inbox = Inbox::<u8>::new();
    /// inbox.addr().send(5).unwrap();
    /// assert_eq!(inbox.recv().await, Ok(Received::Message(5)));
    /// # }
    /// ```
    pub async fn recv(&mut self) -> Result<Received<M>, RecvError> {
        let control = &self.core.control;
        let rx = &mut self.rx;
        std::future::poll_fn(|cx| {
            if let Some(received) = control.take_signal().and_then(Received::from_signal) {
                return Poll::Ready(Ok(received));
            }
            if !control.is_alive() {
                return Poll::Ready(Err(RecvError::Exited(
                    control.exit_reason().unwrap_or(ExitReason::NoProc),
                )));
            }
            if let Poll::Ready(Some(m)) = rx.poll_recv(cx) {
                return Poll::Ready(Ok(Received::Message(m)));
            }
            control.register_waker(cx.waker());
            if control.has_pending() || !control.is_alive() {
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
        .await
    }

    /// [`recv`](Self::recv) with a timeout.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{Inbox, RecvError};
    /// let mut inbox = Inbox::<u8>::new();
    /// assert_eq!(inbox.recv_timeout(Duration::from_secs(5)).await, Err(RecvError::Timeout));
    /// # }
    /// ```
    pub async fn recv_timeout(&mut self, timeout: Duration) -> Result<Received<M>, RecvError> {
        match tokio::time::timeout(timeout, self.recv()).await {
            Ok(received) => received,
            Err(_) => Err(RecvError::Timeout),
        }
    }

    /// Takes everything waiting (signals first, then messages) without waiting.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Inbox, Received};
    /// let mut inbox = Inbox::<u8>::new();
    /// inbox.addr().send(1).unwrap();
    /// inbox.addr().send(2).unwrap();
    /// assert_eq!(inbox.flush(), vec![Received::Message(1), Received::Message(2)]);
    /// assert!(inbox.flush().is_empty());
    /// # }
    /// ```
    pub fn flush(&mut self) -> Vec<Received<M>> {
        let mut out: Vec<_> = self
            .core
            .control
            .drain_signals()
            .into_iter()
            .filter_map(Received::from_signal)
            .collect();
        while let Some(m) = self.rx.try_recv() {
            out.push(Received::Message(m));
        }
        out
    }
}

impl<M: Send + 'static> Default for Inbox<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Send + 'static> AsProcess for Inbox<M> {
    fn process(&self) -> ProcessRef {
        ProcessRef(self.core.clone())
    }
}

impl<M: Send + 'static> Drop for Inbox<M> {
    fn drop(&mut self) {
        current::pop_shell(self.pid());
        // Dropped by a panic, the code that owned it crashed: linked processes are told.
        let reason = match std::thread::panicking() {
            true => ExitReason::error("the code owning this inbox panicked"),
            false => ExitReason::Normal,
        };
        self.core.control.terminate(reason);
    }
}

impl<M: Send + 'static> fmt::Debug for Inbox<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Inbox({})", self.pid())
    }
}
