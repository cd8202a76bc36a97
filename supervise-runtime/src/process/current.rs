//! Which process is running: a task-local inside process tasks, and, for code that runs
//! outside any tokio task (the body of `main` or of a test), the newest open inbox on
//! this thread, which plays the part of Erlang's shell.

use std::cell::RefCell;
use std::future::Future;

use super::ProcessRef;
use crate::Pid;

tokio::task_local! {
    static CURRENT: ProcessRef;
}

thread_local! {
    static SHELLS: RefCell<Vec<ProcessRef>> = const { RefCell::new(Vec::new()) };
}

/// The calling process, if the caller is one.
pub(crate) fn process() -> Option<ProcessRef> {
    if let Ok(p) = CURRENT.try_with(ProcessRef::clone) {
        return Some(p);
    }
    if tokio::task::try_id().is_some() {
        return None;
    }
    // `try_with`: also called from drops, which may run while the thread's locals go.
    SHELLS
        .try_with(|s| s.borrow().last().cloned())
        .ok()
        .flatten()
}

/// The calling process's pid, if the caller is one.
pub(crate) fn pid() -> Option<Pid> {
    if let Ok(pid) = CURRENT.try_with(ProcessRef::pid) {
        return Some(pid);
    }
    if tokio::task::try_id().is_some() {
        return None;
    }
    SHELLS
        .try_with(|s| s.borrow().last().map(ProcessRef::pid))
        .ok()
        .flatten()
}

/// Whether the calling code runs inside a process task (used by the panic hook).
pub(crate) fn in_process_task() -> bool {
    CURRENT.try_with(|_| ()).is_ok()
}

/// Runs `fut` as process `p`.
pub(crate) fn scope<F: Future>(p: ProcessRef, fut: F) -> impl Future<Output = F::Output> {
    CURRENT.scope(p, fut)
}

/// Runs `f` as process `p`, synchronously.
pub(crate) fn sync_scope<R>(p: ProcessRef, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(p, f)
}

pub(crate) fn push_shell(p: ProcessRef) {
    SHELLS.with(|s| s.borrow_mut().push(p));
}

pub(crate) fn pop_shell(pid: Pid) {
    let _ = SHELLS.try_with(|s| s.borrow_mut().retain(|p| p.pid() != pid));
}
