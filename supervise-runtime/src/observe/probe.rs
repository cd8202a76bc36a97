//! Asking a process about itself: a signal its worker loop answers between messages.

use std::time::Duration;

use tokio::sync::oneshot;

use crate::process::{Kind, ProcessRef, current};
use crate::{CallError, ExitReason};

/// An inspection queued on a process's control lane (see `Control::inspect_signal`).
pub(crate) struct Probe {
    want_state: bool,
    reply: oneshot::Sender<Inspection>,
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Probe")
    }
}

/// What a process told about itself.
pub(crate) struct Inspection {
    pub(crate) mailbox_len: Option<usize>,
    pub(crate) state: Option<String>,
}

impl Probe {
    /// Answers with the mailbox's length, and the state's text if it was asked for
    /// (`state` is only called then).
    pub(crate) fn answer(self, mailbox_len: Option<usize>, state: impl FnOnce() -> String) {
        let state = self.want_state.then(state);
        let _ = self.reply.send(Inspection { mailbox_len, state });
    }
}

/// What an inbox answers for its state: it runs no loop of its own.
pub(crate) const INBOX_STATE: &str = "<an Inbox: its state lives in the code that owns it>";

/// Asks `process` about itself and waits for the answer at most `timeout`: `NoProc` when
/// it is dead, `Exited` when it dies before answering, `Timeout` when it is busy in a
/// callback all that time, `CallingSelf` when asked from the process itself.
pub(crate) async fn inspect(
    process: &ProcessRef,
    want_state: bool,
    timeout: Duration,
) -> Result<Inspection, CallError> {
    let control = process.control();
    if control.kind() == Kind::Inbox {
        // Nothing to wait for: an inbox answers for itself, from here.
        return match process.is_alive() {
            true => Ok(Inspection {
                mailbox_len: process.0.mailbox_len_hint(),
                state: want_state.then(|| INBOX_STATE.to_string()),
            }),
            false => Err(CallError::NoProc),
        };
    }
    if current::pid() == Some(process.pid()) {
        return Err(CallError::CallingSelf);
    }
    let (tx, rx) = oneshot::channel();
    let probe = Probe {
        want_state,
        reply: tx,
    };
    if control.inspect_signal(probe).is_err() {
        return Err(CallError::NoProc);
    }
    let answered = async {
        tokio::select! {
            biased;
            answer = rx => answer.map_err(|_| {
                CallError::Exited(process.exit_reason().unwrap_or(ExitReason::NoProc))
            }),
            reason = process.wait() => Err(CallError::Exited(reason)),
        }
    };
    match tokio::time::timeout(timeout, answered).await {
        Ok(answer) => answer,
        Err(_) => Err(CallError::Timeout),
    }
}
