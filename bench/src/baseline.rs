//! The floor: plain tokio tasks with an unbounded mpsc mailbox, and a hand-written
//! supervisor task that owns a `JoinSet` and respawns a child that panicked.

use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot};
use tokio::task::{Id, JoinSet};

use crate::common::{Args, DropGuard};

pub enum Msg {
    Cast,
    Call(oneshot::Sender<u64>),
    Crash,
}

struct State {
    count: u64,
    _guard: DropGuard,
    args: Args,
}

pub type Child = mpsc::UnboundedSender<Msg>;

async fn child(args: Args, mut rx: mpsc::UnboundedReceiver<Msg>) {
    let mut state = State {
        count: 0,
        _guard: DropGuard(args.gone.clone()),
        args,
    };
    state.args.started.count_down();
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::Cast => {
                state.count += 1;
                if state.count == state.args.cast_target
                    && let Some(done) = &state.args.cast_done
                {
                    done.count_down();
                }
            }
            Msg::Call(reply) => {
                state.count += 1;
                let _ = reply.send(state.count);
            }
            Msg::Crash => panic!("crash"),
        }
    }
}

enum Cmd {
    Start(Args, oneshot::Sender<Child>),
    Current(oneshot::Sender<Option<Child>>),
    Stop(oneshot::Sender<()>),
}

/// The baseline supervisor's handle.
#[derive(Clone)]
pub struct Supervisor(mpsc::UnboundedSender<Cmd>);

impl Supervisor {
    pub fn start() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(supervise(rx));
        Supervisor(tx)
    }

    pub async fn start_child(&self, args: Args) -> Child {
        let (tx, rx) = oneshot::channel();
        let _ = self.0.send(Cmd::Start(args, tx));
        rx.await.expect("supervisor alive")
    }

    pub async fn current(&self) -> Option<Child> {
        let (tx, rx) = oneshot::channel();
        let _ = self.0.send(Cmd::Current(tx));
        rx.await.ok().flatten()
    }

    pub async fn stop(&self) {
        let (tx, rx) = oneshot::channel();
        let _ = self.0.send(Cmd::Stop(tx));
        let _ = rx.await;
    }
}

fn spawn_child(
    set: &mut JoinSet<()>,
    children: &mut HashMap<Id, (Args, Child)>,
    args: Args,
) -> Child {
    let (tx, rx) = mpsc::unbounded_channel();
    let id = set.spawn(child(args.clone(), rx)).id();
    children.insert(id, (args, tx.clone()));
    tx
}

async fn supervise(mut cmds: mpsc::UnboundedReceiver<Cmd>) {
    let mut set = JoinSet::new();
    let mut children: HashMap<Id, (Args, Child)> = HashMap::new();
    let mut last: Option<Child> = None;
    loop {
        tokio::select! {
            Some(cmd) = cmds.recv() => match cmd {
                Cmd::Start(args, reply) => {
                    let child = spawn_child(&mut set, &mut children, args);
                    last = Some(child.clone());
                    let _ = reply.send(child);
                }
                Cmd::Current(reply) => { let _ = reply.send(last.clone()); }
                Cmd::Stop(reply) => {
                    children.clear();
                    drop(last.take());
                    while set.join_next().await.is_some() {}
                    let _ = reply.send(());
                    return;
                }
            },
            Some(done) = set.join_next_with_id(), if !set.is_empty() => {
                let id = match &done { Ok((id, ())) => *id, Err(e) => e.id() };
                let Some((args, _)) = children.remove(&id) else { continue };
                if done.is_err() {
                    let child = spawn_child(&mut set, &mut children, args);
                    last = Some(child);
                }
            }
        }
    }
}
