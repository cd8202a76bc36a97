//! Why a process ended.

use std::fmt;
use std::sync::Arc;

/// Why a process exited, or the reason carried by an exit signal.
///
/// `Normal`, `Shutdown` and `ShutdownWith` are not failures: a link does not kill for
/// them (only for abnormal reasons) and a transient child is not restarted after them.
///
/// ```
/// use supervise_runtime::ExitReason;
/// assert!(!ExitReason::Normal.is_failure());
/// assert!(!ExitReason::shutdown_with("maintenance").is_failure());
/// assert!(ExitReason::Killed.is_failure());
/// assert!(ExitReason::error("disk full").is_failure());
/// assert_eq!(ExitReason::shutdown_with("bye").to_string(), "{shutdown, bye}");
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum ExitReason {
    /// The process finished its work.
    Normal,
    /// The process was asked to stop (by its supervisor, or by itself).
    Shutdown,
    /// Like `Shutdown`, with a reason (`{shutdown, Term}` in OTP).
    ShutdownWith(Arc<str>),
    /// The untrappable kill signal. A process that receives it dies with [`ExitReason::Killed`].
    Kill,
    /// The process was killed.
    Killed,
    /// The process did not exist (a link or monitor to a dead process).
    NoProc,
    /// A callback panicked.
    Panic(Arc<PanicReason>),
    /// A handler returned an error, or the process stopped with a custom reason.
    Error(Arc<dyn std::error::Error + Send + Sync>),
}

impl ExitReason {
    /// `ShutdownWith` from anything printable.
    ///
    /// ```
    /// let r = supervise_runtime::ExitReason::shutdown_with("upgrade");
    /// assert!(matches!(r, supervise_runtime::ExitReason::ShutdownWith(ref s) if &**s == "upgrade"));
    /// ```
    pub fn shutdown_with(reason: impl fmt::Display) -> Self {
        ExitReason::ShutdownWith(reason.to_string().into())
    }

    /// An `Error` reason from a message.
    ///
    /// ```
    /// let r = supervise_runtime::ExitReason::error("bad config");
    /// assert_eq!(r.to_string(), "bad config");
    /// ```
    pub fn error(message: impl fmt::Display) -> Self {
        ExitReason::Error(Arc::new(Message(message.to_string())))
    }

    /// An `Error` reason from an error value.
    ///
    /// ```
    /// let io = std::io::Error::other("broken pipe");
    /// let r = supervise_runtime::ExitReason::from_error(io);
    /// assert_eq!(r.to_string(), "broken pipe");
    /// ```
    pub fn from_error(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        ExitReason::Error(Arc::new(error))
    }

    /// True for every reason except `Normal`, `Shutdown` and `ShutdownWith`.
    ///
    /// ```
    /// assert!(supervise_runtime::ExitReason::NoProc.is_failure());
    /// assert!(!supervise_runtime::ExitReason::Shutdown.is_failure());
    /// ```
    pub fn is_failure(&self) -> bool {
        !matches!(
            self,
            ExitReason::Normal | ExitReason::Shutdown | ExitReason::ShutdownWith(_)
        )
    }

    /// True for `Normal` only.
    ///
    /// ```
    /// assert!(supervise_runtime::ExitReason::Normal.is_normal());
    /// assert!(!supervise_runtime::ExitReason::Shutdown.is_normal());
    /// ```
    pub fn is_normal(&self) -> bool {
        matches!(self, ExitReason::Normal)
    }

    /// The panic behind this reason, if it is one.
    ///
    /// ```
    /// assert!(supervise_runtime::ExitReason::Normal.panic().is_none());
    /// ```
    pub fn panic(&self) -> Option<&PanicReason> {
        match self {
            ExitReason::Panic(p) => Some(p),
            _ => None,
        }
    }
}

impl fmt::Display for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitReason::Normal => f.write_str("normal"),
            ExitReason::Shutdown => f.write_str("shutdown"),
            ExitReason::ShutdownWith(r) => write!(f, "{{shutdown, {r}}}"),
            ExitReason::Kill => f.write_str("kill"),
            ExitReason::Killed => f.write_str("killed"),
            ExitReason::NoProc => f.write_str("noproc"),
            ExitReason::Panic(p) => fmt::Display::fmt(p, f),
            ExitReason::Error(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl fmt::Debug for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitReason::Panic(p) => f.debug_tuple("Panic").field(p).finish(),
            ExitReason::Error(e) => f.debug_tuple("Error").field(&e.to_string()).finish(),
            ExitReason::ShutdownWith(r) => f.debug_tuple("ShutdownWith").field(r).finish(),
            other => fmt::Display::fmt(other, f),
        }
    }
}

impl PartialEq for ExitReason {
    /// Reasons compare by kind and text: two panics are equal when their message and
    /// location are; two errors when they print the same.
    fn eq(&self, other: &Self) -> bool {
        use ExitReason::*;
        match (self, other) {
            (Normal, Normal) | (Shutdown, Shutdown) | (Kill, Kill) => true,
            (Killed, Killed) | (NoProc, NoProc) => true,
            (ShutdownWith(a), ShutdownWith(b)) => a == b,
            (Panic(a), Panic(b)) => a == b,
            (Error(a), Error(b)) => a.to_string() == b.to_string(),
            _ => false,
        }
    }
}

/// A panic caught at a process boundary: its message and where it happened.
///
/// ```
/// use supervise_runtime::PanicReason;
/// let p = PanicReason::new("heck", Some("src/worker.rs:25:9".into()));
/// assert_eq!(p.message(), "heck");
/// assert_eq!(p.location(), Some("src/worker.rs:25:9"));
/// assert_eq!(p.to_string(), "panicked at src/worker.rs:25:9: heck");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PanicReason {
    message: String,
    location: Option<String>,
}

impl PanicReason {
    /// A panic reason from its parts.
    ///
    /// ```
    /// let p = supervise_runtime::PanicReason::new("oops", None);
    /// assert_eq!(p.to_string(), "panicked: oops");
    /// ```
    pub fn new(message: impl Into<String>, location: Option<String>) -> Self {
        PanicReason {
            message: message.into(),
            location,
        }
    }

    /// The panic's message (`"heck"` for `panic!("heck")`).
    ///
    /// ```
    /// assert_eq!(supervise_runtime::PanicReason::new("x", None).message(), "x");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// `file:line:column` of the panic, when the panic hook could see it.
    ///
    /// ```
    /// assert_eq!(supervise_runtime::PanicReason::new("x", None).location(), None);
    /// ```
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
}

impl fmt::Display for PanicReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(at) => write!(f, "panicked at {at}: {}", self.message),
            None => write!(f, "panicked: {}", self.message),
        }
    }
}

impl fmt::Debug for PanicReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}
