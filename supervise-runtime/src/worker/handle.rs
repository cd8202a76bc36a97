use std::fmt;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::time::Instant;

use super::call::Call;
use super::deadline::{self, Due};
use super::slot::{Expire, NoReply, Reply, Slot};
use super::{Envelope, MessageOf, ReplyTo, Worker};
use crate::process::{AsProcess, Core, ProcessRef, current};
use crate::{Addr, ExitReason, Pid, SendError};

/// GenServer's default call timeout: 5 seconds, what [`Handle::call`] waits at most.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(supervise_runtime::DEFAULT_CALL_TIMEOUT, Duration::from_secs(5));
/// ```
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// The address of one incarnation of worker `W` (a pid, as in OTP): send, cast and call
/// it with `W`'s message types. What users hold is the typed handle
/// [`RefOf<W>`](crate::RefOf) (`CounterRef` for a `#[worker]`), which derefs to it;
/// `.into()` gives it back.
///
/// `Clone` is cheap. When the process is dead every operation fails at once (`noproc`),
/// handing the message back; a restarted worker has a new pid and a new handle.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::convert::Infallible;
/// use supervise_runtime::{AsProcess, Context, ExitReason, Init, SendError, Worker};
/// struct Sink;
/// impl Worker for Sink {
///     type Args = ();
///     type Info = u32;
///     type Call = Infallible;
///     type Cast = Infallible;
///     type Api<A: supervise_runtime::Address<Self>> = A;
///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Sink) }
/// }
/// let sink = supervise_runtime::start::<Sink>(()).await.unwrap();
/// sink.send(1).unwrap();
/// sink.process().exit(ExitReason::Kill);
/// sink.process().wait().await;
/// assert_eq!(sink.send(2), Err(SendError::NoProc(2)));
/// # }
/// ```
pub struct Handle<W: Worker> {
    pub(crate) core: Arc<Core<MessageOf<W>>>,
}

/// Why a call returned no reply.
///
/// ```
/// use supervise_runtime::{CallError, ExitReason};
/// assert_eq!(CallError::Timeout.to_string(), "the call timed out");
/// assert_eq!(CallError::Exited(ExitReason::Killed).to_string(), "the process exited before replying: killed");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum CallError {
    /// The process was not alive when called.
    NoProc,
    /// No reply within the timeout; a late reply is dropped.
    Timeout,
    /// The process exited before replying, with this reason.
    Exited(ExitReason),
    /// A process called itself, which could only deadlock.
    CallingSelf,
    /// The process's bounded mailbox was full.
    MailboxFull,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::NoProc => f.write_str("the process is not alive (noproc)"),
            CallError::Timeout => f.write_str("the call timed out"),
            CallError::Exited(r) => write!(f, "the process exited before replying: {r}"),
            CallError::CallingSelf => {
                f.write_str("a process cannot call itself (it would deadlock)")
            }
            CallError::MailboxFull => f.write_str("the process's bounded mailbox is full"),
        }
    }
}

impl std::error::Error for CallError {}

impl<W: Worker> Handle<W> {
    /// The worker's pid.
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// # use std::time::Duration;
    /// # use supervise_runtime::{AsProcess, CallError, Context, ExitReason, Flow, Init, ReplyTo, SendError, Worker};
    /// # /// Adds infos, multiplies by casts, answers calls with its total.
    /// # struct Counter(u64);
    /// # impl Worker for Counter {
    /// #     type Args = u64; type Info = u64; type Call = ReplyTo<u64>; type Cast = u64; type Api<A: supervise_runtime::Address<Self>> = A;
    /// #     async fn init(n: u64, _: &mut Context<Self>) -> Init<Self> { Init::Ok(Counter(n)) }
    /// #     async fn handle_info(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 += n; Flow::Continue }
    /// #     async fn handle_cast(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 *= n; Flow::Continue }
    /// #     async fn handle_call(&mut self, r: ReplyTo<u64>, _: &mut Context<Self>) -> Flow { r.reply(self.0); Flow::Continue }
    /// # }
    /// let counter = supervise_runtime::start::<Counter>(1).await.unwrap();
    /// assert_eq!(counter.pid(), counter.process().pid());
    /// assert!(counter.pid().to_string().starts_with("#PID<0."));
    /// # }
    /// ```
    pub fn pid(&self) -> Pid {
        self.core.control.pid()
    }

