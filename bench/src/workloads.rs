//! The six workloads of BENCH.md, written once over the [`System`] trait so that both
//! systems run exactly the same driver code.

use std::time::{Duration, Instant};

use crate::common::{Args, Latch, Record, percentiles, rss_bytes};

/// What a system under test provides: a one_for_one dynamic supervisor of the bench worker.
pub trait System {
    const NAME: &'static str;
    type Sup: Send + Sync + 'static;
    type Child: Clone + Send + Sync + 'static;

    fn supervisor() -> impl Future<Output = Self::Sup> + Send;
    fn start_child(sup: &Self::Sup, args: Args) -> impl Future<Output = Self::Child> + Send;
    fn cast(child: &Self::Child);
    fn call(child: &Self::Child) -> impl Future<Output = u64> + Send;
    /// A call without a timeout (the baseline's calls never have one).
    fn call_infinity(child: &Self::Child) -> impl Future<Output = u64> + Send {
        Self::call(child)
    }
    /// A handle that follows the child across restarts (the baseline has none: its plain
    /// child stands in, so the ratio is the following handle's cost over a plain call).
    type Followed: Send + Sync + 'static;
    fn start_followed(sup: &Self::Sup, args: Args) -> impl Future<Output = Self::Followed> + Send;
    fn call_followed(child: &Self::Followed) -> impl Future<Output = u64> + Send;
    fn crash(child: &Self::Child);
    /// The supervisor's current child (after restarts).
    fn current(sup: &Self::Sup) -> impl Future<Output = Self::Child> + Send;
    fn stop(sup: Self::Sup) -> impl Future<Output = ()> + Send;
}

fn record<S: System>(workload: &str, n: usize, total: Duration) -> Record {
    Record {
        system: S::NAME.into(),
        workload: workload.into(),
        n,
        total_ms: total.as_secs_f64() * 1e3,
        ..Record::default()
    }
}

pub async fn spawn<S: System>(n: usize) -> Record {
    let sup = S::supervisor().await;
    let started = Latch::new(n);
    let mut children = Vec::with_capacity(n);
    let t = Instant::now();
    for _ in 0..n {
        children.push(S::start_child(&sup, Args::new(&started)).await);
    }
    started.wait().await;
    let total = t.elapsed();
    let mut r = record::<S>("spawn", n, total);
    r.extra = Some(("per_child_us".into(), total.as_secs_f64() * 1e6 / n as f64));
    drop(children);
    S::stop(sup).await;
    r
}

pub async fn memory<S: System>(n: usize) -> Record {
    let sup = S::supervisor().await;
    let started = Latch::new(n);
    let mut children = Vec::with_capacity(n);
    let before = rss_bytes();
    let t = Instant::now();
    for _ in 0..n {
        children.push(S::start_child(&sup, Args::new(&started)).await);
    }
    started.wait().await;
    let total = t.elapsed();
    let after = rss_bytes();
    let mut r = record::<S>("memory", n, total);
    r.bytes_per_child = Some(after.saturating_sub(before) as f64 / n as f64);
    drop(children);
    S::stop(sup).await;
    r
}

/// Whether `restart` also prints, to stderr, the p50 of each block of 1 000 restarts and
/// when the block ended (`--run <system> restart <n> --windows`): how a run's restarts
/// change over its life, which one p50 hides.
pub static RESTART_WINDOWS: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

pub async fn restart<S: System>(n: usize) -> Record {
    let sup = S::supervisor().await;
    let started = Latch::new(1);
    S::start_child(&sup, Args::new(&started)).await;
    started.wait().await;
    let mut samples = Vec::with_capacity(n);
    let mut block_ends = Vec::new();
    let start = Instant::now();
    for i in 0..(100 + n) {
        let child = S::current(&sup).await;
        started.add(1);
        let t = Instant::now();
        S::crash(&child);
        started.wait().await;
        if i >= 100 {
            samples.push(t.elapsed());
            if samples.len() % 1_000 == 0 {
                block_ends.push(start.elapsed());
            }
        }
    }
    if RESTART_WINDOWS.load(std::sync::atomic::Ordering::Relaxed) {
        let blocks: Vec<String> = samples
            .chunks_exact(1_000)
            .zip(&block_ends)
            .map(|(block, end)| {
                let (p50, _) = percentiles(&mut block.to_vec());
                format!("{p50:.1}µs@{}ms", end.as_millis())
            })
            .collect();
        eprintln!("{} restart p50 per 1 000: {}", S::NAME, blocks.join(" "));
    }
    let total: Duration = samples.iter().sum();
    let window = (n / 10).max(1);
    let (first, _) = percentiles(&mut samples[..window].to_vec());
    let (last, _) = percentiles(&mut samples[n - window..].to_vec());
    let (p50, p99) = percentiles(&mut samples);
    let mut r = record::<S>("restart", n, total);
    r.p50_us = Some(p50);
    r.p99_us = Some(p99);
    r.extra = Some(("flat_ratio".into(), last / first));
    S::stop(sup).await;
    r
}

