//! Following handles: reach whichever incarnation of a supervised child is current.
//!
//! Design note. A supervisor *publishes* each child's incarnations into a [`Slot`]: the
//! running process, or that it is restarting, stopped or gone for good, and which
//! supervisor said so. A [`Following`] reads the slot at every operation, under a read
//! lock (readers never wait for each other), and sends under it: the incarnation cannot
//! be dropped meanwhile, so no reference count is touched. A call then keeps only its
//! callee's pid; on the rare path where the callee dropped its reply, it is found again
//! as the process that dropped it. When there is no live incarnation the slot
//! alone cannot always tell "restarting" from "gone": a supervisor that dies without
//! saying so (killed, or stopped as part of its own parent's restart) leaves its slots
//! as they were. So an absent incarnation is judged by its publisher: alive, the child
//! is restarting; dead, the child is gone, unless the slot was made *within* a parent
//! slot (the slot of that supervisor, as `supervision_tree!` makes them), in which case
//! it is restarting as long as the parent is. Waiting for the next incarnation waits on
//! the slot's changes, the publisher's exit and the parent's changes together, so it
//! ends as soon as the answer is known and never hangs on a dead supervisor.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::RefOf;
use futures_util::future::select;
use parking_lot::{RwLock, RwLockReadGuard};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::call::Call;
use super::deadline::Due;
use super::{CallError, DEFAULT_CALL_TIMEOUT, Envelope, Handle, MessageOf, ReplyTo, Worker};
use crate::process::{AsProcess, ProcessRef, current};
use crate::{ExitReason, Pid, SendError, registry};

/// Where a supervisor publishes a child's current incarnation.
#[derive(Default)]
pub(crate) struct Slot {
    /// Read by every operation through a following handle, written by each publication:
    /// readers do not wait for one another, and a message is sent under the read lock,
    /// so the incarnation it goes to cannot be dropped meanwhile (no reference count).
    /// Read recursively (a reader never waits for a queued writer): in one corner, a send
    /// spawns a task onto a runtime that is shutting down, which tokio drops at once, and
    /// whatever that drop runs may read this slot again.
    published: RwLock<Published>,
    changed: Notify,
    parent: Option<Arc<Slot>>,
}

#[derive(Default)]
struct Published {
    state: SlotState,
    /// The supervisor that published `state`.
    publisher: Option<ProcessRef>,
}

#[derive(Clone, Default)]
pub(crate) enum SlotState {
    Running(ProcessRef),
    /// Between incarnations, or not started yet.
    #[default]
    Restarting,
    /// Stopped by `terminate_child` (static children; the spec is kept).
    Stopped,
    /// Deleted, not to be restarted, or its supervisor stopped for good.
    Gone,
}

/// What a slot says right now.
enum Now {
    Running(ProcessRef),
    Restarting,
    Stopped,
    Gone,
}

impl Now {
    /// Why there is no incarnation to reach, for a slot found without one.
    fn why(&self) -> FollowError {
        match self {
            // Published since the read: the caller goes on as between incarnations.
            Now::Running(_) | Now::Restarting => FollowError::Restarting,
            Now::Stopped => FollowError::Stopped,
            Now::Gone => FollowError::Gone,
        }
    }
}

/// Whether `r` may be reached: alive, and not told to die. A process told to die is not
/// current any more, though its task has not run yet: what is sent now would be lost
/// with it.
fn is_current(r: &ProcessRef) -> bool {
    r.is_alive() && !r.control().is_doomed()
}

/// The live incarnation `state` names, if any.
fn running(state: &SlotState) -> Option<&ProcessRef> {
    match state {
        SlotState::Running(r) if is_current(r) => Some(r),
        _ => None,
    }
}

