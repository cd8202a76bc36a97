//! The public API: thin functions that send a request and wait for the reply.

use super::dynamic::{DynamicRequest, Request as DynReq};
use super::flags::{DynamicSupervisorSpec, SupervisorSpec};
use super::info::{ChildCount, ChildError, ChildInfo, SupervisorStartError};
use super::server::{Request, SupervisorRequest};
use super::spec::ChildSpec;
use super::{DynamicSupervisor, Supervisor};
use crate::Pid;
use crate::RefOf;
use crate::process::ProcessRef;
use crate::tree::{ChildIds, DynamicRef, Starts, SupervisorRef};
use crate::worker::{
    CallError, Following, Handle, StartOptions, Worker, start_handle as start_with,
};

// Supervisor calls wait as OTP's do (`infinity`, no timer armed): a stop can legitimately
// take a child's whole shutdown time. They never hang on a dead supervisor: a call to a
// dead process is an error at once, and one that dies mid-call returns its reason.

fn typed<W: Worker>(p: ProcessRef) -> RefOf<W> {
    match p.into_downcast() {
        Some(core) => Handle { core }.into(),
        None => unreachable!("a ChildSpec<W> starts a W"),
    }
}

impl super::ChildInfo {
    /// The child's typed handle, if it is running and runs worker `W`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, Supervisor, SupervisorSpec};
    /// pub struct Job(u32);
    /// #[worker]
    /// impl Job {
    ///     fn init(n: u32) -> Self { Job(n) }
    ///     #[call] fn n(&self) -> u32 { self.0 }
    /// }
    /// let sup = Supervisor::start(SupervisorSpec::default().child(Job::child_spec(7).id("job"))).await.unwrap();
    /// let children = sup.which_children().await.unwrap();
    /// assert_eq!(children[0].worker::<Job>().unwrap().n().await, Ok(7));
    /// # }
    /// ```
    pub fn worker<W: Worker>(&self) -> Option<RefOf<W>> {
        self.process.as_ref()?.worker::<W>()
    }
}

impl Supervisor {
    /// Starts a supervisor linked to the caller, returning after every child started.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Inbox, Strategy, Supervisor, SupervisorSpec};
    /// let _shell = Inbox::<()>::new();
    /// let sup = Supervisor::start_link(SupervisorSpec::new(Strategy::OneForAll)).await.unwrap();
    /// assert!(sup.is_alive());
    /// # }
    /// ```
    pub async fn start_link(
        spec: SupervisorSpec,
    ) -> Result<Handle<Supervisor>, SupervisorStartError> {
        Self::start_with(spec, StartOptions::new().link(true)).await
    }

    /// Starts a supervisor without linking it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{SpecError, Supervisor, SupervisorSpec, SupervisorStartError};
    /// let bad = SupervisorSpec::default().intensity(1, Duration::ZERO);
    /// assert_eq!(Supervisor::start(bad).await.unwrap_err(), SupervisorStartError::Invalid(SpecError::ZeroPeriod));
    /// # }
    /// ```
    pub async fn start(spec: SupervisorSpec) -> Result<Handle<Supervisor>, SupervisorStartError> {
        Self::start_with(spec, StartOptions::new()).await
    }

    /// Starts a supervisor with explicit options (a registered name, say).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{StartOptions, Supervisor, SupervisorSpec, registry};
    /// let sup = Supervisor::start_with(SupervisorSpec::default(), StartOptions::new().name("doc:sup")).await.unwrap();
    /// assert_eq!(registry::whereis("doc:sup"), Some(sup.pid()));
    /// # }
    /// ```
    pub async fn start_with(
        spec: SupervisorSpec,
        options: StartOptions,
    ) -> Result<Handle<Supervisor>, SupervisorStartError> {
        start_with::<Supervisor>(spec, options)
            .await
            .map_err(SupervisorStartError::from_start)
    }
}

