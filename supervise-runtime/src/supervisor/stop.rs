//! Stopping children: a shutdown signal, a wait, then a kill (OTP's `shutdown/2`).

use tokio::time::Instant;

use super::spec::Shutdown;
use crate::ExitReason;
use crate::process::{ProcessRef, control};

/// Stops one child and returns the reason it exited with.
///
/// The link is removed first so the child's exit does not come back to the supervisor as
/// a crash to act on (a stale exit already queued names a pid the supervisor no longer
/// knows, and is ignored).
pub(crate) async fn stop_child(me: &ProcessRef, child: &ProcessRef, how: Shutdown) -> ExitReason {
    control::unlink(me, child);
    signal(child, how);
    let deadline = deadline(how);
    wait(child, deadline).await
}

/// Sends the first signal of a stop: `kill` for brutal_kill, `shutdown` otherwise.
pub(crate) fn signal(child: &ProcessRef, how: Shutdown) {
    let reason = match how {
        Shutdown::BrutalKill => ExitReason::Kill,
        Shutdown::Timeout(_) | Shutdown::Infinity => ExitReason::Shutdown,
    };
    child.exit(reason);
}

/// When a child stopped with `how` now must be killed; none for infinity, and none for a
/// timeout too long for the clock to reach (it is infinity in effect).
pub(crate) fn deadline(how: Shutdown) -> Option<Instant> {
    match how {
        Shutdown::Timeout(d) => Instant::now().checked_add(d),
        Shutdown::BrutalKill | Shutdown::Infinity => None,
    }
}

/// Waits for a signalled child to exit, killing it at `deadline`.
pub(crate) async fn wait(child: &ProcessRef, deadline: Option<Instant>) -> ExitReason {
    if let Some(reason) = child.exit_reason() {
        return reason;
    }
    let Some(deadline) = deadline else {
        return child.wait().await;
    };
    match tokio::time::timeout_at(deadline, child.wait()).await {
        Ok(reason) => reason,
        Err(_) => {
            child.exit(ExitReason::Kill);
            child.wait().await
        }
    }
}
