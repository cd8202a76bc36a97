//! `#[worker]`'s `child_spec`: the same start arguments for every incarnation, under a
//! `Supervisor` and a `DynamicSupervisor`, with the spec builders honoured.

use supervise_runtime::{
    Addr, AsProcess, ChildPid, Context, DynamicSupervisor, DynamicSupervisorSpec, Handle, Inbox,
    Pid, Received, RefOf, Restart, Strategy, Supervisor, SupervisorSpec, worker,
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

/// The current incarnation of the static child `id`.
async fn current<W: supervise_runtime::Worker>(sup: &Handle<Supervisor>, id: &str) -> Handle<W> {
    let child = sup.child::<W>(id).await.unwrap();
    RefOf::into_address(RefOf::address(&child).current().unwrap())
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

    let current: RedisRef = current::<Redis>(&sup, "redis").await.into();
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
        .unwrap();
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
    let child: RedisRef = sup.start_child(spec).await.unwrap();
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

/// A start argument with no `Debug` impl.
#[derive(Clone)]
struct Secret(#[allow(dead_code)] String);

/// A worker whose start arguments are not all `Debug`.
struct Vault;

#[worker]
impl Vault {
    fn init(name: String, secret: Secret) -> Self {
        let _ = (name, secret);
        Vault
    }
    #[info]
    fn raise(&mut self) {
        panic!("vault broke")
    }
}

#[tokio::test]
async fn a_supervisor_report_shows_the_debug_arguments_of_a_worker_child_spec() {
    let (reports, _guard) = tests::capture();
    let mut inbox = Inbox::<Started>::new();
    let spec = Redis::child_spec(inbox.addr(), "redis", 7).id("redis");
    let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne).child(spec))
        .await
        .unwrap();
    started(&mut inbox).await;
    let redis: RedisRef = current::<Redis>(&sup, "redis").await.into();
    redis.raise("heck").unwrap();
    started(&mut inbox).await; // the restart follows the report
    let report = reports.supervisor().pop().expect("a supervisor report");
    let call = format!(
        "worker_child_spec::Redis::start_link({:?}, \"redis\", 7)",
        inbox.addr()
    );
    assert_eq!(report.field("start"), call);
    let message = report.field("message");
    assert!(
        message.contains(&format!("Start Call: {call}")),
        "{message}"
    );
}

#[tokio::test]
async fn a_supervisor_report_hides_arguments_when_one_is_not_debug() {
    let (reports, _guard) = tests::capture();
    let spec = Vault::child_spec("vault", Secret("hunter2".into())).id("vault");
    let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne).child(spec))
        .await
        .unwrap();
    let vault: VaultRef = current::<Vault>(&sup, "vault").await.into();
    vault.raise().unwrap();
    vault.process().wait().await;
    sup.which_children().await.unwrap(); // served after the exit, so after the report
    let report = reports.supervisor().pop().expect("a supervisor report");
    assert_eq!(
        report.field("start"),
        "worker_child_spec::Vault::start_link(..)"
    );
    assert!(
        !report.field("message").contains("vault\""),
        "no partial list"
    );
}

#[test]
fn a_worker_child_spec_debug_shows_its_arguments() {
    let inbox = Inbox::<Started>::new();
    let spec = Redis::child_spec(inbox.addr(), "redis", 7);
    let text = format!("{spec:?}");
    assert!(
        text.contains(&format!(
            "Redis::start_link({:?}, \"redis\", 7)",
            inbox.addr()
        )),
        "{text}"
    );
}

/// A worker whose start arguments are all of standard types: its `child_spec` is the
/// runtime's generic one (no closure generated), which must copy and show them the same.
#[derive(Debug)]
pub struct Pool {
    conn: String,
    sizes: Vec<u16>,
}

#[worker]
impl Pool {
    fn init(conn: String, sizes: Vec<u16>, _none: Option<bool>) -> Self {
        Pool { conn, sizes }
    }
    #[call]
    fn args(&self) -> (String, Vec<u16>) {
        (self.conn.clone(), self.sizes.clone())
    }
    #[info]
    fn raise(&mut self) {
        panic!("heck")
    }
}

#[tokio::test]
async fn a_child_spec_of_standard_arguments_restarts_with_them_and_shows_them() {
    let spec = Pool::child_spec("redis", vec![1, 2], None).id("pool");
    assert!(
        format!("{spec:?}").contains("Pool::start_link(\"redis\", [1, 2], None)"),
        "{spec:?}"
    );
    let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne).child(spec))
        .await
        .unwrap();
    let first: PoolRef = current::<Pool>(&sup, "pool").await.into();
    first.raise().unwrap();
    first.process().wait().await;
    sup.which_children().await.unwrap(); // served after the restart
    let second: PoolRef = current::<Pool>(&sup, "pool").await.into();
    assert_ne!(second.pid(), first.pid());
    assert_eq!(
        second.args().await.unwrap(),
        ("redis".to_string(), vec![1, 2])
    );
}
