//! A three-level tree with all three strategies, declared with `supervision_tree!`. A child
//! crashes at each level in turn; the example prints who was restarted, in order, and the
//! tree after each step.
//!
//! ```text
//! Levels: one_for_one          a crash restarts the child alone
//!   a, g
//!   mid: one_for_all           a crash restarts every child of `mid`
//!     b, c
//!     low: rest_for_one        a crash restarts the child and those started after it
//!       d, e, f
//! ```
//!
//! Run with `cargo run --example tree`.

use std::sync::{Arc, Mutex};

use supervise_runtime::supervisor::Children;
use supervise_runtime::tree::{ChildIds, SupervisorRef};
use supervise_runtime::{AsProcess, Context, ExitReason, Following, supervision_tree, worker};

/// What the members say as they start and stop, in order.
pub type Log = Arc<Mutex<Vec<String>>>;

/// A member of the tree: traps exits, so its `terminate` runs when its supervisor stops it.
#[derive(Debug)]
pub struct Member {
    name: &'static str,
    log: Log,
}

#[worker]
impl Member {
    fn init(name: &'static str, log: Log, ctx: &mut Context<Self>) -> Self {
        ctx.trap_exit(true);
        say(&log, format!("start {name}"));
        Member { name, log }
    }

    /// Crashes.
    #[info]
    fn crash(&mut self) {
        panic!("{} crashed", self.name)
    }

    fn terminate(&mut self, _reason: &ExitReason) {
        say(&self.log, format!("stop {}", self.name));
    }
}

fn say(log: &Log, line: String) {
    if let Ok(mut log) = log.lock() {
        log.push(line);
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

/// What one step did: the members stopped and started, in order.
pub fn take(log: &Log) -> Vec<String> {
    log.lock()
        .map(|mut l| std::mem::take(&mut *l))
        .unwrap_or_default()
}

/// Crashes `member`; returns once `sup`, its supervisor, has dealt with it.
async fn crash<I: ChildIds>(member: &MemberRef<Following<Member>>, sup: &SupervisorRef<I>) {
    let incarnation = member.current().expect("a running member");
    let _ = incarnation.crash();
    incarnation.process().wait().await;
    let _ = sup.count_children().await; // answered once the restart is done
}

/// The tree, level by level, as `which_children` prints it.
async fn print_tree(tree: &LevelsRef) {
    let (mid, low) = (tree.mid(), tree.mid().low());
    let top = tree.which_children().await.expect("the root answers");
    let middle = mid.which_children().await.expect("mid answers");
    let bottom = low.which_children().await.expect("low answers");
    println!("  Levels: {}", Children(&top));
    println!("  mid:    {}", Children(&middle));
    println!("  low:    {}", Children(&bottom));
}

/// Runs the three steps and returns what each restarted, in order.
pub async fn run() -> Vec<(String, Vec<String>)> {
    let log = Log::default();
    println!("{}", Levels::SHAPE);
    let tree = Levels::start(log.clone()).await.expect("the tree starts");
    println!("started: {:?}", take(&log));
    print_tree(&tree).await;

    let mut steps = Vec::new();
    let mut step = async |what: &str| {
        let done = take(&log);
        println!("\n{what}: {done:?}");
        print_tree(&tree).await;
        steps.push((what.to_string(), done));
    };
    crash(tree.mid().low().e(), tree.mid().low()).await;
    step("e crashes under low (rest_for_one)").await;
    crash(tree.mid().c(), tree.mid()).await;
    step("c crashes under mid (one_for_all)").await;
    crash(tree.a(), &tree).await;
    step("a crashes under Levels (one_for_one)").await;

    tree.stop().await;
    println!(
        "\nstopped, in reverse start order, level by level: {:?}",
        take(&log)
    );
    steps
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tracing_subscriber::fmt().without_time().init();
    run().await;
}
