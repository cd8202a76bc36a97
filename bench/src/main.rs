//! The benchmark harness: runs each workload of BENCH.md for supervise and for the tokio
//! baseline, each run in a fresh process, several repetitions, and prints the JSON lines
//! and a table of medians with the ratio supervise / baseline.
//!
//! ```text
//! cargo run --release -p supervise-bench             # the full run (under a minute)
//! cargo run --release -p supervise-bench -- --quick  # smaller N, a smoke test
//! cargo run --release -p supervise-bench -- --scale  # spawn at 1 000 000 vs 100 000
//! cargo run --release -p supervise-bench -- --run supervise call 100000   # one run
//! cargo run --release -p supervise-bench -- --run supervise restart 10000 --windows
//! # and tokio's scheduler counters (steals, parks) after a single run:
//! RUSTFLAGS="--cfg tokio_unstable" cargo run --release -p supervise-bench -- --run supervise restart 10000
//! ```

mod baseline;
mod baseline_system;
mod common;
mod supervise_system;
mod worker;
mod workloads;

use std::process::Command;

use common::{Record, median};
use workloads::System;

/// BENCH.md's six, plus `call-infinity` (`call` without its timeout, to show what it costs)
/// and `call-following` (`call` through a handle that follows restarts).
const WORKLOADS: [&str; 8] = [
    "spawn",
    "memory",
    "restart",
    "cast",
    "call",
    "call-infinity",
    "call-following",
    "shutdown",
];
const SYSTEMS: [&str; 2] = ["tokio-baseline", "supervise"];

fn full_n(workload: &str) -> usize {
    match workload {
        "cast" => 1_000_000,
        "restart" => 10_000,
        _ => 100_000,
    }
}

fn quick_n(workload: &str) -> usize {
    full_n(workload) / 5
}

/// Repetitions of `workload` for a base of `reps`. A run of the four message and restart
/// workloads takes a tenth of a second, and their run-to-run spread on a shared VM is the
/// widest, so they get three times as many: the medians settle for little time.
fn reps_for(workload: &str, reps: usize) -> usize {
    match workload {
        "restart" | "cast" | "call" | "call-infinity" | "call-following" => reps * 3,
        _ => reps,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--run") {
        return run_one(&args[1..]);
    }
    let quick = args.iter().any(|a| a == "--quick");
    let scale = args.iter().any(|a| a == "--scale");
    let reps = flag_value(&args, "--reps").unwrap_or(if quick { 3 } else { 5 });
    let only = flag_str(&args, "--only");
    if scale {
        return run_scale(reps);
    }
    let mut records = Vec::new();
    for workload in WORKLOADS.iter().filter(|w| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|x| x == **w))
    }) {
        let n = if quick {
            quick_n(workload)
        } else {
            full_n(workload)
        };
        for _ in 0..reps_for(workload, reps) {
            for system in SYSTEMS {
                let r = spawn_run(system, workload, n);
                println!("{}", r.to_json());
                records.push(r);
            }
        }
    }
    print_table(&records);
}

fn flag_value(args: &[String], name: &str) -> Option<usize> {
    flag_str(args, name)?.parse().ok()
}

fn flag_str(args: &[String], name: &str) -> Option<String> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1).cloned()
}

