//! The worker's process loop.

use std::fmt::Write;
use std::future::poll_fn;
use std::panic::AssertUnwindSafe;
use std::task::Poll;

use futures_util::FutureExt;

use super::report::{self, log_crash};
use super::{Context, Flow, MessageOf, Worker};
use crate::process::interrupt::interruptible_task;
use crate::process::{Control, Rx, Signal};
use crate::{ExitReason, panic};

/// Serves the worker until it stops, then exits the process: exit signals first, the
/// crash report after, the state dropped last.
///
/// The task's future owns an [`ExitOnDrop`] from the start: a task that tokio drops
/// before it ends (its runtime shut down, or it was spawned onto one already gone) still
/// exits its process, with [`ExitReason::Killed`], so nothing waits on it forever.
#[allow(clippy::manual_async_fn)] // on purpose, see below
pub(super) fn run<W: Worker>(
    mut state: W,
    mut ctx: Context<W>,
    mut rx: Rx<MessageOf<W>>,
) -> impl Future<Output = ()> + Send {
    let core = ExitOnDrop(ctx.core.clone());
    // An `async move` block over the captured values rather than an `async fn`, so the
    // task stores each of them once.
    async move {
        let core = core;
        let mut last = String::new();
        // Whether `terminate` was entered: one that panics is not run a second time.
        let mut terminating = false;
        // Taken apart at once, so the outcome is not kept across the (rare) await below.
        let (reason, report, crashed) = outcome({
            let body = AssertUnwindSafe(serve(
                &mut state,
                &mut ctx,
                &mut rx,
                &mut last,
                &mut terminating,
            ))
            .catch_unwind();
            interruptible_task(&core.0.control, body).await
        });
        if crashed && !terminating {
            // GenServer runs terminate after a crash in a callback too. Boxed: this
            // rare path should not make every idle process's task bigger.
            // A `terminate` that panics at the call (one that does its work before its
            // future) is caught as one that panics when polled.
            let (state, reason, ctx) = (&mut state, &reason, &mut ctx);
            let terminate = async move {
                let called = std::panic::catch_unwind(AssertUnwindSafe(move || {
                    let (state, ctx) = (state, ctx); // moved: the closure is FnOnce
                    state.terminate(reason, ctx)
                }));
                if let Ok(terminate) = called {
                    let _ = AssertUnwindSafe(terminate).catch_unwind().await;
                }
            };
            let _ = Box::pin(interruptible_task(&core.0.control, terminate)).await;
        }
        // Queued messages go before the exit, as the process's own (a call's reply handle
        // dropped here tells its caller which process to wait for), those still being
        // sent included. The mailbox's `Drop` guards each message's own: one that panics
        // does not leave the process alive and unreported.
        drop(rx);
        core.0.control.terminate(reason.clone());
        if report {
            log_crash::<W>(core.0.control.pid(), &reason, &last, Some(&state));
        }
    }
}

/// Exits the process when dropped, if it has not exited yet.
struct ExitOnDrop<M>(std::sync::Arc<crate::process::Core<M>>);

impl<M> Drop for ExitOnDrop<M> {
    fn drop(&mut self) {
        if self.0.control.is_alive() {
            self.0.control.terminate(ExitReason::Killed);
        }
    }
}

/// How serving ended: the exit reason, whether to report it, whether a callback panicked.
fn outcome(
    served: Result<std::thread::Result<ExitReason>, ExitReason>,
) -> (ExitReason, bool, bool) {
    match served {
        Ok(Ok(reason)) => {
            let report = reason.is_failure();
            (reason, report, false)
        }
        Ok(Err(payload)) => (panic::reason(payload), true, true),
        Err(signal_reason) => (signal_reason, false, false),
    }
}

