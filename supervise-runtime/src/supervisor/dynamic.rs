//! The dynamic supervisor's server: one-for-one over children started at run time.
//!
//! Children live in a map keyed by pid (O(1) to find the one that exited). A child whose
//! restart failed stays under its old pid, marked restarting, until the retry.

use std::convert::Infallible;

use crate::pid::PidMap;
use futures_util::future::Either;
use tokio::time::Instant;

use super::decide::{self, AfterExit, RestartWindow};
use super::flags::{self, Backoff, DynamicSupervisorSpec, Intensity};
use super::info::{ChildCount, ChildError, ChildInfo, ChildPid, SupervisorStartError};
use super::server::clean_shutdown;
use super::spec::{ExtraArgs, SpecInner, StartFuture};
use super::{report, stop};
use crate::observe::{ChildView, ExitRecord, Status, SupervisorFlags, SupervisorView};
use crate::process::{ProcessRef, Signal, control};
use crate::worker::{Context, Flow, Init, ReplyTo, SlotState, StartError, Worker};
use crate::{AsProcess, CallError, ExitReason, Handle, Pid};

/// A dynamic supervisor: a [`Worker`] that starts children on request and restarts them
/// one for one. Use it through `Handle<DynamicSupervisor>`. A restarted dynamic
/// supervisor comes back empty, as in OTP.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{DynamicSupervisor, DynamicSupervisorSpec};
/// let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new()).await.unwrap();
/// assert_eq!(sup.count_children().await.unwrap().active, 0);
/// # }
/// ```
pub struct DynamicSupervisor {
    me: ProcessRef,
    intensity: Intensity,
    window: RestartWindow,
    max_children: Option<usize>,
    extra: Option<ExtraArgs>,
    backoff: Option<Backoff>,
    children: PidMap<DynChild>,
    /// The shutdown of every child, while all have the same (the usual case: children
    /// started from one template): stopping them all then reads no child's spec, which
    /// lives behind a pointer, one cache miss per child.
    same_shutdown: Option<super::Shutdown>,
}

/// When a child signalled at `signalled` must be killed; none for brutal_kill and infinity
/// (and for a timeout too long for the clock to reach).
fn deadline(signalled: Instant, how: super::Shutdown) -> Option<Instant> {
    match how {
        super::Shutdown::Timeout(d) => signalled.checked_add(d),
        super::Shutdown::BrutalKill | super::Shutdown::Infinity => None,
    }
}

struct DynChild {
    spec: SpecInner,
    /// `None` while restarting.
    process: Option<ProcessRef>,
    /// Backoff bookkeeping, only when the supervisor has a backoff (boxed: most
    /// supervisors have none, and each child's entry should stay small).
    backoff: Option<Box<Attempts>>,
    /// When this incarnation started (for `crate::observe`).
    started: Instant,
    /// Restarts and the last exit, once it exited (boxed: most children never do).
    history: Option<Box<History>>,
}

/// A dynamic child's past, for `crate::observe`.
struct History {
    restarts: u32,
    last_exit: Box<ExitRecord>,
}

struct Attempts {
    count: u32,
    started: Instant,
}

/// A request to a dynamic supervisor (opaque: use the methods of `Handle<DynamicSupervisor>`).
pub struct DynamicRequest(pub(crate) Request);

pub(crate) enum Request {
    StartChild(SpecInner, ReplyTo<Result<ProcessRef, ChildError>>),
    Terminate(Pid, ReplyTo<Result<(), ChildError>>),
    Which(ReplyTo<Vec<ChildInfo>>),
    Count(ReplyTo<ChildCount>),
    Observe(ReplyTo<SupervisorView>),
}

/// A message a dynamic supervisor sends itself (opaque).
pub struct DynamicInfo(Info);

enum Info {
    /// Retry a failed restart (counts against the intensity).
    TryAgain(Pid),
    /// A restart already counted, delayed by backoff.
    Delayed(Pid),
}

impl std::fmt::Debug for DynamicRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DynamicRequest")
    }
}

impl std::fmt::Debug for DynamicInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DynamicInfo")
    }
}

impl std::fmt::Debug for DynamicSupervisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicSupervisor")
            .field("pid", &self.me.pid())
            .field("children", &self.children.len())
            .finish()
    }
}

