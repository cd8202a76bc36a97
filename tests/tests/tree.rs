//! Trees declared with `supervision_tree!`, started and observed: strategies at each level,
//! ordered shutdown level by level, start parameters reaching restarted children, and a
//! failed start naming the child that failed by its path.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use supervise_runtime::tree::{ChildIds, SupervisorRef};
use supervise_runtime::{
    AsProcess, CallError, ExitReason, FollowError, Following, Pid, SendError, SupervisorStartError,
    supervision_tree, worker,
};

/// Where the workers of these trees write what happens to them.
pub type Log = Arc<Mutex<Vec<String>>>;

/// Traps exits, so its `terminate` runs on its supervisor's shutdown and says so.
#[derive(Debug)]
pub struct Member {
    name: &'static str,
    log: Log,
}

#[worker]
impl Member {
    fn init(name: &'static str, log: Log, ctx: &mut supervise_runtime::Context<Self>) -> Self {
        ctx.trap_exit(true);
        log.lock().unwrap().push(format!("start {name}"));
        Member { name, log }
    }

    #[call]
    fn name(&self) -> &'static str {
        self.name
    }

    #[info]
    fn crash(&mut self) {
        panic!("{} crashed", self.name)
    }

    fn terminate(&mut self, _reason: &ExitReason) {
        self.log.lock().unwrap().push(format!("stop {}", self.name));
    }
}

supervision_tree! {
    /// Three levels, one strategy each.
    pub Levels(log: Log): one_for_one(max_restarts = 10, within = 5s) {
        a: Member::child_spec("a", log.clone()),
        mid: one_for_all(max_restarts = 10, within = 5s) {
            b: Member::child_spec("b", log.clone()),
            c: Member::child_spec("c", log.clone()),
            low: rest_for_one(max_restarts = 10, within = 5s) {
                d: Member::child_spec("d", log.clone()),
                e: Member::child_spec("e", log.clone()),
                f: Member::child_spec("f", log.clone()),
            },
        },
        g: Member::child_spec("g", log.clone()),
    }
}

fn log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