impl DynamicSupervisor {
    /// Starts a dynamic supervisor linked to the caller.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{DynamicSupervisor, DynamicSupervisorSpec, Inbox};
    /// let _shell = Inbox::<()>::new();
    /// let sup = DynamicSupervisor::start_link(DynamicSupervisorSpec::new()).await.unwrap();
    /// assert!(sup.is_alive());
    /// # }
    /// ```
    pub async fn start_link(
        spec: DynamicSupervisorSpec,
    ) -> Result<Handle<DynamicSupervisor>, SupervisorStartError> {
        Self::start_with(spec, StartOptions::new().link(true)).await
    }

    /// Starts a dynamic supervisor without linking it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{DynamicSupervisor, DynamicSupervisorSpec, SpecError, Strategy, SupervisorStartError};
    /// let bad = DynamicSupervisorSpec::new().strategy(Strategy::RestForOne);
    /// let err = DynamicSupervisor::start(bad).await.unwrap_err();
    /// assert_eq!(err, SupervisorStartError::Invalid(SpecError::DynamicStrategy(Strategy::RestForOne)));
    /// # }
    /// ```
    pub async fn start(
        spec: DynamicSupervisorSpec,
    ) -> Result<Handle<DynamicSupervisor>, SupervisorStartError> {
        Self::start_with(spec, StartOptions::new()).await
    }

    /// Starts a dynamic supervisor with explicit options.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{registry, DynamicSupervisor, DynamicSupervisorSpec, StartOptions};
    /// let options = StartOptions::new().name("doc:dynamic_sup");
    /// let sup = DynamicSupervisor::start_with(DynamicSupervisorSpec::new(), options).await.unwrap();
    /// assert_eq!(registry::whereis("doc:dynamic_sup"), Some(sup.pid()));
    /// # }
    /// ```
    pub async fn start_with(
        spec: DynamicSupervisorSpec,
        options: StartOptions,
    ) -> Result<Handle<DynamicSupervisor>, SupervisorStartError> {
        start_with::<DynamicSupervisor>(spec, options)
            .await
            .map_err(SupervisorStartError::from_start)
    }
}

