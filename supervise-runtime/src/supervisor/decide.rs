//! The supervisor's decisions as pure functions over plain data, tested as tables.
//! The server loops only carry them out.

use std::collections::VecDeque;
use std::ops::Range;
use std::time::Duration;

use tokio::time::Instant;

use super::flags::{AutoShutdown, Backoff, Strategy};
use super::spec::Restart;
use crate::ExitReason;

/// What to do with a child that stopped on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AfterExit {
    /// Restart it (through the strategy, counting intensity).
    Restart,
    /// Leave it stopped (a temporary child's spec is removed); report if abnormal.
    Keep { report: bool },
}

impl AfterExit {
    /// Whether the exit is logged as a `child_terminated` report: always before a
    /// restart, as OTP does even for a permanent child's normal exit.
    pub(crate) fn reports(self) -> bool {
        match self {
            AfterExit::Restart => true,
            AfterExit::Keep { report } => report,
        }
    }
}

/// OTP's `do_restart` table over restart type x exit reason.
pub(crate) fn after_exit(restart: Restart, reason: &ExitReason) -> AfterExit {
    match (restart, reason.is_failure()) {
        (Restart::Permanent, _) => AfterExit::Restart,
        (_, false) => AfterExit::Keep { report: false },
        (Restart::Transient, true) => AfterExit::Restart,
        (Restart::Temporary, true) => AfterExit::Keep { report: true },
    }
}

/// The children (positions in start order) a strategy stops and starts again when the
/// child at `failed` of `len` children is restarted.
pub(crate) fn affected(strategy: Strategy, failed: usize, len: usize) -> Range<usize> {
    match strategy {
        Strategy::OneForOne => failed..failed + 1,
        Strategy::OneForAll => 0..len,
        Strategy::RestForOne => failed..len,
    }
}

/// Whether a significant child that stopped for good ends the supervisor.
/// `others_running` says whether another significant child is still running.
pub(crate) fn auto_shutdown(mode: AutoShutdown, significant: bool, others_running: bool) -> bool {
    match (mode, significant) {
        (AutoShutdown::Never, _) | (_, false) => false,
        (AutoShutdown::AnySignificant, true) => true,
        (AutoShutdown::AllSignificant, true) => !others_running,
    }
}

/// Restart intensity: at most `max` restarts within any `period`, as a sliding window.
///
/// Only the newest `max` restart times are kept (a ring), so a restart costs O(1) however
/// long the history: the window is exceeded exactly when the oldest of the last `max`
/// restarts is still inside the period, i.e. when this one would be restart `max + 1`.
#[derive(Debug)]
pub(crate) struct RestartWindow {
    max: u32,
    period: Duration,
    stamps: VecDeque<Instant>,
    /// Every restart recorded, window or not (for `crate::observe`).
    total: u64,
}

impl RestartWindow {
    pub(crate) fn new(max: u32, period: Duration) -> Self {
        RestartWindow {
            max,
            period,
            stamps: VecDeque::new(),
            total: 0,
        }
    }

    /// Records a restart at `now`; false when it exceeds the intensity.
    pub(crate) fn record(&mut self, now: Instant) -> bool {
        if self.max == 0 {
            return false;
        }
        if self.stamps.len() == self.max as usize {
            let oldest = self.stamps[0];
            if now.saturating_duration_since(oldest) <= self.period {
                return false;
            }
            self.stamps.pop_front();
        }
        self.stamps.push_back(now);
        self.total = self.total.saturating_add(1);
        true
    }

