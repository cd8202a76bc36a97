//! GenServer-style workers: the [`Worker`] trait and what it returns.
//!
//! A worker is a process whose state is a value of the implementing type. Its mailbox
//! carries an [`Envelope`]: plain messages (`handle_info`), requests that expect a reply
//! (`handle_call`) and fire-and-forget requests (`handle_cast`). Trapped exit signals and
//! monitor `Down`s go to `handle_exit` and `handle_down`, ahead of the mailbox.
//!
//! `#[worker]` writes the implementation from plain methods; the trait is also usable by hand.

mod address;
mod call;
mod context;
mod deadline;
mod following;
mod handle;
mod reply;
mod report;
mod run;
mod slot;
mod start;
mod typed;

use std::fmt;
use std::future::Future;

pub use address::{Address, Addressed};
pub use call::Call;
#[doc(hidden)]
pub use call::{ReplySlot, reply_slot};
pub use context::Context;
pub use following::{FollowError, Following};
pub(crate) use following::{Slot, SlotState};
pub use handle::{CallError, DEFAULT_CALL_TIMEOUT, Handle};
pub use reply::ReplyTo;
pub use start::{StartError, StartOptions};
pub(crate) use start::{start_now, start_with as start_handle};
pub use typed::RefOf;

use crate::{Down, ExitReason, Pid};

/// What a handler tells the process loop: go on, or stop with a reason.
///
/// ```
/// use supervise_runtime::{ExitReason, Flow};
/// assert_eq!(Flow::stop_normal(), Flow::Stop(ExitReason::Normal));
/// assert!(Flow::Continue.is_continue());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[must_use = "a Flow says whether the process goes on; return it"]
pub enum Flow {
    /// Keep serving messages.
    Continue,
    /// Run `terminate(reason)` and exit with `reason`.
    Stop(ExitReason),
}

impl Flow {
    /// `Stop(Normal)`: the worker is done; a permanent child is still restarted, as in OTP.
    ///
    /// ```
    /// assert!(!supervise_runtime::Flow::stop_normal().is_continue());
    /// ```
    pub fn stop_normal() -> Flow {
        Flow::Stop(ExitReason::Normal)
    }

    /// `Stop(Shutdown)`.
    ///
    /// ```
    /// use supervise_runtime::{ExitReason, Flow};
    /// assert_eq!(Flow::stop_shutdown(), Flow::Stop(ExitReason::Shutdown));
    /// ```
    pub fn stop_shutdown() -> Flow {
        Flow::Stop(ExitReason::Shutdown)
    }

    /// True for `Continue`.
    ///
    /// ```
    /// assert!(supervise_runtime::Flow::Continue.is_continue());
    /// ```
    pub fn is_continue(&self) -> bool {
        matches!(self, Flow::Continue)
    }
}

/// How `init` ended: with a state, declining to start, or failing.
///
/// ```
/// use supervise_runtime::{ExitReason, Init};
/// let i: Init<u32> = Init::Stop(ExitReason::error("no config"));
/// assert!(matches!(i, Init::Stop(_)));
/// let ok: Init<u32> = 5.into();
/// assert!(matches!(ok, Init::Ok(5)));
/// ```
#[derive(Debug)]
pub enum Init<S> {
    /// Started with this state.
    Ok(S),
    /// Declined to start (OTP's `ignore`): not an error, but no process.
    Ignore,
    /// Failed to start with this reason (OTP's `{stop, Reason}`).
    Stop(ExitReason),
}

impl<S> From<S> for Init<S> {
    fn from(state: S) -> Self {
        Init::Ok(state)
    }
}

/// What arrives in a worker's mailbox.
///
/// ```
/// use supervise_runtime::Envelope;
/// let e: Envelope<u8, (), ()> = Envelope::Info(1);
/// assert!(matches!(e, Envelope::Info(1)));
/// ```
pub enum Envelope<I, C, K> {
    /// A plain message, for `handle_info`.
    Info(I),
    /// A request carrying its [`ReplyTo`], for `handle_call`.
    Call(C),
    /// A fire-and-forget request, for `handle_cast`.
    Cast(K),
}

impl<I: fmt::Debug, C: fmt::Debug, K: fmt::Debug> fmt::Debug for Envelope<I, C, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Envelope::Info(m) => fmt::Debug::fmt(m, f),
            Envelope::Call(m) => {
                f.write_str("call ")?;
                fmt::Debug::fmt(m, f)
            }
            Envelope::Cast(m) => {
                f.write_str("cast ")?;
                fmt::Debug::fmt(m, f)
            }
        }
    }
}

/// The envelope type of worker `W`.
pub type MessageOf<W> = Envelope<<W as Worker>::Info, <W as Worker>::Call, <W as Worker>::Cast>;

