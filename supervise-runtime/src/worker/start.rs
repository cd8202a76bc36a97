//! OTP's synchronous start: the caller gets a handle only after `init` ran.
//!
//! `init` runs in the caller's task, as the new process (its pid, its context, its panic
//! boundary), and only then is the process's own task spawned with the state. The caller
//! blocks exactly as OTP's `start_link` does, and no round trip between tasks is needed.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Weak};

use futures_util::FutureExt;

use super::report::log_crash;
use super::{Context, Handle, Init, MessageOf, Worker, run};
use crate::process::control::Launcher;
use crate::process::interrupt::interruptible;
use crate::process::{
    Core, Kind, Mailbox, Process, ProcessRef, Rx, control, current, new_core, nursery,
};
use crate::registry::{self, RegisterError};
use crate::{ExitReason, Pid, panic};

/// How to start a worker: linked or not, its mailbox, a registered name.
///
/// ```
/// use supervise_runtime::{Mailbox, StartOptions};
/// let opts = StartOptions::new().link(true).mailbox(Mailbox::Bounded(100)).name("cache");
/// assert!(opts.is_linked());
/// ```
#[derive(Clone, Debug, Default)]
pub struct StartOptions {
    link: bool,
    mailbox: Mailbox,
    name: Option<Arc<str>>,
}

impl StartOptions {
    /// Not linked, unbounded mailbox, no name.
    ///
    /// ```
    /// assert!(!supervise_runtime::StartOptions::new().is_linked());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Link the new process to the caller.
    ///
    /// ```
    /// assert!(supervise_runtime::StartOptions::new().link(true).is_linked());
    /// ```
    pub fn link(mut self, link: bool) -> Self {
        self.link = link;
        self
    }

    /// The mailbox to give the process.
    ///
    /// ```
    /// let o = supervise_runtime::StartOptions::new().mailbox(supervise_runtime::Mailbox::Bounded(8));
    /// # let _ = o;
    /// ```
    pub fn mailbox(mut self, mailbox: Mailbox) -> Self {
        self.mailbox = mailbox;
        self
    }

    /// Register the process under `name` before `init` runs; a taken name fails the start
    /// with [`StartError::AlreadyStarted`] and `init` does not run.
    ///
    /// ```
    /// let o = supervise_runtime::StartOptions::new().name("db");
    /// # let _ = o;
    /// ```
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Whether the start links to the caller.
    ///
    /// ```
    /// assert!(!supervise_runtime::StartOptions::default().is_linked());
    /// ```
    pub fn is_linked(&self) -> bool {
        self.link
    }
}

/// Why a worker did not start. Nothing is left running or registered after any of these.
///
/// ```
/// use supervise_runtime::{ExitReason, StartError};
/// let e = StartError::Stopped(ExitReason::error("no database"));
/// assert_eq!(e.to_string(), "init stopped: no database");
/// assert_eq!(e.reason(), Some(&ExitReason::error("no database")));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum StartError {
    /// `init` returned `Init::Ignore` (OTP's `ignore`): not a failure, but no process.
    Ignored,
    /// `init` returned `Init::Stop(reason)`.
    Stopped(ExitReason),
    /// `init` panicked.
    Panicked(ExitReason),
    /// The process was killed by an exit signal while in `init`.
    Exited(ExitReason),
    /// The name is registered to this live process.
    AlreadyStarted(Pid),
    /// `start_link` was called outside any process: open an `Inbox`, or use `start`.
    NoCaller,
}

impl StartError {
    /// The exit reason behind the failure, where there is one.
    ///
    /// ```
    /// assert_eq!(supervise_runtime::StartError::Ignored.reason(), None);
    /// ```
    pub fn reason(&self) -> Option<&ExitReason> {
        match self {
            StartError::Stopped(r) | StartError::Panicked(r) | StartError::Exited(r) => Some(r),
            _ => None,
        }
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Ignored => f.write_str("init returned ignore"),
            StartError::Stopped(r) => write!(f, "init stopped: {r}"),
            StartError::Panicked(r) => write!(f, "init {r}"),
            StartError::Exited(r) => write!(f, "the process exited during init: {r}"),
            StartError::AlreadyStarted(pid) => write!(f, "already started: the name is held by {pid}"),
            StartError::NoCaller => f.write_str(
                "start_link needs a calling process to link to: call it from a process, or open an Inbox first, or use start",
            ),
        }
    }
}

