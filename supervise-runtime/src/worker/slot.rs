//! A call's reply slot: the reply, or why there is none (dropped, expired, cancelled).
//!
//! It is tokio's oneshot plus one thing a oneshot cannot do: let a third party, the
//! [deadline keeper](super::deadline), expire it and wake the caller. That is what lets a
//! call carry GenServer's 5 s timeout without arming a timer per call.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use parking_lot::Mutex;

const WAITING: u8 = 0;
const REPLIED: u8 = 1;
const DROPPED: u8 = 2;
const EXPIRED: u8 = 3;
const CANCELLED: u8 = 4;

pub(crate) struct Slot<T> {
    state: AtomicU8,
    value: Mutex<Option<T>>,
    waker: AtomicWaker,
}

/// Why a slot gave no value.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NoReply {
    /// The reply handle was dropped unanswered.
    Dropped,
    /// The deadline passed.
    Expired,
}

impl<T> Slot<T> {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Slot {
            state: AtomicU8::new(WAITING),
            value: Mutex::new(None),
            waker: AtomicWaker::new(),
        })
    }

    fn settle(&self, to: u8) -> bool {
        let settled = self
            .state
            .compare_exchange(WAITING, to, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if settled {
            self.waker.wake();
        }
        settled
    }

    /// The callee's answer; ignored if the caller already gave up.
    pub(crate) fn reply(&self, value: T) {
        if self.state.load(Ordering::Acquire) != WAITING {
            return;
        }
        *self.value.lock() = Some(value);
        if !self.settle(REPLIED) {
            self.value.lock().take();
        }
    }

    pub(crate) fn drop_unanswered(&self) {
        self.settle(DROPPED);
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
}

impl<T: Send> Expire for Slot<T> {
    fn expire(&self) {
        self.settle(EXPIRED);
    }
    fn is_waiting(&self) -> bool {
        Slot::is_waiting(self)
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

    fn outcome(&self) -> Option<Result<T, NoReply>> {
        match self.slot.state.load(Ordering::Acquire) {
            WAITING => None,
            REPLIED => Some(self.slot.value.lock().take().ok_or(NoReply::Dropped)),
            EXPIRED => Some(Err(NoReply::Expired)),
            _ => Some(Err(NoReply::Dropped)),
        }
    }
}

impl<T> Future for Reply<T> {
    type Output = Result<T, NoReply>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(out) = self.outcome() {
            return Poll::Ready(out);
        }
        self.slot.waker.register(cx.waker());
        match self.outcome() {
            Some(out) => Poll::Ready(out),
            None => Poll::Pending,
        }
    }
}

impl<T> Drop for Reply<T> {
    fn drop(&mut self) {
        // Nearly always settled by now: a load spares the locked compare-exchange.
        if self.slot.state.load(Ordering::Acquire) != WAITING {
            return;
        }
        let _ = self.slot.state.compare_exchange(
            WAITING,
            CANCELLED,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
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
        assert_eq!(Reply::new(slot).await, Err(NoReply::Dropped));
        let slot = Slot::<u8>::new();
        drop(Reply::new(slot.clone()));
        assert!(
            !slot.is_waiting(),
            "a caller that gave up is not waited for"
        );
    }
}
