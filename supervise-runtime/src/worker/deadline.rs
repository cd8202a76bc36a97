//! The deadline keeper: call timeouts without a timer per call.
//!
//! Design note. Arming and disarming a tokio timer costs more than a whole call round
//! trip, and nearly every call is answered long before its deadline. So a call registers
//! `(deadline, slot)` with a keeper task of its thread (one per worker thread and runtime,
//! started on first use) through a buffer that the keeper does not listen on: pushing
//! wakes nobody. The keeper sleeps until the earliest deadline it knows. A caller wakes it
//! only when its deadline is earlier than that (or while the keeper is planning), or when
//! registrations pile up, so that slots of calls already answered are dropped instead of
//! kept until their deadline. With the default 5 s timeout, a steady stream of calls
//! wakes the keeper about once per 4 096 calls.

use std::cell::RefCell;
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::slot::Expire;

/// How many registrations may wait unread before a caller wakes the keeper.
const DRAIN_AT: usize = 4096;
/// `next_wake` while the keeper is planning: every registration must wake it.
const PLANNING: u64 = 0;
const IDLE: u64 = u64::MAX;

type Entry = (Instant, Weak<dyn Expire>);

struct Shared {
    /// Registrations the keeper has not read yet (an uncontended lock: only this
    /// thread's callers push, and the keeper takes the whole batch at once).
    inbox: Mutex<Vec<Entry>>,
    /// When the keeper will next wake, in nanoseconds after `base`; `IDLE` or `PLANNING`.
    next_wake: AtomicU64,
    notify: Notify,
    base: Instant,
    /// Cleared when the keeper task is dropped (its runtime shut down).
    alive: AtomicBool,
}

thread_local! {
    static KEEPER: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
}

/// Expires `slot` at `deadline` unless it has been answered by then.
pub(crate) fn register(deadline: Instant, slot: Weak<dyn Expire>) {
    KEEPER.with(|k| {
        let mut k = k.borrow_mut();
        // A keeper dies with its runtime (tests start many): start a new one then.
        if k.as_ref().is_none_or(|k| !k.alive.load(Ordering::Acquire)) {
            *k = Some(start());
        }
        if let Some(shared) = k.as_ref() {
            push(shared, deadline, slot);
        }
    });
}

fn push(shared: &Shared, deadline: Instant, slot: Weak<dyn Expire>) {
    let unread = {
        let mut inbox = shared.inbox.lock();
        inbox.push((deadline, slot));
        inbox.len()
    };
    let next = shared.next_wake.load(Ordering::Acquire);
    if next == PLANNING || unread >= DRAIN_AT || nanos_after(shared.base, deadline) < next {
        shared.notify.notify_one();
    }
}

fn nanos_after(base: Instant, t: Instant) -> u64 {
    let n = t.saturating_duration_since(base).as_nanos();
    u64::try_from(n)
        .unwrap_or(IDLE - 1)
        .clamp(PLANNING + 1, IDLE - 1)
}

fn start() -> Arc<Shared> {
    let shared = Arc::new(Shared {
        inbox: Mutex::new(Vec::new()),
        next_wake: AtomicU64::new(PLANNING),
        notify: Notify::new(),
        base: Instant::now(),
        alive: AtomicBool::new(true),
    });
    tokio::spawn(keep(shared.clone()));
    shared
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

/// Marks the keeper dead when its task is dropped with its runtime.
struct Alive(Arc<Shared>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.alive.store(false, Ordering::Release);
    }
}

fn still_waiting(slot: &Weak<dyn Expire>) -> bool {
    slot.upgrade().is_some_and(|s| s.is_waiting())
}

async fn keep(shared: Arc<Shared>) {
    let alive = Alive(shared);
    let shared = &alive.0;
    let mut heap = BinaryHeap::<Pending>::new();
    let mut batch = Vec::new();
    loop {
        shared.next_wake.store(PLANNING, Ordering::Release);
        std::mem::swap(&mut *shared.inbox.lock(), &mut batch);
        heap.extend(
            batch
                .drain(..)
                .filter(|(_, slot)| still_waiting(slot))
                .map(|(at, slot)| Pending(at, slot)),
        );
        if heap.len() > 2 * DRAIN_AT {
            heap.retain(|p| still_waiting(&p.1));
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
