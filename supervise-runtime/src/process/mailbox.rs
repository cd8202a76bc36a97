//! The typed mailbox: a tokio mpsc channel, unbounded unless a capacity is asked for.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::task::{Context, Poll};

use tokio::sync::mpsc;

/// How many messages a process's mailbox holds before senders see [`SendError::Full`].
///
/// ```
/// use supervise_runtime::Mailbox;
/// assert_eq!(Mailbox::default(), Mailbox::Unbounded);
/// let bounded = Mailbox::Bounded(64);
/// assert_ne!(bounded, Mailbox::Unbounded);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mailbox {
    /// No limit (OTP's behaviour).
    #[default]
    Unbounded,
    /// At most this many queued messages: at least 1 (`Bounded(0)` is `Bounded(1)`), at
    /// most tokio's limit, [`tokio::sync::Semaphore::MAX_PERMITS`] (a larger capacity is
    /// that limit).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Inbox, Mailbox};
    /// let huge = Inbox::<u8>::with_mailbox(Mailbox::Bounded(usize::MAX));
    /// huge.addr().send(1).unwrap();
    /// # }
    /// ```
    Bounded(usize),
}

pub(crate) enum Tx<M> {
    Unbounded(mpsc::UnboundedSender<M>),
    Bounded(mpsc::Sender<M>),
}

pub(crate) enum Rx<M> {
    Unbounded(mpsc::UnboundedReceiver<M>),
    Bounded(mpsc::Receiver<M>),
}

pub(crate) fn channel<M>(mailbox: Mailbox) -> (Tx<M>, Rx<M>) {
    match mailbox {
        Mailbox::Unbounded => {
            let (tx, rx) = mpsc::unbounded_channel();
            (Tx::Unbounded(tx), Rx::Unbounded(rx))
        }
        Mailbox::Bounded(n) => {
            let (tx, rx) = mpsc::channel(n.clamp(1, tokio::sync::Semaphore::MAX_PERMITS));
            (Tx::Bounded(tx), Rx::Bounded(rx))
        }
    }
}

impl<M> Tx<M> {
    pub(crate) fn send(&self, msg: M) -> Result<(), SendError<M>> {
        match self {
            Tx::Unbounded(tx) => tx.send(msg).map_err(|e| SendError::NoProc(e.0)),
            Tx::Bounded(tx) => tx.try_send(msg).map_err(|e| match e {
                mpsc::error::TrySendError::Full(m) => SendError::Full(m),
                mpsc::error::TrySendError::Closed(m) => SendError::NoProc(m),
            }),
        }
    }

    /// The queue's length as the sending half sees it: only a bounded channel tells it
    /// (its capacity taken), an unbounded one's sender cannot.
    pub(crate) fn len_hint(&self) -> Option<usize> {
        match self {
            Tx::Unbounded(_) => None,
            Tx::Bounded(tx) => Some(tx.max_capacity().saturating_sub(tx.capacity())),
        }
    }

    pub(crate) async fn send_wait(&self, msg: M) -> Result<(), SendError<M>> {
        match self {
            Tx::Unbounded(tx) => tx.send(msg).map_err(|e| SendError::NoProc(e.0)),
            Tx::Bounded(tx) => tx.send(msg).await.map_err(|e| SendError::NoProc(e.0)),
        }
    }
}

impl<M> Drop for Rx<M> {
    /// Drops every queued message, and every message still being sent. tokio's receiver,
    /// dropped, drains only up to a message a sender is still writing: what is queued
    /// behind it would stay until the mailbox's last sender goes, and a call's reply
    /// handle among it would leave its caller waiting for its timeout (or forever), the
    /// caller's own handle keeping that sender alive. So the mailbox is closed first (no
    /// new message comes) and received from until tokio says it is empty with no send in
    /// flight. A message whose `Drop` panics does not stop the others from going.
    fn drop(&mut self) {
        match self {
            Rx::Unbounded(rx) => rx.close(),
            Rx::Bounded(rx) => rx.close(),
        }
        loop {
            let next = match self {
                Rx::Unbounded(rx) => rx.try_recv(),
                Rx::Bounded(rx) => rx.try_recv(),
            };
            match next {
                Ok(msg) => {
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(move || drop(msg)));
                }
                // A send began before the close: it ends in a moment, on its thread.
                Err(mpsc::error::TryRecvError::Empty) => std::thread::yield_now(),
                Err(mpsc::error::TryRecvError::Disconnected) => break,
            }
        }
    }
}

impl<M> Rx<M> {
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<M>> {
        match self {
            Rx::Unbounded(rx) => rx.poll_recv(cx),
            Rx::Bounded(rx) => rx.poll_recv(cx),
        }
    }

    /// How many messages are queued.
    pub(crate) fn len(&self) -> usize {
        match self {
            Rx::Unbounded(rx) => rx.len(),
            Rx::Bounded(rx) => rx.len(),
        }
    }

    pub(crate) fn try_recv(&mut self) -> Option<M> {
        match self {
            Rx::Unbounded(rx) => rx.try_recv().ok(),
            Rx::Bounded(rx) => rx.try_recv().ok(),
        }
    }
}

/// A message that could not be delivered, handed back to the sender.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{Inbox, SendError};
/// let inbox = Inbox::<String>::new();
/// let addr = inbox.addr();
/// drop(inbox);
/// let err = addr.send("hello".to_string()).unwrap_err();
/// assert!(matches!(err, SendError::NoProc(_)));
/// assert_eq!(err.into_inner(), "hello");
/// # }
/// ```
#[derive(PartialEq, Eq)]
pub enum SendError<M> {
    /// The process is dead.
    NoProc(M),
    /// The process's bounded mailbox is full.
    Full(M),
    /// Sent through a [`Following`](crate::Following) handle while its child is between
    /// incarnations (it exited and its supervisor is restarting it): try again shortly.
    /// `NoProc` through a following handle means gone for good.
    Restarting(M),
}

impl<M> SendError<M> {
    /// The same error around another message (what a typed handle does to hand back the
    /// message it was given rather than the envelope it sent).
    ///
    /// ```
    /// let e = supervise_runtime::SendError::Full(7);
    /// assert_eq!(e.map(|n| n * 2), supervise_runtime::SendError::Full(14));
    /// ```
    pub fn map<N>(self, f: impl FnOnce(M) -> N) -> SendError<N> {
        match self {
            SendError::NoProc(m) => SendError::NoProc(f(m)),
            SendError::Full(m) => SendError::Full(f(m)),
            SendError::Restarting(m) => SendError::Restarting(f(m)),
        }
    }

    /// The message that was not delivered.
    ///
    /// ```
    /// let e = supervise_runtime::SendError::Full(7);
    /// assert_eq!(e.into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> M {
        match self {
            SendError::NoProc(m) | SendError::Full(m) | SendError::Restarting(m) => m,
        }
    }
}

impl<M> fmt::Debug for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NoProc(_) => f.write_str("NoProc(..)"),
            SendError::Full(_) => f.write_str("Full(..)"),
            SendError::Restarting(_) => f.write_str("Restarting(..)"),
        }
    }
}

impl<M> fmt::Display for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NoProc(_) => f.write_str("the process is not alive (noproc)"),
            SendError::Full(_) => f.write_str("the process's bounded mailbox is full"),
            SendError::Restarting(_) => {
                f.write_str("the child is restarting (between incarnations); try again shortly")
            }
        }
    }
}

impl<M> std::error::Error for SendError<M> {}
