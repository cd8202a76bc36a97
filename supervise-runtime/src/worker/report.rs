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
    let state_text = match state {
        Some(s) => crate::panic::format_guarded(|out| s.format_state(out)),
        None => "<init did not complete>".to_string(),
    };
    let last = if last_message.is_empty() {
        "<not recorded>"
    } else {
        last_message
    };
    // A handler's error is user code too: its `Display` may panic.
    let reason_text = crate::panic::format_guarded(|out| write!(out, "{reason}"));
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
            let _ = write!(text, "** (exit) {reason_text}");
        }
    }
    let _ = write!(text, "\nLast message: {last}\nState: {state_text}");
    // The text once, for people; the same facts as fields, for machines, in a DEBUG
    // companion (`supervise::crash::fields`), so a plain fmt subscriber prints the report
    // once rather than its text followed by every field again.
    tracing::error!(target: "supervise::crash", "{text}");
    tracing::debug!(
        target: "supervise::crash::fields",
        pid = %pid,
        worker,
        reason = %reason_text,
        location,
        last_message = last,
        state = %state_text,
    );
}
