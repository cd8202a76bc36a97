//! Supervisor reports through `tracing` (target `supervise::supervisor`).
//!
//! They are written by the supervisor after it acted, never by the crashing child, and
//! cost nothing beyond a level check when no subscriber listens.

use std::fmt::Write;

use super::spec::SpecInner;
use crate::{ExitReason, Pid};

/// The id a report gives a dynamic supervisor's child (OTP's `undefined`).
pub(crate) const UNDEFINED: &str = "undefined";

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

    fn verb(self) -> &'static str {
        match self {
            Context::ChildTerminated => "terminated",
            Context::StartError => "failed to start",
            Context::ShutdownError => "did not shut down cleanly",
        }
    }
}

/// A static supervisor's report about a child, under the child's id.
pub(crate) fn child(
    sup: Pid,
    context: Context,
    spec: &SpecInner,
    pid: Option<Pid>,
    reason: &ExitReason,
) {
    write(sup, context, spec.id_str(), spec, pid, reason);
}

/// A dynamic supervisor's report about a child: its id is `undefined`, as in OTP.
pub(crate) fn dynamic_child(
    sup: Pid,
    context: Context,
    spec: &SpecInner,
    pid: Option<Pid>,
    reason: &ExitReason,
) {
    write(sup, context, UNDEFINED, spec, pid, reason);
}

/// A supervisor report: the child's id, pid, reason, start call, restart, shutdown, type.
fn write(
    sup: Pid,
    context: Context,
    id: &str,
    spec: &SpecInner,
    pid: Option<Pid>,
    reason: &ExitReason,
) {
    if !tracing::enabled!(target: "supervise::supervisor", tracing::Level::ERROR) {
        return;
    }
    let pid = pid.map_or_else(|| UNDEFINED.to_string(), |p| p.to_string());
    // The start arguments' `Debug` and the reason's `Display` are user code: one that
    // panics must not take the supervisor (and so its other children) down.
    let start = crate::panic::format_guarded(|out| write!(out, "{}", spec.start_call()));
    let reason = crate::panic::format_guarded(|out| write!(out, "{reason}"));
    // The text once for people; the fields for machines in a DEBUG companion (see the
    // crash report).
    tracing::error!(
        target: "supervise::supervisor",
        "Child {id} of supervisor {sup} {}\n** (exit) {reason}\nPid: {pid}\nStart Call: {start}\nRestart: {:?}\nShutdown: {}\nType: {}",
        context.verb(),
        spec.restart,
        spec.shutdown,
        spec.child_type,
    );
    tracing::debug!(
        target: "supervise::supervisor::fields",
        supervisor = %sup,
        context = context.as_str(),
        child_id = %id,
        pid = %pid,
        reason = %reason,
        start = %start,
        restart = ?spec.restart,
        shutdown = %spec.shutdown,
        child_type = %spec.child_type,
    );
}

/// OTP SASL's progress report, `Child a of Supervisor .. started`: at DEBUG, under the
/// target `supervise::progress`, so hidden by default and on for whoever asks for it
/// (`RUST_LOG=supervise::progress=debug`). `id` is `None` under a dynamic supervisor
/// (reported as `undefined`). Also the lifecycle event (`crate::observe`).
pub(crate) fn started(sup: Pid, id: Option<&str>, pid: Pid, spec: &SpecInner) {
    crate::observe::started(sup, id, pid, spec.module());
    let id = id.unwrap_or(UNDEFINED);
    if !tracing::enabled!(target: "supervise::progress", tracing::Level::DEBUG) {
        return;
    }
    let start = crate::panic::format_guarded(|out| write!(out, "{}", spec.start_call()));
    tracing::debug!(
        target: "supervise::progress",
        supervisor = %sup,
        child_id = %id,
        pid = %pid,
        start = %start,
        restart = ?spec.restart,
        shutdown = %spec.shutdown,
        child_type = %spec.child_type,
        "Child {id} of supervisor {sup} started\nPid: {pid}\nStart Call: {start}\nRestart: {:?}\nShutdown: {}\nType: {}",
        spec.restart,
        spec.shutdown,
        spec.child_type,
    );
}

/// The loud report when a supervisor gives up (Elixir 1.14 prints nothing here).
/// `id` is the child whose restart was one too many (`None`, shown `undefined`, under a
/// dynamic one). Also the lifecycle event (`crate::observe`).
pub(crate) fn intensity_exceeded(
    sup: Pid,
    id: Option<&str>,
    max: u32,
    period: std::time::Duration,
) {
    crate::observe::gave_up(sup, id, max, period);
    let id = id.unwrap_or(UNDEFINED);
    tracing::error!(
        target: "supervise::supervisor",
        "Supervisor {sup} reached its maximum restart intensity ({max} restarts in {period:?}) restarting child {id}; it stops all its children and exits with shutdown",
    );
    tracing::debug!(
        target: "supervise::supervisor::fields",
        supervisor = %sup,
        context = "shutdown",
        child_id = %id,
        reason = "reached_max_restart_intensity",
        max_restarts = max,
        period_ms = period.as_millis() as u64,
    );
}
