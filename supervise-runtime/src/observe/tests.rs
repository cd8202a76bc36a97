use std::time::Duration;

use super::*;
use crate::{AsProcess, ChildSpec, DynamicSupervisorSpec, Inbox, Strategy, SupervisorSpec, worker};

#[derive(Debug)]
pub struct Job {
    n: u32,
}

#[worker]
impl Job {
    fn init(n: u32) -> Self {
        Job { n }
    }
    #[call]
    fn get(&self) -> u32 {
        self.n
    }
    #[info]
    fn crash(&mut self) {
        panic!("job {} crashed", self.n)
    }
    #[info]
    async fn nap(&mut self, secs: u64) {
        tokio::time::sleep(Duration::from_secs(secs)).await
    }
}

/// root (one_for_one): job "a", a dynamic supervisor "jobs" with two jobs, and a nested
/// static supervisor "inner" with job "b".
async fn tree() -> crate::Handle<Supervisor> {
    let inner = SupervisorSpec::new(Strategy::OneForAll).child(Job::child_spec(2).id("b"));
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(Job::child_spec(1).id("a"))
        .child(ChildSpec::dynamic_supervisor(DynamicSupervisorSpec::new()).id("jobs"))
        .child(ChildSpec::supervisor(inner).id("inner"));
    let root = Supervisor::start(spec).await.unwrap();
    let jobs = root.child::<DynamicSupervisor>("jobs").await.unwrap();
    let jobs = jobs.current().unwrap();
    jobs.start_child(Job::child_spec(10)).await.unwrap();
    jobs.start_child(Job::child_spec(11)).await.unwrap();
    root
}

