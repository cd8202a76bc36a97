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
        // `None`: register the waker at every poll (the body runs in someone else's
        // future, which may move between tasks). `Some(done)`: the body is the top of the
        // process's own task, whose waker never changes: register it once (a signal
        // wakes it without taking it).
        registered: Option<bool>,
        #[pin]
        body: F,
    }
}

/// `body`, interruptible, polled from any future (an `init` in its starter's task).
pub(crate) fn interruptible<F: Future>(control: &Control, body: F) -> Interruptible<'_, F> {
    Interruptible {
        control,
        registered: None,
        body,
    }
}

/// `body`, interruptible, as the top of the process's own task.
pub(crate) fn interruptible_task<F: Future>(control: &Control, body: F) -> Interruptible<'_, F> {
    Interruptible {
        control,
        registered: Some(false),
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
        // A signal that landed before the waker was registered woke nobody: poll again
        // rather than sleep. Only what this poll would act on counts, or a signal queued
        // while a handler (or an `init`, which serves none) awaits would spin the task.
        let missed = match this.registered {
            Some(true) => false,
            Some(done) => {
                control.register_waker(cx.waker());
                *done = true;
                // The serving loop's first wait: its body serves queued signals.
                control.has_pending()
            }
            None => {
                control.register_waker(cx.waker());
                control.is_doomed()
            }
        };
        if missed {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}