/// What became of a message offered to a following handle's current incarnation.
pub(crate) enum Offer<M> {
    /// Delivered to the incarnation with this pid.
    Sent(Pid),
    /// Not sent: the current incarnation is the sender itself.
    ToSelf,
    /// Not sent: no incarnation runs, and why.
    Absent(FollowError, M),
    /// Not sent: the incarnation found had exited by the time of the send.
    Died(M),
    /// Not sent: the incarnation's bounded mailbox is full.
    Full(M),
}

/// Sends `msg` to `r` unless it is `me`. `Err(msg)` when `r` is not current (dead, or
/// told to die) or runs another worker (a name given to another type): no incarnation.
/// The liveness checks read the typed process directly, with no virtual call.
fn offer_to<M: Send + 'static>(r: &ProcessRef, msg: M, me: Option<Pid>) -> Result<Offer<M>, M> {
    let Some(core) = r.downcast_ref::<M>() else {
        return Err(msg);
    };
    if !core.control.is_alive() || core.control.is_doomed() {
        return Err(msg);
    }
    let pid = core.control.pid();
    if me == Some(pid) {
        return Ok(Offer::ToSelf);
    }
    Ok(match core.send(msg) {
        Ok(()) => Offer::Sent(pid),
        Err(SendError::Full(msg)) => Offer::Full(msg),
        Err(SendError::NoProc(msg) | SendError::Restarting(msg)) => Offer::Died(msg),
    })
}

impl Slot {
    /// Publishes `state`, as said by the supervisor `publisher`.
    pub(crate) fn set(&self, publisher: &ProcessRef, state: SlotState) {
        {
            let mut p = self.published.write();
            p.state = state;
            if p.publisher.as_ref() != Some(publisher) {
                p.publisher = Some(publisher.clone());
            }
        }
        self.changed.notify_waiters();
    }

    fn now(&self) -> Now {
        let p = self.published.read_recursive();
        match running(&p.state) {
            Some(r) => Now::Running(r.clone()),
            None => self.absent(p),
        }
    }

    /// What the slot says when `p` holds no live incarnation.
    fn absent(&self, p: RwLockReadGuard<'_, Published>) -> Now {
        match &p.state {
            SlotState::Stopped => Now::Stopped,
            SlotState::Gone => Now::Gone,
            SlotState::Running(_) | SlotState::Restarting => {
                let publisher_alive = p.publisher.as_ref().map(ProcessRef::is_alive);
                drop(p);
                match (publisher_alive, &self.parent) {
                    (Some(true), _) => Now::Restarting,
                    (_, Some(parent)) => match parent.now() {
                        Now::Running(_) | Now::Restarting => Now::Restarting,
                        Now::Stopped | Now::Gone => Now::Gone,
                    },
                    // Never published, and nothing to wait for: no incarnation will come.
                    (None, None) | (Some(false), None) => Now::Gone,
                }
            }
        }
    }

    /// Sends `msg` to the current incarnation, under the read lock.
    fn offer<M: Send + 'static>(&self, msg: M, me: Option<Pid>) -> Offer<M> {
        let p = self.published.read_recursive();
        let msg = match &p.state {
            SlotState::Running(r) => match offer_to(r, msg, me) {
                Ok(offered) => return offered,
                Err(msg) => msg,
            },
            _ => msg,
        };
        Offer::Absent(self.absent(p).why(), msg)
    }

    /// The incarnation with `pid` if it is the published one (alive or not: the slot
    /// keeps an exited incarnation until its supervisor publishes the next).
    fn incarnation(&self, pid: Pid) -> Option<ProcessRef> {
        match &self.published.read_recursive().state {
            SlotState::Running(r) if r.pid() == pid => Some(r.clone()),
            _ => None,
        }
    }

    /// A future that completes at the next change that may alter [`now`](Self::now): a
    /// publication here, the publisher's exit, or a change of the parent. Made before
    /// reading `now`, so no change in between is missed.
    fn change(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let notified = self.changed.notified();
        let publisher = self
            .published
            .read_recursive()
            .publisher
            .clone()
            .filter(ProcessRef::is_alive);
        let parent = match (&publisher, &self.parent) {
            (None, Some(parent)) => Some(parent.change()),
            _ => None,
        };
        Box::pin(async move {
            let other = async move {
                match (publisher, parent) {
                    (Some(p), _) => {
                        p.wait().await;
                    }
                    (None, Some(parent)) => parent.await,
                    (None, None) => std::future::pending().await,
                }
            };
            let (notified, other) = (std::pin::pin!(notified), std::pin::pin!(other));
            let _ = select(notified, other).await;
        })
    }

    /// The current incarnation, waiting for one until `deadline` (`None`: no limit).
    async fn next(&self, deadline: Option<Instant>) -> Result<ProcessRef, CallError> {
        loop {
            let change = self.change();
            match self.now() {
                Now::Running(p) => return Ok(p),
                Now::Stopped | Now::Gone => return Err(CallError::NoProc),
                Now::Restarting => {}
            }
            match deadline {
                None => change.await,
                Some(at) => {
                    if tokio::time::timeout_at(at, change).await.is_err() {
                        return Err(CallError::Timeout);
                    }
                }
            }
        }
    }
}

