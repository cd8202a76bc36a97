//! Child specifications: what to start, and how to treat it when it stops.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Either};

use crate::Mailbox;
use crate::process::ProcessRef;
use crate::worker::{
    Handle, Slot, StartError, StartOptions, Worker, start_handle as start_with, start_now,
};

/// The id of a child of a static supervisor.
pub type ChildId = Arc<str>;

/// When a child is restarted after it stops (OTP's `restart`). The default is `Permanent`.
///
/// ```
/// use supervise_runtime::{ExitReason, Restart};
/// assert!(Restart::Permanent.restarts_after(&ExitReason::Normal));
/// assert!(!Restart::Transient.restarts_after(&ExitReason::Shutdown));
/// assert!(Restart::Transient.restarts_after(&ExitReason::Killed));
/// assert!(!Restart::Temporary.restarts_after(&ExitReason::Killed));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Restart {
    /// Always restarted, even after a normal exit.
    #[default]
    Permanent,
    /// Restarted only after an abnormal exit (not `normal`, `shutdown`, `{shutdown, _}`).
    Transient,
    /// Never restarted; its spec is removed when it stops.
    Temporary,
}

impl Restart {
    /// Whether a child with this restart type is restarted after exiting with `reason`.
    ///
    /// ```
    /// use supervise_runtime::{ExitReason, Restart};
    /// assert!(!Restart::Transient.restarts_after(&ExitReason::shutdown_with("bye")));
    /// ```
    pub fn restarts_after(self, reason: &crate::ExitReason) -> bool {
        super::decide::after_exit(self, reason) == super::decide::AfterExit::Restart
    }
}

/// How a supervisor stops a child (OTP's `shutdown`).
///
/// ```
/// use std::time::Duration;
/// use supervise_runtime::Shutdown;
/// assert_eq!(Shutdown::default(), Shutdown::Timeout(Duration::from_millis(5000)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shutdown {
    /// Kill at once (`kill` cannot be trapped; `terminate` does not run).
    BrutalKill,
    /// Send `shutdown`, wait this long for the child to exit, then kill it.
    ///
    /// Every duration is accepted, under a static and a dynamic supervisor alike (as OTP
    /// does; Elixir's DynamicSupervisor rejects 0). `Timeout(Duration::ZERO)` kills at
    /// once after the `shutdown` signal, leaving a trapping child no time for
    /// `terminate`. A timeout too long for the clock to reach (`Duration::MAX`) waits as
    /// long as it takes, as [`Infinity`](Self::Infinity) does.
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervise_runtime::Shutdown;
    /// let never_killed = Shutdown::Timeout(Duration::MAX);
    /// assert_ne!(never_killed, Shutdown::Infinity, "distinct values, the same wait");
    /// ```
    Timeout(Duration),
    /// Send `shutdown` and wait as long as it takes (the default for supervisors).
    Infinity,
}

impl Default for Shutdown {
    /// 5 000 ms, OTP's default for workers.
    fn default() -> Self {
        Shutdown::Timeout(Duration::from_millis(5000))
    }
}

impl fmt::Display for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shutdown::BrutalKill => f.write_str("brutal_kill"),
            Shutdown::Timeout(d) => write!(f, "{}", d.as_millis()),
            Shutdown::Infinity => f.write_str("infinity"),
        }
    }
}

/// Whether a child is a worker or a supervisor (OTP's `type`).
///
/// ```
/// use supervise_runtime::ChildType;
/// assert_eq!(ChildType::Worker.to_string(), "worker");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ChildType {
    /// A worker.
    #[default]
    Worker,
    /// A supervisor (its default shutdown is `Infinity`).
    Supervisor,
}

impl fmt::Display for ChildType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChildType::Worker => "worker",
            ChildType::Supervisor => "supervisor",
        })
    }
}