impl Worker for DynamicSupervisor {
    type Args = DynamicSupervisorSpec;
    type Info = DynamicInfo;
    type Call = DynamicRequest;
    type Cast = Infallible;
    type Api<A: crate::Address<Self>> = A;
    // Formatting stays off the restart path: a supervisor's reports say what it did.
    const RECORD_LAST_MESSAGE: bool = false;
    const SYNC_INIT: bool = true;

    async fn init(spec: DynamicSupervisorSpec, ctx: &mut Context<Self>) -> Init<Self> {
        ctx.trap_exit(true);
        if let Err(e) = spec.validate() {
            return Init::Stop(SupervisorStartError::Invalid(e).into_reason());
        }
        Init::Ok(DynamicSupervisor {
            me: ctx.process(),
            intensity: spec.intensity,
            window: RestartWindow::new(spec.intensity.max_restarts, spec.intensity.period),
            max_children: spec.max_children,
            extra: spec.extra_arguments,
            backoff: spec.backoff,
            children: PidMap::default(),
            same_shutdown: None,
        })
    }

    // A function returning an `async move` block, not an `async fn`: the request is moved
    // into the future once rather than copied again on the first poll.
    #[allow(clippy::manual_async_fn)]
    fn handle_call(
        &mut self,
        req: DynamicRequest,
        _ctx: &mut Context<Self>,
    ) -> impl Future<Output = Flow> + Send {
        async move {
            match req.0 {
                Request::StartChild(spec, reply) => {
                    // A worker whose init never awaits starts without an await here.
                    let started = match self.start_child(&spec) {
                        Err(e) => Err(e),
                        Ok(Either::Left(ready)) => ready.into_inner().map_err(ChildError::from),
                        Ok(Either::Right(start)) => start.await.map_err(ChildError::from),
                    };
                    reply.reply(started.map(|p| self.add_child(spec, p)));
                }
                // Boxed: stopping a child waits on it, and that rare future should not make
                // every request's future (start_child's above all) bigger.
                Request::Terminate(pid, reply) => {
                    reply.reply(Box::pin(self.terminate_child(pid)).await)
                }
                Request::Which(reply) => {
                    self.forget_dead();
                    reply.reply(self.which_children())
                }
                Request::Count(reply) => {
                    self.forget_dead();
                    reply.reply(self.count_children())
                }
                Request::Observe(reply) => {
                    self.forget_dead();
                    reply.reply(self.observe_view())
                }
            }
            Flow::Continue
        }
    }

    async fn handle_info(&mut self, msg: DynamicInfo, ctx: &mut Context<Self>) -> Flow {
        let (key, counted) = match msg.0 {
            Info::TryAgain(key) => (key, false),
            Info::Delayed(key) => (key, true),
        };
        let Some(child) = self.children.remove_entry(&key) else {
            return Flow::Continue;
        };
        if child.1.process.is_some() {
            self.children.insert(child.0, child.1);
            return Flow::Continue;
        }
        match counted {
            true => {
                self.restart_now(key, child.1, ctx).await;
                Flow::Continue
            }
            false => self.restart(key, child.1, ctx).await,
        }
    }

    async fn handle_exit(
        &mut self,
        from: Pid,
        reason: ExitReason,
        ctx: &mut Context<Self>,
    ) -> Flow {
        if ctx.parent() == Some(from) {
            return Flow::Stop(reason);
        }
        let Some(mut child) = self.children.remove(&from) else {
            return Flow::Continue;
        };
        child.record_exit(self.me.pid(), from, &reason);
        let after = decide::after_exit(child.spec.restart, &reason);
        if after.reports() {
            let context = report::Context::ChildTerminated;
            report::dynamic_child(self.me.pid(), context, &child.spec, Some(from), &reason);
        }
        match after {
            AfterExit::Restart => {
                self.publish(&child.spec, SlotState::Restarting);
                self.restart(from, child, ctx).await
            }
            AfterExit::Keep { .. } => {
                self.publish(&child.spec, SlotState::Gone);
                Flow::Continue
            }
        }
    }

