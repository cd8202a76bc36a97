//! The handles a running tree gives: a supervisor's, with its children's ids typed, and a
//! dynamic supervisor's, typed by the worker it starts. Both follow their supervisor
//! across its restarts, as the workers' accessors do.

use std::fmt;
use std::marker::PhantomData;

use crate::worker::{FollowError, Following, Handle, Worker};
use crate::{DynamicSupervisor, Pid, RefOf, Supervisor};

/// The ids of a static supervisor's children, as an enum: `supervision_tree!` generates
/// one per supervisor (`AppChild`, `AppPipelineChild`), and its handle's
/// `terminate_child` and `restart_child` take one, so a misspelled id does not compile.
///
/// ```
/// use supervise_runtime::tree::ChildIds;
/// use supervise_runtime::{supervision_tree, worker};
///
/// pub struct Db;
/// #[worker]
/// impl Db { fn init() -> Self { Db } }
///
/// supervision_tree! {
///     pub App: one_for_one {
///         db: Db::child_spec(),
///     }
/// }
///
/// fn id_of<I: ChildIds>(child: I) -> &'static str { child.id() }
/// assert_eq!(id_of(AppChild::Db), "db");
/// ```
pub trait ChildIds: Copy + fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// The child's id in its supervisor: its name in the block.
    fn id(self) -> &'static str;
}

/// A static supervisor of a running tree, its children's ids typed as `I`: what the
/// generated handles (`AppRef`, `AppPipelineRef`) dereference to. It follows the
/// supervisor across its restarts (a nested supervisor is restarted by its parent): a
/// request made while it restarts waits for the next incarnation, and one made after
/// it is gone for good is `NoProc`, never a hang.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{supervision_tree, worker, ChildError};
///
/// pub struct Db;
/// #[worker]
/// impl Db { fn init() -> Self { Db } }
///
/// supervision_tree! {
///     pub App: one_for_one {
///         db: Db::child_spec(),
///     }
/// }
///
/// let app = App::start().await.unwrap();
/// let first = app.db().pid().unwrap();
/// app.terminate_child(AppChild::Db).await.unwrap();
/// assert_eq!(app.terminate_child(AppChild::Db).await, Ok(()), "already stopped");
/// let second = app.restart_child(AppChild::Db).await.unwrap();
/// assert_ne!(second, first);
/// assert_eq!(app.db().pid(), Some(second), "the accessor follows");
/// assert_eq!(app.count_children().await.unwrap().workers, 1);
/// app.stop().await;
/// # }
/// ```
pub struct SupervisorRef<I> {
    pub(crate) sup: Following<Supervisor>,
    _ids: PhantomData<fn(I)>,
}

impl<I: ChildIds> SupervisorRef<I> {
    /// For `supervision_tree!`'s generated code.
    #[doc(hidden)]
    pub fn __new(sup: Following<Supervisor>) -> Self {
        SupervisorRef {
            sup,
            _ids: PhantomData,
        }
    }

    /// The handle that follows this supervisor, untyped ids.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use supervise_runtime::supervision_tree;
    /// supervision_tree! { pub Empty: one_for_one { jobs: dynamic } }
    /// let tree = Empty::start().await.unwrap();
    /// assert!(tree.following().is_alive());
    /// # }
    /// ```
    pub fn following(&self) -> &Following<Supervisor> {
        &self.sup
    }

    /// The current incarnation's pid, if it runs.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use supervise_runtime::supervision_tree;
    /// supervision_tree! { pub Empty: one_for_one { jobs: dynamic } }
    /// let tree = Empty::start().await.unwrap();
    /// let pid = tree.pid().unwrap();
    /// tree.stop().await;
    /// assert_eq!(tree.pid(), None);
    /// # let _ = pid;
    /// # }
    /// ```
    pub fn pid(&self) -> Option<Pid> {
        self.sup.pid()
    }

    /// Whether an incarnation runs now.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use supervise_runtime::supervision_tree;
    /// supervision_tree! { pub Empty: one_for_one { jobs: dynamic } }
    /// let tree = Empty::start().await.unwrap();
    /// assert!(tree.is_alive());
    /// # }
    /// ```
    pub fn is_alive(&self) -> bool {
        self.sup.is_alive()
    }

    /// The current incarnation's handle (with the untyped API: `start_child`,
    /// `delete_child`, `get_childspec`..), or why there is none.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use supervise_runtime::supervision_tree;
    /// supervision_tree! { pub Empty: one_for_one { jobs: dynamic } }
    /// let tree = Empty::start().await.unwrap();
    /// let root = tree.current().unwrap();
    /// assert_eq!(Some(root.pid()), tree.pid());
    /// # }
    /// ```
    pub fn current(&self) -> Result<Handle<Supervisor>, FollowError> {
        self.sup.current().map(|r| RefOf::address(&r).clone())
    }
}

impl<I> crate::AsProcess for SupervisorRef<I> {
    /// The supervisor's current incarnation (see [`Following`]'s): what
    /// [`observe::snapshot`](crate::observe::snapshot) walks from.
    fn process(&self) -> crate::ProcessRef {
        crate::AsProcess::process(&self.sup)
    }
}

impl<I> Clone for SupervisorRef<I> {
    fn clone(&self) -> Self {
        SupervisorRef {
            sup: self.sup.clone(),
            _ids: PhantomData,
        }
    }
}