/// A worker type's name as users know it: the runtime's supervisors by their public path,
/// not the module they happen to be defined in.
pub(crate) fn public_name(type_name: &'static str) -> &'static str {
    if type_name == std::any::type_name::<super::Supervisor>() {
        "supervise_runtime::Supervisor"
    } else if type_name == std::any::type_name::<super::DynamicSupervisor>() {
        "supervise_runtime::DynamicSupervisor"
    } else {
        type_name
    }
}

/// Starts one incarnation of a child, linked to the calling process (the supervisor).
pub(crate) trait Starter: Send {
    fn start(&self, options: StartOptions, extra: Option<&ExtraArgs>) -> StartFuture;
    /// A copy of `spec`, whose starter this is (the arguments cloned for the copy).
    fn clone_spec(&self, spec: &SpecBox<dyn Starter>) -> SpecInner;
    /// The start arguments this spec owns (`W::Args`, or `A` of `with_extra_arguments`).
    fn args(&self) -> &(dyn Any + Send);
    /// The worker's type.
    fn worker_type(&self) -> std::any::TypeId;
    /// The worker's type name (OTP's module).
    fn module(&self) -> &'static str;
}

/// Formats the type-erased start arguments; set by [`ChildSpec::debug_args`].
pub(crate) type ArgsFmt = fn(&(dyn Any + Send), &mut fmt::Formatter<'_>) -> fmt::Result;

/// Starting a child: ready at once for a worker whose `init` never awaits, else boxed.
pub(crate) type StartFuture = Either<
    std::future::Ready<Result<ProcessRef, StartError>>,
    BoxFuture<'static, Result<ProcessRef, StartError>>,
>;

/// The start arguments and how to copy them for each start: `Clone::clone` for
/// [`ChildSpec::worker`], a per-argument clone written by `#[worker]` for its `child_spec`
/// (so a non-`Clone` argument is reported on that argument, not on the whole tuple).
struct Plain<W: Worker> {
    args: W::Args,
    clone: fn(&W::Args) -> W::Args,
}

impl<W: Worker> Starter for Plain<W> {
    fn start(&self, options: StartOptions, _extra: Option<&ExtraArgs>) -> StartFuture {
        let args = (self.clone)(&self.args);
        if W::SYNC_INIT {
            // Nothing to await: start now, allocate no future.
            let started = start_now::<W>(args, options).map(Handle::into_process);
            return Either::Left(std::future::ready(started));
        }
        // A combinator, not an `async` block, so the boxed future holds the start once.
        Either::Right(Box::pin(
            start_with::<W>(args, options).map(|started| started.map(Handle::into_process)),
        ))
    }
    fn clone_spec(&self, spec: &SpecBox<dyn Starter>) -> SpecInner {
        spec.with_starter(Plain::<W> {
            args: (self.clone)(&self.args),
            clone: self.clone,
        })
    }
    fn args(&self) -> &(dyn Any + Send) {
        &self.args
    }
    fn worker_type(&self) -> std::any::TypeId {
        std::any::TypeId::of::<W>()
    }
    fn module(&self) -> &'static str {
        public_name(std::any::type_name::<W>())
    }
}

struct WithExtra<W, E, A>(A, PhantomData<fn() -> (W, E)>);

impl<W, E, A> Starter for WithExtra<W, E, A>
where
    W: Worker<Args = (E, A)>,
    E: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    fn start(&self, options: StartOptions, extra: Option<&ExtraArgs>) -> StartFuture {
        let Some(extra) = extra.and_then(|e| e.get::<E>()) else {
            let rule = format!(
                "the supervisor has no extra_arguments of type {}",
                std::any::type_name::<E>()
            );
            return Either::Left(std::future::ready(Err(StartError::Stopped(
                crate::ExitReason::error(rule),
            ))));
        };
        let args = (extra, self.0.clone());
        if W::SYNC_INIT {
            return Either::Left(std::future::ready(
                start_now::<W>(args, options).map(Handle::into_process),
            ));
        }
        Either::Right(Box::pin(
            start_with::<W>(args, options).map(|started| started.map(Handle::into_process)),
        ))
    }
    fn clone_spec(&self, spec: &SpecBox<dyn Starter>) -> SpecInner {
        spec.with_starter(WithExtra::<W, E, A>(self.0.clone(), PhantomData))
    }
    fn args(&self) -> &(dyn Any + Send) {
        &self.0
    }
    fn worker_type(&self) -> std::any::TypeId {
        std::any::TypeId::of::<W>()
    }
    fn module(&self) -> &'static str {
        public_name(std::any::type_name::<W>())
    }
}

/// A dynamic supervisor's `extra_arguments`, cloned into each child's start arguments.
pub(crate) struct ExtraArgs {
    value: Box<dyn Any + Send>,
    clone: fn(&(dyn Any + Send)) -> Box<dyn Any + Send>,
    type_name: &'static str,
}

