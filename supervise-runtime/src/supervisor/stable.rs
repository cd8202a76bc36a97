//! Stable handles: reach whichever incarnation of a static supervisor's child is current.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use parking_lot::Mutex;

use super::spec::ChildId;
use crate::process::ProcessRef;
use crate::worker::{CallError, Handle, MessageOf, ReplyTo, Worker};

/// Where a supervisor publishes a child's current incarnation.
#[derive(Default)]
pub(crate) struct Slot(Mutex<SlotState>);

#[derive(Clone, Default)]
pub(crate) enum SlotState {
    Running(ProcessRef),
    #[default]
    Restarting,
    Stopped,
    Gone,
}

impl Slot {
    pub(crate) fn set(&self, state: SlotState) {
        *self.0.lock() = state;
    }

    fn get(&self) -> SlotState {
        self.0.lock().clone()
    }
}

/// Why a [`Stable`] handle has no incarnation to reach right now.
///
/// ```
/// use supervise_runtime::StableError;
/// assert_eq!(StableError::Restarting.to_string(), "the child is restarting; try again shortly");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum StableError {
    /// The child is between incarnations (it exited and its supervisor is restarting it).
    Restarting,
    /// The child is stopped (`terminate_child`, or it ended for good) but its spec is kept.
    Stopped,
    /// The child was deleted, or its supervisor is gone.
    Gone,
    /// The current incarnation did not answer the call.
    Call(CallError),
}

impl fmt::Display for StableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StableError::Restarting => f.write_str("the child is restarting; try again shortly"),
            StableError::Stopped => {
                f.write_str("the child is stopped; restart_child starts it again")
            }
            StableError::Gone => {
                f.write_str("the child is gone: deleted, or its supervisor stopped")
            }
            StableError::Call(e) => write!(f, "the child did not answer: {e}"),
        }
    }
}

impl std::error::Error for StableError {}

/// A handle to a static supervisor's child that always reaches its current incarnation.
///
/// A [`Handle`] addresses one incarnation (its pid changes after a restart, as in OTP);
/// a `Stable` handle asks the supervisor's published slot each time, so messages follow
/// the child across restarts, and says clearly when there is no incarnation.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::convert::Infallible;
/// use supervise_runtime::{AsProcess, ChildSpec, Context, ExitReason, Init, ReplyTo, Strategy, Supervisor, SupervisorSpec, Worker};
/// struct Echo;
/// impl Worker for Echo {
///     type Args = ();
///     type Info = Infallible;
///     type Call = ReplyTo<&'static str>;
///     type Cast = Infallible;
///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Echo) }
///     async fn handle_call(&mut self, r: ReplyTo<&'static str>, _: &mut Context<Self>) -> supervise_runtime::Flow {
///         r.reply("pong");
///         supervise_runtime::Flow::Continue
///     }
/// }
/// let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne).child(ChildSpec::<Echo>::worker(()).id("echo"))).await.unwrap();
/// let echo = sup.child::<Echo>("echo").await.unwrap();
/// let first = echo.current().unwrap();
/// first.process().exit(ExitReason::Kill);
/// first.process().wait().await;
/// let _ = sup.count_children().await; // the supervisor has restarted it by now
/// assert_ne!(echo.current().unwrap().pid(), first.pid());
/// assert_eq!(echo.call(|r| r).await.unwrap(), "pong");
/// # }
/// ```
pub struct Stable<W: Worker> {
    pub(crate) id: ChildId,
    pub(crate) slot: Arc<Slot>,
    pub(crate) supervisor: ProcessRef,
    pub(crate) _worker: PhantomData<fn() -> W>,
}

impl<W: Worker> Stable<W> {
    /// The child's id.
    ///
    /// ```
    /// use supervise_runtime::{worker, Strategy, Supervisor, SupervisorSpec};
    ///
    /// pub struct Counter(u64);
    /// #[worker]
    /// impl Counter {
    ///     fn init() -> Self { Counter(0) }
    ///     #[info] fn add(&mut self, n: u64) { self.0 += n }
    ///     #[cast] fn reset(&mut self) { self.0 = 0 }
    ///     #[call] fn total(&self) -> u64 { self.0 }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let spec = SupervisorSpec::new(Strategy::OneForOne).child(Counter::child_spec().id("counter"));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let counter = sup.child::<Counter>("counter").await.unwrap();
    /// assert_eq!(counter.id(), "counter");
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A handle to the current incarnation, or why there is none.
    ///
    /// ```
    /// use supervise_runtime::{worker, Strategy, Supervisor, SupervisorSpec};
    ///
    /// pub struct Counter(u64);
    /// #[worker]
    /// impl Counter {
    ///     fn init() -> Self { Counter(0) }
    ///     #[info] fn add(&mut self, n: u64) { self.0 += n }
    ///     #[cast] fn reset(&mut self) { self.0 = 0 }
    ///     #[call] fn total(&self) -> u64 { self.0 }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let spec = SupervisorSpec::new(Strategy::OneForOne).child(Counter::child_spec().id("counter"));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let counter = sup.child::<Counter>("counter").await.unwrap();
    /// assert_eq!(counter.current().unwrap().pid(), sup.which_children().await.unwrap()[0].pid.pid().unwrap());
    ///
    /// sup.terminate_child("counter").await.unwrap();
    /// assert_eq!(counter.current().unwrap_err(), supervise_runtime::StableError::Stopped);
    /// let pid = sup.restart_child("counter").await.unwrap();
    /// assert_eq!(counter.current().unwrap().pid(), pid);
    /// # }
    /// ```
    pub fn current(&self) -> Result<Handle<W>, StableError> {
        if !self.supervisor.is_alive() {
            return Err(StableError::Gone);
        }
        match self.slot.get() {
            SlotState::Running(p) if p.is_alive() => match p.downcast::<MessageOf<W>>() {
                Some(core) => Ok(Handle { core }),
                None => Err(StableError::Gone),
            },
            SlotState::Running(_) | SlotState::Restarting => Err(StableError::Restarting),
            SlotState::Stopped => Err(StableError::Stopped),
            SlotState::Gone => Err(StableError::Gone),
        }
    }