    /// A summary (pid, number of children): what `observe::state` and a crash report
    /// show of a dynamic supervisor.
    fn format_state(&self, out: &mut dyn std::fmt::Write) -> std::fmt::Result {
        write!(out, "{self:?}")
    }

    async fn terminate(&mut self, _reason: &ExitReason, ctx: &mut Context<Self>) {
        self.stop_all(ctx).await;
    }
}

impl DynChild {
    /// This child's incarnation `pid` exited: kept for `crate::observe`, and told.
    fn record_exit(&mut self, sup: Pid, pid: Pid, reason: &ExitReason) {
        crate::observe::exited(sup, None, pid, reason);
        let last_exit = ExitRecord::new(pid, reason);
        match self.history.as_mut() {
            Some(h) => h.last_exit = last_exit,
            None => {
                self.history = Some(Box::new(History {
                    restarts: 0,
                    last_exit,
                }))
            }
        }
    }
}

impl DynamicSupervisor {
    /// Checks a new child against the rules and starts it (see `add_child`).
    fn start_child(&self, spec: &SpecInner) -> Result<StartFuture, ChildError> {
        flags::check_dynamic_child(spec).map_err(ChildError::Invalid)?;
        if self
            .max_children
            .is_some_and(|max| self.children.len() >= max)
        {
            return Err(ChildError::MaxChildren);
        }
        Ok(spec.start(self.extra.as_ref()))
    }

    /// Tells the child's followers, if it has any (`ChildSpec::publish`).
    fn publish(&self, spec: &SpecInner, state: SlotState) {
        if let Some(slot) = spec.slot() {
            slot.set(&self.me, state);
        }
    }

    /// Keeps a started child.
    fn add_child(&mut self, spec: SpecInner, p: ProcessRef) -> ProcessRef {
        self.publish(&spec, SlotState::Running(p.clone()));
        report::started(self.me.pid(), None, p.pid(), &spec);
        // Every child is in the table here (a restart takes one out and puts it back
        // within one callback), so this sees them all.
        self.same_shutdown = match self.children.is_empty() {
            true => Some(spec.shutdown),
            false => self.same_shutdown.filter(|s| *s == spec.shutdown),
        };
        let child = DynChild {
            spec,
            process: Some(p.clone()),
            backoff: self.backoff.map(|_| {
                Box::new(Attempts {
                    count: 0,
                    started: Instant::now(),
                })
            }),
            started: Instant::now(),
            history: None,
        };
        self.children.insert(p.pid(), child);
        p
    }

    async fn restart(&mut self, key: Pid, mut child: DynChild, ctx: &mut Context<Self>) -> Flow {
        if !self.window.record(Instant::now()) {
            let Intensity {
                max_restarts,
                period,
            } = self.intensity;
            report::intensity_exceeded(self.me.pid(), None, max_restarts, period);
            return Flow::Stop(ExitReason::Shutdown);
        }
        let attempts = match (self.backoff, child.backoff.as_mut()) {
            (Some(b), Some(a)) => {
                if a.started.elapsed() > b.max {
                    a.count = 0;
                }
                a.count = a.count.saturating_add(1);
                a.count - 1
            }
            _ => 0,
        };
        let delay = decide::backoff_delay(self.backoff, attempts);
        match delay {
            Some(delay) => {
                child.process = None;
                self.children.insert(key, child);
                ctx.send_after(DynamicInfo(Info::Delayed(key)), delay);
            }
            None => self.restart_now(key, child, ctx).await,
        }
        Flow::Continue
    }

    /// Starts a new incarnation; ignore drops the child, an error retries later.
    async fn restart_now(&mut self, key: Pid, mut child: DynChild, ctx: &mut Context<Self>) {
        match child.spec.start(self.extra.as_ref()).await {
            Ok(p) => {
                self.publish(&child.spec, SlotState::Running(p.clone()));
                report::started(self.me.pid(), None, p.pid(), &child.spec);
                child.process = Some(p.clone());
                child.started = Instant::now();
                if let Some(a) = child.backoff.as_mut() {
                    a.started = child.started;
                }
                if let Some(h) = child.history.as_mut() {
                    h.restarts = h.restarts.saturating_add(1);
                }
                crate::observe::restarted(self.me.pid(), None, key, p.pid());
                self.children.insert(p.pid(), child);
            }
            Err(StartError::Ignored) => self.publish(&child.spec, SlotState::Gone),
            Err(e) => {
                let reason = e.reason().cloned().unwrap_or_else(|| ExitReason::error(&e));
                report::dynamic_child(
                    self.me.pid(),
                    report::Context::StartError,
                    &child.spec,
                    None,
                    &reason,
                );
                child.process = None;
                self.children.insert(key, child);
                let _ = ctx.handle().send(DynamicInfo(Info::TryAgain(key)));
            }
        }
    }

