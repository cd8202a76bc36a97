//! The static supervisor's server: children in start order, the strategies, restarts.

use std::convert::Infallible;
use std::sync::Arc;

use tokio::time::Instant;

use super::decide::{self, AfterExit, RestartWindow};
use super::flags::{self, AutoShutdown, Backoff, Intensity, Strategy, SupervisorSpec};
use super::info::{ChildCount, ChildError, ChildInfo, ChildPid, SupervisorStartError};
use super::spec::{ChildId, Restart, SpecInner};
use super::{report, stop};
use crate::observe::{ChildView, ExitRecord, Status, SupervisorFlags, SupervisorView};
use crate::process::ProcessRef;
use crate::worker::{Context, Flow, Init, ReplyTo, StartError, Worker};
use crate::worker::{Slot, SlotState};
use crate::{AsProcess, CallError, ExitReason, Handle, Pid};

/// A static supervisor: a [`Worker`] that starts children from a [`SupervisorSpec`] and
/// restarts them by its strategy. Use it through `Handle<Supervisor>`; see the
/// [module docs](crate::supervisor) for the flow of a crash.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{Strategy, Supervisor, SupervisorSpec};
/// let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne)).await.unwrap();
/// assert_eq!(sup.count_children().await.unwrap().specs, 0);
/// # }
/// ```
pub struct Supervisor {
    me: ProcessRef,
    strategy: Strategy,
    intensity: Intensity,
    window: RestartWindow,
    auto_shutdown: AutoShutdown,
    backoff: Option<Backoff>,
    children: Vec<Child>,
}

struct Child {
    spec: SpecInner,
    run: Run,
    slot: Arc<Slot>,
    /// Consecutive restarts, for backoff.
    attempts: u32,
    started: Instant,
    /// Times started again, and how the last incarnation ended (for `crate::observe`).
    restarts: u32,
    last_exit: Option<Box<ExitRecord>>,
}

enum Run {
    Running(ProcessRef),
    Restarting,
    Stopped,
}

/// A request to a static supervisor (opaque: use the methods of `Handle<Supervisor>`).
pub struct SupervisorRequest(pub(crate) Request);

pub(crate) enum Request {
    StartChild(SpecInner, ReplyTo<Result<ProcessRef, ChildError>>),
    Terminate(ChildId, ReplyTo<Result<(), ChildError>>),
    Restart(ChildId, ReplyTo<Result<Pid, ChildError>>),
    Delete(ChildId, ReplyTo<Result<(), ChildError>>),
    Which(ReplyTo<Vec<ChildInfo>>),
    Count(ReplyTo<ChildCount>),
    Slot(ChildId, ReplyTo<Option<(Arc<Slot>, std::any::TypeId)>>),
    Spec(ChildId, ReplyTo<Option<SpecInner>>),
    Observe(ReplyTo<SupervisorView>),
}

/// A message a supervisor sends itself (opaque).
pub struct SupervisorInfo(Info);

enum Info {
    /// Retry a failed restart; counts against the intensity, as in OTP.
    TryAgain(ChildId),
    /// A restart already counted, delayed by backoff.
    Delayed(ChildId),
}

impl std::fmt::Debug for SupervisorRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SupervisorRequest")
    }
}

impl std::fmt::Debug for SupervisorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SupervisorInfo")
    }
}

impl std::fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supervisor")
            .field("pid", &self.me.pid())
            .field("strategy", &self.strategy)
            .field("children", &self.children.len())
            .finish()
    }
}

impl Worker for Supervisor {
    type Args = SupervisorSpec;
    type Info = SupervisorInfo;
    type Call = SupervisorRequest;
    type Cast = Infallible;
    type Api<A: crate::Address<Self>> = A;
    // Formatting stays off the restart path: a supervisor's reports say what it did.
    const RECORD_LAST_MESSAGE: bool = false;

