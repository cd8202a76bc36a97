use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{Handle, MessageOf, Worker};
use crate::process::{AsProcess, Core, ProcessRef, control};
use crate::timer::{self, Timer};
use crate::{Pid, Ref};

/// A running worker's view of its own process, passed to every callback.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// use std::convert::Infallible;
/// use std::time::Duration;
/// use supervise_runtime::{Context, Flow, Init, ReplyTo, Worker};
///
/// /// Counts its own ticks, one a second.
/// struct Ticker(u32);
/// #[derive(Debug)]
/// struct Tick;
/// impl Worker for Ticker {
///     type Args = ();
///     type Info = Tick;
///     type Call = ReplyTo<u32>;
///     type Cast = Infallible;
///     type Api<A: supervise_runtime::Address<Self>> = A;
///     async fn init(_: (), ctx: &mut Context<Self>) -> Init<Self> {
///         ctx.send_after(Tick, Duration::from_secs(1));
///         Init::Ok(Ticker(0))
///     }
///     async fn handle_info(&mut self, _: Tick, ctx: &mut Context<Self>) -> Flow {
///         self.0 += 1;
///         ctx.send_after(Tick, Duration::from_secs(1));
///         Flow::Continue
///     }
///     async fn handle_call(&mut self, reply: ReplyTo<u32>, _: &mut Context<Self>) -> Flow {
///         reply.reply(self.0);
///         Flow::Continue
///     }
/// }
/// let ticker = supervise_runtime::start::<Ticker>(()).await.unwrap();
/// tokio::time::sleep(Duration::from_millis(3500)).await;
/// assert_eq!(ticker.call(|r| r).await.unwrap(), 3);
/// # }
/// ```
pub struct Context<W: Worker> {
    pub(crate) core: Arc<Core<MessageOf<W>>>,
    pub(crate) parent: Option<Pid>,
}

impl<W: Worker> Context<W> {
    /// This process's pid.
    ///
    /// ```
    /// use supervise_runtime::{worker, Context, Pid};
    ///
    /// pub struct Me;
    /// #[worker]
    /// impl Me {
    ///     fn init() -> Self { Me }
    ///     #[call] fn whoami(&self, ctx: &Context<Self>) -> Pid { ctx.pid() }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let me = Me::start().await.unwrap();
    /// assert_eq!(me.whoami().await, Ok(me.pid()));
    /// # }
    /// ```
    pub fn pid(&self) -> Pid {
        self.core.control.pid()
    }

    /// The process that started this one linked (its supervisor, say), if any.
    ///
    /// ```
    /// use supervise_runtime::{worker, Context, Inbox, Pid};
    ///
    /// pub struct Child;
    /// #[worker]
    /// impl Child {
    ///     fn init() -> Self { Child }
    ///     #[call] fn boss(&self, ctx: &Context<Self>) -> Option<Pid> { ctx.parent() }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let shell = Inbox::<()>::new();
    /// let linked = Child::start_link().await.unwrap();
    /// assert_eq!(linked.boss().await, Ok(Some(shell.pid())));
    /// let unlinked = Child::start().await.unwrap();
    /// assert_eq!(unlinked.boss().await, Ok(None));
    /// # }
    /// ```
    pub fn parent(&self) -> Option<Pid> {
        self.parent
    }

    /// A handle to this process, to give to others.
    ///
    /// ```
    /// use supervise_runtime::{worker, Context};
    ///
    /// pub struct Me;
    /// #[worker]
    /// impl Me {
    ///     fn init() -> Self { Me }
    ///     #[call] fn myself(&self, ctx: &Context<Self>) -> MeRef { ctx.handle() }
    ///     #[call] fn ping(&self) -> &'static str { "pong" }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let me = Me::start().await.unwrap();
    /// let handle = me.myself().await.unwrap();
    /// assert_eq!(handle.pid(), me.pid());
    /// assert_eq!(handle.ping().await, Ok("pong"));
    /// # }
    /// ```
    pub fn handle(&self) -> crate::RefOf<W> {
        Handle {
            core: self.core.clone(),
        }
        .into()
    }

    /// Traps exits (true): exit signals arrive in `handle_exit` instead of killing the
    /// process, and `terminate` runs on the parent's shutdown. Returns the old setting.
    ///
    /// ```
    /// use supervise_runtime::{worker, AsProcess, Context, ExitReason};
    ///
    /// pub struct Sturdy;
    /// #[worker]
    /// impl Sturdy {
    ///     fn init(ctx: &Context<Self>) -> Self {
    ///         assert!(!ctx.trap_exit(true), "a process starts not trapping exits");
    ///         Sturdy
    ///     }
    ///     #[call] fn ping(&self) {}
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sturdy = Sturdy::start().await.unwrap();
    /// sturdy.process().exit(ExitReason::error("a linked crash"));
    /// assert_eq!(sturdy.ping().await, Ok(()), "the exit signal was trapped");
    /// # }
    /// ```
    pub fn trap_exit(&self, on: bool) -> bool {
        self.core.control.set_trap_exit(on)
    }

    /// Links this process to `other`; a dead `other` sends an exit signal `noproc` at once.
    ///
    /// ```
    /// use supervise_runtime::{worker, AsProcess, Context, ExitReason, Inbox, ProcessRef};
    ///
    /// pub struct Buddy;
    /// #[worker]
    /// impl Buddy {
    ///     fn init() -> Self { Buddy }
    ///     #[call] fn tie(&self, other: ProcessRef, ctx: &Context<Self>) { ctx.link(&other) }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let buddy = Buddy::start().await.unwrap();
    /// let other = Inbox::<()>::new();
    /// buddy.tie(other.process()).await.unwrap();
    /// other.process().exit(ExitReason::error("crash"));
    /// assert_eq!(buddy.process().wait().await, ExitReason::error("crash"));
    /// # }
    /// ```
    pub fn link(&self, other: &impl AsProcess) {
        control::link(&self.process(), &other.process());
    }

