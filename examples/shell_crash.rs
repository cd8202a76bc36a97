//! The first half of the DynamicSupervisor story: a worker started with `start_link` from
//! the shell takes the shell down when it crashes; a shell that traps exits gets the exit
//! as a message and lives on.
//!
//! Run with `cargo run --example shell_crash`.

use std::convert::Infallible;
use std::fmt;

use supervise_runtime::{
    Addr, AsProcess, Context, Flow, Inbox, Init, MessageOf, Received, Worker, start_link,
};

#[derive(Debug)]
enum Reply {
    HelloFriend,
}

#[derive(Debug)]
struct Redis {
    reply_to: Addr<Reply>,
    conn: &'static str,
}

#[derive(Debug)]
enum Msg {
    Store { key: String, value: String },
    Raise { message: String },
}

impl Worker for Redis {
    type Args = (Addr<Reply>, &'static str);
    type Info = Msg;
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init((reply_to, conn): Self::Args, _: &mut Context<Self>) -> Init<Self> {
        Init::Ok(Redis { reply_to, conn })
    }

    async fn handle_info(&mut self, msg: Msg, _: &mut Context<Self>) -> Flow {
        match msg {
            Msg::Store { key, value } => {
                println!("{} stores {key} = {value}", self.conn);
                let _ = self.reply_to.send(Reply::HelloFriend);
            }
            Msg::Raise { message } => panic!("{message}"),
        }
        Flow::Continue
    }

    fn format_message(msg: &MessageOf<Self>, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(out, "{msg:?}")
    }

    fn format_state(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(out, "{self:?}")
    }
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt().with_target(false).init();

    let mut shell = Inbox::<Reply>::new();
    println!("shell is {}", shell.pid());
    let worker = start_link::<Redis>((shell.addr(), "redis"))
        .await
        .expect("start");
    println!("start_link: {}", worker.pid());

    let store = Msg::Store {
        key: "foo".into(),
        value: "bar".into(),
    };
    worker.send(store).expect("send");
    println!("received after store: {:?}", shell.recv().await);

    worker
        .send(Msg::Raise {
            message: "heck".into(),
        })
        .expect("send");
    let reason = worker.process().wait().await;
    println!("worker exited: {reason}");
    println!(
        "shell alive? {} (exit reason: {:?})",
        shell.is_alive(),
        shell.exit_reason()
    );

    let mut shell = Inbox::<Reply>::new();
    shell.trap_exit(true);
    println!("\na new shell {} that traps exits", shell.pid());
    let worker = start_link::<Redis>((shell.addr(), "redis"))
        .await
        .expect("start");
    worker
        .send(Msg::Raise {
            message: "heck".into(),
        })
        .expect("send");
    if let Ok(Received::Exit { from, reason }) = shell.recv().await {
        println!("shell got {{:EXIT, {from}, {reason}}}");
    }
    println!("shell alive? {}", shell.is_alive());
}
