//! Runs a process body until it finishes or the process is doomed by an exit signal.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Control;
use crate::ExitReason;

/// Polls `body` unless the process has been told to die; then stops at once with that
/// reason, dropping the body (and whatever handler was in progress) without running it on.
pub(crate) async fn interruptible<F: Future>(
    control: &Control,
    body: F,
) -> Result<F::Output, ExitReason> {
    let mut body = std::pin::pin!(body);
    std::future::poll_fn(move |cx| poll(control, body.as_mut(), cx)).await
}

fn poll<F: Future>(
    control: &Control,
    body: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Result<F::Output, ExitReason>> {
    if let Some(reason) = control.doom() {
        return Poll::Ready(Err(reason));
    }
    if let Poll::Ready(out) = body.poll(cx) {
        return Poll::Ready(Ok(out));
    }
    control.register_waker(cx.waker());
    if control.has_pending() {
        // A signal landed before the waker was registered: poll again rather than sleep.
        cx.waker().wake_by_ref();
    }
    Poll::Pending
}