/// Why a [`Following`] handle has no incarnation to reach right now.
///
/// ```
/// use supervise_runtime::FollowError;
/// assert_eq!(FollowError::Restarting.to_string(), "the child is restarting; try again shortly");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowError {
    /// The child is between incarnations: it exited and its supervisor is restarting it.
    Restarting,
    /// The child is stopped (`terminate_child`) but its spec is kept: `restart_child`
    /// starts it again.
    Stopped,
    /// For good: deleted, not restarted after its exit, its supervisor stopped, or (for a
    /// name) no process holds the name.
    Gone,
}

impl fmt::Display for FollowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FollowError::Restarting => "the child is restarting; try again shortly",
            FollowError::Stopped => "the child is stopped; restart_child starts it again",
            FollowError::Gone => "the child is gone: no incarnation will come",
        })
    }
}

impl std::error::Error for FollowError {}

/// A handle to worker `W` that follows it across restarts, as a registered name does in
/// OTP; the other flavour, [`Handle<W>`], is one incarnation (a pid).
///
/// It comes from a supervisor (`Supervisor::child`, `DynamicSupervisor::start_child_following`,
/// a tree's accessors), from a registered name ([`Following::named`]), or is made before the
/// child starts ([`Following::new`] with [`ChildSpec::publish`](crate::ChildSpec::publish)).
/// Wrapped in the worker's generated handle (`CounterRef<Following<Counter>>`), it has the
/// same methods as the one-incarnation handle. How it differs from a pid:
///
/// - A **call** made while the child is restarting waits for the next incarnation, within
///   the call's own timeout (`Timeout` if none came in time; `NoProc` at once when the
///   child is gone for good). A call that reached an incarnation which then died before
///   replying is `Exited(reason)`: it is not sent again, since it may have had effects.
///   (One case has no reason to give: a reply handle passed on to another task and
///   dropped there, after its callee had exited and been replaced, or, through a name,
///   had exited. The call then ends at once with `Exited(NoProc)`, as a monitor set on a
///   pid that no longer exists does in OTP.)
/// - A **send or cast** never waits: while the child restarts it hands the message back
///   as [`SendError::Restarting`]; gone for good (or stopped) is [`SendError::NoProc`];
///   a full bounded mailbox is [`SendError::Full`]. Nothing is lost silently.
/// - Unlike OTP, where a name is looked up at each call and a call during the gap is a
///   `noproc` exit, a following handle knows its child's supervisor, so it can tell a
///   restart from an end, and waits through the restart.
///
/// ```
/// use supervise_runtime::{worker, AsProcess, ExitReason, Following, Strategy, Supervisor, SupervisorSpec};
///
/// pub struct Counter(u64);
/// #[worker]
/// impl Counter {
///     fn init() -> Self { Counter(0) }
///     #[info] fn add(&mut self, n: u64) { self.0 += n }
///     #[call] fn total(&self) -> u64 { self.0 }
/// }
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne).child(Counter::child_spec().id("counter"))).await.unwrap();
/// let counter = sup.child::<Counter>("counter").await.unwrap(); // CounterRef<Following<Counter>>
/// counter.add(2).unwrap();
/// let first = counter.current().unwrap();
/// first.process().exit(ExitReason::error("crash"));
/// // The call waits for the restarted incarnation, which starts from 0.
/// assert_eq!(counter.total().await, Ok(0));
/// assert_ne!(counter.pid(), Some(first.pid()));
/// # }
/// ```
pub struct Following<W: Worker> {
    source: Source,
    _worker: PhantomData<fn() -> W>,
}

