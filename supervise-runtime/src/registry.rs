//! The local name registry: a name for a live process, gone when the process is.

use std::fmt;
use std::sync::{Arc, LazyLock};

use parking_lot::RwLock;
use rustc_hash::FxHashMap;

use crate::process::{AsProcess, ProcessRef};
use crate::{Addr, Pid};

static NAMES: LazyLock<RwLock<FxHashMap<Arc<str>, ProcessRef>>> = LazyLock::new(Default::default);

/// Why a name could not be registered.
///
/// ```
/// use supervise_runtime::RegisterError;
/// let e = RegisterError::NoProc;
/// assert_eq!(e.to_string(), "the process is not alive (noproc)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegisterError {
    /// The name is held by this live process (OTP's `already_started`/`already_registered`).
    Taken(Pid),
    /// The process to name is dead.
    NoProc,
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::Taken(pid) => write!(
                f,
                "the name is already registered to {pid}: a name belongs to one live process at a time"
            ),
            RegisterError::NoProc => f.write_str("the process is not alive (noproc)"),
        }
    }
}

impl std::error::Error for RegisterError {}

/// Registers `name` for `process`. A name can be held by one live process at a time; a
/// process can hold several names; the names vanish when the process exits.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{Inbox, RegisterError, registry};
/// let a = Inbox::<u8>::new();
/// let b = Inbox::<u8>::new();
/// registry::register("doc:register", &a).unwrap();
/// assert_eq!(registry::register("doc:register", &b), Err(RegisterError::Taken(a.pid())));
/// drop(a);
/// assert_eq!(registry::whereis("doc:register"), None);
/// registry::register("doc:register", &b).unwrap();
/// # }
/// ```
pub fn register(name: &str, process: &impl AsProcess) -> Result<(), RegisterError> {
    let process = process.process();
    let mut names = NAMES.write();
    if let Some(holder) = names.get(name)
        && holder.is_alive()
    {
        return Err(RegisterError::Taken(holder.pid()));
    }
    let name: Arc<str> = name.into();
    if !process.control().add_name(name.clone()) {
        return Err(RegisterError::NoProc);
    }
    names.insert(name, process);
    Ok(())
}

/// Removes `name`; returns whether it was registered.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{Inbox, registry};
/// let a = Inbox::<u8>::new();
/// registry::register("doc:unregister", &a).unwrap();
/// assert!(registry::unregister("doc:unregister"));
/// assert!(!registry::unregister("doc:unregister"));
/// # }
/// ```
pub fn unregister(name: &str) -> bool {
    let removed = NAMES.write().remove(name);
    match removed {
        Some(p) => {
            p.control().remove_name(name);
            true
        }
        None => false,
    }
}

/// The pid registered under `name`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{Inbox, registry};
/// let a = Inbox::<u8>::new();
/// registry::register("doc:whereis", &a).unwrap();
/// assert_eq!(registry::whereis("doc:whereis"), Some(a.pid()));
/// # }
/// ```
pub fn whereis(name: &str) -> Option<Pid> {
    lookup_process(name).map(|p| p.pid())
}

/// The process registered under `name`, untyped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{Inbox, registry};
/// let a = Inbox::<u8>::new();
/// registry::register("doc:lookup_process", &a).unwrap();
/// assert!(registry::lookup_process("doc:lookup_process").unwrap().is_alive());
/// # }
/// ```
pub fn lookup_process(name: &str) -> Option<ProcessRef> {
    NAMES.read().get(name).filter(|p| p.is_alive()).cloned()
}

/// The typed address registered under `name`, if its mailbox carries `M`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{Inbox, registry};
/// let a = Inbox::<u8>::new();
/// registry::register("doc:lookup", &a).unwrap();
/// registry::lookup::<u8>("doc:lookup").unwrap().send(1).unwrap();
/// assert!(registry::lookup::<String>("doc:lookup").is_none(), "wrong message type");
/// # }
/// ```
pub fn lookup<M: Send + 'static>(name: &str) -> Option<Addr<M>> {
    lookup_process(name)?
        .downcast::<M>()
        .map(|core| Addr { core })
}

/// How many names are registered (for leak checks).
///
/// ```
/// let n = supervise_runtime::registry::len();
/// assert!(n < usize::MAX);
/// ```
pub fn len() -> usize {
    NAMES.read().len()
}

/// Called by an exiting process: drops `name` if `pid` still holds it.
pub(crate) fn forget(name: &str, pid: Pid) {
    let mut names = NAMES.write();
    if names.get(name).is_some_and(|p| p.pid() == pid) {
        names.remove(name);
    }
}