#[tokio::test(start_paused = true)]
async fn snapshot_walks_nested_supervisors() {
    let root = tree().await;
    let a = root.child::<Job>("a").await.unwrap();
    a.get().await.unwrap();
    a.get().await.unwrap();
    let snap = snapshot(&root).await.unwrap();
    let r = &snap.root;
    assert_eq!(r.pid, Some(root.pid()));
    assert_eq!(r.kind, NodeKind::Supervisor);
    assert_eq!(r.worker_type, "supervise_runtime::Supervisor");
    assert_eq!((r.id.as_deref(), r.restart), (None, None));
    let flags = r.supervisor.unwrap();
    assert_eq!(flags.strategy, Strategy::OneForOne);
    assert_eq!(flags.restarts_in_window, 0);
    let ids: Vec<_> = r.children.iter().map(|c| c.id.as_deref()).collect();
    assert_eq!(ids, [Some("a"), Some("jobs"), Some("inner")]);

    let a_node = &r.children[0];
    assert_eq!(a_node.pid, a.pid());
    assert_eq!(a_node.kind, NodeKind::Worker);
    assert!(a_node.worker_type.ends_with("observe::tests::Job"));
    assert_eq!(a_node.messages_handled, 2);
    assert_eq!(a_node.mailbox_len, Some(0));
    assert_eq!(a_node.uptime, Some(Duration::ZERO));
    assert!(a_node.supervisor.is_none());

    let jobs = &r.children[1];
    assert_eq!(jobs.kind, NodeKind::DynamicSupervisor);
    assert_eq!(jobs.children.len(), 2);
    assert!(
        jobs.children
            .iter()
            .all(|c| c.id.is_none() && c.pid.is_some())
    );
    let inner = &r.children[2];
    assert_eq!(inner.kind, NodeKind::Supervisor);
    assert_eq!(inner.supervisor.unwrap().strategy, Strategy::OneForAll);
    assert_eq!(inner.children[0].id.as_deref(), Some("b"));

    let text = snap.to_string();
    println!("{text}");
    assert_eq!(text.lines().count(), 7, "{text}");
    assert!(text.lines().nth(1).unwrap().starts_with("├─ "), "{text}");
    assert!(text.contains("│  ├─ "), "{text}");
    assert!(text.contains("└─ └─ ") || text.contains("   └─ "), "{text}");
    assert!(text.contains("worker \"a\""), "{text}");
    assert!(text.contains("worker undefined"), "{text}");
    assert!(text.contains("handled=2"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn restarts_and_last_exit_are_kept_per_child() {
    let root = tree().await;
    let a = root.child::<Job>("a").await.unwrap();
    let first = a.current().unwrap();
    first.crash().unwrap();
    first.process().wait().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let snap = snapshot(&root).await.unwrap();
    let node = &snap.root.children[0];
    assert_eq!(node.restarts, 1);
    assert_ne!(node.pid, Some(first.pid()));
    let exit = node.last_exit.as_ref().unwrap();
    assert_eq!(exit.pid, first.pid());
    assert!(exit.reason.contains("job 1 crashed"), "{}", exit.reason);
    assert_eq!(exit.ago, Duration::from_secs(2));
    assert_eq!(node.uptime, Some(Duration::from_secs(2)));
    assert_eq!(snap.root.supervisor.unwrap().restarts_in_window, 1);

    // Out of the window (5 s by default), the restart no longer counts.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let snap = snapshot(&root).await.unwrap();
    assert_eq!(snap.root.supervisor.unwrap().restarts_in_window, 0);
    assert_eq!(snap.root.supervisor.unwrap().restarts, 1, "the total stays");
    assert_eq!(snap.root.children[0].restarts, 1);

    // Under a dynamic supervisor, too.
    let jobs = root
        .child::<DynamicSupervisor>("jobs")
        .await
        .unwrap()
        .current()
        .unwrap();
    let children = jobs.which_children().await.unwrap();
    let job = children[0].worker::<Job>().unwrap();
    job.crash().unwrap();
    job.process().wait().await;
    let snap = snapshot(&jobs).await.unwrap();
    let restarted = snap
        .root
        .children
        .iter()
        .find(|c| c.restarts == 1)
        .expect("the restarted job");
    assert_eq!(restarted.last_exit.as_ref().unwrap().pid, job.pid());
    assert_eq!(snap.root.supervisor.unwrap().restarts_in_window, 1);
    assert_eq!(snap.root.supervisor.unwrap().restarts, 1);
}

#[tokio::test(start_paused = true)]
async fn a_one_for_all_restart_counts_once_for_its_supervisor() {
    let spec = SupervisorSpec::new(Strategy::OneForAll)
        .child(Job::child_spec(1).id("a"))
        .child(Job::child_spec(2).id("b"));
    let root = Supervisor::start(spec).await.unwrap();
    let a = root.child::<Job>("a").await.unwrap().current().unwrap();
    a.crash().unwrap();
    a.process().wait().await;
    let snap = snapshot(&root).await.unwrap();
    let flags = snap.root.supervisor.unwrap();
    assert_eq!(
        (flags.restarts, flags.restarts_in_window),
        (1, 1),
        "one restart of the group"
    );
    let children: Vec<u32> = snap.root.children.iter().map(|c| c.restarts).collect();
    assert_eq!(children, [1, 1], "each child was restarted once");
}

#[tokio::test(start_paused = true)]
async fn a_child_supervisor_that_died_is_shown_unreachable() {
    let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne))
        .await
        .unwrap();
    let process = sup.process();
    process.exit(ExitReason::Kill);
    process.wait().await;
    let view = ChildView {
        id: Some("gone".into()),
        process: Some(process.clone()),
        status: Status::Running,
        worker_type: "supervise_runtime::Supervisor",
        restart: Restart::Permanent,
        uptime: Some(Duration::ZERO),
        restarts: 0,
        last_exit: None,
    };
    let node = child_node(view).await;
    assert_eq!(node.kind, NodeKind::Supervisor);
    assert!(
        matches!(&node.status, Status::Unreachable(why) if why.contains("noproc")),
        "{:?}",
        node.status
    );
    assert!(node.children.is_empty());
    assert!(node.to_string().contains("unreachable"), "{node}");
}

#[tokio::test(start_paused = true)]
async fn a_busy_worker_is_shown_without_its_mailbox_length() {
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let job = sup.start_child(Job::child_spec(1)).await.unwrap();
    job.nap(60).unwrap();
    job.nap(1).unwrap(); // queued behind the first
    let snap = snapshot(&sup).await.unwrap();
    let node = &snap.root.children[0];
    assert_eq!(node.mailbox_len, None);
    assert_eq!(node.messages_handled, 1);
    assert!(node.to_string().contains("mailbox=?"));
    tokio::time::sleep(Duration::from_secs(62)).await;
    let snap = snapshot(&sup).await.unwrap();
    assert_eq!(snap.root.children[0].mailbox_len, Some(0));
}

#[tokio::test(start_paused = true)]
async fn snapshot_of_a_dead_root_or_a_worker() {
    let job = Job::start(3).await.unwrap();
    let snap = snapshot(&job).await.unwrap();
    assert_eq!(snap.root.kind, NodeKind::Worker);
    assert_eq!(snap.root.worker_type, "?");
    assert!(snap.root.children.is_empty());
    job.process().exit(ExitReason::Kill);
    job.process().wait().await;
    assert_eq!(snapshot(&job).await, Err(CallError::NoProc));
}

#[tokio::test(start_paused = true)]
async fn state_through_the_process() {
    let job = Job::start(7).await.unwrap();
    let second = Duration::from_secs(1);
    assert_eq!(state(&job, second).await.unwrap(), "Job { n: 7 }");
    // Busy in a callback: a timeout, then the answer once it is done. (Signals, and so
    // the question, are served before messages: the worker is let in its nap first. The
    // clock is paused: the sleep lets the worker run, it does not hope.)
    job.nap(10).unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(state(&job, second).await, Err(CallError::Timeout));
    assert_eq!(
        state(&job, Duration::from_secs(30)).await.unwrap(),
        "Job { n: 7 }"
    );
    // Dying while asked: killed in the middle of a nap.
    job.nap(10).unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    let asking = tokio::spawn({
        let job = job.clone();
        async move { state(&job, Duration::from_secs(30)).await }
    });
    tokio::time::sleep(Duration::from_millis(1)).await;
    job.process().exit(ExitReason::error("boom"));
    assert_eq!(
        asking.await.unwrap(),
        Err(CallError::Exited(ExitReason::error("boom")))
    );
    assert_eq!(state(&job, second).await, Err(CallError::NoProc));

    // A supervisor answers a summary; an inbox, a note.
    let sup = Supervisor::start(SupervisorSpec::new(Strategy::OneForOne))
        .await
        .unwrap();
    let summary = state(&sup, second).await.unwrap();
    assert!(summary.starts_with("Supervisor { pid: "), "{summary}");
    let dynamic = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let summary = state(&dynamic, second).await.unwrap();
    assert!(summary.starts_with("DynamicSupervisor {"), "{summary}");
    let inbox = Inbox::<u8>::new();
    assert_eq!(state(&inbox, second).await.unwrap(), probe::INBOX_STATE);
}

#[derive(Debug)]
pub struct Asker;

#[worker]
impl Asker {
    fn init() -> Self {
        Asker
    }
    #[call]
    async fn ask_self(&self, ctx: &mut crate::Context<Self>) -> Result<String, CallError> {
        state(&ctx.process(), Duration::from_secs(1)).await
    }
}

#[tokio::test(start_paused = true)]
async fn state_of_oneself_is_an_error_not_a_hang() {
    let asker = Asker::start().await.unwrap();
    assert_eq!(asker.ask_self().await.unwrap(), Err(CallError::CallingSelf));
}

/// The events of supervisor `sup` received so far.
fn events_of(rx: &mut tokio::sync::broadcast::Receiver<Event>, sup: Pid) -> Vec<Event> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        if e.supervisor() == sup {
            out.push(e);
        }
    }
    out
}