    async fn init(spec: SupervisorSpec, ctx: &mut Context<Self>) -> Init<Self> {
        ctx.trap_exit(true);
        if let Err(e) = spec.validate() {
            return Init::Stop(SupervisorStartError::Invalid(e).into_reason());
        }
        let mut sup = Supervisor {
            me: ctx.process(),
            strategy: spec.strategy,
            intensity: spec.intensity,
            window: RestartWindow::new(spec.intensity.max_restarts, spec.intensity.period),
            auto_shutdown: spec.auto_shutdown,
            backoff: spec.backoff,
            children: Vec::with_capacity(spec.children.len()),
        };
        for child in spec.children {
            if let Err(reason) = sup.start_new(child).await {
                sup.stop_all().await;
                return Init::Stop(reason.into_reason());
            }
        }
        Init::Ok(sup)
    }

    async fn handle_call(&mut self, req: SupervisorRequest, ctx: &mut Context<Self>) -> Flow {
        let _ = ctx;
        match req.0 {
            Request::StartChild(spec, reply) => reply.reply(self.start_child(spec).await),
            Request::Terminate(id, reply) => reply.reply(self.terminate_child(&id).await),
            Request::Restart(id, reply) => reply.reply(self.restart_child(&id).await),
            Request::Delete(id, reply) => reply.reply(self.delete_child(&id)),
            Request::Which(reply) => reply.reply(self.which_children()),
            Request::Count(reply) => reply.reply(self.count_children()),
            Request::Slot(id, reply) => reply.reply(self.position(&id).map(|i| {
                let c = &self.children[i];
                (c.slot.clone(), c.spec.worker_type())
            })),
            Request::Observe(reply) => reply.reply(self.observe_view()),
            Request::Spec(id, reply) => {
                // A copy is a spec of its own: it does not publish into this child's slot.
                reply.reply(self.position(&id).map(|i| {
                    let mut copy = self.children[i].spec.clone();
                    copy.set_slot(None);
                    copy
                }))
            }
        }
        Flow::Continue
    }

    async fn handle_info(&mut self, msg: SupervisorInfo, ctx: &mut Context<Self>) -> Flow {
        let (id, counted) = match msg.0 {
            Info::TryAgain(id) => (id, false),
            Info::Delayed(id) => (id, true),
        };
        let Some(i) = self.position(&id) else {
            return Flow::Continue;
        };
        if !matches!(self.children[i].run, Run::Restarting) {
            return Flow::Continue;
        }
        match counted {
            true => {
                self.restart_now(i, ctx);
                self.restart_range(i, ctx).await;
                Flow::Continue
            }
            false => self.restart(i, ctx).await,
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
        match self.position_of_pid(from) {
            Some(i) => self.child_exited(i, reason, ctx).await,
            None => Flow::Continue, // a stale exit from a child already stopped
        }
    }

    /// A summary (pid, strategy, number of children): what `observe::state` and a crash
    /// report show of a supervisor.
    fn format_state(&self, out: &mut dyn std::fmt::Write) -> std::fmt::Result {
        write!(out, "{self:?}")
    }

    async fn terminate(&mut self, _reason: &ExitReason, _ctx: &mut Context<Self>) {
        self.stop_all().await;
        // Not `Gone`: when this supervisor is restarted by its own, a spec that carries
        // the slot publishes into it again. Whether it will is judged from this
        // supervisor's fate by whoever follows the child (see `Following`).
        for child in &self.children {
            child.slot.set(&self.me, SlotState::Restarting);
        }
    }
}

impl Supervisor {
    fn position(&self, id: &str) -> Option<usize> {
        self.children.iter().position(|c| c.spec.id_str() == id)
    }

    fn position_of_pid(&self, pid: Pid) -> Option<usize> {
        self.children
            .iter()
            .position(|c| matches!(&c.run, Run::Running(p) if p.pid() == pid))
    }

    fn set_run(&mut self, i: usize, run: Run) {
        let child = &mut self.children[i];
        child.slot.set(
            &self.me,
            match &run {
                Run::Running(p) => SlotState::Running(p.clone()),
                Run::Restarting => SlotState::Restarting,
                Run::Stopped => SlotState::Stopped,
            },
        );
        if matches!(run, Run::Running(_)) {
            child.started = Instant::now();
        }
        child.run = run;
    }

