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
/// struct Tick;
/// impl Worker for Ticker {
///     type Args = ();
///     type Info = Tick;
///     type Call = ReplyTo<u32>;
///     type Cast = Infallible;
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
    /// fn me<W: supervise_runtime::Worker>(ctx: &supervise_runtime::Context<W>) -> supervise_runtime::Pid { ctx.pid() }
    /// ```
    pub fn pid(&self) -> Pid {
        self.core.control.pid()
    }

    /// The process that started this one linked (its supervisor, say), if any.
    ///
    /// ```
    /// fn boss<W: supervise_runtime::Worker>(ctx: &supervise_runtime::Context<W>) -> Option<supervise_runtime::Pid> { ctx.parent() }
    /// ```
    pub fn parent(&self) -> Option<Pid> {
        self.parent
    }

    /// A handle to this process, to give to others.
    ///
    /// ```
    /// fn me<W: supervise_runtime::Worker>(ctx: &supervise_runtime::Context<W>) -> supervise_runtime::Handle<W> { ctx.handle() }
    /// ```
    pub fn handle(&self) -> Handle<W> {
        Handle {
            core: self.core.clone(),
        }
    }

    /// Traps exits (true): exit signals arrive in `handle_exit` instead of killing the
    /// process, and `terminate` runs on the parent's shutdown. Returns the old setting.
    ///
    /// ```
    /// fn trap<W: supervise_runtime::Worker>(ctx: &supervise_runtime::Context<W>) { ctx.trap_exit(true); }
    /// ```
    pub fn trap_exit(&self, on: bool) -> bool {
        self.core.control.set_trap_exit(on)
    }

    /// Links this process to `other`; a dead `other` sends an exit signal `noproc` at once.
    ///
    /// ```
    /// fn tie<W: supervise_runtime::Worker>(ctx: &supervise_runtime::Context<W>, other: &supervise_runtime::ProcessRef) { ctx.link(other) }
    /// ```
    pub fn link(&self, other: &impl AsProcess) {
        control::link(&self.process(), &other.process());
    }

    /// Removes the link to `other`.
    ///
    /// ```
    /// fn untie<W: supervise_runtime::Worker>(ctx: &supervise_runtime::Context<W>, other: &supervise_runtime::ProcessRef) { ctx.unlink(other) }
    /// ```
    pub fn unlink(&self, other: &impl AsProcess) {
        control::unlink(&self.process(), &other.process());
    }

    /// Monitors `other`; its exit arrives in `handle_down`.
    ///
    /// ```
    /// fn watch<W: supervise_runtime::Worker>(ctx: &supervise_runtime::Context<W>, other: &supervise_runtime::ProcessRef) -> supervise_runtime::Ref { ctx.monitor(other) }
    /// ```
    pub fn monitor(&self, other: &impl AsProcess) -> Ref {
        control::monitor(&self.process(), &other.process())
    }

    /// Cancels a monitor (and drops its `Down` if it already arrived).
    ///
    /// ```
    /// fn unwatch<W: supervise_runtime::Worker>(ctx: &supervise_runtime::Context<W>, r: supervise_runtime::Ref) -> bool { ctx.demonitor(r) }
    /// ```
    pub fn demonitor(&self, reference: Ref) -> bool {
        control::demonitor(&self.process(), reference)
    }

    /// Sends `msg` to this process after `delay`. See [`Context`] for an example.
    ///
    /// ```
    /// use std::time::Duration;
    /// fn later<W: supervise_runtime::Worker<Info = ()>>(ctx: &supervise_runtime::Context<W>) { ctx.send_after((), Duration::from_secs(1)); }
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