#[tokio::test(start_paused = true)]
async fn lifecycle_events() {
    let mut rx = subscribe();
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(1, Duration::from_secs(5))
        .child(Job::child_spec(1).id("a"));
    let sup = Supervisor::start(spec).await.unwrap();
    let a = sup.child::<Job>("a").await.unwrap().current().unwrap();
    let worker_type = std::any::type_name::<Job>();
    let s = sup.pid();
    let id = Some("a".to_string());
    assert_eq!(
        events_of(&mut rx, s),
        [Event::Started {
            pid: a.pid(),
            supervisor: s,
            id: id.clone(),
            worker_type
        }]
    );
    a.crash().unwrap();
    a.process().wait().await;
    let b = sup.child::<Job>("a").await.unwrap().current().unwrap();
    let events = events_of(&mut rx, s);
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(
        matches!(&events[0], Event::Exited { pid, id: Some(i), reason, .. }
            if *pid == a.pid() && i == "a" && reason.to_string().contains("job 1 crashed")),
        "{events:?}"
    );
    assert_eq!(
        events[1],
        Event::Started {
            pid: b.pid(),
            supervisor: s,
            id: id.clone(),
            worker_type
        }
    );
    assert_eq!(
        events[2],
        Event::Restarted {
            old: a.pid(),
            new: b.pid(),
            supervisor: s,
            id: id.clone()
        }
    );
    // One more within the period is one too many.
    b.crash().unwrap();
    sup.process().wait().await;
    let events = events_of(&mut rx, s);
    assert!(
        matches!(events.as_slice(), [Event::Exited { pid, .. }, Event::GaveUp { id: Some(i), max_restarts: 1, .. }]
            if *pid == b.pid() && i == "a"),
        "{events:?}"
    );

    // A dynamic supervisor: ids are undefined, the old pid is the exited one.
    let dynamic = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let job = dynamic.start_child(Job::child_spec(2)).await.unwrap();
    job.crash().unwrap();
    job.process().wait().await;
    let events = events_of(&mut rx, dynamic.pid());
    assert!(
        matches!(events.as_slice(), [
            Event::Started { id: None, .. },
            Event::Exited { pid: exited, id: None, .. },
            Event::Started { pid: new, .. },
            Event::Restarted { old, new: restarted, id: None, .. },
        ] if *exited == job.pid() && *old == job.pid() && new == restarted),
        "{events:?}"
    );
    // Stopped by its supervisor: an exit too.
    let children = dynamic.which_children().await.unwrap();
    let pid = children[0].pid.pid().unwrap();
    dynamic.terminate_child(pid).await.unwrap();
    let events = events_of(&mut rx, dynamic.pid());
    assert!(
        matches!(events.as_slice(), [Event::Exited { pid: p, reason: ExitReason::Shutdown, .. }] if *p == pid),
        "{events:?}"
    );
}

#[test]
fn no_event_is_built_without_a_subscriber() {
    // Before anyone subscribed in this test binary's other tests or not: sending with no
    // receiver must not fail or block.
    let p = Inbox::<()>::new().pid();
    events::exited(p, None, p, &ExitReason::Normal);
}

#[cfg(feature = "serde")]
#[tokio::test(start_paused = true)]
async fn serializes() {
    let root = tree().await;
    let snap = snapshot(&root).await.unwrap();
    let json = serde_json::to_value(&snap).unwrap();
    assert_eq!(json["root"]["kind"], "supervisor");
    assert_eq!(json["root"]["pid"], root.pid().to_string());
    assert_eq!(json["root"]["supervisor"]["strategy"], "one_for_one");
    assert_eq!(json["root"]["supervisor"]["within_ms"], 5000);
    assert_eq!(json["root"]["children"][0]["restart"], "permanent");
    assert_eq!(json["root"]["children"][0]["status"], "running");
    assert_eq!(json["root"]["children"][0]["uptime_ms"], 0);
    assert!(json["root"]["children"][0].get("process").is_none());
}
