//! [`RefOf`]: the one typed handle every door gives, generic over the worker, so what does
//! not depend on the worker (cloning, printing, comparing, lookups by name) is written once
//! here instead of once per `#[worker]`.

use std::fmt;
use std::ops::Deref;

use super::{Address, Addressed, Following, Handle, Worker};
use crate::{AsProcess, ProcessRef};

/// The typed handle of worker `W` over address `A`: what every door gives (`start`,
/// `start_link`, both supervisors' `start_child`, `Supervisor::child`, a registered name,
/// a process found in `which_children`, [`Context::handle`](crate::Context::handle)).
///
/// `A` is [`Handle<W>`] (one incarnation, a pid, as in OTP; the default) or
/// [`Following<W>`] (whichever incarnation is current, as a registered name is in OTP).
/// `#[worker]` names it `<Type>Ref<A>` (`pub type CounterRef<A = Handle<Counter>> =
/// RefOf<Counter, A>`).
///
/// It derefs to the worker's [`Api`](Worker::Api): for `#[worker]`, the generated
/// `<Type>Api<A>` with one method per handler, which derefs in turn to the address, so
/// `counter.add(2)`, `counter.total().await` and `counter.pid()` all read as methods of the
/// handle. `RefOf` has no methods of its own (its functions are called as
/// `RefOf::address(&r)`); the methods of the traits it implements (`clone`, `eq`, `ne`,
/// `AsProcess::process`) are names `#[worker]` refuses for a handler, so a method call
/// always reaches the handler it names.
///
/// Cheap to clone: a clone is another handle to the same process.
///
/// ```
/// use supervise_runtime::{worker, Following, RefOf};
///
/// pub struct Counter(u64);
/// #[worker]
/// impl Counter {
///     fn init() -> Self { Counter(0) }
///     #[info] fn add(&mut self, n: u64) { self.0 += n }
///     #[call] fn total(&self) -> u64 { self.0 }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let counter: RefOf<Counter> = Counter::start().await.unwrap(); // a CounterRef
/// counter.add(2).unwrap();
/// assert_eq!(counter.total().await.unwrap(), 2);
/// assert_eq!(format!("{counter:?}"), format!("CounterRef({})", counter.pid()));
///
/// // The same methods over the following flavour.
/// let following: RefOf<Counter, Following<Counter>> = Following::from(RefOf::address(&counter).clone()).into();
/// assert_eq!(following.total().await.unwrap(), 2);
/// # }
/// ```
pub struct RefOf<W: Worker, A: Address<W> = Handle<W>> {
    api: W::Api<A>,
}

impl<W: Worker, A: Address<W>> RefOf<W, A> {
    /// The address underneath: the [`Handle`] or [`Following`] the handle sends through.
    /// An associated function (`RefOf::address(&r)`) so that it never hides a handler.
    ///
    /// ```
    /// # use supervise_runtime::{worker, RefOf};
    /// # pub struct Job;
    /// # #[worker] impl Job { fn init() -> Self { Job } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let job = Job::start().await.unwrap();
    /// let handle: &supervise_runtime::Handle<Job> = RefOf::address(&job);
    /// assert_eq!(handle.pid(), job.pid());
    /// # }
    /// ```
    pub fn address(this: &Self) -> &A {
        this.api.address()
    }

    /// The address underneath, owned: for code that keeps a plain [`Handle`] or
    /// [`Following`].
    ///
    /// ```
    /// # use supervise_runtime::{worker, Handle, RefOf};
    /// # pub struct Job;
    /// # #[worker] impl Job { fn init() -> Self { Job } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let job = Job::start().await.unwrap();
    /// let pid = job.pid();
    /// let handle: Handle<Job> = RefOf::into_address(job);
    /// assert_eq!(handle.pid(), pid);
    /// # }
    /// ```
    pub fn into_address(this: Self) -> A {
        this.api.address().clone()
    }
}

impl<W: Worker> RefOf<W> {
    /// The `W` registered under `name`, as a handle to that incarnation; `None` when no
    /// process holds the name or it is not a `W` (OTP's `whereis`, typed). `#[worker]`'s
    /// alias reads `CounterRef::whereis("counter")`.
    ///
    /// ```
    /// # use supervise_runtime::{worker, StartOptions};
    /// # pub struct Counter;
    /// # #[worker] impl Counter { fn init() -> Self { Counter } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let c = Counter::start_with(StartOptions::new().name("counter")).await.unwrap();
    /// assert_eq!(CounterRef::whereis("counter"), Some(c));
    /// assert_eq!(CounterRef::whereis("nobody"), None);
    /// # }
    /// ```
    pub fn whereis(name: &str) -> Option<Self> {
        Handle::<W>::whereis(name).map(Self::from)
    }

