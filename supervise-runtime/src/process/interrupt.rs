//! Runs a process body until it finishes or the process is doomed by an exit signal.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Control;
use crate::ExitReason;

pin_project_lite::pin_project! {
    /// Polls `body` unless the process has been told to die; then stops at once with that
    /// reason, dropping the body (and whatever handler was in progress) without running it on.
    ///
    /// A struct rather than an `async fn`, so the body is stored once inside the task.
    pub(crate) struct Interruptible<'a, F> {
        control: &'a Control,
        // Whether this task's waker is registered with the process: it stays registered
        // (a signal wakes it without taking it) and a task's waker never changes.
        registered: bool,
        #[pin]
        body: F,
    }
}

pub(crate) fn interruptible<F: Future>(control: &Control, body: F) -> Interruptible<'_, F> {
    Interruptible {
        control,
        registered: false,
        body,
    }
}

impl<F: Future> Future for Interruptible<'_, F> {
    type Output = Result<F::Output, ExitReason>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let control = *this.control;
        if let Some(reason) = control.doom() {
            return Poll::Ready(Err(reason));
        }
        if let Poll::Ready(out) = this.body.poll(cx) {
            return Poll::Ready(Ok(out));
        }
        if !*this.registered {
            control.register_waker(cx.waker());
            *this.registered = true;
        }
        if control.has_pending() {
            // A signal landed before the waker was registered: poll again rather than sleep.
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}