    async fn terminate_child(&mut self, pid: Pid) -> Result<(), ChildError> {
        let child = self.children.remove(&pid).ok_or(ChildError::NotFound)?;
        self.publish(&child.spec, SlotState::Gone);
        if let Some(p) = child.process {
            let reason = stop::stop_child(&self.me, &p, child.spec.shutdown).await;
            crate::observe::exited(self.me.pid(), None, pid, &reason);
            if !clean_shutdown(child.spec.shutdown, &reason) {
                report::dynamic_child(
                    self.me.pid(),
                    report::Context::ShutdownError,
                    &child.spec,
                    Some(pid),
                    &reason,
                );
            }
        }
        Ok(())
    }

    /// Stops every child at once: signal all, then collect their exits, killing those still
    /// alive at their deadline. Linear in the number of children: the links stay, so each
    /// child's exit comes back as one signal in this process's queue, and one timer serves
    /// the whole batch (children signalled together share their deadlines).
    async fn stop_all(&mut self, ctx: &mut Context<Self>) {
        let signalled = Instant::now();
        self.children.retain(|_, c| c.process.is_some());
        for child in self.children.values() {
            if let Some(process) = &child.process {
                stop::signal(process, self.shutdown_of(child));
            }
        }
        self.watch_unlinked();
        let control = &ctx.core.control;
        // Exits are taken from the signal queue in batches, one lock per batch.
        let mut exits = std::collections::VecDeque::new();
        let timer = tokio::time::sleep_until(signalled);
        tokio::pin!(timer);
        let mut armed = match self.same_shutdown {
            Some(how) => deadline(signalled, how),
            None => self.next_deadline(signalled, None),
        };
        if let Some(at) = armed {
            timer.as_mut().reset(at);
        }
        // A child that unlinks itself while it stops is looked for when it does.
        let mut unlinks = control.unlinks_by_other();
        while !self.children.is_empty() {
            tokio::select! {
                biased;
                unlinked = std::future::poll_fn(|cx| {
                    let now = control.unlinks_by_other();
                    if now != unlinks {
                        unlinks = now;
                        return std::task::Poll::Ready(true);
                    }
                    control.poll_signals(cx, &mut exits).map(|()| false)
                }) => {
                    if unlinked {
                        self.watch_unlinked();
                        continue;
                    }
                    for signal in exits.drain(..) {
                        let (from, reason) = match signal {
                            Signal::Exit { from, reason } => (from, reason),
                            Signal::Down(down) => (down.pid, down.reason),
                            // Already stopping; an inspection goes unanswered (its asker
                            // sees the process exit).
                            Signal::Stop { .. } | Signal::Inspect(_) => continue,
                        };
                        let Some(done) = self.children.remove(&from) else { continue };
                        crate::observe::exited(self.me.pid(), None, from, &reason);
                        if !clean_shutdown(self.shutdown_of(&done), &reason) {
                            let context = report::Context::ShutdownError;
                            report::dynamic_child(self.me.pid(), context, &done.spec, Some(from), &reason);
                        }
                    }
                }
                () = &mut timer, if armed.is_some() => {
                    let now = Instant::now();
                    for child in self.children.values() {
                        if deadline(signalled, child.spec.shutdown).is_some_and(|d| d <= now)
                            && let Some(process) = &child.process
                        {
                            process.exit(ExitReason::Kill);
                        }
                    }
                    // One that unlinked itself after the first look is watched now.
                    self.watch_unlinked();
                    armed = self.next_deadline(signalled, Some(now));
                    if let Some(at) = armed {
                        timer.as_mut().reset(at);
                    }
                }
            }
        }
    }