/// Runs one workload in a fresh process and parses its JSON line.
fn spawn_run(system: &str, workload: &str, n: usize) -> Record {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .args(["--run", system, workload, &n.to_string()])
        .output()
        .expect("run the benchmark child process");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find(|l| l.starts_with('{'));
    match line.and_then(Record::from_json) {
        Some(r) => r,
        None => panic!(
            "{system}/{workload} printed no result (status {}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn run_one(args: &[String]) {
    let (system, workload) = (args[0].as_str(), args[1].clone());
    let n: usize = args[2].parse().expect("n");
    if args.iter().any(|a| a == "--windows") {
        workloads::RESTART_WINDOWS.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    // The restart workload panics on purpose, 10 000 times: keep stderr quiet.
    if std::env::var_os("BENCH_PANICS").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let record = match system {
        "tokio-baseline" => rt.block_on(drive::<baseline_system::Baseline>(workload, n)),
        "supervise" => rt.block_on(drive::<supervise_system::Supervise>(workload, n)),
        other => panic!("unknown system {other}"),
    };
    println!("{}", record.to_json());
    // Which thread ran what: a restart that makes two tasks ready at once shows as steals.
    #[cfg(tokio_unstable)]
    {
        let m = rt.metrics();
        let w: Vec<String> = (0..2)
            .map(|i| {
                format!(
                    "w{i}: park {} steal {} steal_ops {} local {} overflow {} noop {} polls {}",
                    m.worker_park_count(i),
                    m.worker_steal_count(i),
                    m.worker_steal_operations(i),
                    m.worker_local_schedule_count(i),
                    m.worker_overflow_count(i),
                    m.worker_noop_count(i),
                    m.worker_poll_count(i)
                )
            })
            .collect();
        eprintln!("remote {} | {}", m.remote_schedule_count(), w.join(" | "));
    }
}

async fn drive<S: System>(workload: String, n: usize) -> Record {
    // The driver is itself a spawned task, as BENCH.md says.
    tokio::spawn(async move {
        match workload.as_str() {
            "spawn" => workloads::spawn::<S>(n).await,
            "memory" => workloads::memory::<S>(n).await,
            "restart" => workloads::restart::<S>(n).await,
            "cast" => workloads::cast::<S>(n).await,
            "call" => workloads::call::<S>(n).await,
            "call-infinity" => workloads::call_infinity::<S>(n).await,
            "call-following" => workloads::call_following::<S>(n).await,
            "shutdown" => workloads::shutdown::<S>(n).await,
            other => panic!("unknown workload {other}"),
        }
    })
    .await
    .expect("driver task")
}

/// The figure a workload is judged by, and its target ratio.
fn metric(workload: &str) -> (&'static str, fn(&Record) -> f64, f64) {
    match workload {
        "spawn" => ("µs/child", |r| r.per_op_ns() / 1e3, 1.25),
        "memory" => ("bytes/child", |r| r.bytes_per_child.unwrap_or(0.0), 1.25),
        "restart" => ("p50 µs", |r| r.p50_us.unwrap_or(0.0), 1.25),
        "cast" => ("ns/msg", Record::per_op_ns, 1.5),
        "call" | "call-infinity" => ("mean ns", Record::per_op_ns, 1.3),
        "call-following" => ("mean ns", Record::per_op_ns, 1.15),
        _ => ("total ms", |r| r.total_ms, 1.5),
    }
}

fn print_table(records: &[Record]) {
    println!();
    println!("| workload | metric | tokio-baseline | supervise | ratio | target | met |");
    println!("|---|---|---|---|---|---|---|");
    for workload in WORKLOADS {
        let (unit, get, target) = metric(workload);
        let med = |system: &str| {
            let mut v: Vec<f64> = records
                .iter()
                .filter(|r| r.workload == workload && r.system == system)
                .map(get)
                .collect();
            (!v.is_empty()).then(|| median(&mut v))
        };
        let (Some(base), Some(sup)) = (med("tokio-baseline"), med("supervise")) else {
            continue;
        };
        let ratio = sup / base;
        let met = if ratio <= target { "yes" } else { "no" };
        println!(
            "| {workload} | {unit} | {base:.2} | {sup:.2} | {ratio:.2}x | ≤ {target}x | {met} |"
        );
        if workload == "restart" {
            let mut flat: Vec<f64> = records
                .iter()
                .filter(|r| r.workload == "restart" && r.system == "supervise")
                .filter_map(|r| r.extra.as_ref().map(|e| e.1))
                .collect();
            if !flat.is_empty() {
                println!(
                    "| restart flatness | last 1 000 p50 / first 1 000 p50 | | {:.2} | | ≤ 1.0 (noise ±0.1) | |",
                    median(&mut flat)
                );
            }
        }
    }
}

fn run_scale(reps: usize) {
    println!("| system | children | µs/child (median of {reps}) |");
    println!("|---|---|---|");
    for system in SYSTEMS {
        let at = |n: usize| {
            let mut v: Vec<f64> = (0..reps)
                .map(|_| spawn_run(system, "spawn", n).per_op_ns() / 1e3)
                .collect();
            median(&mut v)
        };
        let small = at(100_000);
        let large = at(1_000_000);
        println!("| {system} | 100 000 | {small:.2} |");
        println!(
            "| {system} | 1 000 000 | {large:.2} (ratio {:.2}x, target ≤ 1.2x) |",
            large / small
        );
    }
}
