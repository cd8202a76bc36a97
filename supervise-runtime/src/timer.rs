//! Timers: a message delivered after a delay, cancellable until it fires.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use tokio::task::AbortHandle;

use crate::Addr;

const PENDING: u8 = 0;
const FIRED: u8 = 1;
const CANCELLED: u8 = 2;

/// A running timer, from [`send_after`]. Dropping it does not cancel it, as in OTP.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// use std::time::Duration;
/// use supervise_runtime::{Inbox, RecvError, timer};
/// let mut inbox = Inbox::<&str>::new();
/// let t = timer::send_after(&inbox.addr(), "tick", Duration::from_secs(1));
/// assert!(t.cancel());
/// assert_eq!(inbox.recv_timeout(Duration::from_secs(2)).await, Err(RecvError::Timeout));
/// # }
/// ```
pub struct Timer {
    state: Arc<AtomicU8>,
    task: AbortHandle,
}

impl Timer {
    /// Cancels the timer; true if it had not fired yet (the message will never arrive).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{Inbox, timer};
    /// let mut inbox = Inbox::<u8>::new();
    /// let t = timer::send_after(&inbox.addr(), 1, Duration::from_millis(5));
    /// inbox.recv().await.unwrap();
    /// assert!(!t.cancel(), "already fired");
    /// # }
    /// ```
    pub fn cancel(&self) -> bool {
        let cancelled = self
            .state
            .compare_exchange(PENDING, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        self.task.abort();
        cancelled
    }

    /// Whether the timer is still waiting to fire.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{Inbox, timer};
    /// let inbox = Inbox::<u8>::new();
    /// let t = timer::send_after(&inbox.addr(), 1, Duration::from_secs(1));
    /// assert!(t.is_pending());
    /// t.cancel();
    /// assert!(!t.is_pending());
    /// # }
    /// ```
    pub fn is_pending(&self) -> bool {
        self.state.load(Ordering::Acquire) == PENDING
    }
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state.load(Ordering::Acquire) {
            PENDING => "pending",
            FIRED => "fired",
            _ => "cancelled",
        };
        f.debug_struct("Timer").field("state", &state).finish()
    }
}

/// Sends `msg` to `to` after `delay`. A timer to a process that is dead when it fires is
/// dropped with its message. Must be called inside a tokio runtime.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// use std::time::Duration;
/// use supervise_runtime::{Inbox, Received, timer};
/// let mut inbox = Inbox::<&str>::new();
/// timer::send_after(&inbox.addr(), "ping", Duration::from_secs(3));
/// assert_eq!(inbox.recv().await.unwrap(), Received::Message("ping"));
/// # }
/// ```
pub fn send_after<M: Send + 'static>(to: &Addr<M>, msg: M, delay: Duration) -> Timer {
    let state = Arc::new(AtomicU8::new(PENDING));
    let to = to.clone();
    let fired = state.clone();
    let task = tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if fired
            .compare_exchange(PENDING, FIRED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            let _ = to.send(msg);
        }
    })
    .abort_handle();
    Timer { state, task }
}