impl Handle<Supervisor> {
    async fn request<T: Send + 'static>(
        &self,
        make: impl FnOnce(crate::ReplyTo<T>) -> Request,
    ) -> Result<T, CallError> {
        self.call_infinity(|r| SupervisorRequest(make(r))).await
    }

    /// Adds a child and starts it (OTP's `start_child`): `AlreadyStarted(pid)` if the id
    /// runs, `AlreadyPresent` if it is kept stopped.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::convert::Infallible;
    /// use supervise_runtime::{ChildError, ChildSpec, Context, Init, Supervisor, SupervisorSpec, Worker};
    /// struct Idle;
    /// impl Worker for Idle {
    ///     type Args = (); type Info = Infallible; type Call = Infallible; type Cast = Infallible; type Api<A: supervise_runtime::Address<Self>> = A;
    ///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Idle) }
    /// }
    /// let sup = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let idle = sup.start_child(ChildSpec::<Idle>::worker(()).id("idle")).await.unwrap();
    /// let again = sup.start_child(ChildSpec::<Idle>::worker(()).id("idle")).await;
    /// assert_eq!(again.unwrap_err(), ChildError::AlreadyStarted(idle.pid()));
    /// # }
    /// ```
    pub async fn start_child<W: Worker>(&self, spec: ChildSpec<W>) -> Result<RefOf<W>, ChildError> {
        let p = self
            .request(|r| Request::StartChild(spec.inner, r))
            .await??;
        Ok(typed::<W>(p))
    }

    /// Stops a child by id, keeping its spec (a temporary child's spec is removed).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{ChildError, Supervisor, SupervisorSpec};
    /// let sup = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// assert_eq!(sup.terminate_child("nobody").await, Err(ChildError::NotFound));
    /// # }
    /// ```
    pub async fn terminate_child(&self, id: &str) -> Result<(), ChildError> {
        self.request(|r| Request::Terminate(id.into(), r)).await?
    }

    /// Starts a stopped child again; `Running` or `Restarting` if it has an incarnation.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{ChildError, Supervisor, SupervisorSpec};
    /// let sup = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// assert_eq!(sup.restart_child("nobody").await, Err(ChildError::NotFound));
    /// # }
    /// ```
    pub async fn restart_child(&self, id: &str) -> Result<Pid, ChildError> {
        self.request(|r| Request::Restart(id.into(), r)).await?
    }

    /// Removes a stopped child's spec; `Running` or `Restarting` if it has an incarnation.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{ChildError, Supervisor, SupervisorSpec};
    /// let sup = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// assert_eq!(sup.delete_child("nobody").await, Err(ChildError::NotFound));
    /// # }
    /// ```
    pub async fn delete_child(&self, id: &str) -> Result<(), ChildError> {
        self.request(|r| Request::Delete(id.into(), r)).await?
    }

    /// The children in start order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sup = supervise_runtime::Supervisor::start(Default::default()).await.unwrap();
    /// assert!(sup.which_children().await.unwrap().is_empty());
    /// # }
    /// ```
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, CallError> {
        self.request(Request::Which).await
    }

    /// Counts of children: active, specs, supervisors, workers.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sup = supervise_runtime::Supervisor::start(Default::default()).await.unwrap();
    /// assert_eq!(sup.count_children().await.unwrap(), supervise_runtime::ChildCount::default());
    /// # }
    /// ```
    pub async fn count_children(&self) -> Result<ChildCount, CallError> {
        self.request(Request::Count).await
    }

    /// A copy of the spec of the child with this id (OTP's `get_childspec`), typed: start
    /// it elsewhere, or inspect it. `NotFound` for an unknown id, `WrongType` when the
    /// child is not a `W`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::convert::Infallible;
    /// use supervise_runtime::{ChildError, ChildSpec, Context, Init, Restart, Supervisor, SupervisorSpec, Worker};
    /// struct Idle;
    /// impl Worker for Idle {
    ///     type Args = (); type Info = Infallible; type Call = Infallible; type Cast = Infallible; type Api<A: supervise_runtime::Address<Self>> = A;
    ///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Idle) }
    /// }
    /// let spec = SupervisorSpec::default().child(ChildSpec::<Idle>::worker(()).id("idle").restart(Restart::Transient));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let copy = sup.get_childspec::<Idle>("idle").await.unwrap();
    /// assert_eq!((copy.get_id(), copy.get_restart()), ("idle", Restart::Transient));
    /// assert_eq!(sup.get_childspec::<Idle>("nobody").await.unwrap_err(), ChildError::NotFound);
    /// # }
    /// ```
    pub async fn get_childspec<W: Worker>(&self, id: &str) -> Result<ChildSpec<W>, ChildError> {
        let inner = self
            .request(|r| Request::Spec(id.into(), r))
            .await?
            .ok_or(ChildError::NotFound)?;
        ChildSpec::from_inner(inner).ok_or(ChildError::WrongType(std::any::type_name::<W>()))
    }

    /// The typed handle of the child with this id that follows it across restarts (see
    /// [`Following`]): `CounterRef<Following<Counter>>` for a `#[worker]` `Counter`.
    /// `NotFound` for an unknown id, `WrongType` when the child is not a `W`. It follows
    /// the child of this supervisor incarnation; a tree (`supervision_tree!`) also follows
    /// children through their supervisors' restarts.
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{ChildError, Supervisor};
    /// let sup = Supervisor::start(Default::default()).await.unwrap();
    /// assert_eq!(sup.child::<Supervisor>("none").await.unwrap_err(), ChildError::NotFound);
    /// # }
    /// ```
    pub async fn child<W: Worker>(&self, id: &str) -> Result<RefOf<W, Following<W>>, ChildError> {
        let (slot, worker_type) = self
            .request(|r| Request::Slot(id.into(), r))
            .await?
            .ok_or(ChildError::NotFound)?;
        if worker_type != std::any::TypeId::of::<W>() {
            return Err(ChildError::WrongType(std::any::type_name::<W>()));
        }
        Ok(Following::from_slot(slot).into())
    }
}

