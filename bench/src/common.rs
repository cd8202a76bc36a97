//! What both systems share: latches, the drop guard, statistics and the JSON line.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

/// A count-down latch: `wait` returns once `count_down` was called `n` times.
#[derive(Clone, Debug)]
pub struct Latch(Arc<LatchInner>);

#[derive(Debug)]
pub struct LatchInner {
    left: AtomicUsize,
    done: Notify,
}

impl Latch {
    pub fn new(n: usize) -> Self {
        Latch(Arc::new(LatchInner {
            left: AtomicUsize::new(n),
            done: Notify::new(),
        }))
    }

    pub fn count_down(&self) {
        if self.0.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.done.notify_waiters();
            self.0.done.notify_one();
        }
    }

    pub fn add(&self, n: usize) {
        self.0.left.fetch_add(n, Ordering::AcqRel);
    }

    pub async fn wait(&self) {
        loop {
            let notified = self.0.done.notified();
            if self.0.left.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// The start arguments every child keeps in its state.
#[derive(Clone, Debug)]
pub struct Args {
    pub started: Latch,
    pub gone: Option<Latch>,
    pub cast_target: u64,
    pub cast_done: Option<Latch>,
}

impl Args {
    pub fn new(started: &Latch) -> Self {
        Args {
            started: started.clone(),
            gone: None,
            cast_target: 0,
            cast_done: None,
        }
    }
}

/// Counts a latch down when the state holding it is dropped ("gone").
#[derive(Debug)]
pub struct DropGuard(pub Option<Latch>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        if let Some(l) = &self.0 {
            l.count_down();
        }
    }
}

/// One measured run, printed as one JSON line.
#[derive(Clone, Debug, Default)]
pub struct Record {
    pub system: String,
    pub workload: String,
    pub n: usize,
    pub total_ms: f64,
    pub p50_us: Option<f64>,
    pub p99_us: Option<f64>,
    pub bytes_per_child: Option<f64>,
    /// Extra figure for the restart-flatness and scale runs.
    pub extra: Option<(String, f64)>,
}

impl Record {
    pub fn per_op_ns(&self) -> f64 {
        self.total_ms * 1e6 / self.n as f64
    }

    pub fn to_json(&self) -> String {
        let opt = |v: Option<f64>| v.map_or("null".to_string(), |x| format!("{x:.3}"));
        let extra = match &self.extra {
            Some((k, v)) => format!(",\"{k}\":{v:.3}"),
            None => String::new(),
        };
        format!(
            "{{\"system\":\"{}\",\"workload\":\"{}\",\"n\":{},\"total_ms\":{:.3},\"per_op_ns\":{:.1},\"p50_us\":{},\"p99_us\":{},\"bytes_per_child\":{}{}}}",
            self.system,
            self.workload,
            self.n,
            self.total_ms,
            self.per_op_ns(),
            opt(self.p50_us),
            opt(self.p99_us),
            opt(self.bytes_per_child),
            extra
        )
    }

    /// Parses a line written by `to_json` (only the fields this harness writes).
    pub fn from_json(line: &str) -> Option<Record> {
        let field = |name: &str| -> Option<&str> {
            let key = format!("\"{name}\":");
            let start = line.find(&key)? + key.len();
            let rest = &line[start..];
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            Some(rest[..end].trim_matches('"'))
        };
        let num = |name: &str| field(name).and_then(|v| v.parse::<f64>().ok());
        Some(Record {
            system: field("system")?.to_string(),
            workload: field("workload")?.to_string(),
            n: field("n")?.parse().ok()?,
            total_ms: num("total_ms")?,
            p50_us: num("p50_us"),
            p99_us: num("p99_us"),
            bytes_per_child: num("bytes_per_child"),
            extra: ["flat_ratio", "per_child_us"]
                .iter()
                .find_map(|k| num(k).map(|v| (k.to_string(), v))),
        })
    }
}

/// p50 and p99 of latencies, in microseconds.
pub fn percentiles(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort_unstable();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[i].as_secs_f64() * 1e6
    };
    (at(0.50), at(0.99))
}

pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Resident set size of this process, in bytes.
pub fn rss_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .map_or(0, |kb| kb * 1024)
}