    /// A handle that reaches whichever `W` holds `name` at each operation, as OTP's calls
    /// by name do; an unknown name is `NoProc`.
    ///
    /// ```
    /// # use supervise_runtime::{worker, CallError};
    /// # pub struct Counter;
    /// # #[worker] impl Counter { fn init() -> Self { Counter } #[call] fn get(&self) -> u8 { 1 } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let missing = CounterRef::named("nobody");
    /// assert!(matches!(missing.get().await, Err(CallError::NoProc)));
    /// # }
    /// ```
    pub fn named(name: &str) -> RefOf<W, Following<W>> {
        Following::named(name).into()
    }
}

impl<W: Worker, A: Address<W>> Deref for RefOf<W, A> {
    type Target = W::Api<A>;

    #[inline]
    fn deref(&self) -> &W::Api<A> {
        &self.api
    }
}

impl<W: Worker, A: Address<W>> From<A> for RefOf<W, A> {
    #[inline]
    fn from(address: A) -> Self {
        RefOf {
            api: W::Api::from_address(address),
        }
    }
}

/// The handle's address, for code that keeps a plain [`Handle`] (`let h: Handle<W> =
/// r.into()`); [`RefOf::into_address`] says the same by name.
///
/// ```
/// # use supervise_runtime::{worker, Handle};
/// # pub struct Job;
/// # #[worker] impl Job { fn init() -> Self { Job } }
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let job = Job::start().await.unwrap();
/// let pid = job.pid();
/// let handle: Handle<Job> = job.into();
/// assert_eq!(handle.pid(), pid);
/// # }
/// ```
impl<W: Worker> From<RefOf<W>> for Handle<W> {
    fn from(handle: RefOf<W>) -> Handle<W> {
        RefOf::into_address(handle)
    }
}

/// The handle's address, for code that keeps a plain [`Following`].
///
/// ```
/// # use supervise_runtime::{worker, DynamicSupervisor, Following};
/// # pub struct Job;
/// # #[worker] impl Job { fn init() -> Self { Job } }
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
/// let job = sup.start_child_following(Job::child_spec()).await.unwrap();
/// let following: Following<Job> = job.into();
/// assert!(following.is_alive());
/// # }
/// ```
impl<W: Worker> From<RefOf<W, Following<W>>> for Following<W> {
    fn from(handle: RefOf<W, Following<W>>) -> Following<W> {
        RefOf::into_address(handle)
    }
}

impl<W: Worker, A: Address<W>> Clone for RefOf<W, A> {
    #[inline]
    fn clone(&self) -> Self {
        Self::from(self.api.address().clone())
    }
}

/// `CounterRef(#PID<0.5.0>)`, or `CounterRef(following #PID<0.5.0>)` for the following
/// flavour: the worker's type name (without its path, `Ref` appended, as `#[worker]`
/// names the handle) and what the handle reaches.
///
/// ```
/// # use supervise_runtime::{worker, Following, RefOf};
/// # pub struct Counter;
/// # #[worker] impl Counter { fn init() -> Self { Counter } }
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let counter = Counter::start().await.unwrap();
/// assert_eq!(format!("{counter:?}"), format!("CounterRef({})", counter.pid()));
/// assert_eq!(format!("{:?}", CounterRef::named("c")), r#"CounterRef(following name "c")"#);
/// # }
/// ```
impl<W: Worker, A: Address<W>> fmt::Debug for RefOf<W, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let full = std::any::type_name::<W>();
        let path = full.split('<').next().unwrap_or(full);
        let name = path.rsplit("::").next().unwrap_or(path);
        f.write_str(name)?;
        f.write_str("Ref(")?;
        self.api.address().fmt_target(f)?;
        f.write_str(")")
    }
}

impl<W: Worker, A: Address<W> + PartialEq> PartialEq for RefOf<W, A> {
    fn eq(&self, other: &Self) -> bool {
        self.api.address() == other.api.address()
    }
}

impl<W: Worker, A: Address<W> + Eq> Eq for RefOf<W, A> {}

impl<W: Worker, A: Address<W> + AsProcess> AsProcess for RefOf<W, A> {
    fn process(&self) -> ProcessRef {
        self.api.address().process()
    }
}