#[derive(Clone)]
enum Source {
    Slot(Arc<Slot>),
    Name(Arc<str>),
    Fixed(ProcessRef),
}

impl<W: Worker> Following<W> {
    /// A handle that follows the child whose spec will publish into it
    /// ([`ChildSpec::publish`](crate::ChildSpec::publish)). Until a supervisor started
    /// that child, there is nothing to follow: operations fail with `NoProc`.
    ///
    /// ```
    /// use supervise_runtime::{worker, DynamicSupervisor, Following};
    ///
    /// pub struct Job;
    /// #[worker]
    /// impl Job {
    ///     fn init() -> Self { Job }
    ///     #[call] fn ping(&self) -> &'static str { "pong" }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let job = Following::<Job>::new();
    /// assert_eq!(job.pid(), None);
    /// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    /// sup.start_child(Job::child_spec().publish(&job)).await.unwrap();
    /// assert_eq!(JobRef::from(job).ping().await, Ok("pong"));
    /// # }
    /// ```
    pub fn new() -> Self {
        Self::from_slot(Arc::default())
    }

    /// Like [`new`](Self::new), for a child of the supervisor that `parent` follows: while
    /// that supervisor is itself being restarted, this child counts as restarting too (its
    /// new incarnation publishes here again when the parent's spec carries this handle's
    /// spec), rather than gone. `supervision_tree!` makes its handles this way.
    ///
    /// ```
    /// use supervise_runtime::{Following, Supervisor};
    /// # use supervise_runtime::worker;
    /// # pub struct Reader;
    /// # #[worker] impl Reader { fn init() -> Self { Reader } }
    /// let pipeline = Following::<Supervisor>::new();
    /// let reader = Following::<Reader>::within(&pipeline);
    /// assert_eq!(reader.pid(), None);
    /// ```
    pub fn within<P: Worker>(parent: &Following<P>) -> Self {
        let parent = match &parent.source {
            Source::Slot(slot) => Some(slot.clone()),
            Source::Name(_) | Source::Fixed(_) => None,
        };
        Self::from_slot(Arc::new(Slot {
            parent,
            ..Slot::default()
        }))
    }

    /// A handle that reaches whichever process holds `name` at each operation, as OTP's
    /// calls by name do: a child registered with
    /// [`ChildSpec::name`](crate::ChildSpec::name) is found again after its restarts. An
    /// unknown name is `NoProc` (a call does not wait for the name to come back).
    ///
    /// ```
    /// use supervise_runtime::{worker, CallError, Following, StartOptions};
    ///
    /// pub struct Cache;
    /// #[worker]
    /// impl Cache {
    ///     fn init() -> Self { Cache }
    ///     #[call] fn ping(&self) -> &'static str { "pong" }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let cache = CacheRef::from(Following::named("doc:following:cache"));
    /// assert_eq!(cache.ping().await, Err(CallError::NoProc));
    /// let _started = supervise_runtime::start_with::<Cache>((), StartOptions::new().name("doc:following:cache")).await.unwrap();
    /// assert_eq!(cache.ping().await, Ok("pong"));
    /// # }
    /// ```
    pub fn named(name: impl Into<Arc<str>>) -> Self {
        Following {
            source: Source::Name(name.into()),
            _worker: PhantomData,
        }
    }