/// The serving loop. A function returning an `async move` block rather than an `async fn`
/// (the task keeps the five references once), and no signal-sized value is kept across a
/// callback's await: the process's task stays small.
#[allow(clippy::manual_async_fn)] // on purpose, see above
fn serve<'a, W: Worker>(
    state: &'a mut W,
    ctx: &'a mut Context<W>,
    rx: &'a mut Rx<MessageOf<W>>,
    last: &'a mut String,
    terminating: &'a mut bool,
) -> impl Future<Output = ExitReason> + Send + 'a {
    async move {
        let reason = 'serve: loop {
            // `None`: a signal is queued (signals are served first). It is taken here, not
            // by `next`, so that only a message is ever held across a callback.
            let Some(msg) = next(&ctx.core.control, rx).await else {
                let Some(signal) = ctx.core.control.take_signal() else {
                    continue;
                };
                // An inspection is answered here, between messages, without a callback.
                let signal = match signal {
                    Signal::Inspect(probe) => {
                        answer(probe, state, Some(rx.len()));
                        continue;
                    }
                    other => other,
                };
                // Signals are rare next to messages: their handling is boxed so that it
                // does not make every process's task bigger.
                match Box::pin(handle_signal(state, ctx, signal, last)).await {
                    Flow::Continue => continue,
                    Flow::Stop(reason) => break 'serve reason,
                }
            };
            ctx.core.control.count_handled();
            record::<W>(last, |out| W::format_message(&msg, out));
            let flow = state.handle(msg, ctx).await;
            if let Flow::Stop(reason) = flow {
                break reason;
            }
        };
        *terminating = true;
        Box::pin(state.terminate(&reason, ctx)).await;
        reason
    }
}

async fn handle_signal<W: Worker>(
    state: &mut W,
    ctx: &mut Context<W>,
    signal: Signal,
    last: &mut String,
) -> Flow {
    // Signals are served before messages, and one may be queued again as soon as it is
    // handled (a supervisor restarting a child that dies at once, as every child started
    // while the runtime shuts down does): spend tokio's cooperative budget, so that such
    // a loop yields now and then, and a runtime shutting down can drop the task.
    tokio::task::coop::consume_budget().await;
    match signal {
        Signal::Exit { from, reason } => {
            record::<W>(last, |out| write!(out, "{{'EXIT', {from}, {reason}}}"));
            state.handle_exit(from, reason, ctx).await
        }
        Signal::Down(down) => {
            let (r, pid, why) = (down.reference, down.pid, &down.reason);
            record::<W>(last, |out| write!(out, "{{'DOWN', {r}, {pid}, {why}}}"));
            state.handle_down(down, ctx).await
        }
        Signal::Stop { from, reason } => {
            record::<W>(last, |out| write!(out, "{{'$stop', {from}, {reason}}}"));
            Flow::Stop(reason)
        }
        // Answered by the loop before it gets here.
        Signal::Inspect(probe) => {
            answer(probe, state, None);
            Flow::Continue
        }
    }
}

fn answer<W: Worker>(probe: crate::observe::Probe, state: &W, mailbox_len: Option<usize>) {
    probe.answer(mailbox_len, || {
        panic::format_guarded(|out| state.format_state(out))
    });
}

/// Keeps what is being handled for the crash report: nothing for a worker that keeps no
/// last message (a supervisor, say: formatting stays off its restart path), and only the
/// clearing while no subscriber would read a report.
fn record<W: Worker>(last: &mut String, write: impl FnOnce(&mut String) -> std::fmt::Result) {
    if !W::RECORD_LAST_MESSAGE {
        return;
    }
    last.clear();
    if report::wanted() {
        // A message's `Debug` that panics must not crash the worker only when someone
        // listens: the report says so instead.
        let caught = std::panic::catch_unwind(AssertUnwindSafe(|| write(last)));
        if let Err(payload) = caught {
            *last = panic::formatting_panicked(payload);
        }
    }
}

/// The next message, or `None` when a signal is queued: signals are always served first.
fn next<'a, M>(control: &'a Control, rx: &'a mut Rx<M>) -> impl Future<Output = Option<M>> + 'a {
    poll_fn(move |cx| {
        if control.has_signals() {
            return Poll::Ready(None);
        }
        match rx.poll_recv(cx) {
            Poll::Ready(Some(msg)) => Poll::Ready(Some(msg)),
            // The process holds a sender to its own mailbox, so it never closes.
            Poll::Ready(None) | Poll::Pending => Poll::Pending,
        }
    })
}
