//! A call's reply slot: the reply, or why there is none (dropped, expired, cancelled).
//!
//! It is tokio's oneshot plus one thing a oneshot cannot do: let a third party, the
//! [deadline keeper](super::deadline), expire it and wake the caller. That is what lets a
//! call carry GenServer's 5 s timeout without arming a timer per call.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, Waker};

use parking_lot::Mutex;
use tokio::time::Instant;

use crate::process::{ProcessRef, current};

const WAITING: u8 = 0;
const REPLIED: u8 = 1;
const DROPPED: u8 = 2;
const EXPIRED: u8 = 3;
const CANCELLED: u8 = 4;

/// Design note. One uncontended lock guards the reply and the caller's waker together,
/// so a round trip takes it three times (the caller parks, the callee answers, the
/// caller takes the answer) and wakes the caller once. `state` mirrors the settled state
/// for lock-free reads, so the common "already settled" checks (a reply handle dropped
/// after replying, a keeper looking at an answered call) touch no lock.
pub(crate) struct Slot<T> {
    /// Written only under `inner`'s lock; read without it.
    state: AtomicU8,
    inner: Mutex<Inner<T>>,
}

struct Inner<T> {
    value: Option<T>,
    waker: Option<Waker>,
    /// When the call expires, once the deadline keeper has stamped a call registered
    /// without reading the clock.
    stamped: Option<Instant>,
    /// The process that dropped the reply handle unanswered, if a process did: nearly
    /// always the callee (a crash, or a handler that gave up), whose exit the caller then
    /// waits for.
    dropped_by: Option<ProcessRef>,
}

/// Why a slot gave no value.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NoReply {
    /// The reply handle was dropped unanswered: the call's deadline if the keeper stamped
    /// it, and the process that dropped it, if a process did.
    Dropped {
        stamped: Option<Instant>,
        by: Option<ProcessRef>,
    },
    /// The deadline passed.
    Expired,
}

impl<T> Slot<T> {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Slot {
            state: AtomicU8::new(WAITING),
            inner: Mutex::new(Inner {
                value: None,
                waker: None,
                stamped: None,
                dropped_by: None,
            }),
        })
    }

    /// Settles a waiting slot as `to` (with the reply, if any) and wakes the caller.
    /// Hands `value` back if the slot was already settled.
    fn settle(&self, to: u8, value: Option<T>) -> Result<(), Option<T>> {
        if self.state.load(Ordering::Acquire) != WAITING {
            return Err(value);
        }
        let waker = {
            let mut inner = self.inner.lock();
            if self.state.load(Ordering::Relaxed) != WAITING {
                return Err(value);
            }
            inner.value = value;
            self.state.store(to, Ordering::Release);
            inner.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// The callee's answer; dropped if the caller already gave up.
    pub(crate) fn reply(&self, value: T) {
        // A caller that gave up hands the value back: drop it outside the lock.
        let _ = self.settle(REPLIED, Some(value));
    }

    /// The reply handle was dropped without an answer, by the current process if any.
    pub(crate) fn drop_unanswered(&self) {
        // Answered calls (nearly all) stop at this load.
        if self.is_waiting() {
            self.dropped_by(current::process());
        }
    }

    /// Settles a waiting slot as dropped by `by`, off the hot path.
    #[cold]
    fn dropped_by(&self, by: Option<ProcessRef>) {
        let waker = {
            let mut inner = self.inner.lock();
            if self.state.load(Ordering::Relaxed) != WAITING {
                // The caller gave up meanwhile; `by` is dropped outside the lock.
                drop(inner);
                return;
            }
            inner.dropped_by = by;
            self.state.store(DROPPED, Ordering::Release);
            inner.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    pub(crate) fn is_waiting(&self) -> bool {
        self.state.load(Ordering::Acquire) == WAITING
    }
}

/// What the deadline keeper sees of a slot, whatever its reply type.
pub(crate) trait Expire: Send + Sync {
    /// Expires the slot if it still waits, waking the caller.
    fn expire(&self);
    fn is_waiting(&self) -> bool;
    /// Records the deadline the keeper stamped on a call registered without one.
    fn stamped(&self, at: Instant);
}

impl<T: Send> Expire for Slot<T> {
    fn expire(&self) {
        let _ = self.settle(EXPIRED, None);
    }
    fn is_waiting(&self) -> bool {
        Slot::is_waiting(self)
    }
    fn stamped(&self, at: Instant) {
        self.inner.lock().stamped = Some(at);
    }
}

/// The caller's half: resolves with the reply or the reason there is none. Dropping it
/// (the caller gave up) lets the callee and the keeper see that nobody waits any more.
pub(crate) struct Reply<T> {
    slot: Arc<Slot<T>>,
}

impl<T> Reply<T> {
    pub(crate) fn new(slot: Arc<Slot<T>>) -> Self {
        Reply { slot }
    }
}

/// The outcome of a settled slot, read under its lock.
fn outcome<T>(state: u8, inner: &mut Inner<T>) -> Result<T, NoReply> {
    match state {
        REPLIED => inner.value.take().ok_or(NoReply::Dropped {
            stamped: inner.stamped,
            by: None,
        }),
        EXPIRED => Err(NoReply::Expired),
        _ => Err(NoReply::Dropped {
            stamped: inner.stamped,
            by: inner.dropped_by.take(),
        }),
    }
}

impl<T> Future for Reply<T> {
    type Output = Result<T, NoReply>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut inner = self.slot.inner.lock();
        match self.slot.state.load(Ordering::Relaxed) {
            WAITING => {
                match &mut inner.waker {
                    Some(waker) => waker.clone_from(cx.waker()),
                    none => *none = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            settled => Poll::Ready(outcome(settled, &mut inner)),
        }
    }
}

impl<T> Drop for Reply<T> {
    fn drop(&mut self) {
        // Nearly always settled by now: a load spares the lock.
        if self.slot.is_waiting() {
            let _ = self.slot.settle(CANCELLED, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reply_then_read() {
        let slot = Slot::new();
        slot.reply(7);
        assert_eq!(Reply::new(slot).await, Ok(7));
    }

    #[tokio::test]
    async fn expired_slot_rejects_a_late_reply() {
        let slot = Slot::<u8>::new();
        let reply = Reply::new(slot.clone());
        Expire::expire(&*slot);
        slot.reply(1);
        assert_eq!(reply.await, Err(NoReply::Expired));
    }

    #[tokio::test]
    async fn dropped_and_cancelled() {
        let slot = Slot::<u8>::new();
        slot.drop_unanswered();
        assert_eq!(
            Reply::new(slot).await,
            Err(NoReply::Dropped {
                stamped: None,
                by: None
            })
        );
        let slot = Slot::<u8>::new();
        drop(Reply::new(slot.clone()));
        assert!(
            !slot.is_waiting(),
            "a caller that gave up is not waited for"
        );
    }
}