    /// Whether the worker is still running.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// # use std::time::Duration;
    /// # use supervise_runtime::{AsProcess, CallError, Context, ExitReason, Flow, Init, ReplyTo, SendError, Worker};
    /// # /// Adds infos, multiplies by casts, answers calls with its total.
    /// # struct Counter(u64);
    /// # impl Worker for Counter {
    /// #     type Args = u64; type Info = u64; type Call = ReplyTo<u64>; type Cast = u64; type Api<A: supervise_runtime::Address<Self>> = A;
    /// #     async fn init(n: u64, _: &mut Context<Self>) -> Init<Self> { Init::Ok(Counter(n)) }
    /// #     async fn handle_info(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 += n; Flow::Continue }
    /// #     async fn handle_cast(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 *= n; Flow::Continue }
    /// #     async fn handle_call(&mut self, r: ReplyTo<u64>, _: &mut Context<Self>) -> Flow { r.reply(self.0); Flow::Continue }
    /// # }
    /// let counter = supervise_runtime::start::<Counter>(1).await.unwrap();
    /// assert!(counter.is_alive());
    /// counter.process().exit(ExitReason::Kill);
    /// counter.process().wait().await;
    /// assert!(!counter.is_alive());
    /// # }
    /// ```
    pub fn is_alive(&self) -> bool {
        self.core.control.is_alive()
    }

    /// Sends a plain message (for `handle_info`); a dead worker hands it back.
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// # use std::time::Duration;
    /// # use supervise_runtime::{AsProcess, CallError, Context, ExitReason, Flow, Init, ReplyTo, SendError, Worker};
    /// # /// Adds infos, multiplies by casts, answers calls with its total.
    /// # struct Counter(u64);
    /// # impl Worker for Counter {
    /// #     type Args = u64; type Info = u64; type Call = ReplyTo<u64>; type Cast = u64; type Api<A: supervise_runtime::Address<Self>> = A;
    /// #     async fn init(n: u64, _: &mut Context<Self>) -> Init<Self> { Init::Ok(Counter(n)) }
    /// #     async fn handle_info(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 += n; Flow::Continue }
    /// #     async fn handle_cast(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 *= n; Flow::Continue }
    /// #     async fn handle_call(&mut self, r: ReplyTo<u64>, _: &mut Context<Self>) -> Flow { r.reply(self.0); Flow::Continue }
    /// # }
    /// let counter = supervise_runtime::start::<Counter>(1).await.unwrap();
    /// counter.send(41).unwrap();
    /// assert_eq!(counter.call(|r| r).await, Ok(42));
    /// counter.process().exit(ExitReason::Kill);
    /// counter.process().wait().await;
    /// assert_eq!(counter.send(1), Err(SendError::NoProc(1)), "handed back");
    /// # }
    /// ```
    pub fn send(&self, msg: W::Info) -> Result<(), SendError<W::Info>> {
        self.core.send(Envelope::Info(msg)).map_err(|e| {
            unwrap_envelope(e, |env| match env {
                Envelope::Info(m) => Ok(m),
                other => Err(other),
            })
        })
    }