    /// Sends a plain message to the current incarnation; an error says why there is none.
    ///
    /// ```
    /// use supervise_runtime::{worker, Strategy, Supervisor, SupervisorSpec};
    ///
    /// pub struct Counter(u64);
    /// #[worker]
    /// impl Counter {
    ///     fn init() -> Self { Counter(0) }
    ///     #[info] fn add(&mut self, n: u64) { self.0 += n }
    ///     #[cast] fn reset(&mut self) { self.0 = 0 }
    ///     #[call] fn total(&self) -> u64 { self.0 }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let spec = SupervisorSpec::new(Strategy::OneForOne).child(Counter::child_spec().id("counter"));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let counter = sup.child::<Counter>("counter").await.unwrap();
    /// counter.send(CounterMsg::Add { n: 2 }).unwrap();
    /// assert_eq!(counter.call(|reply| CounterCall::Total { reply }).await, Ok(2));
    /// sup.terminate_child("counter").await.unwrap();
    /// assert_eq!(counter.send(CounterMsg::Add { n: 2 }), Err(supervise_runtime::StableError::Stopped));
    /// # }
    /// ```
    pub fn send(&self, msg: W::Info) -> Result<(), StableError> {
        self.current()?
            .send(msg)
            .map_err(|_| StableError::Restarting)
    }

    /// Sends a cast to the current incarnation; an error says why there is none.
    ///
    /// ```
    /// use supervise_runtime::{worker, Strategy, Supervisor, SupervisorSpec};
    ///
    /// pub struct Counter(u64);
    /// #[worker]
    /// impl Counter {
    ///     fn init() -> Self { Counter(0) }
    ///     #[info] fn add(&mut self, n: u64) { self.0 += n }
    ///     #[cast] fn reset(&mut self) { self.0 = 0 }
    ///     #[call] fn total(&self) -> u64 { self.0 }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let spec = SupervisorSpec::new(Strategy::OneForOne).child(Counter::child_spec().id("counter"));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let counter = sup.child::<Counter>("counter").await.unwrap();
    /// counter.send(CounterMsg::Add { n: 2 }).unwrap();
    /// counter.cast(CounterCast::Reset).unwrap();
    /// assert_eq!(counter.call(|reply| CounterCall::Total { reply }).await, Ok(0));
    /// # }
    /// ```
    pub fn cast(&self, msg: W::Cast) -> Result<(), StableError> {
        self.current()?
            .cast(msg)
            .map_err(|_| StableError::Restarting)
    }

    /// Calls the current incarnation (default 5 s timeout). The call reaches whichever
    /// incarnation is current, so a restart in between does not break the handle.
    ///
    /// ```
    /// use supervise_runtime::{worker, Strategy, Supervisor, SupervisorSpec};
    ///
    /// pub struct Counter(u64);
    /// #[worker]
    /// impl Counter {
    ///     fn init() -> Self { Counter(0) }
    ///     #[info] fn add(&mut self, n: u64) { self.0 += n }
    ///     #[cast] fn reset(&mut self) { self.0 = 0 }
    ///     #[call] fn total(&self) -> u64 { self.0 }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let spec = SupervisorSpec::new(Strategy::OneForOne).child(Counter::child_spec().id("counter"));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let counter = sup.child::<Counter>("counter").await.unwrap();
    /// counter.send(CounterMsg::Add { n: 5 }).unwrap();
    /// assert_eq!(counter.call(|reply| CounterCall::Total { reply }).await, Ok(5));
    ///
    /// sup.terminate_child("counter").await.unwrap();
    /// sup.restart_child("counter").await.unwrap();
    /// assert_eq!(counter.call(|reply| CounterCall::Total { reply }).await, Ok(0), "a new incarnation, a new state");
    /// # }
    /// ```
    pub async fn call<T: Send + 'static>(
        &self,
        request: impl FnOnce(ReplyTo<T>) -> W::Call,
    ) -> Result<T, StableError> {
        self.current()?
            .call(request)
            .await
            .map_err(StableError::Call)
    }
}

impl<W: Worker> Clone for Stable<W> {
    fn clone(&self) -> Self {
        Stable {
            id: self.id.clone(),
            slot: self.slot.clone(),
            supervisor: self.supervisor.clone(),
            _worker: PhantomData,
        }
    }
}

impl<W: Worker> fmt::Debug for Stable<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stable<{}>({})", std::any::type_name::<W>(), self.id)
    }
}
