//! Trees declared with `supervision_tree!`, started and observed: strategies at each level,
//! ordered shutdown level by level, start parameters reaching restarted children, and a
//! failed start naming the child that failed by its path.

use std::sync::{Arc, Mutex};

use supervise_runtime::{
    AsProcess, ChildInfo, ExitReason, Handle, Pid, Supervisor, SupervisorStartError,
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

fn supervisor(info: &ChildInfo) -> Handle<Supervisor> {
    info.process
        .as_ref()
        .unwrap()
        .worker::<Supervisor>()
        .unwrap()
}

/// The pids of a supervisor's children, in start order.
async fn pids(sup: &Handle<Supervisor>) -> Vec<Pid> {
    sup.which_children()
        .await
        .unwrap()
        .iter()
        .map(|c| c.pid.pid().unwrap())
        .collect()
}

/// Crashes the child of `sup` at `index` and waits until its supervisor has dealt with it.
async fn crash(sup: &Handle<Supervisor>, index: usize) {
    let child = sup.which_children().await.unwrap()[index]
        .worker::<Member>()
        .unwrap();
    child.crash().unwrap();
    child.process().wait().await;
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
    let root = tree.which_children().await.unwrap();
    let mid = supervisor(&root[1]);
    let low = supervisor(&mid.which_children().await.unwrap()[2]);

    // rest_for_one at the lowest level: e crashes (its terminate runs, as GenServer's does
    // after a crash), f is stopped, then e and f start again.
    crash(&low, 1).await;
    assert_eq!(take(&log), ["stop e", "stop f", "start e", "start f"]);

    // one_for_all in the middle: c crashes, low (f, e, d) and b are stopped, all start again.
    crash(&mid, 1).await;
    assert_eq!(
        take(&log),
        [
            "stop c", "stop f", "stop e", "stop d", "stop b", "start b", "start c", "start d",
            "start e", "start f"
        ]
    );

    // one_for_one at the root: a crashes, only a starts again.
    let before = pids(&tree.handle().clone()).await;
    crash(&tree.handle().clone(), 0).await;
    assert_eq!(take(&log), ["stop a", "start a"]);
    let after = pids(&tree.handle().clone()).await;
    assert_ne!(before[0], after[0]);
    assert_eq!(before[1..], after[1..], "its siblings were left alone");
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
    let inner = supervisor(&tree.which_children().await.unwrap()[0]);
    for _ in 0..3 {
        let echo = inner.which_children().await.unwrap()[0]
            .worker::<Echo>()
            .unwrap();
        assert_eq!(echo.said().await.as_deref(), Ok("hello"));
        echo.crash().unwrap();
        echo.process().wait().await;
        let _ = inner.count_children().await;
    }
    let echo = inner.which_children().await.unwrap()[0]
        .worker::<Echo>()
        .unwrap();
    assert_eq!(echo.said().await.as_deref(), Ok("hello"));
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