impl Handle<DynamicSupervisor> {
    async fn request<T: Send + 'static>(
        &self,
        make: impl FnOnce(crate::ReplyTo<T>) -> DynReq,
    ) -> Result<T, CallError> {
        self.call_infinity(|r| DynamicRequest(make(r))).await
    }

    /// Starts a child and returns its typed handle once its `init` ran. Errors:
    /// `Ignored` (init declined), `Start(..)` (init stopped or panicked),
    /// `MaxChildren`; none of them leaves anything behind.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::convert::Infallible;
    /// use supervise_runtime::{ChildSpec, Context, DynamicSupervisor, DynamicSupervisorSpec, Init, Worker};
    /// struct Idle;
    /// impl Worker for Idle {
    ///     type Args = (); type Info = Infallible; type Call = Infallible; type Cast = Infallible; type Api<A: supervise_runtime::Address<Self>> = A;
    ///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Idle) }
    /// }
    /// let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new()).await.unwrap();
    /// let idle = sup.start_child(ChildSpec::<Idle>::worker(())).await.unwrap();
    /// assert_eq!(sup.which_children().await.unwrap()[0].pid.pid(), Some(idle.pid()));
    /// # }
    /// ```
    pub async fn start_child<W: Worker>(&self, spec: ChildSpec<W>) -> Result<RefOf<W>, ChildError> {
        let p = self
            .request(|r| DynReq::StartChild(spec.inner, r))
            .await??;
        Ok(typed::<W>(p))
    }

    /// [`start_child`](Self::start_child), returning the child's typed handle that follows
    /// it across its restarts (`JobRef<Following<Job>>`). It is keyed by the child itself:
    /// the supervisor publishes each new incarnation into it (see
    /// [`ChildSpec::publish`]). Once the child is gone for good (not restarted after its
    /// exit, terminated, or its supervisor stopped) its operations fail with `NoProc`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, AsProcess, DynamicSupervisor};
    ///
    /// pub struct Job(u32);
    /// #[worker]
    /// impl Job {
    ///     fn init(n: u32) -> Self { Job(n) }
    ///     #[call] fn n(&self) -> u32 { self.0 }
    ///     #[info] fn crash(&mut self) { panic!("job {} crashed", self.0) }
    /// }
    ///
    /// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    /// let job3 = sup.start_child_following(Job::child_spec(3)).await.unwrap();
    /// let first = job3.current().unwrap();
    /// job3.crash().unwrap();
    /// first.process().wait().await;
    /// assert_eq!(job3.n().await, Ok(3), "the restarted job 3 answers");
    /// assert_ne!(job3.pid(), Some(first.pid()));
    /// # }
    /// ```
    pub async fn start_child_following<W: Worker>(
        &self,
        spec: ChildSpec<W>,
    ) -> Result<RefOf<W, Following<W>>, ChildError> {
        let following = Following::new();
        self.start_child(spec.publish(&following)).await?;
        Ok(following.into())
    }

    /// Stops the child with this pid: `Ok`, then `NotFound`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, ChildError, DynamicSupervisor, Inbox};
    /// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    /// let stranger = Inbox::<()>::new();
    /// assert_eq!(sup.terminate_child(stranger.pid()).await, Err(ChildError::NotFound));
    /// # }
    /// ```
    pub async fn terminate_child(&self, pid: Pid) -> Result<(), ChildError> {
        self.request(|r| DynReq::Terminate(pid, r)).await?
    }

    /// The children (id `None`, pid or restarting, type, module).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sup = supervise_runtime::DynamicSupervisor::start(Default::default()).await.unwrap();
    /// assert!(sup.which_children().await.unwrap().is_empty());
    /// # }
    /// ```
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, CallError> {
        self.request(DynReq::Which).await
    }

    /// Counts of children: active, specs, supervisors, workers.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sup = supervise_runtime::DynamicSupervisor::start(Default::default()).await.unwrap();
    /// assert_eq!(sup.count_children().await.unwrap().specs, 0);
    /// # }
    /// ```
    pub async fn count_children(&self) -> Result<ChildCount, CallError> {
        self.request(DynReq::Count).await
    }
}