/// A GenServer: a state type with callbacks, run as a process.
///
/// Every callback may be sync in spirit (an `async` block that never awaits) or really
/// async. A panic in any of them is caught at the process boundary: the process exits with
/// the panic as its reason and a crash report is logged (see [`crate`] docs).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::convert::Infallible;
/// use supervise_runtime::{Context, Flow, Init, ReplyTo, Worker};
///
/// struct Counter(u64);
/// #[derive(Debug)]
/// enum CounterCall { Get(ReplyTo<u64>) }
///
/// impl Worker for Counter {
///     type Args = u64;
///     type Info = u64;
///     type Call = CounterCall;
///     type Cast = Infallible;
///     type Api<A: supervise_runtime::Address<Self>> = A;
///
///     async fn init(start: u64, _ctx: &mut Context<Self>) -> Init<Self> {
///         Init::Ok(Counter(start))
///     }
///     async fn handle_info(&mut self, add: u64, _ctx: &mut Context<Self>) -> Flow {
///         self.0 += add;
///         Flow::Continue
///     }
///     async fn handle_call(&mut self, call: CounterCall, _ctx: &mut Context<Self>) -> Flow {
///         match call { CounterCall::Get(reply) => reply.reply(self.0) }
///         Flow::Continue
///     }
/// }
///
/// let counter = supervise_runtime::start::<Counter>(40).await.unwrap();
/// counter.send(2).unwrap();
/// assert_eq!(counter.call(CounterCall::Get).await.unwrap(), 42);
/// # }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a worker",
    label = "not a worker",
    note = "annotate the `impl` block of `{Self}` with `#[worker]`, or implement `supervise_runtime::Worker` for it"
)]
pub trait Worker: Sized + Send + 'static {
    /// The start arguments passed to `init`.
    type Args: Send + 'static;
    /// Plain messages. `Debug`, as every message type, for crash reports.
    type Info: Send + fmt::Debug + 'static;
    /// Requests that carry a [`ReplyTo`].
    type Call: Send + fmt::Debug + 'static;
    /// Fire-and-forget requests.
    type Cast: Send + fmt::Debug + 'static;

    /// What the typed handle [`RefOf<Self, A>`](crate::RefOf) derefs to, over an
    /// [`Address`] `A` ([`Handle<Self>`], one incarnation, or [`Following<Self>`], whichever
    /// is current). `#[worker]` sets it to its generated `<Type>Api<A>`, which has a method
    /// per handler and derefs to the address; by hand, write
    /// `type Api<A: Address<Self>> = A;` to reach the runtime's handles as they are.
    type Api<A: Address<Self>>: Addressed<A> + Send + Sync + 'static;

    /// Whether to keep the `Debug` form of the message being handled for crash reports
    /// (yes by default; the supervisors say no, to keep formatting off their restart path).
    /// It costs one formatting per message into a reused buffer, paid only while a
    /// `tracing` subscriber listens to `supervise::crash` at `ERROR`: without one no crash
    /// report is written, so no message is formatted for it.
    const RECORD_LAST_MESSAGE: bool = true;

    /// Whether `init` never awaits (it may be an `async fn` that happens not to). A
    /// supervisor then starts the worker without allocating a future for the start.
    /// `#[worker]` sets it for a plain `fn init`. If an `init` does await despite it, the
    /// start fails with an error saying so.
    const SYNC_INIT: bool = false;

    /// Builds the state. `start` returns only after this ran.
    fn init(args: Self::Args, ctx: &mut Context<Self>) -> impl Future<Output = Init<Self>> + Send;

    /// Handles a message of the mailbox, whatever its kind: the process loop calls this
    /// for each one. The default hands each kind to its callback (`handle_info`,
    /// `handle_call`, `handle_cast`), which is what a worker written by hand implements.
    /// `#[worker]` implements this one instead, with one `match` over every handler, so
    /// a worker costs the compiler one dispatch function rather than three.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::convert::Infallible;
    /// use supervise_runtime::{Context, Envelope, Flow, Init, ReplyTo, Worker};
    /// struct Doubler;
    /// impl Worker for Doubler {
    ///     type Args = (); type Info = Infallible; type Call = (u32, ReplyTo<u32>); type Cast = Infallible;
    ///     type Api<A: supervise_runtime::Address<Self>> = A;
    ///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Doubler) }
    ///     async fn handle(&mut self, msg: supervise_runtime::MessageOf<Self>, _: &mut Context<Self>) -> Flow {
    ///         match msg {
    ///             Envelope::Call((n, reply)) => reply.reply(n * 2),
    ///             Envelope::Info(never) => match never {},
    ///             Envelope::Cast(never) => match never {},
    ///         }
    ///         Flow::Continue
    ///     }
    /// }
    /// let d = supervise_runtime::start::<Doubler>(()).await.unwrap();
    /// assert_eq!(d.call(|reply| (21, reply)).await, Ok(42));
    /// # }
    /// ```
    fn handle(
        &mut self,
        msg: MessageOf<Self>,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Flow> + Send {
        async move {
            match msg {
                Envelope::Info(m) => self.handle_info(m, ctx).await,
                Envelope::Call(c) => self.handle_call(c, ctx).await,
                Envelope::Cast(c) => self.handle_cast(c, ctx).await,
            }
        }
    }

    /// Handles a plain message. The default logs it as unexpected at ERROR (target
    /// `supervise::worker`, as the BEAM logs an unhandled `handle_info` at error) and
    /// continues.
    fn handle_info(
        &mut self,
        msg: Self::Info,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Flow> + Send {
        let _ = msg;
        tracing::error!(
            target: "supervise::worker",
            pid = %ctx.pid(),
            worker = std::any::type_name::<Self>(),
            "unexpected message: the worker has no handle_info"
        );
        async { Flow::Continue }
    }

    /// Handles a request; reply through the [`ReplyTo`] inside it, now or later.
    /// The default stops the worker with `bad_call`, as GenServer does.
    fn handle_call(
        &mut self,
        req: Self::Call,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Flow> + Send {
        let _ = (req, ctx);
        async { Flow::Stop(ExitReason::error("bad_call: the worker has no handle_call")) }
    }

    /// Handles a cast. The default stops the worker with `bad_cast`, as GenServer does.
    fn handle_cast(
        &mut self,
        msg: Self::Cast,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Flow> + Send {
        let _ = (msg, ctx);
        async { Flow::Stop(ExitReason::error("bad_cast: the worker has no handle_cast")) }
    }

    /// Handles a trapped exit signal. The default stops with the same reason when it comes
    /// from the parent (the process that started it linked, e.g. its supervisor) and
    /// ignores the others.
    fn handle_exit(
        &mut self,
        from: Pid,
        reason: ExitReason,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Flow> + Send {
        let flow = if ctx.parent() == Some(from) {
            Flow::Stop(reason)
        } else {
            Flow::Continue
        };
        async move { flow }
    }

    /// Handles a monitor's `Down`. The default ignores it.
    fn handle_down(
        &mut self,
        down: Down,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Flow> + Send {
        let _ = (down, ctx);
        async { Flow::Continue }
    }

    /// Runs when the worker stops on its own (a handler returned `Stop`, or panicked) or,
    /// when it traps exits, on its parent's shutdown. It does not run when the process is
    /// killed, or when an exit signal kills a worker that does not trap exits.
    fn terminate(
        &mut self,
        reason: &ExitReason,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = ()> + Send {
        let _ = (reason, ctx);
        async {}
    }

    /// Writes the message being handled for a crash report: by default its `Debug`
    /// form (a call prefixed with `call `, a cast with `cast `), which is what `#[worker]`
    /// workers use too. Override it to keep secrets out of reports.
    fn format_message(msg: &MessageOf<Self>, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(out, "{msg:?}")
    }

    /// Writes the state for a crash report, and for [`observe::state`](crate::observe::state)
    /// (the same text in both). The default says it cannot; `#[worker]` writes the state's
    /// `Debug`. Leave secrets out here (or in a hand-written `Debug`): see
    /// [Keeping secrets out](crate::observe#keeping-secrets-out).
    fn format_state(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(out, "<{} is not Debug>", std::any::type_name::<Self>())
    }
}

/// Starts a worker without linking it, returning once `init` has run.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::convert::Infallible;
/// use supervise_runtime::{Context, Init, Worker};
/// struct Idle;
/// impl Worker for Idle {
///     type Args = ();
///     type Info = Infallible;
///     type Call = Infallible;
///     type Cast = Infallible;
///     type Api<A: supervise_runtime::Address<Self>> = A;
///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Idle) }
/// }
/// let idle = supervise_runtime::start::<Idle>(()).await.unwrap();
/// assert!(idle.is_alive());
/// # }
/// ```
pub async fn start<W: Worker>(args: W::Args) -> Result<RefOf<W>, StartError> {
    start::start_with::<W>(args, StartOptions::new())
        .await
        .map(Into::into)
}

/// Starts a worker linked to the calling process (a process task, or the open [`Inbox`](crate::Inbox)
/// of code outside any task), returning once `init` has run.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::convert::Infallible;
/// use supervise_runtime::{AsProcess, Context, Inbox, Init, Worker};
/// struct Idle;
/// impl Worker for Idle {
///     type Args = ();
///     type Info = Infallible;
///     type Call = Infallible;
///     type Cast = Infallible;
///     type Api<A: supervise_runtime::Address<Self>> = A;
///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Idle) }
/// }
/// let shell = Inbox::<()>::new();
/// let idle = supervise_runtime::start_link::<Idle>(()).await.unwrap();
/// assert!(shell.process().is_linked_to(idle.pid()));
/// # }
/// ```
pub async fn start_link<W: Worker>(args: W::Args) -> Result<RefOf<W>, StartError> {
    start::start_with::<W>(args, StartOptions::new().link(true))
        .await
        .map(Into::into)
}

/// Starts a worker with explicit [`StartOptions`] (link, mailbox, name).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::convert::Infallible;
/// use supervise_runtime::{Context, Init, StartOptions, Worker, registry};
/// struct Idle;
/// impl Worker for Idle {
///     type Args = ();
///     type Info = Infallible;
///     type Call = Infallible;
///     type Cast = Infallible;
///     type Api<A: supervise_runtime::Address<Self>> = A;
///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Idle) }
/// }
/// let idle = supervise_runtime::start_with::<Idle>((), StartOptions::new().name("doc:idle")).await.unwrap();
/// assert_eq!(registry::whereis("doc:idle"), Some(idle.pid()));
/// # }
/// ```
pub async fn start_with<W: Worker>(
    args: W::Args,
    options: StartOptions,
) -> Result<RefOf<W>, StartError> {
    start::start_with::<W>(args, options).await.map(Into::into)
}

/// The start of a worker, as a future: what `#[worker]`'s `Type::start`, `start_link` and
/// `start_with` return; it resolves to the worker's handle once its `init` ran. Lazy, as
/// futures are: nothing starts until it is polled.
///
/// A named type rather than an `impl Future` per worker, so that a crate of many workers
/// does not give the compiler a state machine to check for each. A worker whose `init`
/// never awaits ([`Worker::SYNC_INIT`]) starts at the first poll without allocating; one
/// whose `init` awaits runs it in one boxed future.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{worker, Starting};
/// pub struct Counter(u64);
/// #[worker]
/// impl Counter {
///     fn init(n: u64) -> Self { Counter(n) }
///     #[call] fn get(&self) -> u64 { self.0 }
/// }
/// let starting: Starting<Counter> = Counter::start(7);
/// let counter = starting.await.unwrap();
/// assert_eq!(counter.get().await, Ok(7));
/// # }
/// ```
#[must_use = "a start does nothing unless awaited"]
pub struct Starting<W: Worker>(StartingState<W>);

type BoxedStart<W> =
    std::pin::Pin<Box<dyn Future<Output = Result<Handle<W>, StartError>> + Send + 'static>>;

enum StartingState<W: Worker> {
    /// Not polled yet.
    Ready(W::Args, StartOptions),
    /// An `init` that awaits, running.
    Running(BoxedStart<W>),
    /// Resolved.
    Done,
}

impl<W: Worker> Starting<W> {
    /// A start of `W` with these arguments to `init` and these options.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, StartOptions, Starting};
    /// pub struct Job;
    /// #[worker]
    /// impl Job { fn init() -> Self { Job } }
    /// let job = Starting::<Job>::new((), StartOptions::new()).await.unwrap();
    /// assert!(job.is_alive());
    /// # }
    /// ```
    pub fn new(args: W::Args, options: StartOptions) -> Self {
        Starting(StartingState::Ready(args, options))
    }
}

// No field is pinned: the arguments are moved out at the first poll, the running start is
// boxed.
impl<W: Worker> Unpin for Starting<W> {}

impl<W: Worker> Future for Starting<W> {
    type Output = Result<RefOf<W>, StartError>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = &mut self.get_mut().0;
        loop {
            match std::mem::replace(this, StartingState::Done) {
                StartingState::Ready(args, options) if W::SYNC_INIT => {
                    return std::task::Poll::Ready(
                        start::start_now::<W>(args, options).map(Into::into),
                    );
                }
                StartingState::Ready(args, options) => {
                    *this = StartingState::Running(Box::pin(start::start_with::<W>(args, options)));
                }
                StartingState::Running(mut running) => {
                    return match running.as_mut().poll(cx) {
                        std::task::Poll::Ready(done) => {
                            std::task::Poll::Ready(done.map(Into::into))
                        }
                        std::task::Poll::Pending => {
                            *this = StartingState::Running(running);
                            std::task::Poll::Pending
                        }
                    };
                }
                StartingState::Done => panic!("`Starting` polled after it resolved"),
            }
        }
    }
}

impl<W: Worker> fmt::Debug for Starting<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.0 {
            StartingState::Ready(..) => "not polled",
            StartingState::Running(_) => "running init",
            StartingState::Done => "done",
        };
        write!(f, "Starting<{}>({state})", std::any::type_name::<W>())
    }
}
