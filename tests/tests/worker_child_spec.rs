//! `#[worker]`'s `child_spec`: the same start arguments for every incarnation, under a
//! `Supervisor` and a `DynamicSupervisor`, with the spec builders honoured.

use supervise_runtime::{
    Addr, AsProcess, ChildPid, Context, DynamicSupervisor, DynamicSupervisorSpec, Handle, Inbox,
    Pid, Received, Restart, Strategy, Supervisor, SupervisorSpec, worker,
};

/// What each incarnation's `init` reports: its pid and the arguments it was given.
#[derive(Debug, PartialEq)]
pub struct Started {
    pid: Pid,
    conn: String,
    db: u8,
}

/// The worker under test: it reports each start to `reply_to`.
#[derive(Debug)]
pub struct Redis;

#[worker]
impl Redis {
    fn init(reply_to: Addr<Started>, conn: String, db: u8, ctx: &Context<Self>) -> Self {
        let pid = ctx.pid();
        let _ = reply_to.send(Started { pid, conn, db });
        Redis
    }
    #[info]
    fn raise(&mut self, message: String) {
        panic!("{message}")
    }
}

async fn started(inbox: &mut Inbox<Started>) -> Started {
    match inbox.recv().await {
        Ok(Received::Message(s)) => s,
        other => panic!("expected a start report, got {other:?}"),
    }
}

#[tokio::test]
async fn a_supervised_child_spec_restarts_with_the_same_arguments() {
    let mut inbox = Inbox::<Started>::new();
    let spec = Redis::child_spec(inbox.addr(), "redis", 7).id("redis");
    assert_eq!(spec.get_id(), "redis");
    let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne).child(spec))
        .await
        .unwrap();
    let first = started(&mut inbox).await;
    assert_eq!((first.conn.as_str(), first.db), ("redis", 7));
    let children = sup.which_children().await.unwrap();
    assert_eq!(children[0].pid, ChildPid::Running(first.pid));

    let current: RedisRef = sup
        .child::<Redis>("redis")
        .await
        .unwrap()
        .current()
        .unwrap()
        .into();
    current.raise("heck").unwrap();
    let second = started(&mut inbox).await;
    assert_ne!(second.pid, first.pid);
    assert_eq!((second.conn.as_str(), second.db), ("redis", 7));
    let children = sup.which_children().await.unwrap();
    assert_eq!(children[0].pid, ChildPid::Running(second.pid));
}

#[tokio::test]
async fn a_dynamic_child_spec_restarts_with_the_same_arguments() {
    let mut inbox = Inbox::<Started>::new();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let child: RedisRef = sup
        .start_child(Redis::child_spec(inbox.addr(), "redis", 0))
        .await
        .unwrap()
        .into();
    let first = started(&mut inbox).await;
    assert_eq!(first.pid, child.pid());

    child.raise("heck").unwrap();
    let second = started(&mut inbox).await;
    assert_ne!(second.pid, first.pid);
    assert_eq!((second.conn.as_str(), second.db), ("redis", 0));
    let children = sup.which_children().await.unwrap();
    assert_eq!(children.len(), 1);
    assert_eq!(children[0].pid, ChildPid::Running(second.pid));
    let process = children[0].process.clone().unwrap();
    let again: RedisRef = Handle::<Redis>::from_process(&process).unwrap().into();
    assert_eq!(again.pid(), second.pid);
}

#[tokio::test]
async fn the_restart_type_set_on_a_child_spec_is_honoured() {
    let mut inbox = Inbox::<Started>::new();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let spec = Redis::child_spec(inbox.addr(), "redis", 0).restart(Restart::Temporary);
    let child: RedisRef = sup.start_child(spec).await.unwrap().into();
    started(&mut inbox).await;
    child.raise("heck").unwrap();
    child.process().wait().await;
    assert!(sup.which_children().await.unwrap().is_empty());
    assert_eq!(sup.count_children().await.unwrap().specs, 0);
    assert!(
        inbox.flush().is_empty(),
        "a temporary child is not restarted"
    );
}