impl ExtraArgs {
    pub(crate) fn new<E: Clone + Send + 'static>(value: E) -> Self {
        fn clone_as<E: Clone + Send + 'static>(v: &(dyn Any + Send)) -> Box<dyn Any + Send> {
            match v.downcast_ref::<E>() {
                Some(e) => Box::new(e.clone()),
                None => unreachable!("ExtraArgs keeps the type it was made with"),
            }
        }
        ExtraArgs {
            value: Box::new(value),
            clone: clone_as::<E>,
            type_name: std::any::type_name::<E>(),
        }
    }

    fn get<E: Clone + 'static>(&self) -> Option<E> {
        (&*self.value as &dyn Any).downcast_ref::<E>().cloned()
    }
}

impl Clone for ExtraArgs {
    fn clone(&self) -> Self {
        ExtraArgs {
            value: (self.clone)(&*self.value),
            clone: self.clone,
            type_name: self.type_name,
        }
    }
}

impl fmt::Debug for ExtraArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExtraArgs<{}>", self.type_name)
    }
}

/// The untyped spec a supervisor keeps, one per child: one allocation holding the start
/// arguments and the restart rules together, so that a supervisor's entry for a child is
/// a pointer (a dynamic supervisor holds one per child, in a table that grows by copying).
/// The worker's type facts come from the starter's vtable; what is rarely set (id, name,
/// mailbox, argument display) is boxed on demand.
pub(crate) struct SpecInner(Box<SpecBox<dyn Starter>>);

/// The body of a [`SpecInner`]; `S` is the starter (a `Plain<W>` or `WithExtra<..>`, made
/// `dyn Starter` by the box).
pub(crate) struct SpecBox<S: ?Sized> {
    extras: Option<Box<Extras>>,
    pub(crate) restart: Restart,
    pub(crate) shutdown: Shutdown,
    pub(crate) child_type: ChildType,
    pub(crate) significant: bool,
    pub(crate) starter: S,
}

impl SpecBox<dyn Starter> {
    /// This spec's rules around another starter.
    fn with_starter<S: Starter + 'static>(&self, starter: S) -> SpecInner {
        SpecInner(Box::new(SpecBox {
            extras: self.extras.clone(),
            restart: self.restart,
            shutdown: self.shutdown,
            child_type: self.child_type,
            significant: self.significant,
            starter,
        }))
    }
}

impl std::ops::Deref for SpecInner {
    type Target = SpecBox<dyn Starter>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for SpecInner {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

#[derive(Clone, Default)]
struct Extras {
    /// The given id; `None` means the default, the worker's type name.
    id: Option<ChildId>,
    name: Option<Arc<str>>,
    mailbox: Mailbox,
    /// Where the supervisor publishes each incarnation, for `Following` handles.
    slot: Option<Arc<Slot>>,
    /// How to show the start arguments in reports; `None` shows `(..)`.
    args_fmt: Option<ArgsFmt>,
}

impl SpecInner {
    pub(crate) fn new<S: Starter + 'static>(starter: S) -> Self {
        SpecInner(Box::new(SpecBox {
            extras: None,
            restart: Restart::Permanent,
            shutdown: Shutdown::Timeout(Duration::from_millis(5000)),
            child_type: ChildType::Worker,
            significant: false,
            starter,
        }))
    }

    fn extras_mut(&mut self) -> &mut Extras {
        self.extras.get_or_insert_with(Default::default)
    }

    /// The worker's type name (OTP's module).
    pub(crate) fn module(&self) -> &'static str {
        self.starter.module()
    }

    pub(crate) fn worker_type(&self) -> std::any::TypeId {
        self.starter.worker_type()
    }

    pub(crate) fn name(&self) -> Option<&Arc<str>> {
        self.extras.as_ref()?.name.as_ref()
    }

    pub(crate) fn set_id(&mut self, id: ChildId) {
        self.extras_mut().id = Some(id);
    }

    pub(crate) fn set_name(&mut self, name: Arc<str>) {
        self.extras_mut().name = Some(name);
    }

    pub(crate) fn slot(&self) -> Option<&Arc<Slot>> {
        self.extras.as_ref()?.slot.as_ref()
    }

    pub(crate) fn set_slot(&mut self, slot: Option<Arc<Slot>>) {
        if slot.is_some() || self.extras.is_some() {
            self.extras_mut().slot = slot;
        }
    }

    pub(crate) fn set_mailbox(&mut self, mailbox: Mailbox) {
        self.extras_mut().mailbox = mailbox;
    }

    pub(crate) fn set_args_fmt(&mut self, show: ArgsFmt) {
        self.extras_mut().args_fmt = Some(show);
    }

    pub(crate) fn id_str(&self) -> &str {
        match self.extras.as_ref().and_then(|e| e.id.as_deref()) {
            Some(id) => id,
            None => self.module(),
        }
    }