impl std::error::Error for StartError {}

/// A process made and linked, its `init` not yet run.
struct Prepared<W: Worker> {
    core: Arc<Core<MessageOf<W>>>,
    me: ProcessRef,
    parent: Option<ProcessRef>,
    ctx: Context<W>,
}

/// What running `init` gave: its result, a panic, or the reason a signal killed it.
type InitOutcome<W> = Result<Result<Init<W>, Box<dyn std::any::Any + Send>>, ExitReason>;

pub(crate) async fn start_with<W: Worker>(
    args: W::Args,
    options: StartOptions,
) -> Result<Handle<W>, StartError> {
    let (mut p, rx) = prepare::<W>(&options)?;
    let (init, rx) = {
        let abandoned = Abandoned {
            me: &p.me,
            parent: p.parent.as_ref(),
            rx: Some(rx),
        };
        // `init` is called inside the process's scope (code it runs eagerly, before its
        // future's first poll, sees the new process as the current one) and inside the
        // panic guard (a panic at the call is the init's panic).
        let ctx = &mut p.ctx;
        let init = async move {
            match std::panic::catch_unwind(AssertUnwindSafe(move || W::init(args, ctx))) {
                Ok(init) => AssertUnwindSafe(init).catch_unwind().await,
                Err(panic) => Err(panic),
            }
        };
        let init = current::scope(p.me.clone(), interruptible(&p.core.control, init)).await;
        (init, abandoned.disarm())
    };
    finish(p, rx, init)
}

/// Ends a process whose start was dropped while `init` awaited (a cancelled start, or its
/// starter killed meanwhile): it exits with `shutdown`, unlinked from its starter first as
/// a failed start is, so its name, its links and whatever its `init` started (linked to
/// it) do not live on; messages sent to it meanwhile are dropped as its own. Disarmed
/// once `init` is done.
struct Abandoned<'a, M> {
    me: &'a ProcessRef,
    parent: Option<&'a ProcessRef>,
    /// `Some` until disarmed.
    rx: Option<Rx<M>>,
}

impl<M> Abandoned<'_, M> {
    /// `init` is done: the start goes on, with the mailbox.
    fn disarm(mut self) -> Rx<M> {
        let rx = self.rx.take();
        std::mem::forget(self);
        match rx {
            Some(rx) => rx,
            None => unreachable!("an armed guard holds the mailbox"),
        }
    }
}

impl<M> Drop for Abandoned<'_, M> {
    fn drop(&mut self) {
        if let Some(parent) = self.parent {
            control::unlink(parent, self.me);
        }
        if let Some(rx) = self.rx.take() {
            drop_mailbox(self.me, rx);
        }
        self.me.control().terminate(ExitReason::Shutdown);
    }
}

/// Drops the mailbox of a process that ends before it served, as that process: a call's
/// reply handle dropped there tells its caller which process to wait for (a call by name
/// can reach a process while its `init` runs). A message whose `Drop` panics does not
/// stop the exit (the mailbox's `Drop` guards each one).
fn drop_mailbox<M>(me: &ProcessRef, rx: Rx<M>) {
    current::sync_scope(me.clone(), move || drop(rx));
}

