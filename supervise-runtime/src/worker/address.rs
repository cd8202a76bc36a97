//! What a typed handle is built on: an [`Address`] of a worker, one incarnation or the
//! current one.

use std::fmt;
use std::time::Duration;

use super::call::{ReplySlot, To};
use super::deadline::Due;
use super::{Call, Handle, ReplyTo, Worker};
use crate::SendError;

mod sealed {
    pub trait Sealed {}
}

/// Where a worker's typed handle sends: [`Handle<W>`] (one incarnation, a pid, as in OTP)
/// or [`Following<W>`](crate::Following) (whichever incarnation is current, as a registered
/// name is in OTP).
///
/// `#[worker]` generates the typed handle `<Type>Ref<A = Handle<Type>>`, generic over its
/// address, so both flavours have the same methods (`counter.add(2)`,
/// `counter.total().await`). The trait is sealed: the runtime's two handles are the
/// only addresses.
///
/// ```
/// use supervise_runtime::{worker, Address, Following, Handle};
///
/// pub struct Counter(u64);
/// #[worker]
/// impl Counter {
///     fn init() -> Self { Counter(0) }
///     #[info] fn add(&mut self, n: u64) { self.0 += n }
///     #[call] fn total(&self) -> u64 { self.0 }
/// }
///
/// // Works with either flavour.
/// async fn bump<A: Address<Counter>>(counter: &CounterRef<A>) -> u64 {
///     counter.add(1).unwrap();
///     counter.total().await.unwrap()
/// }
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let one: CounterRef = Counter::start().await.unwrap();
/// assert_eq!(bump(&one).await, 1);
/// let following: CounterRef<Following<Counter>> = Following::from((*one).clone()).into();
/// assert_eq!(bump(&following).await, 2);
/// # }
/// ```
pub trait Address<W: Worker>:
    Clone + fmt::Debug + Send + Sync + 'static + Addressed<Self> + sealed::Sealed
{
    /// Sends a plain message (for `handle_info`); an undelivered one is handed back.
    fn send_info(&self, msg: W::Info) -> Result<(), SendError<W::Info>>;

    /// Sends a cast (for `handle_cast`); an undelivered one is handed back.
    fn send_cast(&self, msg: W::Cast) -> Result<(), SendError<W::Cast>>;

    /// Calls the worker and waits at most `timeout` for the reply.
    fn call_within<T: Send + 'static>(
        &self,
        request: impl FnOnce(ReplyTo<T>) -> W::Call + Send,
        timeout: Duration,
    ) -> Call<'_, W, T>;

    /// What the address reaches, as a typed handle's `Debug` shows it: `#PID<0.5.0>` for
    /// one incarnation, `following #PID<0.5.0>` (or `following name "x"`, `following no
    /// incarnation`) for a following handle. Not a public API.
    #[doc(hidden)]
    fn fmt_target(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;

    /// `call_within` for a message already built around the `ReplyTo` of `slot` (from
    /// `reply_slot()`): what `#[worker]`'s call methods use, with no closure. Not a public API.
    #[doc(hidden)]
    fn call_slot<T: Send + 'static>(
        &self,
        msg: W::Call,
        slot: ReplySlot<T>,
        timeout: Duration,
    ) -> Call<'_, W, T>;
}

impl<W: Worker> sealed::Sealed for Handle<W> {}
impl<W: Worker> sealed::Sealed for super::Following<W> {}

impl<W: Worker> Address<W> for Handle<W> {
    #[inline]
    fn send_info(&self, msg: W::Info) -> Result<(), SendError<W::Info>> {
        self.send(msg)
    }

    #[inline]
    fn send_cast(&self, msg: W::Cast) -> Result<(), SendError<W::Cast>> {
        self.cast(msg)
    }

    #[inline]
    fn call_within<T: Send + 'static>(
        &self,
        request: impl FnOnce(ReplyTo<T>) -> W::Call + Send,
        timeout: Duration,
    ) -> Call<'_, W, T> {
        self.call_timeout(request, timeout)
    }

    #[inline]
    fn call_slot<T: Send + 'static>(
        &self,
        msg: W::Call,
        slot: ReplySlot<T>,
        timeout: Duration,
    ) -> Call<'_, W, T> {
        Call::prepared(To::Handle(self), msg, slot, Due::of(timeout))
    }

    fn fmt_target(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.pid(), f)
    }
}

impl<W: Worker> Address<W> for super::Following<W> {
    #[inline]
    fn send_info(&self, msg: W::Info) -> Result<(), SendError<W::Info>> {
        self.send(msg)
    }

    #[inline]
    fn send_cast(&self, msg: W::Cast) -> Result<(), SendError<W::Cast>> {
        self.cast(msg)
    }

    #[inline]
    fn call_within<T: Send + 'static>(
        &self,
        request: impl FnOnce(ReplyTo<T>) -> W::Call + Send,
        timeout: Duration,
    ) -> Call<'_, W, T> {
        self.call_timeout(request, timeout)
    }

    #[inline]
    fn call_slot<T: Send + 'static>(
        &self,
        msg: W::Call,
        slot: ReplySlot<T>,
        timeout: Duration,
    ) -> Call<'_, W, T> {
        Call::prepared(To::Following(self), msg, slot, Due::of(timeout))
    }

    fn fmt_target(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("following ")?;
        super::Following::fmt_target(self, f)
    }
}

/// What a typed handle derefs to ([`Worker::Api`]): a worker's handler methods over an
/// address `A`, made from the address and giving it back. `#[worker]` implements it for
/// its generated `<Type>Api<A>`; the addresses implement it for themselves, which is what
/// a worker written by hand uses (`type Api<A: Address<Self>> = A;`).
///
/// ```
/// use supervise_runtime::{Addressed, Handle};
/// # pub struct Job;
/// # #[supervise_runtime::worker] impl Job { fn init() -> Self { Job } }
/// fn pid_of<W: supervise_runtime::Worker, T: Addressed<Handle<W>>>(api: &T) -> supervise_runtime::Pid {
///     api.address().pid()
/// }
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let job = Job::start().await.unwrap();
/// assert_eq!(pid_of::<Job, _>(&*job), job.pid());
/// # }
/// ```
pub trait Addressed<A> {
    /// Wraps the address.
    ///
    /// ```
    /// use supervise_runtime::{Addressed, Handle};
    /// # pub struct Job;
    /// # #[supervise_runtime::worker] impl Job { fn init() -> Self { Job } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let handle: Handle<Job> = Job::start().await.unwrap().into();
    /// let api = JobApi::from_address(handle.clone()); // what JobRef derefs to
    /// assert_eq!(api.address(), &handle);
    /// # }
    /// ```
    fn from_address(address: A) -> Self;
    /// The address underneath.
    ///
    /// ```
    /// use supervise_runtime::{Addressed, Handle};
    /// # pub struct Job;
    /// # #[supervise_runtime::worker] impl Job { fn init() -> Self { Job } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let job = Job::start().await.unwrap();
    /// let handle: &Handle<Job> = (*job).address();
    /// assert_eq!(handle.pid(), job.pid());
    /// # }
    /// ```
    fn address(&self) -> &A;
}

impl<W: Worker> Addressed<Handle<W>> for Handle<W> {
    fn from_address(address: Handle<W>) -> Self {
        address
    }
    fn address(&self) -> &Handle<W> {
        self
    }
}

impl<W: Worker> Addressed<super::Following<W>> for super::Following<W> {
    fn from_address(address: super::Following<W>) -> Self {
        address
    }
    fn address(&self) -> &super::Following<W> {
        self
    }
}