    pub(crate) fn id(&self) -> ChildId {
        match self.extras.as_ref().and_then(|e| e.id.clone()) {
            Some(id) => id,
            None => self.module().into(),
        }
    }

    /// OTP's `Start Call`: `Type::start_link(<args>)`, the arguments' `Debug` form when
    /// the spec captured it ([`ChildSpec::debug_args`]), else `..`.
    pub(crate) fn start_call(&self) -> StartCall<'_> {
        StartCall(self)
    }

    /// Starts one incarnation linked to the calling process.
    pub(crate) fn start(&self, extra: Option<&ExtraArgs>) -> StartFuture {
        let mut options = StartOptions::new().link(true);
        if let Some(extras) = &self.extras {
            options = options.mailbox(extras.mailbox);
            if let Some(name) = &extras.name {
                options = options.name(name.clone());
            }
        }
        self.starter.start(options, extra)
    }
}

impl Clone for SpecInner {
    fn clone(&self) -> Self {
        self.starter.clone_spec(self)
    }
}

/// Displays a spec's start call; formats nothing until a report is written.
pub(crate) struct StartCall<'a>(&'a SpecInner);

impl fmt::Display for StartCall<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::start_link(", self.0.module())?;
        match self.0.extras.as_ref().and_then(|e| e.args_fmt) {
            Some(show) => show(self.0.starter.args(), f)?,
            None => f.write_str("..")?,
        }
        f.write_str(")")
    }
}

impl fmt::Debug for SpecInner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSpec")
            .field("id", &self.id_str())
            .field("start", &format_args!("{}", self.start_call()))
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("type", &self.child_type)
            .field("significant", &self.significant)
            .field("name", &self.name())
            .finish()
    }
}

/// How to start a child of worker type `W` and how to treat it when it stops.
///
/// Built from the worker type and its start arguments, which are cloned for each
/// (re)start. Defaults as in OTP: id = the worker's type name, `Permanent`, shutdown
/// 5 000 ms for a worker and `Infinity` for a supervisor, not significant.
/// `#[worker]` generates `W::child_spec(args)` returning one.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::convert::Infallible;
/// use supervise_runtime::{ChildSpec, Context, Init, Restart, Shutdown, Worker};
/// struct Cache;
/// impl Worker for Cache {
///     type Args = usize;
///     type Info = Infallible;
///     type Call = Infallible;
///     type Cast = Infallible;
///     type Api<A: supervise_runtime::Address<Self>> = A;
///     async fn init(_: usize, _: &mut Context<Self>) -> Init<Self> { Init::Ok(Cache) }
/// }
/// let spec = ChildSpec::<Cache>::worker(1024)
///     .id("cache")
///     .restart(Restart::Transient)
///     .shutdown(Shutdown::BrutalKill);
/// assert_eq!(spec.get_id(), "cache");
/// assert_eq!(spec.get_restart(), Restart::Transient);
/// # }
/// ```
pub struct ChildSpec<W: Worker> {
    pub(crate) inner: SpecInner,
    _worker: PhantomData<fn() -> W>,
}

impl<W: Worker> ChildSpec<W> {
    /// A worker child started with `args`, cloned for every (re)start. For a `#[worker]`
    /// type, `Args` is `init`'s parameters as a tuple; its generated `child_spec(..)` is
    /// usually handier.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, AsProcess, ChildSpec, Supervisor, SupervisorSpec};
    ///
    /// pub struct Cache { size: usize }
    /// #[worker]
    /// impl Cache {
    ///     fn init(size: usize) -> Self { Cache { size } }
    ///     #[call] fn size(&self) -> usize { self.size }
    ///     #[info] fn raise(&mut self) { panic!("cache broke") }
    /// }
    ///
    /// let spec = ChildSpec::<Cache>::worker((1024,)).id("cache");
    /// let sup = Supervisor::start(SupervisorSpec::default().child(spec)).await.unwrap();
    /// let cache = sup.child::<Cache>("cache").await.unwrap();
    /// let first: CacheRef = cache.current().unwrap().into();
    /// first.raise().unwrap();
    /// first.process().wait().await;
    /// sup.which_children().await.unwrap(); // answered once the restart is done
    /// let second: CacheRef = cache.current().unwrap().into();
    /// assert_ne!(second.pid(), first.pid());
    /// assert_eq!(second.size().await, Ok(1024), "restarted with a clone of the same arguments");
    /// # }
    /// ```
    pub fn worker(args: W::Args) -> Self
    where
        W::Args: Clone,
    {
        Self::cloned_with(args, W::Args::clone)
    }

