//! Where processes without a task yet are known to their runtime, so that they go with it.
//!
//! A process gets its task only when it first has something to do (see
//! `control::Waking`). tokio drops every task when its runtime shuts down; a process
//! without one would outlive it, holding its state. So each thread keeps, per runtime, a
//! list of such processes, owned by a task that never runs: when the runtime drops that
//! task, every process still on the list gets its task spawned on its own runtime. For
//! the runtime shutting down, that drops the serving loop, and the state, at once; a
//! process of another runtime that is still running simply starts.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use super::Process;

struct Nursery {
    waiting: Mutex<Waiting>,
    /// Cleared when the owning task is dropped (its runtime shut down).
    alive: AtomicBool,
}

struct Waiting {
    processes: Vec<Weak<dyn Process>>,
    /// The length after the last pruning: pruned again when twice as long.
    pruned: usize,
}

thread_local! {
    static NURSERY: RefCell<Option<Arc<Nursery>>> = const { RefCell::new(None) };
}

/// Records `process`, which has no task yet, with this thread's runtime.
pub(crate) fn enroll(process: Weak<dyn Process>) {
    NURSERY.with(|n| {
        let mut n = n.borrow_mut();
        if n.as_ref().is_none_or(|n| !n.alive.load(Ordering::Acquire)) {
            *n = Some(open());
        }
        if let Some(nursery) = n.as_ref() {
            let mut waiting = nursery.waiting.lock();
            waiting.processes.push(process);
            if waiting.processes.len() >= 2 * waiting.pruned.max(512) {
                // The gone need nothing more. (Those that got their task since need nothing
                // either, but telling them apart would take a reference count each; they
                // go when they die.)
                waiting.processes.retain(|p| p.strong_count() > 0);
                waiting.pruned = waiting.processes.len();
            }
        }
    });
}

fn open() -> Arc<Nursery> {
    let nursery = Arc::new(Nursery {
        waiting: Mutex::new(Waiting {
            processes: Vec::new(),
            pruned: 0,
        }),
        alive: AtomicBool::new(true),
    });
    let owner = Owner(nursery.clone());
    tokio::spawn(async move {
        let _owner = owner;
        std::future::pending::<()>().await;
    });
    nursery
}

/// Owns the nursery inside its runtime; dropped when the runtime shuts down.
struct Owner(Arc<Nursery>);

impl Drop for Owner {
    fn drop(&mut self) {
        self.0.alive.store(false, Ordering::Release);
        let processes = std::mem::take(&mut self.0.waiting.lock().processes);
        for process in processes {
            if let Some(process) = process.upgrade() {
                process.control().launch_if_taskless();
            }
        }
    }
}
