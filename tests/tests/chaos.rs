//! Seeded chaos over a nested tree under the paused clock.
//!
//! The tree: a one_for_one root holding a named worker, a one_for_all supervisor, a
//! rest_for_one supervisor and a dynamic supervisor. A driver crashes, kills, stops
//! normally, terminates, restarts and starts children at random, and moves the clock;
//! after every step the tree settles and the checks run: which_children matches the live
//! processes, one tokio task is alive per process (no task leaked), live worker states match running workers (nothing leaked), the registry
//! holds exactly the running named child, every call returned, and each supervisor
//! restarted no more often than its intensity allows. A failing run prints its seed;
//! `CHAOS_SEED=<n> cargo test -p tests --test chaos` replays it.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use supervise_runtime::{
    AsProcess, ChildInfo, ChildPid, ChildSpec, ChildType, DynamicSupervisor, DynamicSupervisorSpec,
    ExitReason, Handle, Restart, Strategy, Supervisor, SupervisorSpec, registry,
};
use tests::{Lab, Probe, ProbeMsg, Reports, capture};

const STEPS: usize = 10_000;
const PERIOD: Duration = Duration::from_secs(1);
const SUB_MAX: u32 = 4;
/// Every call must return well within this (paused) time.
const CALL_LIMIT: Duration = Duration::from_secs(60);

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn worker(lab: &Lab, id: &str, trap: bool) -> ChildSpec<Probe> {
    ChildSpec::<Probe>::worker(lab.probe(id, trap)).id(id)
}

fn tree(lab: &Lab) -> SupervisorSpec {
    let all = SupervisorSpec::new(Strategy::OneForAll)
        .intensity(SUB_MAX, PERIOD)
        .child(worker(lab, "a1", true))
        .child(worker(lab, "a2", false))
        .child(worker(lab, "a3", true).restart(Restart::Transient));
    let rest = SupervisorSpec::new(Strategy::RestForOne)
        .intensity(SUB_MAX, PERIOD)
        .child(worker(lab, "r1", false))
        .child(worker(lab, "r2", true).restart(Restart::Transient))
        .child(worker(lab, "r3", false).restart(Restart::Temporary));
    let dynamic = DynamicSupervisorSpec::new()
        .intensity(SUB_MAX, PERIOD)
        .max_children(8);
    SupervisorSpec::new(Strategy::OneForOne)
        .intensity(1_000_000, PERIOD)
        .child(worker(lab, "w", true).name("chaos:w"))
        .child(ChildSpec::supervisor(all).id("all"))
        .child(ChildSpec::supervisor(rest).id("rest"))
        .child(ChildSpec::dynamic_supervisor(dynamic).id("dyn"))
}

/// A snapshot of the settled tree.
struct Tree {
    root: Vec<ChildInfo>,
    all: Option<(Handle<Supervisor>, Vec<ChildInfo>)>,
    rest: Option<(Handle<Supervisor>, Vec<ChildInfo>)>,
    dynamic: Option<(Handle<DynamicSupervisor>, Vec<ChildInfo>)>,
}

impl Tree {
    fn workers(&self) -> Vec<ChildInfo> {
        let mut out: Vec<ChildInfo> = self
            .root
            .iter()
            .filter(|c| c.child_type == ChildType::Worker)
            .cloned()
            .collect();
        out.extend(self.all.iter().flat_map(|(_, c)| c.clone()));
        out.extend(self.rest.iter().flat_map(|(_, c)| c.clone()));
        out.extend(self.dynamic.iter().flat_map(|(_, c)| c.clone()));
        out
    }
}

async fn bounded<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(CALL_LIMIT, fut).await {
        Ok(v) => v,
        Err(_) => panic!("{what}: the call did not return"),
    }
}

fn process_of(infos: &[ChildInfo], id: &str) -> Option<supervise_runtime::ProcessRef> {
    infos
        .iter()
        .find(|c| c.id.as_deref() == Some(id))
        .and_then(|c| c.process.clone())
}