/// A supervisor request through a following handle: waits through the supervisor's
/// restart, `NoProc` once it is gone for good.
async fn follow_request<T: Send + 'static>(
    sup: &Following<Supervisor>,
    make: impl FnOnce(crate::ReplyTo<T>) -> Request,
) -> Result<T, CallError> {
    sup.call_infinity(|r| SupervisorRequest(make(r))).await
}

async fn follow_dyn_request<T: Send + 'static>(
    sup: &Following<DynamicSupervisor>,
    make: impl FnOnce(crate::ReplyTo<T>) -> DynReq,
) -> Result<T, CallError> {
    sup.call_infinity(|r| DynamicRequest(make(r))).await
}

impl<I: ChildIds> SupervisorRef<I> {
    /// The children in start order (OTP's `which_children`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{supervision_tree, worker};
    /// pub struct Db;
    /// #[worker] impl Db { fn init() -> Self { Db } }
    /// supervision_tree! { pub App: one_for_one { db: Db::child_spec(), jobs: dynamic } }
    /// let app = App::start().await.unwrap();
    /// let ids: Vec<_> = app.which_children().await.unwrap().into_iter().map(|c| c.id).collect();
    /// assert_eq!(ids, [Some("db".into()), Some("jobs".into())]);
    /// # }
    /// ```
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, CallError> {
        follow_request(&self.sup, Request::Which).await
    }

    /// Counts of children (OTP's `count_children`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{supervision_tree, worker};
    /// pub struct Db;
    /// #[worker] impl Db { fn init() -> Self { Db } }
    /// supervision_tree! { pub App: one_for_one { db: Db::child_spec(), jobs: dynamic } }
    /// let app = App::start().await.unwrap();
    /// let count = app.count_children().await.unwrap();
    /// assert_eq!((count.workers, count.supervisors), (1, 1));
    /// # }
    /// ```
    pub async fn count_children(&self) -> Result<ChildCount, CallError> {
        follow_request(&self.sup, Request::Count).await
    }

    /// Stops a child, keeping its spec (OTP's `terminate_child`); its accessor reports
    /// it stopped (`FollowError::Stopped`, calls `NoProc`) until `restart_child`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{supervision_tree, worker, FollowError};
    /// pub struct Db;
    /// #[worker] impl Db { fn init() -> Self { Db } }
    /// supervision_tree! { pub App: one_for_one { db: Db::child_spec() } }
    /// let app = App::start().await.unwrap();
    /// app.terminate_child(AppChild::Db).await.unwrap();
    /// assert_eq!(app.db().current().unwrap_err(), FollowError::Stopped);
    /// # }
    /// ```
    pub async fn terminate_child(&self, child: I) -> Result<(), ChildError> {
        follow_request(&self.sup, |r| Request::Terminate(child.id().into(), r)).await?
    }

    /// Starts a stopped child again (OTP's `restart_child`) and returns its new pid.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{supervision_tree, worker, ChildError};
    /// pub struct Db;
    /// #[worker] impl Db { fn init() -> Self { Db } }
    /// supervision_tree! { pub App: one_for_one { db: Db::child_spec() } }
    /// let app = App::start().await.unwrap();
    /// assert_eq!(app.restart_child(AppChild::Db).await, Err(ChildError::Running));
    /// # }
    /// ```
    pub async fn restart_child(&self, child: I) -> Result<Pid, ChildError> {
        follow_request(&self.sup, |r| Request::Restart(child.id().into(), r)).await?
    }

    /// Stops this supervisor (its children in reverse start order, level by level) and
    /// returns its exit reason, `NoProc` if none ran. A nested supervisor is then
    /// restarted by its parent as its restart type says, as OTP does after
    /// `GenServer.stop`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{supervision_tree, ExitReason};
    /// supervision_tree! { pub Empty: one_for_one { jobs: dynamic } }
    /// let tree = Empty::start().await.unwrap();
    /// assert_eq!(tree.stop().await, ExitReason::Shutdown);
    /// assert_eq!(tree.stop().await, ExitReason::NoProc);
    /// # }
    /// ```
    pub async fn stop(&self) -> crate::ExitReason {
        self.sup
            .stop(crate::ExitReason::Shutdown)
            .await
            .unwrap_or(crate::ExitReason::NoProc)
    }
}

