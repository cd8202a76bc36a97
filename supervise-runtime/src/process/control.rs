//! The shared half of a process: liveness, links, monitors, and the signal lane.
//!
//! Design note. Every process owns one `Control`, reached through an `Arc` by everyone who
//! holds a handle. All link, monitor and exit bookkeeping happens directly on it under a
//! per-process mutex (never a global one), so linking or monitoring spawns nothing and
//! sends nothing. No code holds two process locks at once: an operation that touches two
//! processes locks one, lets go, then locks the other, and re-checks liveness afterwards
//! so that a process dying in between cannot leave a stale entry behind.
//!
//! Signals that a process must *see* (a trapped exit, a `Down`) are queued here and served
//! by the process before its mailbox. Signals that *kill* it are applied at once: a task
//! process is marked doomed and woken (its task stops at the next poll, dropping whatever
//! it was doing); an inbox, and a task process whose task was never spawned (see
//! [`Waking`]), are terminated on the spot.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::task::Waker;

use parking_lot::Mutex;
use rustc_hash::FxHashMap;
use tokio::sync::oneshot;

use super::ProcessRef;
use super::links::Links;
use crate::{Down, ExitReason, Pid, Ref};

const SIGNALS: u8 = 1;
const DOOMED: u8 = 2;

/// A signal a process serves before its messages.
#[derive(Debug)]
pub(crate) enum Signal {
    Exit {
        from: Pid,
        reason: ExitReason,
    },
    Down(Down),
    /// A request to stop with `reason` (GenServer's `stop`): the worker runs `terminate`
    /// and exits with it, whether it traps exits or not.
    Stop {
        from: Pid,
        reason: ExitReason,
    },
    /// A request for what the process can tell about itself (its mailbox's length, its
    /// state's text): answered by a worker's loop between messages (see `crate::observe`).
    Inspect(crate::observe::Probe),
}

/// How an exit signal travels.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Via {
    /// A linked process died; dropped if the link is already gone.
    Link,
    /// A link was requested to a process that was already dead.
    DeadLink,
    /// `exit(pid, reason)`.
    Exit,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Task,
    Inbox,
}

pub(crate) struct Control {
    pid: Pid,
    kind: Kind,
    /// Cleared once, under the state lock, when the process terminates: read under that
    /// lock it is the process's "dead" flag, read without it a liveness hint.
    alive: AtomicBool,
    /// Whether exit signals become messages. Written and read under the state lock (an
    /// atomic only so that it sits in the padding beside `alive` rather than in `State`).
    trap_exit: AtomicBool,
    pending: AtomicU8,
    /// Set by a supervisor that stops because it was asked to (its `stop`), so that an
    /// application can tell a requested stop from a root giving up.
    stop_requested: AtomicBool,
    /// Counts (wrapping) the links that other processes removed (`unlink` called by the
    /// other side): a supervisor then looks for children no longer linked to it.
    unlinked_by_other: AtomicU8,
    /// Set while a task process has no task yet (see [`Waking`]); cleared once, under
    /// `waking`'s lock. Senders read it after each message: one load.
    taskless: AtomicBool,
    /// Messages the process took from its mailbox (see `crate::observe`): written only by
    /// the process itself (its only writer), a relaxed load and store per message.
    handled: AtomicU64,
    waking: Mutex<Waking>,
    state: Mutex<State>,
}

/// How deep deaths of processes without a task may nest on one thread (each kills the
/// next through a link) before the next one is given a task to die in.
const MAX_INLINE_DEATHS: u32 = 64;