fn take(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

/// The pids of a supervisor's children, in start order.
async fn pids<I: ChildIds>(sup: &SupervisorRef<I>) -> Vec<Pid> {
    sup.which_children()
        .await
        .unwrap()
        .iter()
        .map(|c| c.pid.pid().unwrap())
        .collect()
}

/// Crashes `member` and waits until `sup`, its supervisor, has dealt with it.
async fn crash<I: ChildIds>(member: &MemberRef<Following<Member>>, sup: &SupervisorRef<I>) {
    let incarnation = member.current().unwrap();
    incarnation.crash().unwrap();
    incarnation.process().wait().await;
    let _ = sup.count_children().await; // answered once the restart is done
}

#[tokio::test(start_paused = true)]
async fn each_level_restarts_by_its_own_strategy() {
    let log = log();
    let tree = Levels::start(log.clone()).await.unwrap();
    assert_eq!(
        take(&log),
        [
            "start a", "start b", "start c", "start d", "start e", "start f", "start g"
        ]
    );
    let (mid, low) = (tree.mid(), tree.mid().low());

    // rest_for_one at the lowest level: e crashes (its terminate runs, as GenServer's does
    // after a crash), f is stopped, then e and f start again.
    crash(low.e(), low).await;
    assert_eq!(take(&log), ["stop e", "stop f", "start e", "start f"]);

    // one_for_all in the middle: c crashes, low (f, e, d) and b are stopped, all start again.
    let low_before = low.pid().unwrap();
    crash(mid.c(), mid).await;
    assert_eq!(
        take(&log),
        [
            "stop c", "stop f", "stop e", "stop d", "stop b", "start b", "start c", "start d",
            "start e", "start f"
        ]
    );
    assert_ne!(
        low.pid().unwrap(),
        low_before,
        "low was restarted with mid's children"
    );

    // one_for_one at the root: a crashes, only a starts again.
    let before = pids(&tree).await;
    crash(tree.a(), &tree).await;
    assert_eq!(take(&log), ["stop a", "start a"]);
    let after = pids(&tree).await;
    assert_ne!(before[0], after[0]);
    assert_eq!(before[1..], after[1..], "its siblings were left alone");
}

#[tokio::test(start_paused = true)]
async fn accessors_reach_the_children_of_restarted_supervisors() {
    let log = log();
    let tree = Levels::start(log.clone()).await.unwrap();
    let (e, f) = (tree.mid().low().e(), tree.mid().low().f());
    let (e_first, f_first) = (e.pid().unwrap(), f.pid().unwrap());
    // b's crash restarts all of mid, low included: the accessors taken before reach the
    // new incarnations, at every depth.
    crash(tree.mid().b(), tree.mid()).await;
    assert_eq!(e.name().await, Ok("e"));
    assert_eq!(f.name().await, Ok("f"));
    assert_ne!(e.pid().unwrap(), e_first);
    assert_ne!(f.pid().unwrap(), f_first);
    // The pids the accessors see are the ones the supervisors report.
    let low = pids(tree.mid().low()).await;
    assert_eq!(low[1..], [e.pid().unwrap(), f.pid().unwrap()]);
}

#[tokio::test(start_paused = true)]
async fn typed_ids_stop_and_restart_children_at_every_level() {
    let log = log();
    let tree = Levels::start(log.clone()).await.unwrap();
    take(&log);
    tree.mid()
        .low()
        .terminate_child(LevelsMidLowChild::E)
        .await
        .unwrap();
    assert_eq!(take(&log), ["stop e"]);
    assert_eq!(
        tree.mid().low().e().current().unwrap_err(),
        FollowError::Stopped
    );
    assert_eq!(tree.mid().low().e().name().await, Err(CallError::NoProc));
    let pid = tree
        .mid()
        .low()
        .restart_child(LevelsMidLowChild::E)
        .await
        .unwrap();
    assert_eq!(take(&log), ["start e"]);
    assert_eq!(tree.mid().low().e().pid(), Some(pid));
    tree.terminate_child(LevelsChild::Mid).await.unwrap();
    assert_eq!(
        take(&log),
        ["stop f", "stop e", "stop d", "stop c", "stop b"]
    );
    assert!(!tree.mid().is_alive());
    assert_eq!(
        tree.mid().which_children().await.unwrap_err(),
        CallError::NoProc,
        "a stopped supervisor answers NoProc, it does not hang"
    );
    tree.restart_child(LevelsChild::Mid).await.unwrap();
    assert_eq!(tree.mid().c().name().await, Ok("c"));
    assert_eq!(
        LevelsMidLowChild::ALL
            .iter()
            .map(|c| c.id())
            .collect::<Vec<_>>(),
        ["d", "e", "f"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_stopped_tree_answers_noproc_through_every_accessor() {
    let log = log();
    let tree = Levels::start(log.clone()).await.unwrap();
    let e = tree.mid().low().e().clone();
    assert_eq!(tree.stop().await, ExitReason::Shutdown);
    assert_eq!(e.name().await, Err(CallError::NoProc));
    assert_eq!(e.current().unwrap_err(), FollowError::Gone);
    assert_eq!(
        tree.mid().low().count_children().await.unwrap_err(),
        CallError::NoProc
    );
    assert!(matches!(e.crash(), Err(SendError::NoProc(_))));
}

#[tokio::test(start_paused = true)]
async fn a_tree_stops_in_reverse_start_order_level_by_level() {
    let log = log();
    let tree = Levels::start(log.clone()).await.unwrap();
    take(&log);
    tree.stop().await;
    assert_eq!(
        take(&log),
        [
            "stop g", "stop f", "stop e", "stop d", "stop c", "stop b", "stop a"
        ]
    );
}

/// Answers with the parameter it was started with.
#[derive(Debug)]
pub struct Echo {
    said: String,
}

#[worker]
impl Echo {
    fn init(said: String) -> Self {
        Echo { said }
    }

    #[call]
    fn said(&self) -> String {
        self.said.clone()
    }

    #[info]
    fn crash(&mut self) {
        panic!("echo crashed")
    }
}

supervision_tree! {
    /// A tree with a start parameter used by a nested child.
    pub Params(greeting: String): one_for_one {
        inner: one_for_one {
            echo: Echo::child_spec(greeting.clone()),
        },
    }
}

#[tokio::test(start_paused = true)]
async fn start_parameters_reach_restarted_children() {
    let tree = Params::start("hello".to_string()).await.unwrap();
    let echo = tree.inner().echo();
    for _ in 0..3 {
        assert_eq!(echo.said().await.as_deref(), Ok("hello"));
        let incarnation = echo.current().unwrap();
        incarnation.crash().unwrap();
        incarnation.process().wait().await;
    }
    assert_eq!(echo.said().await.as_deref(), Ok("hello"));
    // The whole inner supervisor restarted: the spec it is rebuilt from still has it.
    tree.terminate_child(ParamsChild::Inner).await.unwrap();
    tree.restart_child(ParamsChild::Inner).await.unwrap();
    assert_eq!(echo.said().await.as_deref(), Ok("hello"));
}

supervision_tree! {
    /// Restarts wait a second, so there is a time between incarnations.
    pub Slow: one_for_one(backoff = 1s..1s) {
        echo: Echo::child_spec("again".to_string()),
    }
}

#[tokio::test(start_paused = true)]
async fn a_call_made_during_a_restart_is_answered_by_the_next_incarnation() {
    assert_eq!(
        Slow::SHAPE.to_string(),
        "Slow: one_for_one (3 restarts in 5s, backoff 1s..1s)\n  echo: Echo\n",
        "the shape shows the backoff"
    );
    let tree = Slow::start().await.unwrap();
    let echo = tree.echo();
    let first = echo.current().unwrap();
    first.crash().unwrap();
    first.process().wait().await;
    let _ = tree.count_children().await; // the restart is scheduled, a second away
    assert_eq!(echo.current().unwrap_err(), FollowError::Restarting);
    assert!(matches!(echo.crash(), Err(SendError::Restarting(_))));
    // A call shorter than the wait ends with its timeout, not a hang...
    let short = echo.said().timeout(Duration::from_millis(500)).await;
    assert_eq!(short, Err(CallError::Timeout));
    // ...and one that outlasts it is answered by the next incarnation.
    let started = Instant::now();
    assert_eq!(echo.said().await.as_deref(), Ok("again"));
    assert!(started.elapsed() <= Duration::from_secs(1));
    assert_ne!(echo.pid(), Some(first.pid()));
}

#[tokio::test(start_paused = true)]
async fn accessors_are_processes_for_observe_and_noproc_between_incarnations() {
    let tree = Slow::start().await.unwrap();
    // The tree and its accessors are what `observe` takes.
    let snap = supervise_runtime::observe::snapshot(&tree).await.unwrap();
    assert_eq!(snap.root.pid, tree.pid());
    let state = supervise_runtime::observe::state(tree.echo(), Duration::from_secs(1))
        .await
        .unwrap();
    assert!(state.contains("again"), "{state}");
    assert_eq!(tree.echo().process().pid(), tree.echo().pid().unwrap());

    // Between incarnations the accessor's process is `noproc`, as a name nobody holds.
    let first = tree.echo().current().unwrap();
    first.crash().unwrap();
    first.process().wait().await;
    let _ = tree.count_children().await;
    let gap = tree.echo().process();
    assert_eq!(gap.pid().to_string(), "#PID<0.0.0>");
    assert!(!gap.is_alive());
    assert_eq!(gap.wait().await, ExitReason::NoProc);
    assert_eq!(
        supervise_runtime::observe::state(tree.echo(), Duration::from_secs(1)).await,
        Err(CallError::NoProc)
    );
    let mut watcher = supervise_runtime::Inbox::<()>::new();
    watcher.monitor(tree.echo());
    match watcher.recv().await {
        Ok(supervise_runtime::Received::Down(down)) => {
            assert_eq!(down.reason, ExitReason::NoProc)
        }
        other => panic!("expected a Down, got {other:?}"),
    }
}

/// Refuses to start.
#[derive(Debug)]
pub struct Broken;

#[worker]
impl Broken {
    fn init() -> Result<Self, String> {
        Err("no disk".to_string())
    }
}

supervision_tree! {
    /// A tree whose nested child cannot start.
    pub Failing: one_for_one {
        fine: Echo::child_spec("fine".to_string()),
        pipeline: rest_for_one {
            reader: Broken::child_spec(),
        },
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_start_names_the_child_by_its_path() {
    let err = Failing::start().await.unwrap_err();
    let SupervisorStartError::FailedToStartChild { id, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(&**id, "pipeline");
    let text = err.to_string();
    let (pipeline, reader) = (text.find("`pipeline`"), text.find("`reader`"));
    assert!(
        matches!((pipeline, reader), (Some(p), Some(r)) if p < r),
        "the path, outermost first: {text}"
    );
    assert!(text.contains("no disk"), "{text}");
}

supervision_tree! {
    /// Two echoes, one tree: a tree used as another tree's child.
    pub Pair(word: String): one_for_one {
        left: Echo::child_spec(word.clone()),
        right: Echo::child_spec(word),
    }
}

supervision_tree! {
    /// The inner tree goes down with its sibling (one_for_all), and comes back.
    pub Outer: one_for_all(max_restarts = 10, within = 5s) {
        pair: tree Pair("inner".to_string()),
        trigger: Echo::child_spec("trigger".to_string()),
        jobs: dynamic<Echo>,
    }
}

#[tokio::test(start_paused = true)]
async fn accessors_follow_a_tree_within_a_tree_and_a_dynamic_supervisor_through_restarts() {
    let outer = Outer::start().await.unwrap();
    let right = outer.pair().right().clone();
    let (pair_first, jobs_first) = (outer.pair().pid().unwrap(), outer.jobs().pid().unwrap());
    assert_eq!(right.said().await.as_deref(), Ok("inner"));
    let job = outer
        .jobs()
        .start_child(Echo::child_spec("job".to_string()))
        .await
        .unwrap();
    assert_eq!(job.said().await.as_deref(), Ok("job"));

    let trigger = outer.trigger().current().unwrap();
    trigger.crash().unwrap();
    trigger.process().wait().await;
    let _ = outer.count_children().await;

    assert_ne!(
        outer.pair().pid().unwrap(),
        pair_first,
        "the inner tree restarted"
    );
    assert_ne!(
        outer.jobs().pid().unwrap(),
        jobs_first,
        "so did the dynamic supervisor"
    );
    assert_eq!(
        right.said().await.as_deref(),
        Ok("inner"),
        "reached in the new inner tree"
    );
    assert_eq!(
        job.said().await,
        Err(CallError::NoProc),
        "a dynamic child goes with its supervisor"
    );
    assert_eq!(outer.jobs().count_children().await.unwrap().active, 0);
    let again = outer
        .jobs()
        .start_child(Echo::child_spec("again".to_string()))
        .await
        .unwrap();
    assert_eq!(again.said().await.as_deref(), Ok("again"));
    assert_eq!(
        outer.pair().which_children().await.unwrap().len(),
        2,
        "the inner tree's API follows too"
    );
}

supervision_tree! {
    /// One restart allowed per level.
    pub Fragile: one_for_one(max_restarts = 1, within = 5s) {
        inner: one_for_one(max_restarts = 1, within = 5s) {
            echo: Echo::child_spec("fragile".to_string()),
        },
    }
}

#[tokio::test(start_paused = true)]
async fn intensity_escalates_level_by_level_until_the_root_gives_up() {
    let tree = Fragile::start().await.unwrap();
    let root = tree.current().unwrap();
    let echo = tree.inner().echo();
    let mut inners = vec![tree.inner().pid().unwrap()];
    for crash in 1..=4 {
        let incarnation = echo.current().unwrap();
        incarnation.crash().unwrap();
        incarnation.process().wait().await;
        let answer = echo.said().await;
        if crash < 4 {
            assert_eq!(answer.as_deref(), Ok("fragile"), "crash {crash}: restarted");
            inners.push(tree.inner().pid().unwrap());
        } else {
            assert_eq!(
                answer,
                Err(CallError::NoProc),
                "crash {crash}: gone for good"
            );
        }
    }
    // Crash 2 exceeded the inner supervisor's intensity: the root restarted it. Crash 4
    // exceeded it again, and then the root's own.
    assert_eq!(inners[0], inners[1]);
    assert_ne!(inners[1], inners[2]);
    assert_eq!(inners[2], inners[3]);
    assert_eq!(root.process().wait().await, ExitReason::Shutdown);
    assert!(!tree.is_alive());
    assert_eq!(
        tree.inner().count_children().await.unwrap_err(),
        CallError::NoProc
    );
}
