//! What the supervisor APIs return: child listings, counts and errors as typed values.

use std::fmt;

use super::SpecError;
use super::spec::{ChildId, ChildType};
use crate::{CallError, Pid, StartError};

/// The state of a child in [`ChildInfo`]: OTP's pid, `restarting` or `undefined`.
///
/// ```
/// use supervise_runtime::ChildPid;
/// assert_eq!(ChildPid::Undefined.pid(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChildPid {
    /// Running with this pid.
    Running(Pid),
    /// A restart failed and is being retried.
    Restarting,
    /// Not running (terminated by `terminate_child`, stopped for good, or ignored).
    Undefined,
}

impl ChildPid {
    /// The pid when running.
    ///
    /// ```
    /// assert_eq!(supervise_runtime::ChildPid::Restarting.pid(), None);
    /// ```
    pub fn pid(self) -> Option<Pid> {
        match self {
            ChildPid::Running(pid) => Some(pid),
            _ => None,
        }
    }
}

/// One line of `which_children`: `(id | undefined, pid | restarting, type, modules)`.
///
/// ```
/// use supervise_runtime::{ChildInfo, ChildPid, ChildType};
/// let info = ChildInfo { id: None, pid: ChildPid::Undefined, process: None, child_type: ChildType::Worker, module: "app::Worker" };
/// assert_eq!(info.id, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildInfo {
    /// The child's id; `None` (OTP's `undefined`) under a dynamic supervisor.
    pub id: Option<ChildId>,
    /// The child's pid or state.
    pub pid: ChildPid,
    /// The running process, to reach it (see `Handle::from_process`).
    pub process: Option<crate::ProcessRef>,
    /// Worker or supervisor.
    pub child_type: ChildType,
    /// The Rust type of the child (OTP's modules).
    pub module: &'static str,
}

impl fmt::Display for ChildPid {
    /// The pid, or `restarting` / `undefined`, as OTP prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildPid::Running(pid) => write!(f, "{pid}"),
            ChildPid::Restarting => f.write_str("restarting"),
            ChildPid::Undefined => f.write_str("undefined"),
        }
    }
}

impl fmt::Display for ChildInfo {
    /// OTP's tuple: `{id, pid, type, [module]}`, `undefined` for a dynamic child's id.
    ///
    /// ```
    /// use supervise_runtime::{ChildInfo, ChildPid, ChildType};
    /// let info = ChildInfo { id: None, pid: ChildPid::Restarting, process: None, child_type: ChildType::Worker, module: "app::Worker" };
    /// assert_eq!(info.to_string(), "{undefined, restarting, worker, [app::Worker]}");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.id.as_deref().unwrap_or("undefined");
        write!(
            f,
            "{{{id}, {}, {}, [{}]}}",
            self.pid, self.child_type, self.module
        )
    }
}

/// A `which_children` list printed as OTP prints it: `[{..}, {..}]`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::supervisor::Children;
/// use supervise_runtime::{worker, DynamicSupervisor};
/// pub struct Job;
/// #[worker]
/// impl Job { fn init() -> Self { Job } }
/// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
/// let job = sup.start_child(Job::child_spec()).await.unwrap();
/// let children = sup.which_children().await.unwrap();
/// let printed = Children(&children).to_string();
/// assert!(printed.starts_with(&format!("[{{undefined, {}, worker, [", job.pid())));
/// assert!(printed.ends_with("::Job]}]"));
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Children<'a>(pub &'a [ChildInfo]);

impl fmt::Display for Children<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, child) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{child}")?;
        }
        f.write_str("]")
    }
}

/// `count_children`: `%{active, specs, supervisors, workers}`.
///
/// ```
/// let c = supervise_runtime::ChildCount::default();
/// assert_eq!((c.active, c.specs, c.supervisors, c.workers), (0, 0, 0, 0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChildCount {
    /// Children that are running.
    pub active: usize,
    /// All children, running or not.
    pub specs: usize,
    /// Children of type supervisor, running or not.
    pub supervisors: usize,
    /// Children of type worker, running or not.
    pub workers: usize,
}

impl fmt::Display for ChildCount {
    /// As Elixir prints it: `%{active: 1, specs: 1, supervisors: 0, workers: 1}`.
    ///
    /// ```
    /// let c = supervise_runtime::ChildCount { active: 1, specs: 2, supervisors: 0, workers: 2 };
    /// assert_eq!(c.to_string(), "%{active: 1, specs: 2, supervisors: 0, workers: 2}");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "%{{active: {}, specs: {}, supervisors: {}, workers: {}}}",
            self.active, self.specs, self.supervisors, self.workers
        )
    }
}

