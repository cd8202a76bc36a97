//! Elixir's `DynamicSupervisor` story, told with `supervise`.
//!
//! A worker is started with `(reply_to, "redis")`. Sent `store` it answers `HelloFriend`;
//! sent `shutdown` it answers `Goodbye` and stops normally; sent `raise("heck")` it crashes.
//!
//! 1. Started with `start_link` from the shell, its crash takes the linked shell down.
//! 2. Started under a `DynamicSupervisor`, the crash is logged as a report (reason, where it
//!    panicked, the last message, the state) with the supervisor's report, a replacement
//!    with a new pid takes its place, and the caller lives on with the same pid. After a
//!    normal `shutdown` it is replaced again: a permanent child is always restarted. A
//!    transient child that stops normally is not.
//!
//! Run with `cargo run --example dynamic_supervision`.

use supervise_runtime::supervisor::Children;
use supervise_runtime::tree::DynamicRef;
use supervise_runtime::{
    Addr, AsProcess, Flow, Inbox, Received, Restart, supervision_tree, worker,
};

/// What the worker sends back to `reply_to`.
#[derive(Debug, PartialEq)]
enum Reply {
    HelloFriend,
    Goodbye,
}

/// The worker's state: who to answer, and its connection.
#[derive(Debug)]
struct Worker {
    reply_to: Addr<Reply>,
    conn: String,
}

#[worker(vis = pub(crate))]
impl Worker {
    fn init(reply_to: Addr<Reply>, conn: String) -> Self {
        Worker { reply_to, conn }
    }

    /// Stores a value (here: pretends to) and greets.
    #[info]
    fn store(&mut self, key: String, value: String) {
        let _ = (key, value, &self.conn);
        let _ = self.reply_to.send(Reply::HelloFriend);
    }

    /// Says goodbye and stops normally.
    #[info]
    fn shutdown(&mut self) -> Flow {
        let _ = self.reply_to.send(Reply::Goodbye);
        Flow::stop_normal()
    }

    /// Crashes with this message.
    #[info]
    fn raise(&mut self, message: String) {
        panic!("{message}")
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tracing_subscriber::fmt().without_time().init();

    linked_to_the_shell().await;
    under_a_dynamic_supervisor().await;
}

supervision_tree! {
    /// The application: its supervisor starts a DynamicSupervisor, and the shell starts
    /// workers under it on demand.
    pub App: one_for_one {
        workers: dynamic<Worker>,
    }
}

/// The first half: a linked crash takes the shell down.
async fn linked_to_the_shell() {
    println!("== start_link from the shell ==");
    let mut shell = Inbox::<Reply>::new();
    println!("shell: {}", shell.pid());
    let worker = Worker::start_link(shell.addr(), "redis").await;
    println!(
        "Worker::start_link(shell, \"redis\"): {:?}",
        worker.as_ref().map(|w| w.pid())
    );
    let worker = worker.expect("the worker starts");
    worker.store("key", "value").expect("the worker is alive");
    println!("received after store: {}", received(&mut shell).await);

    worker.raise("heck").expect("the worker is alive");
    worker.process().wait().await;
    let reason = shell
        .exit_reason()
        .map_or_else(String::new, |r| r.to_string());
    println!("shell alive? {} (it exited: {reason})", shell.is_alive());
}

/// The second half: the supervisor reports the crash and replaces the worker.
async fn under_a_dynamic_supervisor() {
    println!("\n== under a DynamicSupervisor ==");
    let mut shell = Inbox::<Reply>::new();
    let caller = shell.pid();
    println!("a new shell: {caller}");
    let app = App::start().await.expect("the application starts");
    println!("{}", App::SHAPE);
    let sup = app.workers();
    let sup_pid = sup.pid().expect("the application's DynamicSupervisor runs");
    println!("App::start: the DynamicSupervisor is {sup_pid}");

    let child = sup
        .start_child(Worker::child_spec(shell.addr(), "redis"))
        .await;
    println!(
        "start_child(Worker::child_spec(shell, \"redis\")): {:?}",
        child.as_ref().map(|c| c.pid())
    );
    let worker = child.expect("the child starts");
    println!("which_children: {}", which_children(sup).await);
    let count = sup.count_children().await.expect("the supervisor answers");
    println!("count_children: {count}");
    worker.store("key", "value").expect("the worker is alive");
    println!("received after store: {}", received(&mut shell).await);

    worker.raise("heck").expect("the worker is alive");
    // Its exit reached the supervisor, which restarted it, before `wait` returns.
    worker.process().wait().await;
    println!("which_children after crash: {}", which_children(sup).await);
    println!(
        "caller alive? {} (pid {} before, {} after)",
        shell.is_alive(),
        caller,
        shell.pid()
    );

    let worker = current_child(sup).await;
    worker.shutdown().expect("the worker is alive");
    println!("received after shutdown: {}", received(&mut shell).await);
    worker.process().wait().await;
    println!(
        "which_children after shutdown: {}: a permanent child is restarted even after a normal exit",
        which_children(sup).await
    );

    let transient = sup
        .start_child(Worker::child_spec(shell.addr(), "redis").restart(Restart::Transient))
        .await
        .expect("the transient child starts");
    println!(
        "start_child(Worker::child_spec(shell, \"redis\").restart(Restart::Transient)): {}",
        transient.pid()
    );
    transient.shutdown().expect("the worker is alive");
    println!("received after shutdown: {}", received(&mut shell).await);
    transient.process().wait().await;
    println!(
        "which_children after the transient child's shutdown: {}: a transient child that stops normally is not restarted",
        which_children(sup).await
    );
}

/// The next message in the shell's mailbox, as the shell's `flush` would print it.
async fn received(shell: &mut Inbox<Reply>) -> String {
    match shell.recv().await {
        Ok(Received::Message(reply)) => format!("{reply:?}"),
        other => format!("{other:?}"),
    }
}

/// `which_children`, printed as OTP prints it.
async fn which_children(sup: &DynamicRef<Worker>) -> String {
    let children = sup.which_children().await.expect("the supervisor answers");
    Children(&children).to_string()
}

/// The supervisor's only child, reached through `which_children`.
async fn current_child(sup: &DynamicRef<Worker>) -> WorkerRef {
    let children = sup.which_children().await.expect("the supervisor answers");
    children
        .first()
        .and_then(|c| c.worker::<Worker>())
        .expect("the child is a running Worker")
}