    /// A worker child whose arguments are copied with `clone` for each start (what
    /// `#[worker]`'s `child_spec` builds on).
    pub(crate) fn cloned_with(args: W::Args, clone: fn(&W::Args) -> W::Args) -> Self {
        Self::from_starter(Plain::<W> { args, clone }, ChildType::Worker)
    }

    /// A worker whose `Args` are `(E, A)`: `E` comes from the dynamic supervisor's
    /// `extra_arguments` at each start (prepended, as in OTP), `A` from here. Under a
    /// supervisor without `extra_arguments` of type `E`, the start fails.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, ChildSpec, DynamicSupervisor, DynamicSupervisorSpec};
    ///
    /// pub struct Conn { pool: String, n: u32 }
    /// #[worker]
    /// impl Conn {
    ///     fn init(pool: String, n: u32) -> Self { Conn { pool, n } }
    ///     #[call] fn name(&self) -> String { format!("{}/{}", self.pool, self.n) }
    /// }
    ///
    /// let spec = DynamicSupervisorSpec::new().extra_arguments(String::from("pool-1"));
    /// let sup = DynamicSupervisor::start(spec).await.unwrap();
    /// let child = ChildSpec::<Conn>::with_extra_arguments::<String, u32>(7);
    /// let conn: ConnRef = sup.start_child(child.clone()).await.unwrap().into();
    /// assert_eq!(conn.name().await.unwrap(), "pool-1/7");
    ///
    /// let bare = DynamicSupervisor::start(DynamicSupervisorSpec::new()).await.unwrap();
    /// assert!(bare.start_child(child).await.is_err(), "no String to prepend");
    /// # }
    /// ```
    pub fn with_extra_arguments<E, A>(args: A) -> Self
    where
        W: Worker<Args = (E, A)>,
        E: Clone + Send + 'static,
        A: Clone + Send + 'static,
    {
        Self::from_starter(WithExtra::<W, E, A>(args, PhantomData), ChildType::Worker)
    }

