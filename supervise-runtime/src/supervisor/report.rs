//! Supervisor reports through `tracing` (target `supervise::supervisor`).
//!
//! They are written by the supervisor after it acted, never by the crashing child, and
//! cost nothing beyond a level check when no subscriber listens.

use super::spec::SpecInner;
use crate::{ExitReason, Pid};

/// What a report is about (OTP's report context).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    ChildTerminated,
    StartError,
    ShutdownError,
}

impl Context {
    fn as_str(self) -> &'static str {
        match self {
            Context::ChildTerminated => "child_terminated",
            Context::StartError => "start_error",
            Context::ShutdownError => "shutdown_error",
        }
    }
}

/// A supervisor report: the child's id, pid, reason, start call, restart, shutdown, type.
pub(crate) fn child(
    sup: Pid,
    context: Context,
    spec: &SpecInner,
    pid: Option<Pid>,
    reason: &ExitReason,
) {
    let pid = pid.map_or_else(|| "undefined".to_string(), |p| p.to_string());
    tracing::error!(
        target: "supervise::supervisor",
        supervisor = %sup,
        context = context.as_str(),
        child_id = %spec.id_str(),
        pid = %pid,
        reason = %reason,
        start = %format_args!("{}::start_link(..)", spec.module),
        restart = ?spec.restart,
        shutdown = %spec.shutdown,
        child_type = %spec.child_type,
        "Child {} of supervisor {sup} {}\n** (exit) {reason}\nPid: {pid}\nStart Call: {}::start_link(..)\nRestart: {:?}\nShutdown: {}\nType: {}",
        spec.id_str(),
        match context {
            Context::ChildTerminated => "terminated",
            Context::StartError => "failed to start",
            Context::ShutdownError => "did not shut down cleanly",
        },
        spec.module,
        spec.restart,
        spec.shutdown,
        spec.child_type,
    );
}

/// The loud report when a supervisor gives up (Elixir 1.14 prints nothing here).
pub(crate) fn intensity_exceeded(
    sup: Pid,
    spec: &SpecInner,
    max: u32,
    period: std::time::Duration,
) {
    tracing::error!(
        target: "supervise::supervisor",
        supervisor = %sup,
        context = "shutdown",
        child_id = %spec.id_str(),
        reason = "reached_max_restart_intensity",
        max_restarts = max,
        period_ms = period.as_millis() as u64,
        "Supervisor {sup} reached its maximum restart intensity ({max} restarts in {period:?}) restarting child {}; it stops all its children and exits with shutdown",
        spec.id_str(),
    );
}