    /// Starts a child listed in the spec at init; an error is `failed_to_start_child`.
    async fn start_new(&mut self, spec: SpecInner) -> Result<(), SupervisorStartError> {
        let run = match spec.start(None).await {
            Ok(p) => {
                report::started(self.me.pid(), Some(spec.id_str()), p.pid(), &spec);
                Run::Running(p)
            }
            Err(StartError::Ignored) if spec.restart == Restart::Temporary => return Ok(()),
            Err(StartError::Ignored) => Run::Stopped,
            Err(reason) => {
                let exit = reason.reason().cloned().unwrap_or(ExitReason::NoProc);
                report::child(
                    self.me.pid(),
                    report::Context::StartError,
                    &spec,
                    None,
                    &exit,
                );
                return Err(SupervisorStartError::FailedToStartChild {
                    id: spec.id(),
                    reason,
                });
            }
        };
        self.push(spec, run);
        Ok(())
    }

    fn push(&mut self, spec: SpecInner, run: Run) {
        let slot = spec.slot().cloned().unwrap_or_default();
        self.children.push(Child {
            spec,
            run: Run::Stopped,
            slot,
            attempts: 0,
            started: Instant::now(),
            restarts: 0,
            last_exit: None,
        });
        let i = self.children.len() - 1;
        self.set_run(i, run);
    }

    /// A child exited on its own: OTP's `do_restart`.
    async fn child_exited(
        &mut self,
        i: usize,
        reason: ExitReason,
        ctx: &mut Context<Self>,
    ) -> Flow {
        let pid = match &self.children[i].run {
            Run::Running(p) => p.pid(),
            _ => return Flow::Continue,
        };
        // Followers see it restarting until the decision below says otherwise.
        self.set_stopped(i, SlotState::Restarting);
        self.record_exit(i, pid, &reason);
        let spec = &self.children[i].spec;
        let after = decide::after_exit(spec.restart, &reason);
        if after.reports() {
            report::child(
                self.me.pid(),
                report::Context::ChildTerminated,
                spec,
                Some(pid),
                &reason,
            );
        }
        match after {
            AfterExit::Restart => self.restart(i, ctx).await,
            AfterExit::Keep { .. } => {
                let significant = spec.significant;
                self.del_child(i);
                let others = self.significant_running();
                match decide::auto_shutdown(self.auto_shutdown, significant, others) {
                    true => Flow::Stop(ExitReason::Shutdown),
                    false => Flow::Continue,
                }
            }
        }
    }

    fn significant_running(&self) -> bool {
        self.children
            .iter()
            .any(|c| c.spec.significant && matches!(c.run, Run::Running(_)))
    }

    /// A stopped child leaves the supervisor if temporary, else stays as a stopped spec.
    fn del_child(&mut self, i: usize) {
        if self.children[i].spec.restart == Restart::Temporary {
            let child = self.children.remove(i);
            child.slot.set(&self.me, SlotState::Gone);
        } else {
            self.set_run(i, Run::Stopped);
        }
    }

    /// Counts a restart against the intensity, then restarts (now, or after backoff).
    async fn restart(&mut self, i: usize, ctx: &mut Context<Self>) -> Flow {
        if !self.window.record(Instant::now()) {
            let Intensity {
                max_restarts,
                period,
            } = self.intensity;
            report::intensity_exceeded(
                self.me.pid(),
                Some(self.children[i].spec.id_str()),
                max_restarts,
                period,
            );
            self.del_child(i);
            return Flow::Stop(ExitReason::Shutdown);
        }
        let child = &mut self.children[i];
        if let Some(b) = self.backoff
            && child.started.elapsed() > b.max
        {
            child.attempts = 0;
        }
        let delay = decide::backoff_delay(self.backoff, child.attempts);
        child.attempts = child.attempts.saturating_add(1);
        match delay {
            Some(delay) => {
                self.restart_now(i, ctx);
                ctx.send_after(
                    SupervisorInfo(Info::Delayed(self.children[i].spec.id())),
                    delay,
                );
            }
            None => {
                self.restart_now(i, ctx);
                self.restart_range(i, ctx).await;
            }
        }
        Flow::Continue
    }

    /// Marks child `i` as restarting (it has no incarnation until the strategy ran).
    fn restart_now(&mut self, i: usize, _ctx: &mut Context<Self>) {
        self.set_run(i, Run::Restarting);
    }

