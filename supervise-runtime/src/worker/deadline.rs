//! The deadline keeper: call timeouts without a timer per call.
//!
//! Design note. Arming and disarming a tokio timer costs more than a whole call round
//! trip, and nearly every call is answered long before its deadline. So a call registers
//! `(deadline, slot)` with a keeper task of its thread (one per worker thread and runtime,
//! started on first use) through a buffer that the keeper does not listen on: pushing
//! wakes nobody. The buffer's front is a short ring of the latest registrations: a new
//! one evicts the oldest, which is nearly always answered by then and is dropped on the
//! spot: a reply slot's memory is freed [`RECENT`] calls later, while still in cache, and
//! reused by the next call, instead of being held until the keeper looks. Only a
//! registration evicted while its call still waits goes on to the keeper's heap.
//!
//! The keeper sleeps until the earliest deadline it knows (in the ring or its heap). A
//! caller wakes it only when its deadline is earlier than that (or while the keeper is
//! planning or idle), or when evicted registrations pile up. While calls keep coming, the
//! keeper looks again at least every default timeout, so a steady stream of calls wakes
//! it about once per 5 s; without calls it sleeps with no timer at all.

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

/// How many of the latest registrations the ring keeps.
const RECENT: usize = 32;
/// How many registrations evicted while waiting may pile up before a caller wakes the
/// keeper.
const DRAIN_AT: usize = 4096;

type Entry = (Instant, Weak<dyn Expire>);

/// What callers and the keeper share, under one lock that is uncontended in practice:
/// only this thread's callers push, and the keeper looks once in a while.
struct Inbox {
    /// The latest registrations: a ring written at `next`, which overwrites the oldest.
    recent: [Option<Entry>; RECENT],
    next: usize,
    /// Registrations evicted from `recent` while their call still waited.
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
    let (wake, evicted) = {
        let mut inbox = shared.inbox.lock();
        let at = inbox.next;
        inbox.next = (at + 1) % RECENT;
        let mut evicted = inbox.recent[at].replace((deadline, slot));
        if let Some(oldest) = evicted.take_if(|(_, slot)| still_waiting(slot)) {
            inbox.unread.push(oldest);
        }
        let wake = inbox.unread.len() >= DRAIN_AT || inbox.next_wake.is_none_or(|at| deadline < at);
        (wake, evicted)
    };
    // An answered call's slot is freed here, outside the lock.
    drop(evicted);
    if wake {
        shared.notify.notify_one();
    }
}

fn start() -> Arc<Shared> {
    let shared = Arc::new(Shared {
        inbox: Mutex::new(Inbox {
            recent: [const { None }; RECENT],
            next: 0,
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

#[inline]
fn still_waiting(slot: &Weak<dyn Expire>) -> bool {
    // Both halves of an answered call are usually gone: no need to upgrade then.
    slot.strong_count() > 0 && slot.upgrade().is_some_and(|s| s.is_waiting())
}

async fn keep(shared: Arc<Shared>) {
    let alive = Alive(shared);
    let shared = &alive.0;
    let mut heap = BinaryHeap::<Pending>::new();
    let mut batch = Vec::new();
    loop {
        let now = Instant::now();
        // Whether calls came since the last look: answered ones were dropped from the
        // ring then, so whatever is in it now (or evicted from it) is new.
        let (active, earliest_recent) = {
            let mut inbox = shared.inbox.lock();
            inbox.next_wake = None; // planning: every registration wakes us
            std::mem::swap(&mut inbox.unread, &mut batch);
            let mut active = !batch.is_empty();
            // Keep only the ring's waiting calls; the due ones go to the heap to expire.
            let mut earliest = None::<Instant>;
            for entry in &mut inbox.recent {
                let Some((at, slot)) = entry else { continue };
                active = true;
                if !still_waiting(slot) {
                    *entry = None;
                } else if *at <= now {
                    batch.extend(entry.take());
                } else {
                    earliest = Some(earliest.map_or(*at, |e| e.min(*at)));
                }
            }
            (active, earliest)
        };
        heap.extend(
            batch
                .drain(..)
                .filter(|(_, slot)| still_waiting(slot))
                .map(|(at, slot)| Pending(at, slot)),
        );
        if heap.len() > 2 * DRAIN_AT {
            heap.retain(|p| still_waiting(&p.1));
        }
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
        let next = [
            heap.peek().map(|p| p.0),
            earliest_recent,
            active.then(|| now + DEFAULT_CALL_TIMEOUT),
        ]
        .into_iter()
        .flatten()
        .min();
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
