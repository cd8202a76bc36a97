//! A call in flight, as a named future: what [`Handle::call`], [`Following::call`] and
//! the generated call methods (`counter.get()`) return.
//!
//! Design note. A call is three steps: build the message around a reply slot (done when
//! the call is made, so the request closure is consumed at once and the future's type does
//! not depend on it), send it (at the first poll: futures are lazy), then wait for the
//! reply. The common path (an incarnation runs, it answers) is a plain state machine with
//! no allocation. The rare paths (a following handle between incarnations, a callee that
//! exits without replying) run as one boxed future each. Naming the type rather than
//! returning `impl Future` from every generated method is what keeps a crate of many
//! workers quick to check: the compiler has no state machine to analyse per method.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::time::Instant;

use super::deadline::Due;
use super::following::{Following, Offer};
use super::handle::{Handle, exit_before};
use super::slot::{NoReply, Reply, Slot};
use super::{CallError, FollowError, MessageOf, Worker};
use crate::process::{AsProcess, ProcessRef, current};
use crate::{ExitReason, Pid, SendError};

type Slow<'a, T> = Pin<Box<dyn Future<Output = Result<T, CallError>> + Send + 'a>>;

/// A call to a worker, in flight: resolves to the reply, or why there is none
/// ([`CallError`]). The message is built when the call is made and sent at the first
/// poll; dropping the future before then sends nothing, dropping it later abandons the
/// reply (the worker's `ReplyTo` sees nobody waits).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{worker, Call};
/// pub struct Counter(u64);
/// #[worker]
/// impl Counter {
///     fn init(n: u64) -> Self { Counter(n) }
///     #[call] fn get(&self) -> u64 { self.0 }
/// }
/// let counter = Counter::start(7).await.unwrap();
/// let call: Call<'_, Counter, u64> = counter.get();
/// assert_eq!(call.await, Ok(7));
/// # }
/// ```
#[must_use = "a call does nothing unless awaited"]
pub struct Call<'a, W: Worker, T>(State<'a, W, T>);

enum State<'a, W: Worker, T> {
    /// Built, not sent yet.
    Unsent {
        to: To<'a, W>,
        env: MessageOf<W>,
        slot: Arc<Slot<T>>,
        due: Option<Due>,
    },
    /// Sent to this incarnation; waiting for its reply.
    Waiting {
        callee: Callee<'a, W>,
        reply: Reply<T>,
        due: Option<Due>,
    },
    /// A rare path, boxed.
    Slow(Slow<'a, T>),
    /// Failed before anything was sent.
    Failed(CallError),
    Done,
}

/// The reply slot of a call whose message is built by its caller, for code generated
/// by `#[worker]`: `let (reply, slot) = reply_slot();`, then the message is written
/// around `reply` and sent with [`Address::call_slot`](super::Address::call_slot). That
/// is a call with no closure to type-check per generated method. Not a public API.
#[doc(hidden)]
pub struct ReplySlot<T>(Arc<Slot<T>>);

impl<T> fmt::Debug for ReplySlot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReplySlot")
    }
}

/// A reply slot and the [`ReplyTo`](super::ReplyTo) that fills it: the first half of a
/// generated call method. Not a public API.
#[doc(hidden)]
pub fn reply_slot<T>() -> (super::ReplyTo<T>, ReplySlot<T>) {
    let slot = Slot::new();
    (super::ReplyTo::new(slot.clone()), ReplySlot(slot))
}

