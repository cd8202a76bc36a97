//! The deadline keeper: call timeouts without a timer, or a clock read, per call.
//!
//! Design note. Arming and disarming a tokio timer costs more than a whole call round
//! trip, and nearly every call is answered long before its deadline. So a call registers
//! `(due, slot)` with a keeper task of its thread (one per worker thread and runtime,
//! started on first use) through a buffer that the keeper does not listen on: pushing
//! wakes nobody. The buffer's front is a short ring of the latest registrations: a new
//! one evicts the oldest, which is nearly always answered by then and is dropped on the
//! spot, so a reply slot's memory is freed while still in cache. Only a registration
//! evicted while its call still waits goes on to the keeper.
//!
//! Reading the clock costs a tenth of a call on a VM, so a long timeout (at least
//! [`STAMP_LATER_FROM`], which the default 5 s is) is registered without one: the keeper
//! stamps it when it next looks, and while such calls keep coming it looks every
//! [`TICK`]. Such a timeout therefore never fires early and fires at most about a
//! [`TICK`] late (a thousandth of the default timeout). Shorter timeouts read the clock
//! and are kept to the tick of tokio's timer.
//!
//! Finding the keeper is one thread-local look when the call comes from the same task as
//! the thread's last call (a task lives in one runtime, and task ids are unique), and a
//! runtime lookup otherwise, which clones the runtime's handle.
//!
//! The keeper sleeps until the earliest deadline it knows, or one [`TICK`] while calls
//! come. A caller wakes it only when its deadline is earlier than that (or while the
//! keeper is planning or idle), or when evicted registrations pile up. Without calls it
//! sleeps with no timer at all.

use std::cell::RefCell;
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::slot::Expire;

/// How many of the latest registrations the ring keeps.
const RECENT: usize = 32;
/// How many registrations evicted while waiting may pile up before a caller wakes the
/// keeper.
const DRAIN_AT: usize = 4096;
/// The shortest timeout registered without reading the clock.
const STAMP_LATER_FROM: Duration = Duration::from_secs(1);
/// How often the keeper looks while calls come, stamping those registered since.
const TICK: Duration = Duration::from_millis(5);

/// When a registered call expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Due {
    /// At this instant.
    At(Instant),
    /// This long after the keeper's next look, which comes within a [`TICK`].
    After(Duration),
}

impl Due {
    /// When a call made now with `timeout` expires; `None` for a timeout so long that it
    /// never passes (over a century), which is no timeout at all. Inlined: for the
    /// default timeout, a constant, it folds to `Due::After` with no comparison left.
    #[inline]
    pub(crate) fn of(timeout: Duration) -> Option<Due> {
        const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
        if timeout > FOREVER {
            None
        } else if timeout >= STAMP_LATER_FROM {
            Some(Due::After(timeout))
        } else {
            Some(Due::At(Instant::now() + timeout))
        }
    }

    /// The instant, stamping a registration made without one as made at `now`; `None`
    /// if it would never come.
    pub(crate) fn stamp(self, now: Instant) -> Option<Instant> {
        match self {
            Due::At(at) => Some(at),
            Due::After(timeout) => now.checked_add(timeout),
        }
    }
}

type Entry = (Due, Weak<dyn Expire>);

/// What callers and the keeper share, under one lock that is uncontended in practice:
/// only this thread's callers push, and the keeper looks once in a while.
struct Inbox {
    /// The latest registrations: a ring written at `next`, which overwrites the oldest.
    recent: [Option<Entry>; RECENT],
    next: usize,
    /// Registrations evicted from `recent` while their call still waited, stamped.
    unread: Vec<(Instant, Weak<dyn Expire>)>,
    /// When the keeper will wake by itself; `None` while it is planning or has nothing
    /// pending, when every registration wakes it.
    next_wake: Option<Instant>,
    /// Whether that wake comes within a [`TICK`] of the keeper's last look, in time to
    /// stamp a registration made since: one without a stamp then wakes nobody.
    looks_soon: bool,
}

struct Shared {
    inbox: Mutex<Inbox>,
    notify: Notify,
    /// Cleared when the keeper task is dropped (its runtime shut down).
    alive: AtomicBool,
    /// The runtime the keeper runs in; `None` for the [`fallback`] keeper.
    runtime: Option<tokio::runtime::Id>,
}

impl Shared {
    fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire)
    }
}

/// This thread's keepers, one per runtime it runs calls in, the latest used first, and
/// the task that used the first one last.
struct Keepers {
    keepers: Vec<Arc<Shared>>,
    /// A task runs in one runtime for its whole life and task ids are unique in the
    /// program, so a call from this task needs no runtime lookup (which clones the
    /// runtime's handle: an atomic increment and decrement per call).
    task: Option<tokio::task::Id>,
}

thread_local! {
    static KEEPERS: RefCell<Keepers> = const {
        RefCell::new(Keepers { keepers: Vec::new(), task: None })
    };
}