pub async fn cast<S: System>(m: usize) -> Record {
    let sup = S::supervisor().await;
    let started = Latch::new(1);
    let done = Latch::new(1);
    let mut args = Args::new(&started);
    args.cast_target = m as u64;
    args.cast_done = Some(done.clone());
    let child = S::start_child(&sup, args).await;
    started.wait().await;
    let t = Instant::now();
    for _ in 0..m {
        S::cast(&child);
    }
    done.wait().await;
    let r = record::<S>("cast", m, t.elapsed());
    drop(child);
    S::stop(sup).await;
    r
}

pub async fn call<S: System>(n: usize) -> Record {
    calls::<S>("call", n, false).await
}

/// `call` through a handle that follows restarts (supervise's `Following`).
pub async fn call_following<S: System>(n: usize) -> Record {
    let sup = S::supervisor().await;
    let started = Latch::new(1);
    let child = S::start_followed(&sup, Args::new(&started)).await;
    started.wait().await;
    let r = time_calls::<S>("call-following", n, &Followed::<S>(&child)).await;
    drop(child);
    S::stop(sup).await;
    r
}

/// `call` without GenServer's 5 s timeout: what that guarantee costs.
pub async fn call_infinity<S: System>(n: usize) -> Record {
    calls::<S>("call-infinity", n, true).await
}

async fn calls<S: System>(workload: &str, n: usize, infinity: bool) -> Record {
    let sup = S::supervisor().await;
    let started = Latch::new(1);
    let child = S::start_child(&sup, Args::new(&started)).await;
    started.wait().await;
    let r = match infinity {
        true => time_calls::<S>(workload, n, &Infinity::<S>(&child)).await,
        false => time_calls::<S>(workload, n, &Timed::<S>(&child)).await,
    };
    drop(child);
    S::stop(sup).await;
    r
}

/// The timed loop of every call workload, one code for all of them (so the baseline's
/// runs of `call` and of `call-following`, the same calls, time the same loop): 1 000
/// untimed calls, then `n` timed ones; mean, p50 and p99.
async fn time_calls<S: System>(workload: &str, n: usize, caller: &impl Caller) -> Record {
    for _ in 0..1_000 {
        caller.call().await;
    }
    let mut samples = Vec::with_capacity(n);
    let t = Instant::now();
    for _ in 0..n {
        let s = Instant::now();
        std::hint::black_box(caller.call().await);
        samples.push(s.elapsed());
    }
    let total = t.elapsed();
    let (p50, p99) = percentiles(&mut samples);
    let mut r = record::<S>(workload, n, total);
    r.p50_us = Some(p50);
    r.p99_us = Some(p99);
    r
}

/// One call of a call workload.
trait Caller: Sync {
    fn call(&self) -> impl Future<Output = u64> + Send;
}

/// `call` to a child, with GenServer's 5 s timeout.
struct Timed<'a, S: System>(&'a S::Child);

impl<S: System> Caller for Timed<'_, S> {
    fn call(&self) -> impl Future<Output = u64> + Send {
        S::call(self.0)
    }
}

/// `call_infinity` to a child.
struct Infinity<'a, S: System>(&'a S::Child);

impl<S: System> Caller for Infinity<'_, S> {
    fn call(&self) -> impl Future<Output = u64> + Send {
        S::call_infinity(self.0)
    }
}

/// A call through a handle that follows restarts.
struct Followed<'a, S: System>(&'a S::Followed);

impl<S: System> Caller for Followed<'_, S> {
    fn call(&self) -> impl Future<Output = u64> + Send {
        S::call_followed(self.0)
    }
}

pub async fn shutdown<S: System>(n: usize) -> Record {
    let sup = S::supervisor().await;
    let started = Latch::new(n);
    let gone = Latch::new(n);
    let mut children = Vec::with_capacity(n);
    for _ in 0..n {
        let mut args = Args::new(&started);
        args.gone = Some(gone.clone());
        children.push(S::start_child(&sup, args).await);
    }
    started.wait().await;
    drop(children);
    let t = Instant::now();
    S::stop(sup).await;
    gone.wait().await;
    record::<S>("shutdown", n, t.elapsed())
}
