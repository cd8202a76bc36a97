//! The worker's process loop.

use std::future::poll_fn;
use std::panic::AssertUnwindSafe;
use std::task::Poll;

use futures_util::FutureExt;

use super::report::log_crash;
use super::{Context, Envelope, Flow, MessageOf, Worker};
use crate::process::interrupt::interruptible;
use crate::process::{Control, Rx, Signal};
use crate::{ExitReason, panic};

enum Event<M> {
    Signal(Signal),
    Message(M),
}

/// Serves the worker until it stops, then exits the process: exit signals first, the
/// crash report after, the state dropped last.
#[allow(clippy::manual_async_fn)] // on purpose, see below
pub(super) fn run<W: Worker>(
    mut state: W,
    mut ctx: Context<W>,
    mut rx: Rx<MessageOf<W>>,
) -> impl Future<Output = ()> + Send {
    // An `async move` block over the captured values rather than an `async fn`, so the
    // task stores each of them once.
    async move {
        let core = ctx.core.clone();
        let mut last = String::new();
        // Taken apart at once, so the outcome is not kept across the (rare) await below.
        let (reason, report, crashed) = outcome({
            let body =
                AssertUnwindSafe(serve(&mut state, &mut ctx, &mut rx, &mut last)).catch_unwind();
            interruptible(&core.control, body).await
        });
        if crashed {
            // GenServer runs terminate after a crash in a callback too. Boxed: this
            // rare path should not make every idle process's task bigger.
            let terminate = AssertUnwindSafe(state.terminate(&reason, &mut ctx)).catch_unwind();
            let _ = Box::pin(interruptible(&core.control, terminate)).await;
        }
        drop(rx);
        core.control.terminate(reason.clone());
        if report {
            log_crash::<W>(core.control.pid(), &reason, &last, Some(&state));
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

/// The serving loop. A function returning an `async move` block rather than an `async fn`,
/// and each await given a value that is not needed after it, so the process's task keeps
/// the four references once and only one handler's future at a time.
#[allow(clippy::manual_async_fn)] // on purpose, see above
fn serve<'a, W: Worker>(
    state: &'a mut W,
    ctx: &'a mut Context<W>,
    rx: &'a mut Rx<MessageOf<W>>,
    last: &'a mut String,
) -> impl Future<Output = ExitReason> + Send + 'a {
    async move {
        let reason = loop {
            // Signals are rare next to messages: their handling is boxed so that it does not
            // make every process's task bigger. The handler's future is made before the
            // await, so that neither the event nor the message is kept across it.
            let handler = match next(&ctx.core.control, rx).await {
                Event::Message(msg) => {
                    if W::RECORD_LAST_MESSAGE {
                        last.clear();
                        let _ = W::format_message(&msg, last);
                    }
                    dispatch(state, ctx, msg)
                }
                Event::Signal(signal) => Handler::Signal {
                    f: Box::pin(handle_signal(state, ctx, signal, last)),
                },
            };
            if let Flow::Stop(reason) = handler.await {
                break reason;
            }
        };
        Box::pin(state.terminate(&reason, ctx)).await;
        reason
    }
}

/// The handler's future for `msg`, made outside the serving loop so the loop does not keep
/// the message (or its drop flags) across the handler's awaits.
fn dispatch<'a, W: Worker, S>(
    state: &'a mut W,
    ctx: &'a mut Context<W>,
    msg: MessageOf<W>,
) -> Handler<
    impl Future<Output = Flow> + Send + 'a,
    impl Future<Output = Flow> + Send + 'a,
    impl Future<Output = Flow> + Send + 'a,
    S,
> {
    match msg {
        Envelope::Info(m) => Handler::Info {
            f: state.handle_info(m, ctx),
        },
        Envelope::Call(c) => Handler::Call {
            f: state.handle_call(c, ctx),
        },
        Envelope::Cast(c) => Handler::Cast {
            f: state.handle_cast(c, ctx),
        },
    }
}

pin_project_lite::pin_project! {
    /// One callback's future. An enum of our own rather than nested `Either`s, so that its
    /// poll is inlined: a panicking callback unwinds through no extra frames (each frame
    /// costs the unwinder thousands of instructions, on the restart path).
    #[project = HandlerProj]
    enum Handler<I, C, K, S> {
        Info { #[pin] f: I },
        Call { #[pin] f: C },
        Cast { #[pin] f: K },
        Signal { #[pin] f: S },
    }
}

impl<I, C, K, S> Future for Handler<I, C, K, S>
where
    I: Future<Output = Flow>,
    C: Future<Output = Flow>,
    K: Future<Output = Flow>,
    S: Future<Output = Flow>,
{
    type Output = Flow;

    #[inline(always)]
    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Flow> {
        match self.project() {
            HandlerProj::Info { f } => f.poll(cx),
            HandlerProj::Call { f } => f.poll(cx),
            HandlerProj::Cast { f } => f.poll(cx),
            HandlerProj::Signal { f } => f.poll(cx),
        }
    }
}

async fn handle_signal<W: Worker>(
    state: &mut W,
    ctx: &mut Context<W>,
    signal: Signal,
    last: &mut String,
) -> Flow {
    match signal {
        Signal::Exit { from, reason } => {
            record::<W>(last, format_args!("{{'EXIT', {from}, {reason}}}"));
            state.handle_exit(from, reason, ctx).await
        }
        Signal::Down(down) => {
            let (r, pid, why) = (down.reference, down.pid, &down.reason);
            record::<W>(last, format_args!("{{'DOWN', {r}, {pid}, {why}}}"));
            state.handle_down(down, ctx).await
        }
    }
}

fn record<W: Worker>(last: &mut String, what: std::fmt::Arguments<'_>) {
    use std::fmt::Write;
    if !W::RECORD_LAST_MESSAGE {
        return; // a supervisor, say: keep formatting off its restart path
    }
    last.clear();
    let _ = last.write_fmt(what);
}

/// The next signal, or else the next message: signals are always served first.
fn next<'a, M>(control: &'a Control, rx: &'a mut Rx<M>) -> impl Future<Output = Event<M>> + 'a {
    poll_fn(move |cx| {
        if let Some(signal) = control.take_signal() {
            return Poll::Ready(Event::Signal(signal));
        }
        match rx.poll_recv(cx) {
            Poll::Ready(Some(msg)) => Poll::Ready(Event::Message(msg)),
            // The process holds a sender to its own mailbox, so it never closes.
            Poll::Ready(None) | Poll::Pending => Poll::Pending,
        }
    })
}
