//! Where processes without a task yet are known to their runtime, so that they go with it.
//!
//! A process gets its task only when it first has something to do (see
//! `control::Waking`). tokio drops every task when its runtime shuts down; a process
//! without one would outlive it, holding its state. So each thread keeps a list of such
//! processes per runtime, owned by a task that waits forever in that runtime. When the
//! runtime drops the task, every process still on the list gets its task spawned on its
//! runtime, which is shutting down: that drops the serving loop at once, and the loop's
//! guard exits the process (with `Killed`), its state dropped. A list whose runtime is
//! gone is replaced by a new one; a process made while its runtime shuts down is dropped
//! (and so exits) at once, as a task spawned then would be.

use std::cell::RefCell;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use super::Process;

struct Nursery {
    waiting: Mutex<Waiting>,
}

struct Waiting {
    /// Cleared, with the list taken, when the owning task is dropped (its runtime shut
    /// down).
    open: bool,
    processes: Vec<Weak<dyn Process>>,
    /// The length after the last pruning: pruned again when twice as long.
    pruned: usize,
}

thread_local! {
    /// This thread's lists, one per runtime, the latest used first: a thread that runs
    /// two runtimes keeps each one's processes with it.
    static NURSERIES: RefCell<Vec<(tokio::runtime::Id, Arc<Nursery>)>> =
        const { RefCell::new(Vec::new()) };
}

/// Records `process`, which has no task yet, with its runtime `runtime`, the current one.
pub(crate) fn enroll(process: Weak<dyn Process>, runtime: tokio::runtime::Id) {
    let refused = NURSERIES.with(|all| {
        let mut all = all.borrow_mut();
        if all.first().is_none_or(|(id, _)| *id != runtime) {
            let at = all.iter().position(|(id, _)| *id == runtime);
            match at {
                Some(at) => all[..=at].rotate_right(1),
                None => {
                    // Lists of runtimes gone need nothing more.
                    all.retain(|(_, n)| n.waiting.lock().open);
                    all.insert(0, (runtime, open()));
                }
            }
        }
        let n = &mut all[0].1;
        for _ in 0..2 {
            let nursery = &*n;
            let mut waiting = nursery.waiting.lock();
            if !waiting.open {
                // Its runtime shut down: open a new list, in the current runtime.
                drop(waiting);
                *n = open();
                continue;
            }
            waiting.processes.push(process);
            if waiting.processes.len() >= 2 * waiting.pruned.max(512) {
                // The gone need nothing more. (Those that got their task since need
                // nothing either, but telling them apart would take a reference count
                // each; they go when they die.)
                waiting.processes.retain(|p| p.strong_count() > 0);
                waiting.pruned = waiting.processes.len();
            }
            return None;
        }
        // The new list closed at once: this runtime is shutting down.
        Some(process)
    });
    // As a task spawned now would be: dropped at once if its runtime is shutting down.
    if let Some(process) = refused.and_then(|p| p.upgrade()) {
        process.control().launch_if_taskless();
    }
}

fn open() -> Arc<Nursery> {
    let nursery = Arc::new(Nursery {
        waiting: Mutex::new(Waiting {
            open: true,
            processes: Vec::new(),
            pruned: 0,
        }),
    });
    let owner = Owner(nursery.clone());
    tokio::spawn(async move {
        let _owner = owner;
        std::future::pending::<()>().await;
    });
    nursery
}

/// Owns the nursery inside its runtime (its task waits forever); dropped when the runtime
/// shuts down.
struct Owner(Arc<Nursery>);

impl Drop for Owner {
    fn drop(&mut self) {
        let processes = {
            let mut waiting = self.0.waiting.lock();
            waiting.open = false;
            std::mem::take(&mut waiting.processes)
        };
        for process in processes {
            if let Some(process) = process.upgrade() {
                process.control().launch_if_taskless();
            }
        }
    }
}