    /// The restarts recorded since the supervisor started.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// The restarts counted at `now`: those within the period (for `crate::observe`).
    pub(crate) fn in_window(&self, now: Instant) -> u32 {
        let n = self
            .stamps
            .iter()
            .filter(|t| now.saturating_duration_since(**t) <= self.period)
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// The delay before restart attempt `attempt` (0 for the first), or none without backoff.
pub(crate) fn backoff_delay(backoff: Option<Backoff>, attempt: u32) -> Option<Duration> {
    let backoff = backoff?;
    let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
    Some(backoff.base.saturating_mul(factor).min(backoff.max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_table() {
        use AfterExit::{Keep, Restart as Again};
        use Restart::{Permanent, Temporary, Transient};
        let crash = ExitReason::error("boom");
        let table = [
            (Permanent, ExitReason::Normal, Again),
            (Permanent, ExitReason::Shutdown, Again),
            (Permanent, crash.clone(), Again),
            (Transient, ExitReason::Normal, Keep { report: false }),
            (Transient, ExitReason::Shutdown, Keep { report: false }),
            (
                Transient,
                ExitReason::shutdown_with("x"),
                Keep { report: false },
            ),
            (Transient, crash.clone(), Again),
            (Transient, ExitReason::Killed, Again),
            (Temporary, ExitReason::Normal, Keep { report: false }),
            (Temporary, crash.clone(), Keep { report: true }),
            (Temporary, ExitReason::Killed, Keep { report: true }),
        ];
        for (restart, reason, want) in table {
            assert_eq!(after_exit(restart, &reason), want, "{restart:?} x {reason}");
        }
    }

    #[test]
    fn strategy_table() {
        use Strategy::*;
        let table = [
            (OneForOne, 1, 3, 1..2),
            (OneForAll, 1, 3, 0..3),
            (RestForOne, 1, 3, 1..3),
            (RestForOne, 0, 3, 0..3),
            (RestForOne, 2, 3, 2..3),
            (OneForAll, 0, 1, 0..1),
        ];
        for (strategy, failed, len, want) in table {
            assert_eq!(
                affected(strategy, failed, len),
                want,
                "{strategy:?} {failed}/{len}"
            );
        }
    }

    #[test]
    fn auto_shutdown_table() {
        use AutoShutdown::*;
        let table = [
            (Never, true, false, false),
            (AnySignificant, false, false, false),
            (AnySignificant, true, true, true),
            (AllSignificant, true, true, false),
            (AllSignificant, true, false, true),
            (AllSignificant, false, false, false),
        ];
        for (mode, significant, others, want) in table {
            assert_eq!(auto_shutdown(mode, significant, others), want);
        }
    }

    #[test]
    fn window_allows_max_then_refuses() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        // (max, period, restart times in seconds, expected results)
        let table: [(u32, u64, &[u64], &[bool]); 5] = [
            (3, 5, &[0, 1, 2, 3], &[true, true, true, false]),
            (3, 5, &[0, 1, 2, 6], &[true, true, true, true]),
            (3, 5, &[0, 1, 2, 5], &[true, true, true, false]),
            (0, 5, &[0], &[false]),
            (1, 1, &[0, 2, 4, 4], &[true, true, true, false]),
        ];
        for (max, period, times, want) in table {
            let mut w = RestartWindow::new(max, Duration::from_secs(period));
            let got: Vec<bool> = times.iter().map(|&t| w.record(t0 + s * t as u32)).collect();
            assert_eq!(got, want, "max {max} period {period} at {times:?}");
        }
    }

    #[test]
    fn window_is_bounded_by_max() {
        let t0 = Instant::now();
        let mut w = RestartWindow::new(3, Duration::from_millis(10));
        for i in 0..10_000u32 {
            assert!(w.record(t0 + Duration::from_millis(20) * i));
        }
        assert_eq!(w.stamps.len(), 3);
    }

    #[test]
    fn backoff_table() {
        let b = Some(Backoff::exponential(
            Duration::from_millis(10),
            Duration::from_millis(100),
        ));
        let ms = |n| Some(Duration::from_millis(n));
        assert_eq!(backoff_delay(None, 3), None);
        assert_eq!(backoff_delay(b, 0), ms(10));
        assert_eq!(backoff_delay(b, 1), ms(20));
        assert_eq!(backoff_delay(b, 3), ms(80));
        assert_eq!(backoff_delay(b, 4), ms(100));
        assert_eq!(backoff_delay(b, 200), ms(100));
    }
}