    pub(crate) fn from_slot(slot: Arc<Slot>) -> Self {
        Following {
            source: Source::Slot(slot),
            _worker: PhantomData,
        }
    }

    /// The slot a supervisor publishes into, if this handle follows one.
    pub(crate) fn slot(&self) -> Option<&Arc<Slot>> {
        match &self.source {
            Source::Slot(slot) => Some(slot),
            Source::Name(_) | Source::Fixed(_) => None,
        }
    }

    fn now(&self) -> Now {
        match &self.source {
            Source::Slot(slot) => slot.now(),
            Source::Name(name) => match registry::lookup_process(name) {
                Some(p) => Now::Running(p),
                None => Now::Gone,
            },
            Source::Fixed(p) if is_current(p) => Now::Running(p.clone()),
            Source::Fixed(_) => Now::Gone,
        }
    }

    /// The typed handle of a process found running `W`; a process running another worker
    /// (a name given to another type) is treated as absent.
    fn typed(p: ProcessRef) -> Option<Handle<W>> {
        p.into_downcast::<MessageOf<W>>()
            .map(|core| Handle { core })
    }

    /// The current incarnation, or why there is none.
    ///
    /// ```
    /// use supervise_runtime::{worker, FollowError, Strategy, Supervisor, SupervisorSpec};
    /// # pub struct Counter(u64);
    /// # #[worker] impl Counter { fn init() -> Self { Counter(0) } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne).child(Counter::child_spec().id("counter"))).await.unwrap();
    /// let counter = sup.child::<Counter>("counter").await.unwrap();
    /// let pid = counter.current().unwrap().pid();
    /// sup.terminate_child("counter").await.unwrap();
    /// assert_eq!(counter.current().unwrap_err(), FollowError::Stopped);
    /// assert_ne!(sup.restart_child("counter").await.unwrap(), pid);
    /// assert!(counter.current().is_ok());
    /// # }
    /// ```
    pub fn current(&self) -> Result<RefOf<W>, FollowError> {
        self.current_handle().map(Into::into)
    }

    pub(crate) fn current_handle(&self) -> Result<Handle<W>, FollowError> {
        match self.now() {
            Now::Running(p) => Self::typed(p).ok_or(FollowError::Gone),
            Now::Restarting => Err(FollowError::Restarting),
            Now::Stopped => Err(FollowError::Stopped),
            Now::Gone => Err(FollowError::Gone),
        }
    }

    /// The current incarnation's pid, if one runs.
    ///
    /// ```
    /// use supervise_runtime::{worker, Following};
    /// # pub struct Job;
    /// # #[worker] impl Job { fn init() -> Self { Job } }
    /// assert_eq!(Following::<Job>::named("doc:following:nobody").pid(), None);
    /// ```
    pub fn pid(&self) -> Option<Pid> {
        self.current_handle().ok().map(|h| h.pid())
    }

