//! The deadline keeper: call timeouts without a timer per call.
//!
//! Design note. Arming and disarming a tokio timer costs more than a whole call round
//! trip, and nearly every call is answered long before its deadline. So a call registers
//! `(deadline, slot)` with a keeper task of its thread (one per worker thread and runtime,
//! started on first use) through a channel that the keeper does not listen on: sending
//! wakes nobody. The keeper sleeps until the earliest deadline it knows. A caller wakes it
//! only when its deadline is earlier than that (or while the keeper is planning), or when
//! registrations pile up, so that slots of calls already answered are dropped instead of
//! kept until their deadline. With the default 5 s timeout, a steady stream of calls
//! wakes the keeper about once per 4 096 calls.

use std::cell::RefCell;
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::slot::Expire;

/// How many registrations may wait unread before a caller wakes the keeper.
const DRAIN_AT: usize = 4096;
/// `next_wake` while the keeper is planning: every registration must wake it.
const PLANNING: u64 = 0;
const IDLE: u64 = u64::MAX;

type Entry = (Instant, Weak<dyn Expire>);

struct Shared {
    /// When the keeper will next wake, in nanoseconds after `base`; `IDLE` or `PLANNING`.
    next_wake: AtomicU64,
    unread: AtomicUsize,
    notify: Notify,
    base: Instant,
}

struct Keeper {
    tx: mpsc::UnboundedSender<Entry>,
    shared: Arc<Shared>,
}

thread_local! {
    static KEEPER: RefCell<Option<Keeper>> = const { RefCell::new(None) };
}

/// Expires `slot` at `deadline` unless it has been answered by then.
pub(crate) fn register(deadline: Instant, slot: Weak<dyn Expire>) {
    KEEPER.with(|k| {
        let mut k = k.borrow_mut();
        // A keeper dies with its runtime (tests start many): start a new one then.
        if k.as_ref().is_none_or(|k| k.tx.is_closed()) {
            *k = Some(start());
        }
        if let Some(keeper) = k.as_ref() {
            keeper.push(deadline, slot);
        }
    });
}

impl Keeper {
    fn push(&self, deadline: Instant, slot: Weak<dyn Expire>) {
        let shared = &self.shared;
        if self.tx.send((deadline, slot)).is_err() {
            return;
        }
        let unread = shared.unread.fetch_add(1, Ordering::AcqRel) + 1;
        let at = nanos_after(shared.base, deadline);
        let next = shared.next_wake.load(Ordering::Acquire);
        if next == PLANNING || at < next || unread >= DRAIN_AT {
            shared.notify.notify_one();
        }
    }
}

fn nanos_after(base: Instant, t: Instant) -> u64 {
    let n = t.saturating_duration_since(base).as_nanos();
    u64::try_from(n)
        .unwrap_or(IDLE - 1)
        .clamp(PLANNING + 1, IDLE - 1)
}

fn start() -> Keeper {
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        next_wake: AtomicU64::new(PLANNING),
        unread: AtomicUsize::new(0),
        notify: Notify::new(),
        base: Instant::now(),
    });
    tokio::spawn(keep(rx, shared.clone()));
    Keeper { tx, shared }
}

struct Pending(Instant, Weak<dyn Expire>);

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    /// Reversed, so the max-heap yields the earliest deadline first.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        other.0.cmp(&self.0)
    }
}

async fn keep(mut rx: mpsc::UnboundedReceiver<Entry>, shared: Arc<Shared>) {
    let mut heap = BinaryHeap::<Pending>::new();
    loop {
        shared.next_wake.store(PLANNING, Ordering::Release);
        shared.unread.store(0, Ordering::Release);
        loop {
            match rx.try_recv() {
                Ok((deadline, slot)) => {
                    if slot.upgrade().is_some_and(|s| s.is_waiting()) {
                        heap.push(Pending(deadline, slot));
                    }
                }
                // Its thread is gone and nothing is left to expire: the keeper's work is done.
                Err(TryRecvError::Disconnected) if heap.is_empty() => return,
                Err(_) => break,
            }
        }
        if heap.len() > 2 * DRAIN_AT {
            heap.retain(|p| p.1.upgrade().is_some_and(|s| s.is_waiting()));
        }
        let now = Instant::now();
        while heap.peek().is_some_and(|p| p.0 <= now) {
            if let Some(Pending(_, slot)) = heap.pop()
                && let Some(slot) = slot.upgrade()
            {
                slot.expire();
            }
        }
        let next = heap.peek().map(|p| p.0);
        let wake = next.map_or(IDLE, |at| nanos_after(shared.base, at));
        shared.next_wake.store(wake, Ordering::Release);
        match next {
            Some(at) => {
                tokio::select! {
                    () = tokio::time::sleep_until(at) => {}
                    () = shared.notify.notified() => {}
                }
            }
            None => shared.notify.notified().await,
        }
    }
}