    /// Removes the link to `other`.
    ///
    /// ```
    /// use supervise_runtime::{worker, AsProcess, Context, ExitReason, Inbox, ProcessRef};
    ///
    /// pub struct Buddy;
    /// #[worker]
    /// impl Buddy {
    ///     fn init() -> Self { Buddy }
    ///     #[call] fn tie(&self, other: ProcessRef, ctx: &Context<Self>) { ctx.link(&other) }
    ///     #[call] fn untie(&self, other: ProcessRef, ctx: &Context<Self>) { ctx.unlink(&other) }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let buddy = Buddy::start().await.unwrap();
    /// let other = Inbox::<()>::new();
    /// buddy.tie(other.process()).await.unwrap();
    /// buddy.untie(other.process()).await.unwrap();
    /// assert!(!other.process().is_linked_to(buddy.pid()));
    /// other.process().exit(ExitReason::error("crash"));
    /// assert!(buddy.is_alive());
    /// # }
    /// ```
    pub fn unlink(&self, other: &impl AsProcess) {
        control::unlink(&self.process(), &other.process());
    }

    /// Monitors `other`; its exit arrives in [`Worker::handle_down`] as a
    /// [`Down`](crate::Down) carrying the returned [`Ref`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::convert::Infallible;
    /// use supervise_runtime::{AsProcess, Context, Down, ExitReason, Flow, Inbox, Init, ProcessRef, Ref, Worker};
    ///
    /// /// Watches a process and tells `report` when it goes down.
    /// struct Watcher { watching: Ref, report: supervise_runtime::Addr<Down> }
    /// impl Worker for Watcher {
    ///     type Args = (ProcessRef, supervise_runtime::Addr<Down>);
    ///     type Info = Infallible;
    ///     type Call = Infallible;
    ///     type Cast = Infallible;
    ///     type Api<A: supervise_runtime::Address<Self>> = A;
    ///     async fn init((target, report): Self::Args, ctx: &mut Context<Self>) -> Init<Self> {
    ///         Init::Ok(Watcher { watching: ctx.monitor(&target), report })
    ///     }
    ///     async fn handle_down(&mut self, down: Down, _: &mut Context<Self>) -> Flow {
    ///         assert_eq!(down.reference, self.watching);
    ///         let _ = self.report.send(down);
    ///         Flow::Continue
    ///     }
    /// }
    /// let mut reports = Inbox::<Down>::new();
    /// let target = Inbox::<()>::new();
    /// supervise_runtime::start::<Watcher>((target.process(), reports.addr())).await.unwrap();
    /// target.process().exit(ExitReason::error("gone"));
    /// let down = reports.recv().await.unwrap().into_message().unwrap();
    /// assert_eq!((down.pid, down.reason), (target.pid(), ExitReason::error("gone")));
    /// # }
    /// ```
    pub fn monitor(&self, other: &impl AsProcess) -> Ref {
        control::monitor(&self.process(), &other.process())
    }

    /// Cancels a monitor (and drops its `Down` if it already arrived). Returns whether the
    /// monitor was active.
    ///
    /// ```
    /// use supervise_runtime::{worker, AsProcess, Context, Inbox, ProcessRef, Ref};
    ///
    /// pub struct Watcher;
    /// #[worker]
    /// impl Watcher {
    ///     fn init() -> Self { Watcher }
    ///     #[call] fn watch(&self, other: ProcessRef, ctx: &Context<Self>) -> Ref { ctx.monitor(&other) }
    ///     #[call] fn unwatch(&self, r: Ref, ctx: &Context<Self>) -> bool { ctx.demonitor(r) }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let watcher = Watcher::start().await.unwrap();
    /// let target = Inbox::<()>::new();
    /// let r = watcher.watch(target.process()).await.unwrap();
    /// assert_eq!(watcher.unwatch(r).await, Ok(true));
    /// assert_eq!(watcher.unwatch(r).await, Ok(false), "already cancelled");
    /// # }
    /// ```
    pub fn demonitor(&self, reference: Ref) -> bool {
        control::demonitor(&self.process(), reference)
    }

    /// Sends `msg` to this process after `delay`; the returned [`Timer`] cancels it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{worker, Context};
    ///
    /// pub struct Alarm { rung: bool }
    /// #[worker]
    /// impl Alarm {
    ///     fn init(ctx: &Context<Self>) -> Self {
    ///         ctx.send_after(AlarmMsg::Ring, Duration::from_secs(60));
    ///         Alarm { rung: false }
    ///     }
    ///     #[info] fn ring(&mut self) { self.rung = true }
    ///     #[call] fn rung(&self) -> bool { self.rung }
    /// }
    /// let alarm = Alarm::start().await.unwrap();
    /// assert_eq!(alarm.rung().await, Ok(false));
    /// tokio::time::sleep(Duration::from_secs(61)).await;
    /// assert_eq!(alarm.rung().await, Ok(true));
    /// # }
    /// ```
    pub fn send_after(&self, msg: W::Info, delay: Duration) -> Timer {
        let addr = crate::Addr {
            core: self.core.clone(),
        };
        timer::send_after(&addr, super::Envelope::Info(msg), delay)
    }
}

impl<W: Worker> AsProcess for Context<W> {
    fn process(&self) -> ProcessRef {
        ProcessRef(self.core.clone())
    }
}

impl<W: Worker> fmt::Debug for Context<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("pid", &self.pid())
            .field("parent", &self.parent)
            .finish()
    }
}