    /// Monitors the children that unlinked themselves: their exits would never come back
    /// through the link, and the stop would wait for them forever. OTP monitors every
    /// child it stops; the links serve here, so only these few need a monitor, and they
    /// are looked for only if some process did unlink itself from this supervisor.
    fn watch_unlinked(&self) {
        // The usual case, no child ever unlinked itself, costs one load.
        if self.me.control().unlinks_by_other() == 0 {
            return;
        }
        let children = self.children.values().filter_map(|c| c.process.as_ref());
        for process in self.me.control().unlinked(children) {
            control::monitor(&self.me, &process);
        }
    }

    /// Forgets the children that died without the supervisor hearing of it (they had
    /// unlinked themselves), so that no dead pid is listed or counted.
    fn forget_dead(&mut self) {
        self.children
            .retain(|_, c| c.process.as_ref().is_none_or(|p| p.is_alive()));
    }

    /// A child's shutdown, without reading its spec when all children share one.
    fn shutdown_of(&self, child: &DynChild) -> super::Shutdown {
        self.same_shutdown.unwrap_or_else(|| child.spec.shutdown)
    }

    /// The earliest kill deadline after `past` among the children still stopping.
    fn next_deadline(&self, signalled: Instant, past: Option<Instant>) -> Option<Instant> {
        self.children
            .values()
            .filter_map(|c| deadline(signalled, c.spec.shutdown))
            .filter(|d| past.is_none_or(|p| *d > p))
            .min()
    }

    /// In the order of their pids, as Elixir's map of children lists them: start order,
    /// a restarted child (a new pid) moving to the end. Sorted here, not kept sorted, so
    /// starts and restarts pay nothing for it.
    fn which_children(&self) -> Vec<ChildInfo> {
        let mut keyed: Vec<(Pid, ChildInfo)> = self
            .children
            .iter()
            .map(|(key, c)| {
                let info = ChildInfo {
                    id: None,
                    pid: match &c.process {
                        Some(p) => ChildPid::Running(p.pid()),
                        None => ChildPid::Restarting,
                    },
                    process: c.process.clone(),
                    child_type: c.spec.child_type,
                    module: c.spec.module(),
                };
                (*key, info)
            })
            .collect();
        keyed.sort_unstable_by_key(|(key, _)| key.serial());
        keyed.into_iter().map(|(_, info)| info).collect()
    }

    /// Asks the supervisor behind `handle` for its view (no timeout, as `which_children`).
    pub(crate) async fn observe(
        handle: &Handle<DynamicSupervisor>,
    ) -> Result<SupervisorView, CallError> {
        handle
            .call_infinity(|r| DynamicRequest(Request::Observe(r)))
            .await
    }

    /// Its children as `which_children` orders them, with what `crate::observe` shows.
    fn observe_view(&self) -> SupervisorView {
        let now = Instant::now();
        let mut keyed: Vec<(Pid, ChildView)> = self
            .children
            .iter()
            .map(|(key, c)| {
                let view = ChildView {
                    id: None,
                    process: c.process.clone(),
                    status: match c.process {
                        Some(_) => Status::Running,
                        None => Status::Restarting,
                    },
                    worker_type: c.spec.module(),
                    restart: c.spec.restart,
                    uptime: c
                        .process
                        .as_ref()
                        .map(|_| now.saturating_duration_since(c.started)),
                    restarts: c.history.as_ref().map_or(0, |h| h.restarts),
                    last_exit: c.history.as_ref().map(|h| h.last_exit.view(now)),
                };
                (*key, view)
            })
            .collect();
        keyed.sort_unstable_by_key(|(key, _)| key.serial());
        SupervisorView {
            flags: SupervisorFlags {
                strategy: super::Strategy::OneForOne,
                max_restarts: self.intensity.max_restarts,
                within: self.intensity.period,
                restarts_in_window: self.window.in_window(now),
                restarts: self.window.total(),
            },
            children: keyed.into_iter().map(|(_, view)| view).collect(),
        }
    }

    fn count_children(&self) -> ChildCount {
        let mut count = ChildCount::default();
        for c in self.children.values() {
            count.add(
                c.spec.child_type,
                c.process.as_ref().is_some_and(|p| p.is_alive()),
            );
        }
        count
    }
}
