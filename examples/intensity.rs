//! A child that crashes too often: the restart intensity of its supervisor runs out, the
//! failure escalates up the tree, the root gives up loudly, and the program ends with a
//! non-zero exit code, so systemd or Kubernetes restart it.
//!
//! ```text
//! App: one_for_one (2 restarts in 5s)
//!   steady: Steady
//!   inner: one_for_one (3 restarts in 1s)
//!     flaky: Flaky
//! ```
//!
//! `flaky` crashes 100 ms after every start. `inner` allows 3 restarts in a second: the
//! fourth crash ends it, and `App` restarts it (a new `inner`, a new `flaky`). `App`
//! allows 2 restarts in 5 s: the third time `inner` gives up, `App` gives up too, stops
//! `steady`, and the application exits with status 1.
//!
//! Run with `cargo run --example intensity; echo "exit status: $?"`.

use std::process::ExitCode;
use std::time::Duration;

use supervise_runtime::{AppExit, Context, supervision_tree, worker};

/// Does nothing, and is stopped in order when the root gives up.
#[derive(Debug)]
pub struct Steady;

#[worker]
impl Steady {
    fn init() -> Self {
        Steady
    }
}

/// Crashes a little after every start.
#[derive(Debug)]
pub struct Flaky {
    crashes_after: Duration,
}

#[worker]
impl Flaky {
    fn init(crashes_after: Duration, ctx: &mut Context<Self>) -> Self {
        ctx.send_after(FlakyMsg::Crash, crashes_after);
        Flaky { crashes_after }
    }

    /// Crashes, as it does every time.
    #[info]
    fn crash(&mut self) {
        panic!("flaky crashed {:?} after its start", self.crashes_after)
    }
}

supervision_tree! {
    /// The application: a steady worker next to a supervisor of a flaky one.
    pub App(crashes_after: Duration): one_for_one(max_restarts = 2, within = 5s) {
        steady: Steady::child_spec(),
        inner: one_for_one(max_restarts = 3, within = 1s) {
            flaky: Flaky::child_spec(crashes_after),
        },
    }
}

/// Starts the application and runs it until its root gives up (or a signal stops it).
pub async fn run(crashes_after: Duration) -> AppExit {
    println!("{}", App::SHAPE);
    let (app, _tree) = App::application(crashes_after)
        .await
        .expect("the application starts");
    let exit = app.run().await;
    println!(
        "the application ended: {exit:?} (exit status {})",
        exit.code()
    );
    exit
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().without_time().init();
    run(Duration::from_millis(100)).await.exit_code()
}