thread_local! {
    static INLINE_DEATHS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// How a process is woken for a signal or a message.
///
/// Design note. A task process gets its tokio task only when it first has something to
/// do: a message or a signal. Until then its serving loop waits, unpolled, in a box. A
/// process that is started and never used costs no task, and a start (a restart above
/// all) makes no task ready: the supervisor's poll wakes only whoever waits for the start,
/// rather than also a new task that the other worker thread would then wake up to steal.
enum Waking {
    /// A task process whose `init` runs (in its starter's task): whom to wake for a
    /// signal meanwhile, and whether a message or signal came.
    Starting { waker: Option<Waker>, woken: bool },
    /// Started, with no task yet: the first message or signal spawns it.
    Unstarted(Box<dyn Launch>),
    /// A running task, or an inbox: whom to wake. Kept, not taken, by a wake: a task
    /// registers its waker once (it never changes for a task's life), not at every poll.
    Running(Option<Waker>),
}

/// A process's serving loop, ready to be spawned as its task.
pub(crate) trait Launch: Send {
    fn launch(self: Box<Self>);
}

/// Spawns `task` on the runtime the process was started in, whoever wakes it.
pub(crate) struct Launcher<F> {
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) task: F,
}

impl<F: std::future::Future<Output = ()> + Send + 'static> Launch for Launcher<F> {
    fn launch(self: Box<Self>) {
        let Launcher { runtime, task } = *self;
        drop(runtime.spawn(task));
    }
}

fn set_waker(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(w) => w.clone_from(waker),
        none => *none = Some(waker.clone()),
    }
}

#[derive(Default)]
struct State {
    /// While alive: the reason it was doomed with, if it was. Once dead: its exit reason.
    /// Boxed: a live, undoomed process (nearly all of them) pays one pointer for it.
    reason: Option<Box<ExitReason>>,
    links: Links,
    /// Rarely used bookkeeping, boxed so an idle process stays small.
    rare: Option<Box<Rare>>,
}

#[derive(Default)]
struct Rare {
    queue: VecDeque<Signal>,
    monitored_by: FxHashMap<Ref, ProcessRef>,
    monitoring: FxHashMap<Ref, ProcessRef>,
    names: Vec<Arc<str>>,
    exit_waiters: Vec<oneshot::Sender<ExitReason>>,
}

impl State {
    fn rare(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Default::default)
    }
}

impl Control {
    /// A live process's control block; `linked_to` starts in its links, which is one
    /// half of a link made without taking this lock (see [`link_new`]).
    pub(crate) fn new(kind: Kind, linked_to: Option<ProcessRef>) -> Self {
        Self::with_pid(Pid::next(), kind, linked_to)
    }

    /// [`new`](Self::new) with a given pid (the reserved one of [`super::noproc`]).
    pub(crate) fn with_pid(pid: Pid, kind: Kind, linked_to: Option<ProcessRef>) -> Self {
        let links = match linked_to {
            Some(p) => Links::One(p),
            None => Links::None,
        };
        Control {
            pid,
            kind,
            alive: AtomicBool::new(true),
            trap_exit: AtomicBool::new(false),
            pending: AtomicU8::new(0),
            stop_requested: AtomicBool::new(false),
            unlinked_by_other: AtomicU8::new(0),
            taskless: AtomicBool::new(kind == Kind::Task),
            handled: AtomicU64::new(0),
            waking: Mutex::new(match kind {
                Kind::Task => Waking::Starting {
                    waker: None,
                    woken: false,
                },
                Kind::Inbox => Waking::Running(None),
            }),
            state: Mutex::new(State {
                links,
                ..State::default()
            }),
        }
    }

    pub(crate) fn pid(&self) -> Pid {
        self.pid
    }

    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    /// Counts a message taken from the mailbox. Only the process's own loop calls it, so
    /// a plain load and store do: a `fetch_add` (a locked instruction) measured slower
    /// on the cast benchmark.
    #[inline]
    pub(crate) fn count_handled(&self) {
        // Only the process writes it: a load and a store, no read-modify-write.
        let n = self.handled.load(Ordering::Relaxed);
        self.handled.store(n.wrapping_add(1), Ordering::Relaxed);
    }

    /// How many messages the process took from its mailbox so far.
    pub(crate) fn handled(&self) -> u64 {
        self.handled.load(Ordering::Relaxed)
    }