/// Expires `slot` when `due` unless it has been answered by then.
///
/// The keeper is the one of the runtime the caller runs in: a thread that runs two
/// runtimes has a keeper in each (one kept in the other, idle runtime would never look).
/// A caller outside any runtime uses the program's [`fallback`] keeper.
pub(crate) fn register(due: Due, slot: Weak<dyn Expire>) {
    // The common case: the same task as the last call on this thread.
    let task = tokio::task::try_id();
    let slot = match KEEPERS.with(|k| {
        let k = k.borrow();
        match k.keepers.first() {
            Some(s) if task.is_some() && k.task == task && s.is_alive() => {
                push(s, due, slot);
                None
            }
            _ => Some(slot),
        }
    }) {
        Some(slot) => slot,
        None => return,
    };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return push(fallback(), due, slot);
    };
    let id = runtime.id();
    KEEPERS.with(|k| {
        let k = &mut *k.borrow_mut();
        k.task = task;
        let keepers = &mut k.keepers;
        if keepers
            .first()
            .is_some_and(|s| s.runtime == Some(id) && s.is_alive())
        {
            return push(&keepers[0], due, slot);
        }
        // A keeper dies with its runtime (tests start many): start a new one then.
        keepers.retain(|s| s.is_alive());
        let at = match keepers.iter().position(|s| s.runtime == Some(id)) {
            Some(at) => at,
            None => {
                keepers.push(start(&runtime));
                keepers.len() - 1
            }
        };
        keepers[..=at].rotate_right(1);
        push(&keepers[0], due, slot);
    });
}

/// The keeper of calls made outside any runtime (from a plain thread): it runs on a
/// thread of its own, started on first use, with a runtime of its own.
fn fallback() -> &'static Shared {
    static FALLBACK: std::sync::OnceLock<Arc<Shared>> = std::sync::OnceLock::new();
    FALLBACK.get_or_init(|| {
        let shared = new_shared(None);
        let keeper = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("supervise-deadlines".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(keep(keeper));
                }
            });
        if spawned.is_err() {
            shared.alive.store(false, Ordering::Release);
        }
        shared
    })
}

fn push(shared: &Shared, due: Due, slot: Weak<dyn Expire>) {
    let (wake, evicted) = {
        let mut inbox = shared.inbox.lock();
        let at = inbox.next;
        inbox.next = (at + 1) % RECENT;
        let mut evicted = inbox.recent[at].replace((due, slot));
        if let Some((due, slot)) = evicted.take_if(|(_, slot)| still_waiting(slot))
            // Made since the keeper's last look, which is at most a tick ago.
            && let Some(at) = stamp_waiting(due, &slot, Instant::now())
        {
            inbox.unread.push((at, slot));
        }
        let wake = inbox.unread.len() >= DRAIN_AT
            || match due {
                Due::At(at) => inbox.next_wake.is_none_or(|wake| at < wake),
                Due::After(_) => !inbox.looks_soon,
            };
        (wake, evicted)
    };
    // An answered call's slot is freed here, outside the lock.
    drop(evicted);
    if wake {
        shared.notify.notify_one();
    }
}

fn new_shared(runtime: Option<tokio::runtime::Id>) -> Arc<Shared> {
    Arc::new(Shared {
        inbox: Mutex::new(Inbox {
            recent: [const { None }; RECENT],
            next: 0,
            unread: Vec::new(),
            next_wake: None,
            looks_soon: false,
        }),
        notify: Notify::new(),
        alive: AtomicBool::new(true),
        runtime,
    })
}

fn start(runtime: &tokio::runtime::Handle) -> Arc<Shared> {
    let shared = new_shared(Some(runtime.id()));
    runtime.spawn(keep(shared.clone()));
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

/// The deadline of a waiting call, stamping one registered without it as made at `now`
/// and telling its slot (the caller needs it if the reply handle is dropped unanswered).
fn stamp_waiting(due: Due, slot: &Weak<dyn Expire>, now: Instant) -> Option<Instant> {
    let at = due.stamp(now)?;
    if let (Due::After(_), Some(slot)) = (due, slot.upgrade()) {
        slot.stamped(at);
    }
    Some(at)
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
        // Whether calls came since the last look: the ring is emptied at every look, so
        // whatever is in it now (or was evicted from it) is new.
        let (active, now) = {
            let mut inbox = shared.inbox.lock();
            // Read under the lock: a call registered on another thread just before must
            // not be stamped as made earlier than it was.
            let now = Instant::now();
            // Planning: every registration wakes us.
            inbox.next_wake = None;
            inbox.looks_soon = false;
            std::mem::swap(&mut inbox.unread, &mut batch);
            let mut active = !batch.is_empty();
            // The ring's waiting calls go to the heap, stamped if they were not.
            for entry in &mut inbox.recent {
                let Some((due, slot)) = entry.take() else {
                    continue;
                };
                active = true;
                if still_waiting(&slot)
                    && let Some(at) = stamp_waiting(due, &slot, now)
                {
                    batch.push((at, slot));
                }
            }
            (active, now)
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
        // While calls come, look again within a tick to stamp the next ones; without
        // calls since the last look, sleep until the earliest deadline, or go idle: the
        // next registration wakes us.
        let next = [heap.peek().map(|p| p.0), active.then(|| now + TICK)]
            .into_iter()
            .flatten()
            .min();
        {
            let mut inbox = shared.inbox.lock();
            inbox.next_wake = next;
            inbox.looks_soon = next.is_some_and(|at| at <= now + TICK);
        }
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