impl ChildCount {
    pub(crate) fn add(&mut self, child_type: ChildType, running: bool) {
        self.specs += 1;
        self.active += usize::from(running);
        match child_type {
            ChildType::Worker => self.workers += 1,
            ChildType::Supervisor => self.supervisors += 1,
        }
    }
}

/// Why a supervisor operation on a child did not do what was asked (OTP's error tuples).
///
/// ```
/// use supervise_runtime::ChildError;
/// assert_eq!(ChildError::NotFound.to_string(), "not_found: no such child");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ChildError {
    /// No child with that id (or pid).
    NotFound,
    /// `restart_child`/`delete_child` on a running child.
    Running,
    /// The child's restart failed and is being retried.
    Restarting,
    /// `start_child` with an id (or a name) held by this running child.
    AlreadyStarted(Pid),
    /// `start_child` with the id of a stopped child whose spec is kept.
    AlreadyPresent,
    /// `init` returned ignore: not a failure, but there is no process.
    Ignored,
    /// The child failed to start.
    Start(StartError),
    /// The child spec breaks a rule.
    Invalid(SpecError),
    /// The dynamic supervisor already has `max_children` children.
    MaxChildren,
    /// The supervisor could not be called (it is dead, say).
    Call(CallError),
    /// A stable handle was asked for with another worker type than the child's.
    WrongType(&'static str),
}

impl From<CallError> for ChildError {
    fn from(e: CallError) -> Self {
        ChildError::Call(e)
    }
}

impl From<StartError> for ChildError {
    fn from(e: StartError) -> Self {
        match e {
            StartError::Ignored => ChildError::Ignored,
            StartError::AlreadyStarted(pid) => ChildError::AlreadyStarted(pid),
            other => ChildError::Start(other),
        }
    }
}

impl fmt::Display for ChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildError::NotFound => f.write_str("not_found: no such child"),
            ChildError::Running => f.write_str("running: the child is running; terminate it first"),
            ChildError::Restarting => {
                f.write_str("restarting: the child's restart is being retried")
            }
            ChildError::AlreadyStarted(pid) => {
                write!(f, "already_started: the child runs as {pid}")
            }
            ChildError::AlreadyPresent => {
                f.write_str("already_present: a stopped child has this id; restart or delete it")
            }
            ChildError::Ignored => f.write_str("ignore: the child's init declined to start"),
            ChildError::Start(e) => write!(f, "the child failed to start: {e}"),
            ChildError::Invalid(e) => write!(f, "invalid child spec: {e}"),
            ChildError::MaxChildren => f.write_str(
                "max_children: the supervisor already runs max_children children; terminate one or raise the limit",
            ),
            ChildError::Call(e) => write!(f, "the supervisor could not be called: {e}"),
            ChildError::WrongType(t) => write!(
                f,
                "wrong type: the child is not a {t}; ask with the worker type its spec was made for"
            ),
        }
    }
}

impl std::error::Error for ChildError {}

/// Why a supervisor did not start.
///
/// ```
/// use supervise_runtime::{SpecError, SupervisorStartError};
/// let e = SupervisorStartError::Invalid(SpecError::ZeroPeriod);
/// assert!(e.to_string().contains("period"));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SupervisorStartError {
    /// The spec breaks a rule; nothing was started.
    Invalid(SpecError),
    /// A child failed to start; the ones started before it were stopped in reverse order.
    FailedToStartChild {
        /// The child's id.
        id: ChildId,
        /// Why it failed.
        reason: StartError,
    },
    /// The supervisor process itself did not start (a taken name, say).
    Start(StartError),
}

impl fmt::Display for SupervisorStartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SupervisorStartError::Invalid(e) => write!(f, "invalid supervisor spec: {e}"),
            SupervisorStartError::FailedToStartChild { id, reason } => {
                write!(f, "failed_to_start_child `{id}`: {reason}")
            }
            SupervisorStartError::Start(e) => write!(f, "the supervisor did not start: {e}"),
        }
    }
}

impl std::error::Error for SupervisorStartError {}

impl SupervisorStartError {
    /// Recovers the typed error from the reason a supervisor's `init` stopped with.
    pub(crate) fn from_start(e: StartError) -> Self {
        if let StartError::Stopped(crate::ExitReason::Error(err)) = &e {
            let err: &(dyn std::error::Error + 'static) = &**err;
            if let Some(found) = err.downcast_ref::<SupervisorStartError>() {
                return found.clone();
            }
        }
        SupervisorStartError::Start(e)
    }

    pub(crate) fn into_reason(self) -> crate::ExitReason {
        crate::ExitReason::from_error(self)
    }
}
