//! The deadline keeper: call timeouts without a timer per call.
//!
//! Design note. Arming and disarming a tokio timer costs more than a whole call round
//! trip, and nearly every call is answered long before its deadline. So a call registers
//! `(deadline, slot)` with a keeper task of its thread (one per worker thread and runtime,
//! started on first use) through a buffer that the keeper does not listen on: pushing
//! wakes nobody. The keeper sleeps until the earliest deadline it knows. A caller wakes it
//! only when its deadline is earlier than that (or while the keeper is planning or idle),
//! or when registrations pile up, so that slots of calls already answered are dropped
//! instead of kept until their deadline. While calls keep coming, the keeper looks again
//! at least every default timeout, so a steady stream of calls wakes it about once per
//! 4 096 calls or per 5 s; without calls it sleeps with no timer at all.

use std::cell::RefCell;
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::DEFAULT_CALL_TIMEOUT;
use super::slot::Expire;

/// How many registrations may wait unread before a caller wakes the keeper.
const DRAIN_AT: usize = 4096;

type Entry = (Instant, Weak<dyn Expire>);

/// What callers and the keeper share, under one lock that is uncontended in practice:
/// only this thread's callers push, and the keeper takes the whole batch at once.
struct Inbox {
    unread: Vec<Entry>,
    /// When the keeper will wake by itself; `None` while it is planning or has nothing
    /// pending, when every registration wakes it.
    next_wake: Option<Instant>,
}

struct Shared {
    inbox: Mutex<Inbox>,
    notify: Notify,
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
    let wake = {
        let mut inbox = shared.inbox.lock();
        inbox.unread.push((deadline, slot));
        inbox.unread.len() >= DRAIN_AT || inbox.next_wake.is_none_or(|at| deadline < at)
    };
    if wake {
        shared.notify.notify_one();
    }
}

fn start() -> Arc<Shared> {
    let shared = Arc::new(Shared {
        inbox: Mutex::new(Inbox {
            unread: Vec::new(),
            next_wake: None,
        }),
        notify: Notify::new(),
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
        {
            let mut inbox = shared.inbox.lock();
            inbox.next_wake = None; // planning: every registration wakes us
            std::mem::swap(&mut inbox.unread, &mut batch);
        }
        let active = !batch.is_empty();
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
        // Calls keep coming but are all answered: look again one default timeout from
        // now rather than being woken by the next call (and the one after that...).
        // Without calls since the last look, go idle: the next registration wakes us.
        let next = heap
            .peek()
            .map(|p| p.0)
            .or(active.then(|| now + DEFAULT_CALL_TIMEOUT));
        shared.inbox.lock().next_wake = next;
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
