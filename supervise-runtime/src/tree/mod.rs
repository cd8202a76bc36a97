//! The shape of a tree declared with [`supervision_tree!`](crate::supervision_tree), as
//! plain data known at compile time: each generated tree type has a `SHAPE` constant,
//! printable (as an indented tree) without starting anything.
//!
//! ```
//! use supervise_runtime::{supervision_tree, worker};
//!
//! pub struct Db;
//! #[worker]
//! impl Db { fn init() -> Self { Db } }
//!
//! supervision_tree! {
//!     pub App: one_for_all(max_restarts = 10, within = 1m) {
//!         db: Db::child_spec(),
//!         jobs: dynamic<Db>(max_children = 8),
//!     }
//! }
//!
//! assert_eq!(App::SHAPE.to_string(), "\
//! App: one_for_all (10 restarts in 1m)
//!   db: Db
//!   jobs: dynamic<Db> (max_children 8, 3 restarts in 5s)
//! ");
//! ```

mod refs;
pub use refs::{AnyWorker, ChildIds, DynamicRef, Starts, SupervisorRef};

use std::fmt;
use std::time::Duration;

use crate::{AutoShutdown, Restart, Strategy};

/// A whole tree: its type's name and its root supervisor.
///
/// ```
/// use supervise_runtime::tree::{Intensity, Shape, SupervisorShape};
/// use supervise_runtime::{AutoShutdown, Strategy};
/// let empty = Shape {
///     name: "Empty",
///     root: SupervisorShape {
///         strategy: Strategy::OneForOne,
///         intensity: Intensity::DEFAULT,
///         auto_shutdown: AutoShutdown::Never,
///         backoff: None,
///         children: &[],
///     },
/// };
/// assert_eq!(empty.to_string(), "Empty: one_for_one (3 restarts in 5s)\n");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The tree type's name.
    pub name: &'static str,
    /// The root supervisor.
    pub root: SupervisorShape,
}

/// A static supervisor: strategy, intensity, auto_shutdown and children in start order.
///
/// ```
/// use supervise_runtime::tree::{Intensity, SupervisorShape};
/// use supervise_runtime::{AutoShutdown, Strategy};
/// let sup = SupervisorShape {
///     strategy: Strategy::RestForOne,
///     intensity: Intensity::DEFAULT,
///     auto_shutdown: AutoShutdown::Never,
///     backoff: None,
///     children: &[],
/// };
/// assert!(sup.children.is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupervisorShape {
    /// The strategy.
    pub strategy: Strategy,
    /// The restart intensity.
    pub intensity: Intensity,
    /// When it stops itself because significant children ended.
    pub auto_shutdown: AutoShutdown,
    /// How long its restarts wait, when it has a `backoff`.
    pub backoff: Option<BackoffShape>,
    /// The children, in start order.
    pub children: &'static [ChildShape],
}

/// `backoff = base..max`: the first restart waits `base`, each next one twice as long, up
/// to `max`.
///
/// ```
/// use std::time::Duration;
/// use supervise_runtime::tree::BackoffShape;
/// let backoff = BackoffShape { base: Duration::from_millis(100), max: Duration::from_secs(5) };
/// assert_eq!(backoff.to_string(), "backoff 100ms..5s");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackoffShape {
    /// The first restart's wait.
    pub base: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl fmt::Display for BackoffShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "backoff {}..{}", Written(self.base), Written(self.max))
    }
}

/// At most `max_restarts` restarts `within` a sliding window.
///
/// ```
/// use std::time::Duration;
/// use supervise_runtime::tree::Intensity;
/// assert_eq!(Intensity::DEFAULT, Intensity { max_restarts: 3, within: Duration::from_secs(5) });
/// assert_eq!(Intensity::DEFAULT.to_string(), "3 restarts in 5s");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Intensity {
    /// Restarts allowed in the window.
    pub max_restarts: u32,
    /// The window.
    pub within: Duration,
}

impl Intensity {
    /// OTP's default: 3 restarts in 5 seconds.
    pub const DEFAULT: Intensity = Intensity {
        max_restarts: 3,
        within: Duration::from_secs(5),
    };
}