    /// Sends a cast (for `handle_cast`); a dead worker hands it back.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// # use std::time::Duration;
    /// # use supervise_runtime::{AsProcess, CallError, Context, ExitReason, Flow, Init, ReplyTo, SendError, Worker};
    /// # /// Adds infos, multiplies by casts, answers calls with its total.
    /// # struct Counter(u64);
    /// # impl Worker for Counter {
    /// #     type Args = u64; type Info = u64; type Call = ReplyTo<u64>; type Cast = u64; type Api<A: supervise_runtime::Address<Self>> = A;
    /// #     async fn init(n: u64, _: &mut Context<Self>) -> Init<Self> { Init::Ok(Counter(n)) }
    /// #     async fn handle_info(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 += n; Flow::Continue }
    /// #     async fn handle_cast(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 *= n; Flow::Continue }
    /// #     async fn handle_call(&mut self, r: ReplyTo<u64>, _: &mut Context<Self>) -> Flow { r.reply(self.0); Flow::Continue }
    /// # }
    /// let counter = supervise_runtime::start::<Counter>(1).await.unwrap();
    /// counter.cast(7).unwrap();
    /// assert_eq!(counter.call(|r| r).await, Ok(7));
    /// # }
    /// ```
    pub fn cast(&self, msg: W::Cast) -> Result<(), SendError<W::Cast>> {
        self.core.send(Envelope::Cast(msg)).map_err(|e| {
            unwrap_envelope(e, |env| match env {
                Envelope::Cast(m) => Ok(m),
                other => Err(other),
            })
        })
    }