    /// The names the process is registered under.
    pub(crate) fn names(&self) -> Vec<Arc<str>> {
        let st = self.state.lock();
        st.rare
            .as_ref()
            .map(|r| r.names.clone())
            .unwrap_or_default()
    }

    /// Queues an inspection for a task process to answer between its messages; handed
    /// back when the process is dead or is an inbox (which runs no loop to answer it).
    pub(crate) fn inspect_signal(
        &self,
        probe: crate::observe::Probe,
    ) -> Result<(), crate::observe::Probe> {
        if self.kind == Kind::Inbox {
            return Err(probe);
        }
        let mut st = self.state.lock();
        if self.dead(&st) {
            return Err(probe);
        }
        self.push(&mut st, Signal::Inspect(probe));
        drop(st);
        self.wake();
        Ok(())
    }

    pub(crate) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire)
    }

    /// Whether the process has terminated, for code holding its state lock (`st`, taken
    /// only to prove it: `alive` is cleared under that lock, so this read is exact).
    fn dead(&self, _st: &State) -> bool {
        !self.alive.load(Ordering::Relaxed)
    }

    pub(crate) fn exit_reason(&self) -> Option<ExitReason> {
        let st = self.state.lock();
        if self.dead(&st) {
            st.reason.as_deref().cloned()
        } else {
            None
        }
    }

    pub(crate) fn set_trap_exit(&self, on: bool) -> bool {
        let _st = self.state.lock();
        self.trap_exit.swap(on, Ordering::Relaxed)
    }

    /// Records that the process stops because it was asked to.
    pub(crate) fn request_stop(&self) {
        self.stop_requested.store(true, Ordering::Release);
    }

    /// Whether the process stopped (or stops) because it was asked to.
    pub(crate) fn stop_requested(&self) -> bool {
        self.stop_requested.load(Ordering::Acquire)
    }

    pub(crate) fn has_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire) != 0
    }

    /// Registers the waker that signals wake, in place of the one registered before.
    pub(crate) fn register_waker(&self, waker: &Waker) {
        match &mut *self.waking.lock() {
            Waking::Starting { waker: slot, .. } | Waking::Running(slot) => set_waker(slot, waker),
            // Nothing polls a process without a task.
            Waking::Unstarted(_) => {}
        }
    }

    /// Wakes the process for a signal or a message, spawning its task if it has none.
    /// The waker is cloned and woken outside the lock: an inbox's or a starter's waker may
    /// come from any executor, and one that polls inside `wake` must not find it held.
    fn wake(&self) {
        let mut waking = self.waking.lock();
        match &mut *waking {
            Waking::Running(Some(waker)) => {
                let waker = waker.clone();
                drop(waking);
                waker.wake();
            }
            Waking::Running(None) => {}
            Waking::Starting { waker, woken } => {
                *woken = true;
                let waker = waker.clone();
                drop(waking);
                if let Some(waker) = waker {
                    waker.wake();
                }
            }
            Waking::Unstarted(_) => {
                let task = self.take_unstarted(&mut waking);
                drop(waking);
                if let Some(task) = task {
                    task.launch();
                }
            }
        }
    }

    /// Takes the serving loop of a process without a task, which has one (or dies) from
    /// now on; `None` if it is not waiting for its task.
    fn take_unstarted(&self, waking: &mut Waking) -> Option<Box<dyn Launch>> {
        if !matches!(waking, Waking::Unstarted(_)) {
            return None;
        }
        self.taskless.store(false, Ordering::Release);
        match std::mem::replace(waking, Waking::Running(None)) {
            Waking::Unstarted(task) => Some(task),
            _ => None,
        }
    }

    /// The serving loop of a process that has no task, to let it die without one; `None`
    /// if it has a task, or if too many such deaths are already under way on this thread
    /// (one links to the next: the rest get their tasks, so the stack stays bounded).
    fn take_taskless_for_death(&self) -> Option<Box<dyn Launch>> {
        if !self.taskless.load(Ordering::Acquire) {
            return None;
        }
        if INLINE_DEATHS.with(|d| d.get()) >= MAX_INLINE_DEATHS {
            return None;
        }
        let task = self.take_unstarted(&mut self.waking.lock())?;
        INLINE_DEATHS.with(|d| d.set(d.get() + 1));
        Some(task)
    }

    /// After a message was put in the mailbox: spawns the task if the process has none.
    #[inline]
    pub(crate) fn launch_if_taskless(&self) {
        if self.taskless.load(Ordering::Acquire) {
            self.wake();
        }
    }

    /// Hands over the serving loop of a process whose `init` succeeded: it runs as soon as
    /// the process has something to do (at once if a message or signal came during init).
    /// Returns whether it waits for that (the process is then to be enrolled in the
    /// nursery of its runtime).
    pub(crate) fn run_when_needed(&self, task: Box<dyn Launch>) -> bool {
        let mut waking = self.waking.lock();
        let woken = match &*waking {
            Waking::Starting { woken, .. } => *woken,
            _ => true,
        };
        if woken || self.pending.load(Ordering::Acquire) != 0 {
            *waking = Waking::Running(None);
            self.taskless.store(false, Ordering::Release);
            drop(waking);
            task.launch();
            false
        } else {
            *waking = Waking::Unstarted(task);
            true
        }
    }

    /// Whether the process was told to die (one atomic load).
    pub(crate) fn is_doomed(&self) -> bool {
        self.pending.load(Ordering::Acquire) & DOOMED != 0
    }

    /// Whether signals are queued (one atomic load).
    pub(crate) fn has_signals(&self) -> bool {
        self.pending.load(Ordering::Acquire) & SIGNALS != 0
    }

    /// The next queued signal, if any; cheap when there is none.
    pub(crate) fn take_signal(&self) -> Option<Signal> {
        if self.pending.load(Ordering::Acquire) & SIGNALS == 0 {
            return None;
        }
        let mut st = self.state.lock();
        let queue = &mut st.rare().queue;
        let signal = queue.pop_front();
        if queue.is_empty() {
            self.pending.fetch_and(!SIGNALS, Ordering::AcqRel);
        }
        signal
    }

    /// Waits until signals are queued, then moves all of them into `into` with one lock.
    /// Only for the process itself, inside its task (see `poll_signal`).
    pub(crate) fn poll_signals(
        &self,
        cx: &mut std::task::Context<'_>,
        into: &mut VecDeque<Signal>,
    ) -> std::task::Poll<()> {
        if self.pending.load(Ordering::Acquire) & SIGNALS == 0 {
            self.register_waker(cx.waker());
            if self.pending.load(Ordering::Acquire) & SIGNALS == 0 {
                return std::task::Poll::Pending;
            }
        }
        let mut st = self.state.lock();
        if let Some(rare) = st.rare.as_mut() {
            std::mem::swap(&mut rare.queue, into);
        }
        self.pending.fetch_and(!SIGNALS, Ordering::AcqRel);
        drop(st);
        if into.is_empty() {
            self.register_waker(cx.waker());
            if self.has_pending() {
                cx.waker().wake_by_ref();
            }
            return std::task::Poll::Pending;
        }
        std::task::Poll::Ready(())
    }

    /// The reason this process was told to die with, if it was.
    pub(crate) fn doom(&self) -> Option<ExitReason> {
        if self.pending.load(Ordering::Acquire) & DOOMED == 0 {
            return None;
        }
        let st = self.state.lock();
        if self.dead(&st) {
            None
        } else {
            st.reason.as_deref().cloned()
        }
    }

    /// Removes and returns the queued signals (used by `flush`).
    pub(crate) fn drain_signals(&self) -> Vec<Signal> {
        let mut st = self.state.lock();
        self.pending.fetch_and(!SIGNALS, Ordering::AcqRel);
        match st.rare.as_mut() {
            Some(rare) => rare.queue.drain(..).collect(),
            None => Vec::new(),
        }
    }

    fn push(&self, st: &mut State, signal: Signal) {
        st.rare().queue.push_back(signal);
        self.pending.fetch_or(SIGNALS, Ordering::AcqRel);
    }

    /// Asks the process to stop with `reason`: a worker runs `terminate(reason)` and exits
    /// with it; an inbox, which runs no code of its own, exits at once.
    pub(crate) fn stop_signal(&self, from: Pid, reason: ExitReason) {
        match self.kind {
            Kind::Inbox => self.terminate(reason),
            Kind::Task => {
                let mut st = self.state.lock();
                if self.dead(&st) {
                    return;
                }
                // A requested stop, not a failure (an application's root reads it).
                self.request_stop();
                self.push(&mut st, Signal::Stop { from, reason });
                drop(st);
                self.wake();
            }
        }
    }

    /// Delivers an exit signal from `from`.
    pub(crate) fn exit_signal(&self, from: Pid, reason: ExitReason, via: Via) {
        let mut st = self.state.lock();
        if self.dead(&st) {
            return;
        }
        if via == Via::Link && st.links.remove(from).is_none() {
            return; // unlinked meanwhile: OTP drops the signal
        }
        let untrappable = via == Via::Exit && matches!(reason, ExitReason::Kill);
        if untrappable {
            return self.kill_locked(st, ExitReason::Killed);
        }
        if self.trap_exit.load(Ordering::Relaxed) {
            let reason = if matches!(reason, ExitReason::Kill) {
                ExitReason::Killed
            } else {
                reason
            };
            self.push(&mut st, Signal::Exit { from, reason });
            drop(st);
            self.wake();
            return;
        }
        if reason.is_normal() && !(via == Via::Exit && from == self.pid) {
            return;
        }
        let reason = if matches!(reason, ExitReason::Kill) {
            ExitReason::Killed
        } else {
            reason
        };
        self.kill_locked(st, reason);
    }

    fn kill_locked(&self, mut st: parking_lot::MutexGuard<'_, State>, reason: ExitReason) {
        match self.kind {
            Kind::Task => {
                if st.reason.is_some() {
                    drop(st);
                    return self.wake(); // doomed already: the first reason stands
                }
                st.reason = Some(Box::new(reason.clone()));
                self.pending.fetch_or(DOOMED, Ordering::AcqRel);
                drop(st);
                // A process without a task dies here, as its task would have on its first
                // poll, rather than being spawned only to die. Its state goes last.
                match self.take_taskless_for_death() {
                    Some(task) => {
                        self.terminate(reason);
                        // A state whose drop panics must not take the killer down with
                        // it: in its own task, tokio would have caught that panic.
                        let dropped = std::panic::catch_unwind(AssertUnwindSafe(|| drop(task)));
                        INLINE_DEATHS.with(|d| d.set(d.get() - 1));
                        drop(dropped);
                    }
                    None => self.wake(),
                }
            }
            Kind::Inbox => {
                drop(st);
                self.terminate(reason);
            }
        }
    }

    /// Marks the process dead and tells every linked and monitoring process, once.
    pub(crate) fn terminate(&self, reason: ExitReason) {
        let (links, rare) = {
            let mut st = self.state.lock();
            if self.dead(&st) {
                return;
            }
            self.alive.store(false, Ordering::Release);
            // A doomed process already has a box for its reason: reuse it.
            match st.reason.as_mut() {
                Some(slot) => **slot = reason.clone(),
                None => st.reason = Some(Box::new(reason.clone())),
            }
            (std::mem::take(&mut st.links), st.rare.take())
        };
        // Nothing will wake the process again: let go of its task. Whoever waits in an
        // inbox's `recv` must see the death; a task process terminates from its own task,
        // where there is nobody to wake.
        let waking = {
            let mut waking = self.waking.lock();
            self.taskless.store(false, Ordering::Release);
            std::mem::replace(&mut *waking, Waking::Running(None))
        };
        if self.kind == Kind::Inbox
            && let Waking::Running(Some(waker)) = waking
        {
            waker.wake();
        }
        let link_reason = match reason {
            ExitReason::Kill => ExitReason::Killed,
            ref other => other.clone(),
        };
        for linked in links.into_processes() {
            linked
                .control()
                .exit_signal(self.pid, link_reason.clone(), Via::Link);
        }
        let Some(rare) = rare else { return };
        for (reference, watcher) in rare.monitored_by {
            let down = Down {
                reference,
                pid: self.pid,
                reason: reason.clone(),
            };
            watcher.control().deliver_down(down);
        }
        for (reference, target) in rare.monitoring {
            target.control().forget_monitor(reference);
        }
        for name in rare.names {
            crate::registry::forget(&name, self.pid);
        }
        for waiter in rare.exit_waiters {
            let _ = waiter.send(reason.clone());
        }
    }

    /// Adds `other` to this process's links; false if this process is dead.
    fn add_link(&self, other: &ProcessRef) -> bool {
        let mut st = self.state.lock();
        if self.dead(&st) {
            return false;
        }
        st.links.insert(other.clone());
        true
    }

    fn remove_link(&self, other: Pid) {
        self.state.lock().links.remove(other);
    }

    /// Changes (wrapping) each time another process removes its link to this one; 0 if
    /// none ever did.
    pub(crate) fn unlinks_by_other(&self) -> u8 {
        self.unlinked_by_other.load(Ordering::Acquire)
    }

    /// Wakes the process's running task, if it has one (a process without a task is not
    /// given one for this), so that it looks at [`Self::unlinks_by_other`] again.
    fn nudge(&self) {
        let waker = match &*self.waking.lock() {
            Waking::Running(Some(waker)) => Some(waker.clone()),
            _ => None,
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Those of `others` this process is not linked to, found under one lock.
    pub(crate) fn unlinked<'a>(
        &self,
        others: impl Iterator<Item = &'a ProcessRef>,
    ) -> Vec<ProcessRef> {
        let st = self.state.lock();
        others
            .filter(|p| !st.links.contains(p.pid()))
            .cloned()
            .collect()
    }

    pub(crate) fn is_linked(&self, other: Pid) -> bool {
        self.state.lock().links.contains(other)
    }

    /// Queues `down` unless its monitor was cancelled meanwhile: OTP sends no `Down` once
    /// `demonitor` returned.
    fn deliver_down(&self, down: Down) {
        let mut st = self.state.lock();
        if self.dead(&st) {
            return;
        }
        let wanted = st
            .rare
            .as_mut()
            .is_some_and(|rare| rare.monitoring.remove(&down.reference).is_some());
        if !wanted {
            return;
        }
        self.push(&mut st, Signal::Down(down));
        drop(st);
        self.wake();
    }

    fn forget_monitor(&self, reference: Ref) {
        if let Some(rare) = self.state.lock().rare.as_mut() {
            rare.monitored_by.remove(&reference);
        }
    }

    pub(crate) fn add_name(&self, name: Arc<str>) -> bool {
        let mut st = self.state.lock();
        if self.dead(&st) {
            return false;
        }
        st.rare().names.push(name);
        true
    }

    pub(crate) fn remove_name(&self, name: &str) {
        if let Some(rare) = self.state.lock().rare.as_mut() {
            rare.names.retain(|n| &**n != name);
        }
    }

    /// A receiver that resolves with the exit reason (at once if already dead).
    pub(crate) fn exit_waiter(&self) -> oneshot::Receiver<ExitReason> {
        let (tx, rx) = oneshot::channel();
        let mut st = self.state.lock();
        match st.reason.as_deref().filter(|_| self.dead(&st)) {
            Some(reason) => {
                let _ = tx.send(reason.clone());
            }
            None => st.rare().exit_waiters.push(tx),
        }
        rx
    }

    /// Counts of live bookkeeping entries, for leak checks in tests.
    pub(crate) fn entry_counts(&self) -> (usize, usize) {
        let st = self.state.lock();
        let monitors = st
            .rare
            .as_ref()
            .map_or(0, |r| r.monitored_by.len() + r.monitoring.len());
        (st.links.len(), monitors)
    }
}