/// One named child.
///
/// ```
/// use supervise_runtime::tree::{ChildKind, ChildShape};
/// use supervise_runtime::Restart;
/// let child = ChildShape {
///     name: "db",
///     kind: ChildKind::Worker { worker: Some("Db") },
///     restart: Restart::Permanent,
///     significant: false,
/// };
/// assert_eq!(child.name, "db");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChildShape {
    /// Its name in the block, which is its id.
    pub name: &'static str,
    /// What it is.
    pub kind: ChildKind,
    /// Its restart type.
    pub restart: Restart,
    /// Whether it is significant.
    pub significant: bool,
}

/// What a child is.
///
/// ```
/// use supervise_runtime::tree::ChildKind;
/// let kind = ChildKind::Worker { worker: None };
/// assert!(matches!(kind, ChildKind::Worker { .. }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildKind {
    /// A worker; its type as written (`None` when the block does not say it).
    Worker {
        /// The worker's type.
        worker: Option<&'static str>,
    },
    /// An inline static supervisor.
    Supervisor(SupervisorShape),
    /// A dynamic supervisor, typed by its worker or open to any.
    Dynamic {
        /// The worker type it starts, when typed.
        worker: Option<&'static str>,
        /// Its `max_children`, if any.
        max_children: Option<usize>,
        /// Its restart intensity.
        intensity: Intensity,
        /// Its restarts' backoff, if any.
        backoff: Option<BackoffShape>,
    },
    /// Another tree.
    Tree(&'static Shape),
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.name)?;
        self.root.write(f, 0)
    }
}

impl fmt::Display for Intensity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} restarts in {}",
            self.max_restarts,
            Written(self.within)
        )
    }
}

impl SupervisorShape {
    /// `strategy (intensity[, auto_shutdown ..])`, then the children one level deeper.
    fn write(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        write!(f, "{} ({}", self.strategy, self.intensity)?;
        if let Some(backoff) = self.backoff {
            write!(f, ", {backoff}")?;
        }
        match self.auto_shutdown {
            AutoShutdown::Never => {}
            AutoShutdown::AnySignificant => f.write_str(", auto_shutdown any_significant")?,
            AutoShutdown::AllSignificant => f.write_str(", auto_shutdown all_significant")?,
        }
        f.write_str(")\n")?;
        for child in self.children {
            child.write(f, depth + 1)?;
        }
        Ok(())
    }
}

impl ChildShape {
    fn write(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        write!(f, "{:indent$}{}: ", "", self.name, indent = depth * 2)?;
        let notes = Notes(self.restart, self.significant);
        match &self.kind {
            ChildKind::Worker { worker } => writeln!(f, "{}{notes}", worker.unwrap_or("_")),
            ChildKind::Supervisor(sup) => {
                f.write_str(notes.prefix())?;
                sup.write(f, depth)
            }
            ChildKind::Dynamic {
                worker,
                max_children,
                intensity,
                backoff,
            } => {
                f.write_str("dynamic")?;
                if let Some(worker) = worker {
                    write!(f, "<{worker}>")?;
                }
                f.write_str(" (")?;
                if let Some(max) = max_children {
                    write!(f, "max_children {max}, ")?;
                }
                write!(f, "{intensity}")?;
                if let Some(backoff) = backoff {
                    write!(f, ", {backoff}")?;
                }
                writeln!(f, "){notes}")
            }
            ChildKind::Tree(shape) => {
                write!(f, "{}{}: ", notes.prefix(), shape.name)?;
                shape.root.write(f, depth)
            }
        }
    }
}

/// ` [transient, significant]` after a child that is not plainly permanent.
struct Notes(Restart, bool);

impl Notes {
    /// The notes of a supervisor child, written before its own `(..)`: `[transient] `.
    fn prefix(&self) -> &'static str {
        match (self.0, self.1) {
            (Restart::Permanent, false) => "",
            (Restart::Permanent, true) => "[significant] ",
            (Restart::Transient, false) => "[transient] ",
            (Restart::Transient, true) => "[transient, significant] ",
            (Restart::Temporary, false) => "[temporary] ",
            (Restart::Temporary, true) => "[temporary, significant] ",
        }
    }
}

impl fmt::Display for Notes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = self.prefix();
        if !prefix.is_empty() {
            write!(f, " {}", prefix.trim_end())?;
        }
        Ok(())
    }
}

/// A duration as the block writes it: `500ms`, `5s`, `2m`.
struct Written(Duration);

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        match ms {
            0 => f.write_str("0s"),
            m if m % 60_000 == 0 => write!(f, "{}m", m / 60_000),
            m if m % 1_000 == 0 => write!(f, "{}s", m / 1_000),
            m => write!(f, "{m}ms"),
        }
    }
}