/// [`start_with`] for a worker whose `init` never awaits ([`Worker::SYNC_INIT`]): the same
/// start, run without a future to box, which is what a supervisor's start path needs.
pub(crate) fn start_now<W: Worker>(
    args: W::Args,
    options: StartOptions,
) -> Result<Handle<W>, StartError> {
    let (mut p, rx) = prepare::<W>(&options)?;
    let init = {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let ctx = &mut p.ctx;
        // Called and polled in the process's scope, inside the panic guard, as above.
        let polled = current::sync_scope(p.me.clone(), || {
            match std::panic::catch_unwind(AssertUnwindSafe(move || W::init(args, ctx))) {
                Ok(init) => std::pin::pin!(AssertUnwindSafe(init).catch_unwind()).poll(&mut cx),
                Err(panic) => std::task::Poll::Ready(Err(panic)),
            }
        });
        match polled {
            std::task::Poll::Ready(done) => Ok(done),
            std::task::Poll::Pending => Ok(Ok(Init::Stop(ExitReason::error(format!(
                "{}::init awaited, but the worker sets SYNC_INIT (an init that never awaits)",
                std::any::type_name::<W>()
            ))))),
        }
    };
    // A kill that arrived while init ran wins, as it would have in the async start.
    let init = match p.core.control.doom() {
        Some(reason) => Err(reason),
        None => init,
    };
    finish(p, rx, init)
}

fn prepare<W: Worker>(
    options: &StartOptions,
) -> Result<(Prepared<W>, Rx<MessageOf<W>>), StartError> {
    panic::install_hook();
    let parent = match options.link {
        true => Some(current::process().ok_or(StartError::NoCaller)?),
        false => None,
    };
    // The child is made with its half of the link to the parent, so linking it below takes
    // only the parent's lock. A failed registration terminates it before the parent's half
    // exists, and the parent drops the exit signal of a link it does not hold.
    let (core, rx) = new_core::<MessageOf<W>>(Kind::Task, options.mailbox, parent.clone());
    let me = ProcessRef(core.clone());
    if let Some(name) = &options.name
        && let Err(e) = registry::register(name, &me)
    {
        core.control.terminate(ExitReason::Normal);
        return Err(match e {
            RegisterError::Taken(pid) => StartError::AlreadyStarted(pid),
            RegisterError::NoProc => StartError::Exited(ExitReason::NoProc),
        });
    }
    if let Some(parent) = &parent {
        control::link_new(parent, &me);
    }
    let ctx = Context {
        core: core.clone(),
        parent: parent.as_ref().map(ProcessRef::pid),
    };
    Ok((
        Prepared {
            core,
            me,
            parent,
            ctx,
        },
        rx,
    ))
}

fn finish<W: Worker>(
    p: Prepared<W>,
    rx: Rx<MessageOf<W>>,
    init: InitOutcome<W>,
) -> Result<Handle<W>, StartError> {
    let Prepared {
        core,
        me,
        parent,
        ctx,
    } = p;
    let (reason, error) = match init {
        Ok(Ok(Init::Ok(state))) => {
            let runtime = tokio::runtime::Handle::current();
            let runtime_id = runtime.id();
            let waits = core.control.run_when_needed(Box::new(Launcher {
                runtime,
                task: current::scope(me, run::run(state, ctx, rx)),
            }));
            if waits {
                let process: Weak<dyn Process> = Arc::downgrade(&core) as Weak<Core<_>>;
                nursery::enroll(process, runtime_id);
            }
            return Ok(Handle { core });
        }
        Ok(Ok(Init::Ignore)) => (ExitReason::Normal, StartError::Ignored),
        Ok(Ok(Init::Stop(reason))) => (reason.clone(), StartError::Stopped(reason)),
        Ok(Err(payload)) => {
            let reason = panic::reason(payload);
            (reason.clone(), StartError::Panicked(reason))
        }
        Err(reason) => {
            // Killed by a signal during init: it exits like any process, links included.
            drop_mailbox(&me, rx);
            core.control.terminate(reason.clone());
            return Err(StartError::Exited(reason));
        }
    };
    // The caller learns of the failure from the result, not from an exit signal.
    if let Some(parent) = &parent {
        control::unlink(parent, &me);
    }
    drop_mailbox(&me, rx);
    core.control.terminate(reason.clone());
    if reason.is_failure() {
        log_crash::<W>(
            core.control.pid(),
            &reason,
            "<none: init did not complete>",
            None,
        );
    }
    Err(error)
}