    fn from_starter<S: Starter + 'static>(starter: S, child_type: ChildType) -> Self {
        let mut inner = SpecInner::new(starter);
        inner.child_type = child_type;
        inner.shutdown = match child_type {
            ChildType::Worker => Shutdown::default(),
            ChildType::Supervisor => Shutdown::Infinity,
        };
        ChildSpec {
            inner,
            _worker: PhantomData,
        }
    }

    /// A typed spec from an untyped one, if it starts a `W`.
    pub(crate) fn from_inner(inner: SpecInner) -> Option<Self> {
        (inner.worker_type() == std::any::TypeId::of::<W>()).then_some(ChildSpec {
            inner,
            _worker: PhantomData,
        })
    }

    pub(crate) fn into_supervisor(mut self) -> Self {
        self.inner.child_type = ChildType::Supervisor;
        self.inner.shutdown = Shutdown::Infinity;
        self
    }

    /// Sets the child's id, unique within a static supervisor: the supervisor's
    /// `child`, `terminate_child`, `restart_child` and reports name the child by it. The
    /// default is the worker's type name, so two children of one type need ids.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, ChildPid, Supervisor, SupervisorSpec};
    ///
    /// pub struct Db;
    /// #[worker]
    /// impl Db {
    ///     fn init() -> Self { Db }
    /// }
    ///
    /// let twins = SupervisorSpec::default().child(Db::child_spec()).child(Db::child_spec());
    /// assert!(Supervisor::start(twins).await.is_err(), "both ids are the type name");
    ///
    /// let spec = SupervisorSpec::default()
    ///     .child(Db::child_spec().id("primary"))
    ///     .child(Db::child_spec().id("replica"));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// sup.terminate_child("replica").await.unwrap();
    /// for child in sup.which_children().await.unwrap() {
    ///     match child.id.as_deref() {
    ///         Some("primary") => assert!(matches!(child.pid, ChildPid::Running(_))),
    ///         Some("replica") => assert_eq!(child.pid, ChildPid::Undefined),
    ///         other => unreachable!("{other:?}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn id(mut self, id: impl Into<ChildId>) -> Self {
        self.inner.set_id(id.into());
        self
    }

    /// Sets the restart type: when the child is restarted after it stops (see [`Restart`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, AsProcess, Restart, Supervisor, SupervisorSpec};
    ///
    /// pub struct Job;
    /// #[worker]
    /// impl Job {
    ///     fn init() -> Self { Job }
    ///     #[info] fn raise(&mut self) { panic!("job broke") }
    /// }
    ///
    /// let spec = Job::child_spec().id("job").restart(Restart::Temporary);
    /// let sup = Supervisor::start(SupervisorSpec::default().child(spec)).await.unwrap();
    /// let job: JobRef = sup.child::<Job>("job").await.unwrap().current().unwrap().into();
    /// job.raise().unwrap();
    /// job.process().wait().await;
    /// assert!(sup.which_children().await.unwrap().is_empty(), "not restarted, and its spec is gone");
    /// # }
    /// ```
    pub fn restart(mut self, restart: Restart) -> Self {
        self.inner.restart = restart;
        self
    }

    /// Sets how the child is stopped: how long the supervisor waits after sending
    /// `shutdown` before it kills the child, or whether it kills it at once.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{worker, Context, ExitReason, Pid, Shutdown, Supervisor, SupervisorSpec};
    /// use tokio::time::Instant;
    ///
    /// /// Traps exits and ignores them all, its supervisor's `shutdown` included.
    /// pub struct Stubborn;
    /// #[worker]
    /// impl Stubborn {
    ///     fn init(ctx: &Context<Self>) -> Self { ctx.trap_exit(true); Stubborn }
    ///     #[exit] fn on_exit(&mut self, _from: Pid, _reason: ExitReason) {}
    /// }
    ///
    /// let patient = Stubborn::child_spec().shutdown(Shutdown::Timeout(Duration::from_millis(100)));
    /// let sup = Supervisor::start(SupervisorSpec::default().child(patient)).await.unwrap();
    /// let asked = Instant::now();
    /// sup.stop(ExitReason::Shutdown).await;
    /// assert_eq!(asked.elapsed(), Duration::from_millis(100), "waited, then killed");
    ///
    /// let brutal = Stubborn::child_spec().shutdown(Shutdown::BrutalKill);
    /// let sup = Supervisor::start(SupervisorSpec::default().child(brutal)).await.unwrap();
    /// let asked = Instant::now();
    /// sup.stop(ExitReason::Shutdown).await;
    /// assert_eq!(asked.elapsed(), Duration::ZERO, "killed at once");
    /// # }
    /// ```
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.inner.shutdown = shutdown;
        self
    }

    /// Marks the child significant for the supervisor's
    /// [`auto_shutdown`](crate::SupervisorSpec::auto_shutdown): its exit may end the
    /// supervisor. A significant child must be transient or temporary, and cannot be a
    /// child of a dynamic supervisor.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, AsProcess, AutoShutdown, ExitReason, Flow, Restart, Supervisor, SupervisorSpec};
    ///
    /// pub struct Job;
    /// #[worker]
    /// impl Job {
    ///     fn init() -> Self { Job }
    ///     #[info] fn finish(&mut self) -> Flow { Flow::stop_normal() }
    /// }
    ///
    /// let job = Job::child_spec().id("job").restart(Restart::Transient).significant(true);
    /// let spec = SupervisorSpec::default().auto_shutdown(AutoShutdown::AnySignificant).child(job);
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let job: JobRef = sup.child::<Job>("job").await.unwrap().current().unwrap().into();
    /// job.finish().unwrap();
    /// assert_eq!(sup.process().wait().await, ExitReason::Shutdown, "its significant child is done");
    ///
    /// let permanent = Job::child_spec().significant(true);
    /// let spec = SupervisorSpec::default().auto_shutdown(AutoShutdown::AnySignificant).child(permanent);
    /// assert!(Supervisor::start(spec).await.is_err(), "a significant child must not be permanent");
    /// # }
    /// ```
    pub fn significant(mut self, significant: bool) -> Self {
        self.inner.significant = significant;
        self
    }

    /// Registers every incarnation under `name`, so the name follows restarts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{registry, worker, AsProcess, Supervisor, SupervisorSpec};
    ///
    /// pub struct Db;
    /// #[worker]
    /// impl Db {
    ///     fn init() -> Self { Db }
    ///     #[info] fn raise(&mut self) { panic!("db broke") }
    /// }
    ///
    /// let spec = SupervisorSpec::default().child(Db::child_spec().id("db").name("app:db"));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let first: DbRef = sup.child::<Db>("db").await.unwrap().current().unwrap().into();
    /// assert_eq!(registry::whereis("app:db"), Some(first.pid()));
    ///
    /// first.raise().unwrap();
    /// first.process().wait().await;
    /// sup.which_children().await.unwrap(); // answered once the restart is done
    /// let second = registry::whereis("app:db").expect("registered again");
    /// assert_ne!(second, first.pid());
    /// # }
    /// ```
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.inner.set_name(name.into());
        self
    }

    /// The mailbox each incarnation gets (see [`Mailbox`]): a bounded one refuses
    /// messages once full, handing them back in [`SendError::Full`](crate::SendError::Full).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, Mailbox, SendError, Supervisor, SupervisorSpec};
    ///
    /// pub struct Sink;
    /// #[worker]
    /// impl Sink {
    ///     fn init() -> Self { Sink }
    ///     #[info] fn push(&mut self, n: u32) { let _ = n; }
    /// }
    ///
    /// let spec = SupervisorSpec::default().child(Sink::child_spec().id("sink").mailbox(Mailbox::Bounded(1)));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let sink: SinkRef = sup.child::<Sink>("sink").await.unwrap().current().unwrap().into();
    /// sink.push(1).unwrap(); // queued: the worker runs only when this task yields
    /// assert!(matches!(sink.push(2), Err(SendError::Full(_))));
    /// # }
    /// ```
    pub fn mailbox(mut self, mailbox: Mailbox) -> Self {
        self.inner.set_mailbox(mailbox);
        self
    }

    /// Makes the supervisor that runs this spec publish each incarnation of the child
    /// into `following`, which then reaches whichever is current (see [`Following`]). The
    /// spec keeps it when cloned, so a supervisor restarted with the same spec publishes
    /// there again. This is how a dynamic child gets a handle that follows its restarts
    /// ([`DynamicSupervisor::start_child_following`](crate::DynamicSupervisor) does it for
    /// you), keyed by the child itself rather than by a pid or a name.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, AsProcess, DynamicSupervisor, ExitReason, Following};
    ///
    /// pub struct Job(u32);
    /// #[worker]
    /// impl Job {
    ///     fn init(n: u32) -> Self { Job(n) }
    ///     #[call] fn n(&self) -> u32 { self.0 }
    /// }
    ///
    /// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
    /// let job3: JobRef<Following<Job>> = Following::new().into();
    /// sup.start_child(Job::child_spec(3).publish(&job3)).await.unwrap();
    /// let first = job3.pid().unwrap();
    /// job3.current().unwrap().process().exit(ExitReason::error("crash"));
    /// assert_eq!(job3.n().await, Ok(3), "answered by the next incarnation");
    /// assert_ne!(job3.pid().unwrap(), first);
    /// # }
    /// ```
    ///
    /// [`Following`]: crate::Following
    pub fn publish(mut self, following: &crate::Following<W>) -> Self {
        if let Some(slot) = following.slot() {
            self.inner.set_slot(Some(slot.clone()));
        }
        self
    }

    /// Shows the start arguments' `Debug` form in supervisor reports (`Start Call:
    /// Type::start_link(<args>)`, as OTP prints them) and in this spec's `Debug`.
    /// Opt-in, because arguments may hold secrets; nothing is formatted until a report is
    /// written. A spec from [`with_extra_arguments`](Self::with_extra_arguments) shows
    /// `(..)`: its arguments are only complete at start. `#[worker]`'s generated
    /// `child_spec(..)` needs no call to this: it shows its arguments one by one
    /// (`Conn::start_link("db.local", 5432)`) whenever all of them are `Debug`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::convert::Infallible;
    /// use supervise_runtime::{ChildSpec, Context, Init, Supervisor, SupervisorSpec, Worker};
    ///
    /// struct Conn;
    /// impl Worker for Conn {
    ///     type Args = (String, u16); type Info = Infallible; type Call = Infallible; type Cast = Infallible; type Api<A: supervise_runtime::Address<Self>> = A;
    ///     async fn init(_: (String, u16), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Conn) }
    /// }
    ///
    /// let shown = ChildSpec::<Conn>::worker(("db.local".into(), 5432)).id("shown").debug_args();
    /// let hidden = ChildSpec::<Conn>::worker(("db.local".into(), 5432)).id("hidden");
    /// let sup = Supervisor::start(SupervisorSpec::default().child(shown).child(hidden)).await.unwrap();
    /// let shown = sup.get_childspec::<Conn>("shown").await.unwrap();
    /// assert!(format!("{shown:?}").contains("Conn::start_link((\"db.local\", 5432))"));
    /// let hidden = sup.get_childspec::<Conn>("hidden").await.unwrap();
    /// assert!(format!("{hidden:?}").contains("Conn::start_link(..)"));
    /// # }
    /// ```
    pub fn debug_args(mut self) -> Self
    where
        W::Args: fmt::Debug,
    {
        fn show<A: fmt::Debug + 'static>(
            args: &(dyn Any + Send),
            f: &mut fmt::Formatter<'_>,
        ) -> fmt::Result {
            match (args as &dyn Any).downcast_ref::<A>() {
                Some(args) => fmt::Debug::fmt(args, f),
                None => f.write_str(".."),
            }
        }
        self.inner.set_args_fmt(show::<W::Args>);
        self
    }

    /// The child's id: the one given to [`id`](Self::id), else the worker's type name.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, Supervisor, SupervisorSpec};
    ///
    /// pub struct Db;
    /// #[worker]
    /// impl Db {
    ///     fn init() -> Self { Db }
    /// }
    ///
    /// let spec = Db::child_spec();
    /// assert_eq!(spec.get_id(), std::any::type_name::<Db>());
    /// let id = spec.get_id().to_string();
    /// let sup = Supervisor::start(SupervisorSpec::default().child(spec)).await.unwrap();
    /// assert!(sup.child::<Db>(&id).await.is_ok(), "the supervisor knows it by that id");
    /// # }
    /// ```
    pub fn get_id(&self) -> &str {
        self.inner.id_str()
    }

    /// The child's restart type: `Permanent` unless [`restart`](Self::restart) changed it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, Restart, Supervisor, SupervisorSpec};
    ///
    /// pub struct Db;
    /// #[worker]
    /// impl Db {
    ///     fn init() -> Self { Db }
    /// }
    ///
    /// let spec = SupervisorSpec::default()
    ///     .child(Db::child_spec().id("plain"))
    ///     .child(Db::child_spec().id("once").restart(Restart::Temporary));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let plain = sup.get_childspec::<Db>("plain").await.unwrap();
    /// assert_eq!(plain.get_restart(), Restart::Permanent);
    /// let once = sup.get_childspec::<Db>("once").await.unwrap();
    /// assert_eq!(once.get_restart(), Restart::Temporary);
    /// # }
    /// ```
    pub fn get_restart(&self) -> Restart {
        self.inner.restart
    }

    /// The child's shutdown: 5 000 ms for a worker and `Infinity` for a supervisor unless
    /// [`shutdown`](Self::shutdown) changed it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{worker, ChildSpec, Shutdown, Supervisor, SupervisorSpec};
    ///
    /// pub struct Db;
    /// #[worker]
    /// impl Db {
    ///     fn init() -> Self { Db }
    /// }
    ///
    /// let spec = SupervisorSpec::default()
    ///     .child(Db::child_spec().id("db"))
    ///     .child(ChildSpec::supervisor(SupervisorSpec::default()).id("pool"));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let db = sup.get_childspec::<Db>("db").await.unwrap();
    /// assert_eq!(db.get_shutdown(), Shutdown::Timeout(Duration::from_millis(5000)));
    /// let pool = sup.get_childspec::<Supervisor>("pool").await.unwrap();
    /// assert_eq!(pool.get_shutdown(), Shutdown::Infinity);
    /// # }
    /// ```
    pub fn get_shutdown(&self) -> Shutdown {
        self.inner.shutdown
    }

    /// Whether the child is a worker or a supervisor, as `which_children` and
    /// `count_children` report it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, ChildSpec, ChildType, Supervisor, SupervisorSpec};
    ///
    /// pub struct Db;
    /// #[worker]
    /// impl Db {
    ///     fn init() -> Self { Db }
    /// }
    ///
    /// let db = Db::child_spec().id("db");
    /// let pool = ChildSpec::supervisor(SupervisorSpec::default()).id("pool");
    /// assert_eq!((db.get_type(), pool.get_type()), (ChildType::Worker, ChildType::Supervisor));
    /// let sup = Supervisor::start(SupervisorSpec::default().child(db).child(pool)).await.unwrap();
    /// let count = sup.count_children().await.unwrap();
    /// assert_eq!((count.workers, count.supervisors), (1, 1));
    /// # }
    /// ```
    pub fn get_type(&self) -> ChildType {
        self.inner.child_type
    }
}

impl<W: Worker> Clone for ChildSpec<W> {
    fn clone(&self) -> Self {
        ChildSpec {
            inner: self.inner.clone(),
            _worker: PhantomData,
        }
    }
}

impl<W: Worker> fmt::Debug for ChildSpec<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}