    /// Calls the worker with the default 5 s timeout. `request` builds the call message
    /// around its [`ReplyTo`]. Never hangs: a dead worker is `NoProc` at once, a worker
    /// that dies while handling the call is `Exited(reason)`, a slow one is `Timeout`.
    ///
    /// The timeout arms no timer and, at a second or more, reads no clock: it never fires
    /// early, and fires at most a few milliseconds late (see [`call_timeout`](Self::call_timeout)).
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// # use std::time::Duration;
    /// # use supervise_runtime::{AsProcess, CallError, Context, ExitReason, Flow, Init, ReplyTo, SendError, Worker};
    /// # /// Adds infos, multiplies by casts, answers calls with its total.
    /// # struct Counter(u64);
    /// # impl Worker for Counter {
    /// #     type Args = u64; type Info = u64; type Call = ReplyTo<u64>; type Cast = u64; type Api<A: supervise_runtime::Address<Self>> = A;
    /// #     async fn init(n: u64, _: &mut Context<Self>) -> Init<Self> { Init::Ok(Counter(n)) }
    /// #     async fn handle_info(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 += n; Flow::Continue }
    /// #     async fn handle_cast(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 *= n; Flow::Continue }
    /// #     async fn handle_call(&mut self, r: ReplyTo<u64>, _: &mut Context<Self>) -> Flow { r.reply(self.0); Flow::Continue }
    /// # }
    /// let counter = supervise_runtime::start::<Counter>(1).await.unwrap();
    /// assert_eq!(counter.call(|reply| reply).await, Ok(1));
    /// counter.process().exit(ExitReason::Kill);
    /// counter.process().wait().await;
    /// assert_eq!(counter.call(|reply| reply).await, Err(CallError::NoProc), "at once");
    /// # }
    /// ```
    pub fn call<T: Send + 'static>(
        &self,
        request: impl FnOnce(ReplyTo<T>) -> W::Call,
    ) -> Call<'_, W, T> {
        self.call_timeout(request, DEFAULT_CALL_TIMEOUT)
    }

    /// [`call`](Self::call) with an explicit timeout.
    ///
    /// A timeout never fires early. One under a second is kept to the millisecond, like
    /// any tokio timer. One of a second or more is registered without reading the clock
    /// (a clock read costs about a tenth of a call on a VM): the thread's deadline keeper
    /// stamps it at its next look, which comes within 5 ms while calls come, so it fires
    /// at most about 5 ms late, a thousandth of the default timeout. A timeout of over a
    /// century is no timeout ([`call_infinity`](Self::call_infinity)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// # use std::time::Duration;
    /// # use supervise_runtime::{AsProcess, CallError, Context, ExitReason, Flow, Init, ReplyTo, SendError, Worker};
    /// # /// Adds infos, multiplies by casts, answers calls with its total.
    /// # struct Counter(u64);
    /// # impl Worker for Counter {
    /// #     type Args = u64; type Info = u64; type Call = ReplyTo<u64>; type Cast = u64; type Api<A: supervise_runtime::Address<Self>> = A;
    /// #     async fn init(n: u64, _: &mut Context<Self>) -> Init<Self> { Init::Ok(Counter(n)) }
    /// #     async fn handle_info(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 += n; Flow::Continue }
    /// #     async fn handle_cast(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 *= n; Flow::Continue }
    /// #     async fn handle_call(&mut self, r: ReplyTo<u64>, _: &mut Context<Self>) -> Flow { r.reply(self.0); Flow::Continue }
    /// # }
    /// let counter = supervise_runtime::start::<Counter>(1).await.unwrap();
    /// assert_eq!(counter.call_timeout(|r| r, Duration::from_millis(10)).await, Ok(1));
    /// # }
    /// ```
    pub fn call_timeout<T: Send + 'static>(
        &self,
        request: impl FnOnce(ReplyTo<T>) -> W::Call,
        timeout: Duration,
    ) -> Call<'_, W, T> {
        // A timeout too long to ever pass is no timeout.
        Call::to_handle(self, request, Due::of(timeout))
    }

    /// A call without a timeout (OTP's `infinity`): it returns when the worker replies or
    /// exits, and arms no timer. Supervisors' own APIs are called this way.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// # use std::time::Duration;
    /// # use supervise_runtime::{AsProcess, CallError, Context, ExitReason, Flow, Init, ReplyTo, SendError, Worker};
    /// # /// Adds infos, multiplies by casts, answers calls with its total.
    /// # struct Counter(u64);
    /// # impl Worker for Counter {
    /// #     type Args = u64; type Info = u64; type Call = ReplyTo<u64>; type Cast = u64; type Api<A: supervise_runtime::Address<Self>> = A;
    /// #     async fn init(n: u64, _: &mut Context<Self>) -> Init<Self> { Init::Ok(Counter(n)) }
    /// #     async fn handle_info(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 += n; Flow::Continue }
    /// #     async fn handle_cast(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 *= n; Flow::Continue }
    /// #     async fn handle_call(&mut self, r: ReplyTo<u64>, _: &mut Context<Self>) -> Flow { r.reply(self.0); Flow::Continue }
    /// # }
    /// let counter = supervise_runtime::start::<Counter>(1).await.unwrap();
    /// assert_eq!(counter.call_infinity(|r| r).await, Ok(1));
    /// # }
    /// ```
    pub fn call_infinity<T: Send + 'static>(
        &self,
        request: impl FnOnce(ReplyTo<T>) -> W::Call,
    ) -> Call<'_, W, T> {
        Call::to_handle(self, request, None)
    }

    /// Has the thread's deadline keeper expire `slot` at `due` unless answered by then.
    pub(crate) fn keep_until<T: Send + 'static>(slot: &Arc<Slot<T>>, due: Due) {
        let slot = Arc::downgrade(slot);
        let slot: Weak<dyn Expire> = slot;
        deadline::register(due, slot);
    }

    /// A call's message around a new reply slot.
    pub(crate) fn call_parts<T>(
        request: impl FnOnce(ReplyTo<T>) -> W::Call,
    ) -> (MessageOf<W>, Arc<Slot<T>>) {
        let slot = Slot::new();
        (Envelope::Call(request(ReplyTo::new(slot.clone()))), slot)
    }

    /// Waits for the reply of a call sent to this incarnation.
    pub(crate) async fn await_reply<T>(
        &self,
        slot: Arc<Slot<T>>,
        deadline: Option<Due>,
    ) -> Result<T, CallError> {
        match Reply::new(slot).await {
            Ok(value) => Ok(value),
            Err(NoReply::Dropped { stamped, .. }) => {
                // A call registered without reading the clock has the deadline the keeper
                // stamped, or, dropped before the keeper's first look at it, was made
                // within a tick: from now is then at most a tick late.
                let deadline =
                    deadline.and_then(|due| stamped.or_else(|| due.stamp(Instant::now())));
                exit_before(&self.process(), deadline).await
            }
            Err(NoReply::Expired) => Err(CallError::Timeout),
        }
    }

    /// Stops the worker (GenServer's `stop`) and returns once it has exited: it runs
    /// `terminate(reason)` (whether it traps exits or not) and exits with `reason`, so
    /// links and monitors see that reason, and a supervised child is then treated as any
    /// exit with it (a permanent child is restarted, even after `Normal`). Returns the
    /// reason it exited with, which differs from `reason` only if it crashed in
    /// `terminate`. No timeout (OTP's default `infinity`): see
    /// [`stop_timeout`](Self::stop_timeout). A supervisor stops its children first.
    ///
    /// Errors: `NoProc` if the worker was not alive, `CallingSelf` from inside it (a
    /// handler returns `Flow::Stop` instead).
    ///
    /// ```
    /// use supervise_runtime::{worker, CallError, ExitReason};
    ///
    /// pub struct Conn { log: Vec<String> }
    /// #[worker]
    /// impl Conn {
    ///     fn init() -> Self { Conn { log: vec![] } }
    ///     fn terminate(&mut self, reason: &ExitReason) { println!("terminate({reason})") }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let conn = Conn::start().await.unwrap();
    /// assert_eq!(conn.stop(ExitReason::Normal).await, Ok(ExitReason::Normal));
    /// assert!(!conn.is_alive());
    /// assert_eq!(conn.stop(ExitReason::Normal).await, Err(CallError::NoProc));
    /// # }
    /// ```
    pub async fn stop(&self, reason: ExitReason) -> Result<ExitReason, CallError> {
        self.stop_timeout(reason, Duration::MAX).await
    }

    /// [`stop`](Self::stop), waiting at most `timeout` for the exit. On `Timeout` the
    /// worker was asked to stop and goes on stopping (as OTP leaves it).
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervise_runtime::{worker, ExitReason};
    /// # pub struct Conn;
    /// # #[worker] impl Conn { fn init() -> Self { Conn } }
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// let conn = Conn::start().await.unwrap();
    /// let reason = ExitReason::error("maintenance");
    /// assert_eq!(conn.stop_timeout(reason.clone(), Duration::from_secs(1)).await, Ok(reason));
    /// # }
    /// ```
    pub async fn stop_timeout(
        &self,
        reason: ExitReason,
        timeout: Duration,
    ) -> Result<ExitReason, CallError> {
        let me = current::pid();
        if me == Some(self.pid()) {
            return Err(CallError::CallingSelf);
        }
        if !self.is_alive() {
            return Err(CallError::NoProc);
        }
        let exited = self.process();
        let exited = exited.wait();
        self.core
            .control
            .stop_signal(me.unwrap_or(Pid::EXTERNAL), reason);
        match Instant::now().checked_add(timeout) {
            Some(at) if timeout < Duration::from_secs(100 * 365 * 24 * 3600) => {
                tokio::time::timeout_at(at, exited)
                    .await
                    .map_err(|_| CallError::Timeout)
            }
            _ => Ok(exited.await),
        }
    }

    /// The handle of the worker registered under `name`, if it is a `W` (OTP's
    /// `whereis`, typed). The generated handle has the same as `CounterRef::whereis`.
    ///
    /// ```
    /// use supervise_runtime::{worker, Handle, StartOptions};
    /// # pub struct Cache;
    /// # #[worker] impl Cache { fn init() -> Self { Cache } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let cache = supervise_runtime::start_with::<Cache>((), StartOptions::new().name("doc:handle:whereis")).await.unwrap();
    /// assert_eq!(Handle::<Cache>::whereis("doc:handle:whereis").map(|h| h.pid()), Some(cache.pid()));
    /// assert!(Handle::<Cache>::whereis("doc:handle:nobody").is_none());
    /// # }
    /// ```
    pub fn whereis(name: &str) -> Option<Handle<W>> {
        crate::registry::lookup_process(name)?
            .into_downcast::<MessageOf<W>>()
            .map(|core| Handle { core })
    }

    /// The typed handle of a process, if it runs worker `W` (e.g. from `which_children`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::convert::Infallible;
    /// use supervise_runtime::{AsProcess, Context, Handle, Init, Worker};
    /// struct Idle;
    /// impl Worker for Idle {
    ///     type Args = (); type Info = Infallible; type Call = Infallible; type Cast = Infallible; type Api<A: supervise_runtime::Address<Self>> = A;
    ///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Idle) }
    /// }
    /// let idle = supervise_runtime::start::<Idle>(()).await.unwrap();
    /// let back = Handle::<Idle>::from_process(&idle.process()).unwrap();
    /// assert_eq!(&back, supervise_runtime::RefOf::address(&idle));
    /// # }
    /// ```
    pub fn from_process(process: &ProcessRef) -> Option<Handle<W>> {
        process
            .downcast::<MessageOf<W>>()
            .map(|core| Handle { core })
    }

    /// The untyped reference, without touching the reference count.
    pub(crate) fn into_process(self) -> ProcessRef {
        ProcessRef(self.core)
    }

    /// The worker's mailbox address (envelopes included).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// # use std::time::Duration;
    /// # use supervise_runtime::{AsProcess, CallError, Context, ExitReason, Flow, Init, ReplyTo, SendError, Worker};
    /// # /// Adds infos, multiplies by casts, answers calls with its total.
    /// # struct Counter(u64);
    /// # impl Worker for Counter {
    /// #     type Args = u64; type Info = u64; type Call = ReplyTo<u64>; type Cast = u64; type Api<A: supervise_runtime::Address<Self>> = A;
    /// #     async fn init(n: u64, _: &mut Context<Self>) -> Init<Self> { Init::Ok(Counter(n)) }
    /// #     async fn handle_info(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 += n; Flow::Continue }
    /// #     async fn handle_cast(&mut self, n: u64, _: &mut Context<Self>) -> Flow { self.0 *= n; Flow::Continue }
    /// #     async fn handle_call(&mut self, r: ReplyTo<u64>, _: &mut Context<Self>) -> Flow { r.reply(self.0); Flow::Continue }
    /// # }
    /// let counter = supervise_runtime::start::<Counter>(1).await.unwrap();
    /// let addr = counter.addr();
    /// assert_eq!(addr.pid(), counter.pid());
    /// addr.send(supervise_runtime::Envelope::Info(2)).unwrap(); // a raw envelope
    /// assert_eq!(counter.call(|r| r).await, Ok(3));
    /// # }
    /// ```
    pub fn addr(&self) -> Addr<MessageOf<W>> {
        Addr {
            core: self.core.clone(),
        }
    }
}