    /// Whether an incarnation is running now.
    ///
    /// ```
    /// use supervise_runtime::{worker, Following};
    /// # pub struct Job;
    /// # #[worker] impl Job { fn init() -> Self { Job } }
    /// assert!(!Following::<Job>::new().is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        self.current_handle().is_ok()
    }

    /// Waits, at most `timeout`, for an incarnation to run, and returns it: after a
    /// crash, the next one.
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervise_runtime::{worker, AsProcess, ExitReason, Strategy, Supervisor, SupervisorSpec};
    /// # pub struct Counter(u64);
    /// # #[worker] impl Counter { fn init() -> Self { Counter(0) } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne).child(Counter::child_spec().id("counter"))).await.unwrap();
    /// let counter = sup.child::<Counter>("counter").await.unwrap();
    /// let first = counter.current().unwrap();
    /// first.process().exit(ExitReason::error("crash"));
    /// let second = counter.wait_current(Duration::from_secs(1)).await.unwrap();
    /// assert_ne!(second.pid(), first.pid());
    /// # }
    /// ```
    pub async fn wait_current(&self, timeout: Duration) -> Result<RefOf<W>, CallError> {
        let deadline = Instant::now().checked_add(timeout);
        self.next(deadline).await.map(Into::into)
    }

    async fn next(&self, deadline: Option<Instant>) -> Result<Handle<W>, CallError> {
        let p = match &self.source {
            Source::Slot(slot) => slot.next(deadline).await?,
            Source::Name(_) | Source::Fixed(_) => match self.now() {
                Now::Running(p) => p,
                _ => return Err(CallError::NoProc),
            },
        };
        Self::typed(p).ok_or(CallError::NoProc)
    }

    /// Sends a plain message to the current incarnation (the raw form of the generated
    /// handle's info methods). Hands it back as `Restarting` between incarnations,
    /// `NoProc` when the child is gone or stopped, `Full` when a bounded mailbox is full.
    ///
    /// ```
    /// use supervise_runtime::{worker, Following, SendError};
    /// # pub struct Job;
    /// # #[worker] impl Job { fn init() -> Self { Job } #[info] fn poke(&mut self) {} }
    /// let job = Following::<Job>::named("doc:following:send");
    /// assert!(matches!(job.send(JobMsg::Poke {}), Err(SendError::NoProc(JobMsg::Poke {}))));
    /// ```
    pub fn send(&self, msg: W::Info) -> Result<(), SendError<W::Info>> {
        self.deliver(Envelope::Info(msg)).map_err(|e| {
            e.map(|env| match env {
                Envelope::Info(m) => m,
                _ => unreachable!("a send hands back the envelope it was given"),
            })
        })
    }

    /// Sends a cast to the current incarnation; errors as for [`send`](Self::send).
    ///
    /// ```
    /// use supervise_runtime::{worker, Following, SendError};
    /// # pub struct Job;
    /// # #[worker] impl Job { fn init() -> Self { Job } #[cast] fn poke(&mut self) {} }
    /// let job = Following::<Job>::named("doc:following:cast");
    /// assert!(matches!(job.cast(JobCast::Poke {}), Err(SendError::NoProc(_))));
    /// ```
    pub fn cast(&self, msg: W::Cast) -> Result<(), SendError<W::Cast>> {
        self.deliver(Envelope::Cast(msg)).map_err(|e| {
            e.map(|env| match env {
                Envelope::Cast(m) => m,
                _ => unreachable!("a send hands back the envelope it was given"),
            })
        })
    }

    fn deliver(&self, env: MessageOf<W>) -> Result<(), SendError<MessageOf<W>>> {
        match self.offer(env, None) {
            Offer::Sent(_) => Ok(()),
            Offer::Full(env) => Err(SendError::Full(env)),
            // It died since we looked: say what its supervisor will do.
            Offer::Died(env) => match self.now() {
                Now::Running(_) | Now::Restarting => Err(SendError::Restarting(env)),
                Now::Stopped | Now::Gone => Err(SendError::NoProc(env)),
            },
            Offer::Absent(FollowError::Restarting, env) => Err(SendError::Restarting(env)),
            Offer::Absent(FollowError::Stopped | FollowError::Gone, env) => {
                Err(SendError::NoProc(env))
            }
            Offer::ToSelf => unreachable!("offered with no sender to refuse"),
        }
    }

    /// Sends `msg` to the current incarnation, unless that is `me`: the hot path of every
    /// send, cast and call through this handle. A slot's incarnation is borrowed under its
    /// read lock for the send, so no reference count is touched.
    pub(crate) fn offer(&self, msg: MessageOf<W>, me: Option<Pid>) -> Offer<MessageOf<W>> {
        match &self.source {
            Source::Slot(slot) => slot.offer(msg, me),
            Source::Name(name) => match registry::lookup_process(name) {
                Some(p) => offer_to(&p, msg, me)
                    .unwrap_or_else(|msg| Offer::Absent(FollowError::Gone, msg)),
                None => Offer::Absent(FollowError::Gone, msg),
            },
            Source::Fixed(p) => {
                offer_to(p, msg, me).unwrap_or_else(|msg| Offer::Absent(FollowError::Gone, msg))
            }
        }
    }

    /// The incarnation with `pid`, if it is still the one this handle reaches: how a call
    /// that went to it finds it again, on the rare path. Through a slot, an exited
    /// incarnation is found until the next is published; through a name, only while it
    /// holds the name (an exiting process gives it up).
    pub(crate) fn incarnation(&self, pid: Pid) -> Option<ProcessRef> {
        match &self.source {
            Source::Slot(slot) => slot.incarnation(pid),
            Source::Name(name) => registry::lookup_process(name).filter(|p| p.pid() == pid),
            Source::Fixed(p) => (p.pid() == pid).then(|| p.clone()),
        }
    }

    /// Calls the current incarnation with the default 5 s timeout (the raw form of the
    /// generated handle's call methods), waiting through a restart within that time.
    ///
    /// ```
    /// use supervise_runtime::{worker, CallError, Following};
    /// # pub struct Job;
    /// # #[worker] impl Job { fn init() -> Self { Job } #[call] fn ping(&self) -> u8 { 1 } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let job = Following::<Job>::named("doc:following:call");
    /// assert_eq!(job.call(|reply| JobCall::Ping { reply }).await, Err(CallError::NoProc));
    /// # }
    /// ```
    pub fn call<T: Send + 'static>(
        &self,
        request: impl FnOnce(ReplyTo<T>) -> W::Call,
    ) -> Call<'_, W, T> {
        self.call_timeout(request, DEFAULT_CALL_TIMEOUT)
    }

    /// [`call`](Self::call) with an explicit timeout, which covers the wait for the next
    /// incarnation too.
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervise_runtime::{worker, CallError, Following};
    /// # pub struct Job;
    /// # #[worker] impl Job { fn init() -> Self { Job } #[call] fn ping(&self) -> u8 { 1 } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let job = Following::<Job>::named("doc:following:call_timeout");
    /// let r = job.call_timeout(|reply| JobCall::Ping { reply }, Duration::from_millis(5)).await;
    /// assert_eq!(r, Err(CallError::NoProc));
    /// # }
    /// ```
    pub fn call_timeout<T: Send + 'static>(
        &self,
        request: impl FnOnce(ReplyTo<T>) -> W::Call,
        timeout: Duration,
    ) -> Call<'_, W, T> {
        Call::to_following(self, request, Due::of(timeout))
    }

    /// The rest of a call that found no incarnation to send to (or one that died): waits
    /// for the next one within the call's time, sends, and waits for the reply.
    pub(crate) async fn call_later<T: Send + 'static>(
        &self,
        mut env: MessageOf<W>,
        slot: Arc<super::slot::Slot<T>>,
        due: Option<Due>,
        deadline: Option<Instant>,
    ) -> Result<T, CallError> {
        let deadline = deadline.or_else(|| due.and_then(|d| d.stamp(Instant::now())));
        let mut handle = self.next(deadline).await?;
        if current::pid() == Some(handle.pid()) {
            return Err(CallError::CallingSelf);
        }
        loop {
            match handle.core.send(env) {
                Ok(()) => break,
                Err(SendError::Full(_)) => return Err(CallError::MailboxFull),
                Err(SendError::NoProc(back) | SendError::Restarting(back)) => {
                    env = back;
                    handle = self.next(deadline).await?;
                }
            }
        }
        let due = match deadline {
            None => due,
            Some(at) => Some(Due::At(at)),
        };
        if let Some(due) = due {
            Handle::<W>::keep_until(&slot, due);
        }
        handle.await_reply(slot, due).await
    }

    /// A call without a timeout (OTP's `infinity`); through a restart it waits for the
    /// next incarnation, and it ends with `NoProc` if the child is gone for good.
    ///
    /// ```
    /// use supervise_runtime::{worker, CallError, Following};
    /// # pub struct Job;
    /// # #[worker] impl Job { fn init() -> Self { Job } #[call] fn ping(&self) -> u8 { 1 } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let job = Following::<Job>::new();
    /// assert_eq!(job.call_infinity(|reply| JobCall::Ping { reply }).await, Err(CallError::NoProc));
    /// # }
    /// ```
    pub fn call_infinity<T: Send + 'static>(
        &self,
        request: impl FnOnce(ReplyTo<T>) -> W::Call,
    ) -> Call<'_, W, T> {
        Call::to_following(self, request, None)
    }

    /// Stops the current incarnation (GenServer's `stop`), as [`Handle::stop`] does: a
    /// permanent child is then restarted by its supervisor. `NoProc` when none runs.
    ///
    /// ```
    /// use supervise_runtime::{worker, ExitReason, Strategy, Supervisor, SupervisorSpec};
    /// # pub struct Counter(u64);
    /// # #[worker] impl Counter { fn init() -> Self { Counter(0) } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne).child(Counter::child_spec().id("counter"))).await.unwrap();
    /// let counter = sup.child::<Counter>("counter").await.unwrap();
    /// let first = counter.pid().unwrap();
    /// assert_eq!(counter.stop(ExitReason::Normal).await, Ok(ExitReason::Normal));
    /// let _ = sup.count_children().await; // the restart is done by now
    /// assert_ne!(counter.pid().unwrap(), first, "a permanent child comes back");
    /// # }
    /// ```
    pub async fn stop(&self, reason: ExitReason) -> Result<ExitReason, CallError> {
        let handle = self.current_handle().map_err(|_| CallError::NoProc)?;
        handle.stop(reason).await
    }
}