/// Lets every exit propagate: ask each supervisor, leaves first, until all answer.
async fn settle(root: &Handle<Supervisor>) -> Tree {
    for _ in 0..100 {
        let root_children = bounded("root which_children", root.which_children())
            .await
            .expect("the root supervisor stays up");
        let mut dead = None;
        let sub = |id| process_of(&root_children, id);
        // A sub-supervisor's handle and children; a supervisor that died meanwhile is
        // noted in `dead`, to wait for its exit and ask again.
        macro_rules! ask {
            ($id:literal, $kind:ty) => {
                match sub($id).and_then(|p| Handle::<$kind>::from_process(&p)) {
                    Some(h) => match bounded($id, h.which_children()).await {
                        Ok(c) => Some((h, c)),
                        Err(_) => {
                            dead = Some(h.process());
                            None
                        }
                    },
                    None => None,
                }
            };
        }
        let all = ask!("all", Supervisor);
        let rest = ask!("rest", Supervisor);
        let dynamic = ask!("dyn", DynamicSupervisor);
        if let Some(p) = dead {
            bounded("a dead supervisor's exit", p.wait()).await;
            continue;
        }
        let subs_running = ["all", "rest", "dyn"].iter().all(|id| sub(id).is_some());
        let tree = Tree {
            root: root_children,
            all,
            rest,
            dynamic,
        };
        // A child that just died may not have been seen yet: settle again.
        if tree
            .workers()
            .iter()
            .any(|c| c.process.as_ref().is_some_and(|p| !p.is_alive()))
        {
            tokio::task::yield_now().await;
            continue;
        }
        if subs_running {
            return tree;
        }
        tokio::task::yield_now().await;
    }
    panic!("the tree did not settle");
}

fn check(tree: &Tree, lab: &Lab) {
    let workers = tree.workers();
    let running: Vec<_> = workers.iter().filter_map(|c| c.process.clone()).collect();
    for c in &workers {
        match (&c.pid, &c.process) {
            (ChildPid::Running(pid), Some(p)) => {
                assert_eq!(*pid, p.pid());
                assert!(p.is_alive(), "which_children lists dead {pid}");
            }
            (ChildPid::Running(_), None) => panic!("a running child without a process"),
            (_, Some(_)) => panic!("a stopped child with a process"),
            _ => {}
        }
    }
    assert_eq!(
        lab.live(),
        running.len(),
        "live worker states vs running workers: {workers:?}"
    );
    let w_running = process_of(&tree.root, "w").is_some();
    assert_eq!(registry::len(), usize::from(w_running), "registry entries");
    if let Some(p) = process_of(&tree.root, "w") {
        assert_eq!(registry::whereis("chaos:w"), Some(p.pid()));
    }
}

/// Per supervisor: restarts it decided (child_terminated reports of restartable exits)
/// stay within the intensity; the one past it must end the supervisor.
fn check_intensity(reports: &Reports, root: &Handle<Supervisor>) {
    let mut by_sup: HashMap<String, VecDeque<tokio::time::Instant>> = HashMap::new();
    for r in reports.supervisor() {
        if r.field("context") != "child_terminated" {
            continue;
        }
        let restarts = match r.field("restart") {
            "Permanent" => true,
            "Transient" => {
                r.field("reason") != "normal"
                    && !r.field("reason").starts_with("shutdown")
                    && !r.field("reason").starts_with("{shutdown")
            }
            _ => false,
        };
        let sup = r.field("supervisor").to_string();
        if !restarts || sup == root.pid().to_string() {
            continue;
        }
        let window = by_sup.entry(sup.clone()).or_default();
        window.push_back(r.at);
        while window
            .front()
            .is_some_and(|t| r.at.duration_since(*t) > PERIOD)
        {
            window.pop_front();
        }
        assert!(
            window.len() <= SUB_MAX as usize + 1,
            "supervisor {sup} restarted {} times within {PERIOD:?}",
            window.len()
        );
    }
}

/// One of the static sub-supervisors (one_for_all or rest_for_one) and the id of one of
/// its children, at random.
fn pick_static_child<'t>(
    tree: &'t Tree,
    rng: &mut Rng,
) -> Option<(&'t Handle<Supervisor>, supervise_runtime::ChildId)> {
    let sup = if rng.below(2) == 0 {
        &tree.all
    } else {
        &tree.rest
    };
    let (h, children) = sup.as_ref()?;
    if children.is_empty() {
        return None;
    }
    let c = &children[rng.below(children.len())];
    Some((h, c.id.clone().expect("static children have ids")))
}