    /// Carries out the strategy for child `i`: stop the affected ones in reverse start
    /// order, then start them in start order; a failed start is retried later.
    async fn restart_range(&mut self, i: usize, ctx: &mut Context<Self>) {
        let range = decide::affected(self.strategy, i, self.children.len());
        let ids: Vec<ChildId> = self.children[range.clone()]
            .iter()
            .map(|c| c.spec.id())
            .collect();
        for j in range.rev() {
            if j != i {
                self.stop_one(j, SlotState::Restarting).await;
            }
        }
        let me = &self.me;
        self.children.retain(|c| {
            let gone = c.spec.restart == Restart::Temporary && matches!(c.run, Run::Stopped);
            if gone {
                c.slot.set(me, SlotState::Gone);
            }
            !gone
        });
        for id in ids {
            let Some(j) = self.position(&id) else {
                continue;
            };
            if let Err(reason) = self.start_again(j).await {
                report::child(
                    self.me.pid(),
                    report::Context::StartError,
                    &self.children[j].spec,
                    None,
                    &reason,
                );
                self.set_run(j, Run::Restarting);
                let _ = ctx.handle().send(SupervisorInfo(Info::TryAgain(id)));
                return;
            }
        }
    }

    /// Starts an existing child again; ignore leaves it stopped.
    async fn start_again(&mut self, j: usize) -> Result<(), ExitReason> {
        match self.children[j].spec.start(None).await {
            Ok(p) => {
                let spec = &self.children[j].spec;
                report::started(self.me.pid(), Some(spec.id_str()), p.pid(), spec);
                self.record_restart(j, p.pid());
                self.set_run(j, Run::Running(p))
            }
            Err(StartError::Ignored) => self.set_run(j, Run::Stopped),
            Err(e) => return Err(e.reason().cloned().unwrap_or_else(|| ExitReason::error(e))),
        }
        Ok(())
    }

    /// Marks child `i` stopped, telling its followers `state`.
    fn set_stopped(&mut self, i: usize, state: SlotState) {
        let child = &mut self.children[i];
        child.run = Run::Stopped;
        child.slot.set(&self.me, state);
    }

    /// Stops child `j` if it runs, reporting an unclean shutdown; it stays as stopped, and
    /// its followers are told `then` (restarting when the strategy starts it again).
    async fn stop_one(&mut self, j: usize, then: SlotState) {
        let Run::Running(p) = &self.children[j].run else {
            self.set_stopped(j, then);
            return;
        };
        let p = p.clone();
        let how = self.children[j].spec.shutdown;
        let reason = stop::stop_child(&self.me, &p, how).await;
        self.record_exit(j, p.pid(), &reason);
        if !clean_shutdown(how, &reason) {
            report::child(
                self.me.pid(),
                report::Context::ShutdownError,
                &self.children[j].spec,
                Some(p.pid()),
                &reason,
            );
        }
        self.set_stopped(j, then);
    }

    /// Stops every child in reverse start order, one at a time.
    async fn stop_all(&mut self) {
        for j in (0..self.children.len()).rev() {
            self.stop_one(j, SlotState::Restarting).await;
        }
    }