impl<I> fmt::Debug for SupervisorRef<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SupervisorRef").field(&self.sup).finish()
    }
}

/// Stands for "any worker" in [`DynamicRef`]: a dynamic supervisor declared without a
/// worker type (`jobs: dynamic`) starts children of any type.
///
/// ```
/// use supervise_runtime::tree::{AnyWorker, DynamicRef};
/// fn open(_: &DynamicRef<AnyWorker>) {}
/// fn same(d: &DynamicRef) { open(d) }
/// ```
#[derive(Debug)]
pub enum AnyWorker {}

/// What a dynamic supervisor of a tree may start: its own worker type, or any when it is
/// declared open (`dynamic` rather than `dynamic<Job>`).
///
/// ```compile_fail
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{supervision_tree, worker};
/// pub struct Job;
/// #[worker] impl Job { fn init() -> Self { Job } }
/// pub struct Other;
/// #[worker] impl Other { fn init() -> Self { Other } }
/// supervision_tree! { pub App: one_for_one { jobs: dynamic<Job> } }
/// let app = App::start().await.unwrap();
/// app.jobs().start_child(Other::child_spec()).await; // error: expected `ChildSpec<Job>`
/// # }
/// ```
#[diagnostic::on_unimplemented(
    message = "this dynamic supervisor starts `{Self}` workers, not `{V}`",
    label = "a `{V}` spec given to a `dynamic<{Self}>` supervisor",
    note = "declare it `dynamic` (no worker type) in `supervision_tree!` to start workers of any type"
)]
pub trait Starts<V: Worker> {}

impl<W: Worker> Starts<W> for W {}
impl<V: Worker> Starts<V> for AnyWorker {}

/// A dynamic supervisor of a running tree, typed by the worker it starts (`W`, or
/// [`AnyWorker`]): `start_child` takes that worker's spec and returns its typed handle.
/// It follows the supervisor across its restarts, as [`SupervisorRef`] does; children
/// started under an incarnation that is gone are gone with it, as in OTP.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{supervision_tree, worker};
///
/// pub struct Job(u32);
/// #[worker]
/// impl Job {
///     fn init(n: u32) -> Self { Job(n) }
///     #[call] fn n(&self) -> u32 { self.0 }
/// }
///
/// supervision_tree! {
///     pub App: one_for_one {
///         jobs: dynamic<Job>(max_children = 10),
///     }
/// }
///
/// let app = App::start().await.unwrap();
/// let job = app.jobs().start_child(Job::child_spec(7)).await.unwrap();
/// assert_eq!(job.n().await, Ok(7));
/// assert_eq!(app.jobs().count_children().await.unwrap().active, 1);
/// # }
/// ```
pub struct DynamicRef<W = AnyWorker> {
    pub(crate) sup: Following<DynamicSupervisor>,
    _worker: PhantomData<fn() -> W>,
}

impl<W> DynamicRef<W> {
    /// For `supervision_tree!`'s generated code.
    #[doc(hidden)]
    pub fn __new(sup: Following<DynamicSupervisor>) -> Self {
        DynamicRef {
            sup,
            _worker: PhantomData,
        }
    }

    /// The handle that follows this dynamic supervisor, untyped.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use supervise_runtime::supervision_tree;
    /// supervision_tree! { pub App: one_for_one { jobs: dynamic } }
    /// let app = App::start().await.unwrap();
    /// assert!(app.jobs().following().is_alive());
    /// # }
    /// ```
    pub fn following(&self) -> &Following<DynamicSupervisor> {
        &self.sup
    }

    /// The current incarnation's pid, if it runs.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use supervise_runtime::supervision_tree;
    /// supervision_tree! { pub App: one_for_one { jobs: dynamic } }
    /// let app = App::start().await.unwrap();
    /// assert!(app.jobs().pid().is_some());
    /// # }
    /// ```
    pub fn pid(&self) -> Option<Pid> {
        self.sup.pid()
    }

    /// Whether an incarnation runs now.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use supervise_runtime::supervision_tree;
    /// supervision_tree! { pub App: one_for_one { jobs: dynamic } }
    /// let app = App::start().await.unwrap();
    /// app.stop().await;
    /// assert!(!app.jobs().is_alive());
    /// # }
    /// ```
    pub fn is_alive(&self) -> bool {
        self.sup.is_alive()
    }

    /// The current incarnation's handle, or why there is none.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use supervise_runtime::supervision_tree;
    /// supervision_tree! { pub App: one_for_one { jobs: dynamic } }
    /// let app = App::start().await.unwrap();
    /// assert_eq!(app.jobs().current().map(|h| h.pid()).ok(), app.jobs().pid());
    /// # }
    /// ```
    pub fn current(&self) -> Result<Handle<DynamicSupervisor>, FollowError> {
        self.sup.current().map(|r| RefOf::address(&r).clone())
    }
}

impl<W> crate::AsProcess for DynamicRef<W> {
    /// The dynamic supervisor's current incarnation (see [`Following`]'s).
    fn process(&self) -> crate::ProcessRef {
        crate::AsProcess::process(&self.sup)
    }
}

impl<W> Clone for DynamicRef<W> {
    fn clone(&self) -> Self {
        DynamicRef {
            sup: self.sup.clone(),
            _worker: PhantomData,
        }
    }
}

impl<W> fmt::Debug for DynamicRef<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DynamicRef").field(&self.sup).finish()
    }
}
