//! The crash report, logged after the exit signals went out (off the restart path).

use std::fmt::Write;

use super::Worker;
use crate::{ExitReason, Pid};

/// Whether a crash report would be seen now. Without a subscriber for
/// `supervise::crash`, messages are not formatted for a report nobody reads.
#[inline]
pub(super) fn wanted() -> bool {
    tracing::enabled!(target: "supervise::crash", tracing::Level::ERROR)
}

pub(super) fn log_crash<W: Worker>(
    pid: Pid,
    reason: &ExitReason,
    last_message: &str,
    state: Option<&W>,
) {
    if !wanted() {
        return; // nobody listens: format nothing
    }
    let mut state_text = String::new();
    match state {
        Some(s) => {
            if s.format_state(&mut state_text).is_err() {
                state_text = "<formatting the state failed>".into();
            }
        }
        None => state_text.push_str("<init did not complete>"),
    }
    let last = if last_message.is_empty() {
        "<not recorded>"
    } else {
        last_message
    };
    let location = reason.panic().and_then(|p| p.location()).unwrap_or("-");
    let worker = std::any::type_name::<W>();
    let mut text = String::new();
    let _ = writeln!(text, "process {pid} ({worker}) terminating");
    match reason.panic() {
        Some(p) => {
            let _ = write!(text, "** (panic) {}", p.message());
            if let Some(at) = p.location() {
                let _ = write!(text, "\n    {at}");
            }
        }
        None => {
            let _ = write!(text, "** (exit) {reason}");
        }
    }
    let _ = write!(text, "\nLast message: {last}\nState: {state_text}");
    tracing::error!(
        target: "supervise::crash",
        pid = %pid,
        worker,
        reason = %reason,
        location,
        last_message = last,
        state = %state_text,
        "{text}"
    );
}