    async fn start_child(&mut self, spec: SpecInner) -> Result<ProcessRef, ChildError> {
        flags::check_child(&spec, self.auto_shutdown).map_err(ChildError::Invalid)?;
        if let Some(i) = self.position(spec.id_str()) {
            return Err(match &self.children[i].run {
                Run::Running(p) => ChildError::AlreadyStarted(p.pid()),
                _ => ChildError::AlreadyPresent,
            });
        }
        match spec.start(None).await {
            Ok(p) => {
                report::started(self.me.pid(), Some(spec.id_str()), p.pid(), &spec);
                self.push(spec, Run::Running(p.clone()));
                Ok(p)
            }
            Err(StartError::Ignored) => {
                if spec.restart != Restart::Temporary {
                    self.push(spec, Run::Stopped);
                }
                Err(ChildError::Ignored)
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn terminate_child(&mut self, id: &str) -> Result<(), ChildError> {
        let i = self.position(id).ok_or(ChildError::NotFound)?;
        self.stop_one(i, SlotState::Stopped).await;
        self.del_child(i);
        Ok(())
    }

    async fn restart_child(&mut self, id: &str) -> Result<Pid, ChildError> {
        let i = self.position(id).ok_or(ChildError::NotFound)?;
        match &self.children[i].run {
            Run::Running(_) => return Err(ChildError::Running),
            Run::Restarting => return Err(ChildError::Restarting),
            Run::Stopped => {}
        }
        match self.children[i].spec.start(None).await {
            Ok(p) => {
                let pid = p.pid();
                let spec = &self.children[i].spec;
                report::started(self.me.pid(), Some(spec.id_str()), pid, spec);
                self.record_restart(i, pid);
                self.set_run(i, Run::Running(p));
                Ok(pid)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn delete_child(&mut self, id: &str) -> Result<(), ChildError> {
        let i = self.position(id).ok_or(ChildError::NotFound)?;
        match &self.children[i].run {
            Run::Running(_) => Err(ChildError::Running),
            Run::Restarting => Err(ChildError::Restarting),
            Run::Stopped => {
                let child = self.children.remove(i);
                child.slot.set(&self.me, SlotState::Gone);
                Ok(())
            }
        }
    }

    fn which_children(&self) -> Vec<ChildInfo> {
        self.children
            .iter()
            .map(|c| ChildInfo {
                id: Some(c.spec.id()),
                pid: match &c.run {
                    Run::Running(p) => ChildPid::Running(p.pid()),
                    Run::Restarting => ChildPid::Restarting,
                    Run::Stopped => ChildPid::Undefined,
                },
                process: match &c.run {
                    Run::Running(p) => Some(p.clone()),
                    _ => None,
                },
                child_type: c.spec.child_type,
                module: c.spec.module(),
            })
            .collect()
    }

    /// Asks the supervisor behind `handle` for its view (no timeout, as `which_children`).
    pub(crate) async fn observe(handle: &Handle<Supervisor>) -> Result<SupervisorView, CallError> {
        handle
            .call_infinity(|r| SupervisorRequest(Request::Observe(r)))
            .await
    }

    /// Child `i` exited (on its own, or stopped): kept for `crate::observe`, and told.
    fn record_exit(&mut self, i: usize, pid: Pid, reason: &ExitReason) {
        let child = &mut self.children[i];
        crate::observe::exited(self.me.pid(), Some(child.spec.id_str()), pid, reason);
        child.last_exit = Some(ExitRecord::new(pid, reason));
    }

    /// Child `i` was started again as `new`.
    fn record_restart(&mut self, i: usize, new: Pid) {
        let child = &mut self.children[i];
        child.restarts = child.restarts.saturating_add(1);
        if let Some(old) = child.last_exit.as_ref().map(|e| e.pid) {
            crate::observe::restarted(self.me.pid(), Some(child.spec.id_str()), old, new);
        }
    }

    fn observe_view(&self) -> SupervisorView {
        let now = Instant::now();
        SupervisorView {
            flags: SupervisorFlags {
                strategy: self.strategy,
                max_restarts: self.intensity.max_restarts,
                within: self.intensity.period,
                restarts_in_window: self.window.in_window(now),
                restarts: self.window.total(),
            },
            children: self
                .children
                .iter()
                .map(|c| ChildView {
                    id: Some(c.spec.id()),
                    process: match &c.run {
                        Run::Running(p) => Some(p.clone()),
                        _ => None,
                    },
                    status: match &c.run {
                        Run::Running(_) => Status::Running,
                        Run::Restarting => Status::Restarting,
                        Run::Stopped => Status::Stopped,
                    },
                    worker_type: c.spec.module(),
                    restart: c.spec.restart,
                    uptime: matches!(c.run, Run::Running(_))
                        .then(|| now.saturating_duration_since(c.started)),
                    restarts: c.restarts,
                    last_exit: c.last_exit.as_ref().map(|e| e.view(now)),
                })
                .collect(),
        }
    }

    fn count_children(&self) -> ChildCount {
        let mut count = ChildCount::default();
        for c in &self.children {
            let running = matches!(&c.run, Run::Running(p) if p.is_alive());
            count.add(c.spec.child_type, running);
        }
        count
    }
}

/// Whether a stopped child exited the way its shutdown asked (else: a shutdown_error report).
pub(crate) fn clean_shutdown(how: super::Shutdown, reason: &ExitReason) -> bool {
    match how {
        super::Shutdown::BrutalKill => matches!(reason, ExitReason::Killed),
        _ => matches!(reason, ExitReason::Shutdown),
    }
}
