//! The seed worker of the design's story, shared by `seed_story.rs` (the story step by
//! step) and `worker_macro.rs` (what `#[worker]` generates for it). The example
//! `examples/dynamic_supervision.rs` keeps its own copy, so it reads on its own.

use supervise_runtime::{Addr, Flow, supervision_tree, worker};

/// Where the seed worker is written: crash reports point here.
pub const FILE: &str = file!();

/// What the worker sends back to `reply_to`.
#[derive(Debug, PartialEq)]
pub enum Reply {
    /// After `store`.
    HelloFriend,
    /// After `shutdown`.
    Goodbye,
}

/// The seed worker: started with `(reply_to, conn)`.
#[derive(Debug)]
pub struct Worker {
    reply_to: Addr<Reply>,
    conn: String,
}

#[worker]
impl Worker {
    fn init(reply_to: Addr<Reply>, conn: String) -> Self {
        Worker { reply_to, conn }
    }
    /// Stores a value and greets.
    #[info]
    fn store(&mut self, key: String, value: String) {
        let _ = (key, value);
        let _ = self.reply_to.send(Reply::HelloFriend);
    }
    /// Says goodbye and stops normally.
    #[info]
    fn shutdown(&mut self) -> Flow {
        let _ = self.reply_to.send(Reply::Goodbye);
        Flow::stop_normal()
    }
    /// Crashes with `message`.
    #[info]
    fn raise(&mut self, message: String) {
        panic!("{message}")
    }
    /// The connection, asked for by the key `"conn"`.
    #[call]
    fn lookup(&self, key: String) -> Option<String> {
        (key == "conn").then(|| self.conn.clone())
    }
}

supervision_tree! {
    /// The seed's application: its supervisor starts a DynamicSupervisor, and the shell
    /// starts workers under it on demand.
    pub App: one_for_one {
        workers: dynamic<Worker>,
    }
}