/// Whom the call is for.
pub(crate) enum To<'a, W: Worker> {
    Handle(&'a Handle<W>),
    Following(&'a Following<W>),
}

/// The incarnation the call was sent to.
enum Callee<'a, W: Worker> {
    /// One incarnation's handle, borrowed.
    Handle(&'a Handle<W>),
    /// Whichever incarnation the following handle reached: only its pid is kept (no
    /// reference count per call); the rare path finds the process again.
    Followed(&'a Following<W>, Pid),
}

impl<W: Worker> Callee<'_, W> {
    /// The callee, once its call's reply handle was dropped by `by` (if a process did).
    /// A followed callee is the process that dropped it (nearly always: a crash, or a
    /// handler that gave up), or else the incarnation its handle still reaches. `None`
    /// when neither: a reply handle passed on to another process or task, and the callee
    /// since replaced; like a monitor set on a pid that no longer exists, the call then
    /// ends with `noproc`.
    fn find(&self, by: Option<ProcessRef>) -> Option<ProcessRef> {
        match self {
            Callee::Handle(h) => Some(h.process()),
            Callee::Followed(f, pid) => by
                .filter(|p| p.pid() == *pid)
                .or_else(|| f.incarnation(*pid)),
        }
    }
}

impl<'a, W: Worker, T: Send + 'static> Call<'a, W, T> {
    /// A call to `handle`, `due` being its timeout (`None`: none).
    pub(crate) fn to_handle(
        handle: &'a Handle<W>,
        request: impl FnOnce(super::ReplyTo<T>) -> W::Call,
        due: Option<Due>,
    ) -> Self {
        Self::unsent(To::Handle(handle), request, due)
    }

    /// A call to whichever incarnation `following` reaches.
    pub(crate) fn to_following(
        following: &'a Following<W>,
        request: impl FnOnce(super::ReplyTo<T>) -> W::Call,
        due: Option<Due>,
    ) -> Self {
        Self::unsent(To::Following(following), request, due)
    }

    /// A call whose message was built around `slot` (a [`ReplySlot`]) by the caller.
    pub(crate) fn prepared(
        to: To<'a, W>,
        msg: W::Call,
        slot: ReplySlot<T>,
        due: Option<Due>,
    ) -> Self {
        Call(State::Unsent {
            to,
            env: super::Envelope::Call(msg),
            slot: slot.0,
            due,
        })
    }

    /// The call's message built around a new reply slot, to be sent at the first poll.
    fn unsent(
        to: To<'a, W>,
        request: impl FnOnce(super::ReplyTo<T>) -> W::Call,
        due: Option<Due>,
    ) -> Self {
        let (env, slot) = Handle::<W>::call_parts(request);
        Call(State::Unsent { to, env, slot, due })
    }

    /// The same call with another timeout than the default 5 s
    /// ([`DEFAULT_CALL_TIMEOUT`](crate::DEFAULT_CALL_TIMEOUT)): `counter.get().timeout(d)`.
    /// The timeout covers the wait for the next incarnation too, through a following
    /// handle; one of over a century is no timeout. Set before the call is awaited (a
    /// call is only sent when first polled).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{worker, CallError};
    /// pub struct Slow;
    /// #[worker]
    /// impl Slow {
    ///     fn init() -> Self { Slow }
    ///     #[call]
    ///     async fn answer(&self) -> u8 {
    ///         tokio::time::sleep(Duration::from_secs(10)).await;
    ///         42
    ///     }
    /// }
    /// let slow = Slow::start().await.unwrap();
    /// assert_eq!(slow.answer().timeout(Duration::from_secs(1)).await, Err(CallError::Timeout));
    /// assert_eq!(slow.answer().timeout(Duration::from_secs(60)).await, Ok(42));
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        if let State::Unsent { due, .. } = &mut self.0 {
            *due = Due::of(timeout);
        }
        self
    }

    /// Sends the built call; the state that follows.
    fn send(
        to: To<'a, W>,
        env: MessageOf<W>,
        slot: Arc<Slot<T>>,
        due: Option<Due>,
    ) -> State<'a, W, T> {
        let callee = match to {
            To::Handle(h) => {
                if current::pid() == Some(h.pid()) {
                    return State::Failed(CallError::CallingSelf);
                }
                match h.core.send(env) {
                    Ok(()) => Callee::Handle(h),
                    Err(SendError::Full(_)) => return State::Failed(CallError::MailboxFull),
                    Err(SendError::NoProc(_) | SendError::Restarting(_)) => {
                        return State::Failed(CallError::NoProc);
                    }
                }
            }
            To::Following(f) => match f.offer(env, current::pid()) {
                Offer::Sent(pid) => Callee::Followed(f, pid),
                Offer::ToSelf => return State::Failed(CallError::CallingSelf),
                Offer::Full(_) => return State::Failed(CallError::MailboxFull),
                Offer::Absent(FollowError::Stopped | FollowError::Gone, _) => {
                    return State::Failed(CallError::NoProc);
                }
                // Between incarnations, or the one found died since: wait for the next
                // one, within the timeout.
                Offer::Absent(FollowError::Restarting, env) | Offer::Died(env) => {
                    return State::Slow(Box::pin(f.call_later(env, slot, due, None)));
                }
            },
        };
        // Hand the slot to the deadline keeper (no timer armed for this call).
        if let Some(due) = due {
            Handle::<W>::keep_until(&slot, due);
        }
        State::Waiting {
            callee,
            reply: Reply::new(slot),
            due,
        }
    }
}

// No field is pinned in place: the reply is polled through `Pin::new` (it is `Unpin`),
// the slow paths are boxed.
impl<W: Worker, T> Unpin for Call<'_, W, T> {}

impl<'a, W: Worker, T: Send + 'static> Future for Call<'a, W, T> {
    type Output = Result<T, CallError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let state = &mut self.get_mut().0;
        // The state is matched in place: only a transition moves it.
        if matches!(state, State::Unsent { .. })
            && let State::Unsent { to, env, slot, due } = std::mem::replace(state, State::Done)
        {
            *state = Self::send(to, env, slot, due);
        }
        loop {
            let out = match state {
                State::Waiting { reply, .. } => match Pin::new(reply).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(value)) => Ok(value),
                    Poll::Ready(Err(NoReply::Expired)) => Err(CallError::Timeout),
                    Poll::Ready(Err(NoReply::Dropped { stamped, by })) => {
                        let State::Waiting { callee, due, .. } =
                            std::mem::replace(state, State::Done)
                        else {
                            unreachable!("matched above")
                        };
                        // A call registered without reading the clock has the deadline
                        // the keeper stamped, or, dropped before the keeper's first
                        // look at it, was made within a tick: from now is then at most
                        // a tick late.
                        let deadline =
                            due.and_then(|due| stamped.or_else(|| due.stamp(Instant::now())));
                        *state = State::Slow(match callee.find(by) {
                            Some(p) => Box::pin(async move { exit_before(&p, deadline).await }),
                            None => Box::pin(std::future::ready(Err(CallError::Exited(
                                ExitReason::NoProc,
                            )))),
                        });
                        continue;
                    }
                },
                State::Slow(slow) => match slow.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(done) => done,
                },
                State::Failed(_) => match std::mem::replace(state, State::Done) {
                    State::Failed(e) => Err(e),
                    _ => unreachable!("matched above"),
                },
                State::Unsent { .. } => unreachable!("sent above"),
                State::Done => panic!("a `Call` polled after it resolved"),
            };
            *state = State::Done;
            return Poll::Ready(out);
        }
    }
}

impl<W: Worker, T> fmt::Debug for Call<'_, W, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.0 {
            State::Unsent { .. } => "unsent",
            State::Waiting { .. } => "waiting for the reply",
            State::Slow(_) => "waiting",
            State::Failed(_) => "failed",
            State::Done => "done",
        };
        write!(f, "Call<{}>({state})", std::any::type_name::<W>())
    }
}