async fn step(rng: &mut Rng, root: &Handle<Supervisor>, tree: &Tree, lab: &Lab) {
    let workers: Vec<_> = tree
        .workers()
        .into_iter()
        .filter_map(|c| c.process)
        .collect();
    let pick = |rng: &mut Rng| workers.get(rng.below(workers.len().max(1))).cloned();
    match rng.below(100) {
        0..=24 => {
            if let Some(p) = pick(rng)
                && let Some(h) = Handle::<Probe>::from_process(&p)
            {
                let _ = h.send(ProbeMsg::Crash("chaos".into()));
                bounded("crash", p.wait()).await;
            }
        }
        25..=34 => {
            if let Some(p) = pick(rng) {
                p.exit(ExitReason::Kill);
                bounded("kill", p.wait()).await;
            }
        }
        35..=44 => {
            if let Some(p) = pick(rng)
                && let Some(h) = Handle::<Probe>::from_process(&p)
            {
                let _ = h.send(ProbeMsg::Stop(ExitReason::Normal));
                bounded("normal exit", p.wait()).await;
            }
        }
        45..=49 => {
            // Kill a whole sub-supervisor: the root restarts it, its children die with it.
            let subs: Vec<_> = ["all", "rest", "dyn"]
                .iter()
                .filter_map(|id| process_of(&tree.root, id))
                .collect();
            if let Some(p) = subs.get(rng.below(subs.len().max(1))) {
                p.exit(ExitReason::Kill);
                bounded("kill supervisor", p.wait()).await;
            }
        }
        50..=59 => {
            if let Some((h, id)) = pick_static_child(tree, rng) {
                let _ = bounded("terminate_child", h.terminate_child(&id)).await;
            }
        }
        60..=69 => {
            if let Some((h, id)) = pick_static_child(tree, rng) {
                let _ = bounded("restart_child", h.restart_child(&id)).await;
            }
        }
        70..=79 => {
            if let Some((h, _)) = &tree.dynamic {
                let restart =
                    [Restart::Permanent, Restart::Transient, Restart::Temporary][rng.below(3)];
                let spec =
                    ChildSpec::<Probe>::worker(lab.probe("d", rng.below(2) == 0)).restart(restart);
                let _ = bounded("start_child", h.start_child(spec)).await;
            }
        }
        80..=87 => {
            if let Some((h, children)) = &tree.dynamic
                && !children.is_empty()
            {
                let pid = children[rng.below(children.len())].pid.pid();
                if let Some(pid) = pid {
                    let _ = bounded("terminate dynamic child", h.terminate_child(pid)).await;
                }
            }
        }
        88..=89 => {
            let _ = bounded("terminate w", root.terminate_child("w")).await;
        }
        _ => {
            let ms = [1, 10, 100, 600, 1500][rng.below(5)];
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }
}

async fn run(seed: u64) {
    eprintln!("chaos seed {seed} (replay: CHAOS_SEED={seed})");
    let lab = Lab::new();
    let (reports, _guard) = capture();
    let root = Supervisor::start(tree(&lab))
        .await
        .expect("the tree starts");
    let mut rng = Rng(seed);
    for n in 0..STEPS {
        let tree = settle(&root).await;
        check(&tree, &lab);
        // Keep w restartable: if a step stopped it for good, start it again.
        if process_of(&tree.root, "w").is_none() {
            let _ = root.restart_child("w").await;
        }
        step(&mut rng, &root, &tree, &lab).await;
        if n % 500 == 0 {
            check_intensity(&reports, &root);
        }
    }
    let tree = settle(&root).await;
    check(&tree, &lab);
    check_intensity(&reports, &root);
    let contexts = reports.contexts();
    let count = |c: &str| contexts.iter().filter(|x| *x == c).count();
    eprintln!(
        "chaos: {} starts, {} child_terminated, {} intensity shutdowns, {} shutdown_error",
        lab.starts(),
        count("child_terminated"),
        count("shutdown"),
        count("shutdown_error")
    );
    // The run must have exercised restarts and escalation, or it proved nothing.
    assert!(count("child_terminated") > STEPS / 10);
    assert!(count("shutdown") > 0);
    assert_eq!(
        bounded("stop", root.stop(ExitReason::Shutdown)).await,
        Ok(ExitReason::Shutdown)
    );
    assert_eq!(lab.live(), 0, "worker states leaked after stop");
    tokio::task::yield_now().await;
    let tasks = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    // Only the library's own per-runtime tasks may remain: the nursery of processes
    // without a task yet, and the deadline keeper of timed calls.
    assert!(tasks <= 2, "{tasks} tasks leaked after stop");
    assert_eq!(registry::len(), 0, "registry entries leaked after stop");
}

/// One test, seeds in sequence: the registry is global, so runs must not overlap.
#[tokio::test(start_paused = true)]
async fn chaos() {
    let seeds = match std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(seed) => vec![seed],
        None => vec![0x5EED_0001, 1, 2],
    };
    for seed in seeds {
        run(seed).await;
    }
}