fn unwrap_envelope<E, M>(err: SendError<E>, take: impl Fn(E) -> Result<M, E>) -> SendError<M> {
    let rewrap = |env| match take(env) {
        Ok(m) => m,
        Err(_) => unreachable!("a send hands back the envelope it was given"),
    };
    err.map(rewrap)
}

impl<W: Worker> AsProcess for Handle<W> {
    fn process(&self) -> ProcessRef {
        ProcessRef(self.core.clone())
    }
}

impl<W: Worker> Clone for Handle<W> {
    fn clone(&self) -> Self {
        Handle {
            core: self.core.clone(),
        }
    }
}

impl<W: Worker> fmt::Debug for Handle<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handle<{}>({})", std::any::type_name::<W>(), self.pid())
    }
}

impl<W: Worker> PartialEq for Handle<W> {
    fn eq(&self, other: &Self) -> bool {
        self.pid() == other.pid()
    }
}

impl<W: Worker> Eq for Handle<W> {}

/// The reply handle of a call to `callee` was dropped: the call ends with the callee's
/// exit reason if it exits by `deadline`, as OTP's call does when its monitor fires, and
/// with `Timeout` otherwise.
pub(crate) async fn exit_before<T>(
    callee: &ProcessRef,
    deadline: Option<Instant>,
) -> Result<T, CallError> {
    let exited = callee.wait();
    match deadline {
        Some(deadline) => match tokio::time::timeout_at(deadline, exited).await {
            Ok(reason) => Err(CallError::Exited(reason)),
            Err(_) => Err(CallError::Timeout),
        },
        None => Err(CallError::Exited(exited.await)),
    }
}
