//! Process identifiers and monitor references.

use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};

/// The identity of one process incarnation.
///
/// A `Pid` is unique for the life of the program: a restarted child gets a new one, as in
/// OTP. It is `Copy`, totally ordered (older processes compare lower) and prints like
/// Erlang's `#PID<0.162.0>`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::Inbox;
/// let a = Inbox::<()>::new();
/// let b = Inbox::<()>::new();
/// assert_ne!(a.pid(), b.pid());
/// assert!(a.pid() < b.pid());
/// assert!(a.pid().to_string().starts_with("#PID<0."));
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid(NonZeroU64); // serial + 1, so that `Option<Pid>` is one word

static NEXT_PID: AtomicU64 = AtomicU64::new(100);

impl Pid {
    pub(crate) fn next() -> Pid {
        Pid::from_serial(NEXT_PID.fetch_add(1, Ordering::Relaxed))
    }

    pub(crate) const fn from_serial(serial: u64) -> Pid {
        Pid(NonZeroU64::MIN.saturating_add(serial))
    }

    /// The serial number of this pid (the middle field of `#PID<0.N.0>`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = supervise_runtime::Inbox::<()>::new();
    /// assert_eq!(inbox.pid().to_string(), format!("#PID<0.{}.0>", inbox.pid().serial()));
    /// # }
    /// ```
    pub fn serial(self) -> u64 {
        self.0.get() - 1
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#PID<0.{}.0>", self.serial())
    }
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The reference of one monitor, carried by the [`Down`](crate::Down) it produces.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::Inbox;
/// let watcher = Inbox::<()>::new();
/// let target = Inbox::<()>::new();
/// let m1 = watcher.monitor(&target);
/// let m2 = watcher.monitor(&target);
/// assert_ne!(m1, m2);
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref(u64);

static NEXT_REF: AtomicU64 = AtomicU64::new(1);

impl Ref {
    pub(crate) fn next() -> Ref {
        Ref(NEXT_REF.fetch_add(1, Ordering::Relaxed))
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#Reference<0.{}>", self.0)
    }
}

impl fmt::Debug for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
