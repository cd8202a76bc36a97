//! The seed worker of the design: it compiles, and its generated API reads as promised.
use supervise_runtime::{worker, Addr, Flow, Inbox, SendError};

#[derive(Debug)]
pub struct Worker {
    reply_to: Addr<Reply>,
    conn: String,
}

#[derive(Debug, PartialEq)]
pub enum Reply {
    HelloFriend,
    Goodbye,
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
    #[info]
    fn shutdown(&mut self) -> Flow {
        let _ = self.reply_to.send(Reply::Goodbye);
        Flow::stop_normal()
    }
    #[info]
    fn raise(&mut self, message: String) {
        panic!("{message}")
    }
    #[call]
    fn lookup(&self, key: String) -> Option<String> {
        let _ = (key, &self.conn);
        None
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let inbox = Inbox::<Reply>::new();
    let w: WorkerRef = Worker::start_link(inbox.addr(), "redis").await.unwrap();
    let sent: Result<(), SendError<WorkerMsg>> = w.store("foo", "bar");
    sent.unwrap();
    let _: Option<String> = w.lookup("k").await.unwrap();
    w.send(WorkerMsg::Raise { message: "heck".to_string() }).unwrap();
    let _all = [
        WorkerMsg::Store { key: String::new(), value: String::new() },
        WorkerMsg::Shutdown,
    ];
}