impl<W: Worker> AsProcess for Following<W> {
    /// The current incarnation; between incarnations, or once the child is gone, a
    /// process that has already exited with `noproc` (`#PID<0.0.0>`), as OTP's operations
    /// on a name that no process holds: `observe::state` and calls on it are `NoProc`,
    /// monitoring it delivers `Down(noproc)` at once, linking to it an exit `noproc`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, AsProcess, ExitReason, Following};
    /// pub struct Job;
    /// #[worker] impl Job { fn init() -> Self { Job } }
    /// let job = Following::<Job>::new();
    /// assert!(!job.process().is_alive());
    /// assert_eq!(job.process().wait().await, ExitReason::NoProc);
    /// # }
    /// ```
    fn process(&self) -> ProcessRef {
        match self.now() {
            Now::Running(p) => p,
            Now::Restarting | Now::Stopped | Now::Gone => crate::process::noproc(),
        }
    }
}

impl<W: Worker> Default for Following<W> {
    fn default() -> Self {
        Self::new()
    }
}

impl<W: Worker> From<Handle<W>> for Following<W> {
    /// Follows one incarnation only: gone once it exits. For a handle that a tree keeps
    /// to a process nobody restarts (a tree's root).
    fn from(handle: Handle<W>) -> Self {
        Following {
            source: Source::Fixed(handle.into_process()),
            _worker: PhantomData,
        }
    }
}

impl<W: Worker> Clone for Following<W> {
    fn clone(&self) -> Self {
        Following {
            source: self.source.clone(),
            _worker: PhantomData,
        }
    }
}

impl<W: Worker> Following<W> {
    /// What it reaches: `name "x"`, the current pid, or `no incarnation`; the inside of
    /// its `Debug`, and of a following typed handle's.
    pub(crate) fn fmt_target(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.source, self.pid()) {
            (Source::Name(n), _) => write!(f, "name {n:?}"),
            (_, Some(pid)) => write!(f, "{pid}"),
            (_, None) => f.write_str("no incarnation"),
        }
    }
}

impl<W: Worker> fmt::Debug for Following<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Following<{}>(", std::any::type_name::<W>())?;
        self.fmt_target(f)?;
        f.write_str(")")
    }
}