/// Links `a` and `b`. If `b` is dead, `a` receives an exit signal with reason `noproc`.
pub(crate) fn link(a: &ProcessRef, b: &ProcessRef) {
    if a.pid() == b.pid() {
        return;
    }
    if !b.control().add_link(a) {
        a.control()
            .exit_signal(b.pid(), ExitReason::NoProc, Via::DeadLink);
        return;
    }
    if !a.control().add_link(b) {
        b.control().remove_link(a.pid());
        return;
    }
    if !b.is_alive() {
        // b died between the two steps; its exit signal may have found no link yet.
        if a.control().state.lock().links.remove(b.pid()).is_some() {
            a.control().exit_signal(
                b.pid(),
                b.control().exit_reason().unwrap_or(ExitReason::NoProc),
                Via::DeadLink,
            );
        }
    }
}

/// Completes the link between `parent` and `child`, a process just made with `parent`
/// already in its links (by [`Control::new`]) and not running yet: only `parent`'s side
/// is left to add, so the child's lock is not taken on this path.
pub(crate) fn link_new(parent: &ProcessRef, child: &ProcessRef) {
    debug_assert!(child.control().is_linked(parent.pid()));
    if !parent.control().add_link(child) {
        // The parent is dead: no link, as `link` would leave it.
        child.control().remove_link(parent.pid());
        return;
    }
    if !child.is_alive() {
        // As in `link`: the child died between the two steps.
        if parent
            .control()
            .state
            .lock()
            .links
            .remove(child.pid())
            .is_some()
        {
            parent.control().exit_signal(
                child.pid(),
                child.control().exit_reason().unwrap_or(ExitReason::NoProc),
                Via::DeadLink,
            );
        }
    }
}