impl<W> DynamicRef<W> {
    /// Starts a child (OTP's `start_child`) and returns its typed handle once its `init`
    /// ran; only the worker this supervisor was declared with (any, if declared without
    /// one) is accepted, at compile time.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{supervision_tree, worker};
    /// pub struct Job(u32);
    /// #[worker]
    /// impl Job {
    ///     fn init(n: u32) -> Self { Job(n) }
    ///     #[call] fn n(&self) -> u32 { self.0 }
    /// }
    /// supervision_tree! { pub App: one_for_one { jobs: dynamic<Job> } }
    /// let app = App::start().await.unwrap();
    /// let job = app.jobs().start_child(Job::child_spec(3)).await.unwrap();
    /// assert_eq!(job.n().await, Ok(3));
    /// # }
    /// ```
    pub async fn start_child<V: Worker>(&self, spec: ChildSpec<V>) -> Result<RefOf<V>, ChildError>
    where
        W: Starts<V>,
    {
        let p = follow_dyn_request(&self.sup, |r| DynReq::StartChild(spec.inner, r)).await??;
        Ok(typed::<V>(p))
    }

    /// [`start_child`](Self::start_child), returning the handle that follows the child
    /// across its restarts (see [`Handle::start_child_following`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{supervision_tree, worker, AsProcess, ExitReason};
    /// pub struct Job(u32);
    /// #[worker]
    /// impl Job {
    ///     fn init(n: u32) -> Self { Job(n) }
    ///     #[call] fn n(&self) -> u32 { self.0 }
    /// }
    /// supervision_tree! { pub App: one_for_one { jobs: dynamic<Job> } }
    /// let app = App::start().await.unwrap();
    /// let job = app.jobs().start_child_following(Job::child_spec(3)).await.unwrap();
    /// let first = job.current().unwrap();
    /// first.process().exit(ExitReason::error("crash"));
    /// assert_eq!(job.n().await, Ok(3), "answered by the next incarnation");
    /// # }
    /// ```
    pub async fn start_child_following<V: Worker>(
        &self,
        spec: ChildSpec<V>,
    ) -> Result<RefOf<V, Following<V>>, ChildError>
    where
        W: Starts<V>,
    {
        let following = Following::new();
        self.start_child(spec.publish(&following)).await?;
        Ok(following.into())
    }

    /// Stops the child with this pid: `Ok`, then `NotFound`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{supervision_tree, worker, ChildError};
    /// pub struct Job;
    /// #[worker] impl Job { fn init() -> Self { Job } }
    /// supervision_tree! { pub App: one_for_one { jobs: dynamic<Job> } }
    /// let app = App::start().await.unwrap();
    /// let job = app.jobs().start_child(Job::child_spec()).await.unwrap();
    /// assert_eq!(app.jobs().terminate_child(job.pid()).await, Ok(()));
    /// assert_eq!(app.jobs().terminate_child(job.pid()).await, Err(ChildError::NotFound));
    /// # }
    /// ```
    pub async fn terminate_child(&self, pid: Pid) -> Result<(), ChildError> {
        follow_dyn_request(&self.sup, |r| DynReq::Terminate(pid, r)).await?
    }

    /// The children, in start order (ids `undefined`, as in OTP).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::supervision_tree;
    /// supervision_tree! { pub App: one_for_one { jobs: dynamic } }
    /// let app = App::start().await.unwrap();
    /// assert!(app.jobs().which_children().await.unwrap().is_empty());
    /// # }
    /// ```
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, CallError> {
        follow_dyn_request(&self.sup, DynReq::Which).await
    }

    /// Counts of children: active, specs, supervisors, workers.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::supervision_tree;
    /// supervision_tree! { pub App: one_for_one { jobs: dynamic } }
    /// let app = App::start().await.unwrap();
    /// assert_eq!(app.jobs().count_children().await.unwrap().specs, 0);
    /// # }
    /// ```
    pub async fn count_children(&self) -> Result<ChildCount, CallError> {
        follow_dyn_request(&self.sup, DynReq::Count).await
    }
}