/// Removes the link between `a` and `b`, both ways; `a` is the process that asks.
pub(crate) fn unlink(a: &ProcessRef, b: &ProcessRef) {
    a.control().remove_link(b.pid());
    b.control().remove_link(a.pid());
    let count = &b.control().unlinked_by_other;
    count.store(
        count.load(Ordering::Acquire).wrapping_add(1).max(1),
        Ordering::Release,
    );
    b.control().nudge();
}

/// `watcher` monitors `target`; a dead target gives a `Down` with `noproc` at once.
///
/// The watcher's side is written first: a `Down` is delivered only while the watcher still
/// holds its side (see [`Control::deliver_down`]), so none arrives after `demonitor`.
pub(crate) fn monitor(watcher: &ProcessRef, target: &ProcessRef) -> Ref {
    let reference = Ref::next();
    {
        let mut st = watcher.control().state.lock();
        if watcher.control().dead(&st) {
            return reference;
        }
        st.rare().monitoring.insert(reference, target.clone());
    }
    let registered = {
        let mut st = target.control().state.lock();
        if target.control().dead(&st) {
            false
        } else {
            st.rare().monitored_by.insert(reference, watcher.clone());
            true
        }
    };
    if !registered {
        let down = Down {
            reference,
            pid: target.pid(),
            reason: ExitReason::NoProc,
        };
        watcher.control().deliver_down(down);
    }
    reference
}

/// Cancels a monitor and removes its `Down` from the watcher's queue if it was delivered.
/// Returns whether the monitor was still active.
pub(crate) fn demonitor(watcher: &ProcessRef, reference: Ref) -> bool {
    let target = {
        let mut st = watcher.control().state.lock();
        let target = st
            .rare
            .as_mut()
            .and_then(|r| r.monitoring.remove(&reference));
        let queue = &mut st.rare().queue;
        queue.retain(|s| !matches!(s, Signal::Down(d) if d.reference == reference));
        if queue.is_empty() {
            watcher
                .control()
                .pending
                .fetch_and(!SIGNALS, Ordering::AcqRel);
        }
        target
    };
    match target {
        Some(target) => {
            target.control().forget_monitor(reference);
            true
        }
        None => false,
    }
}
