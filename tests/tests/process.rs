//! Processes: pids, links, monitors, exit signals, trap_exit, the registry and timers,
//! observed through inboxes (processes without a task).

use std::time::Duration;

use supervise_runtime::{
    AsProcess, Down, ExitReason, Inbox, Pid, Received, RecvError, RegisterError, registry, timer,
};

#[tokio::test]
async fn pids_are_unique_ordered_and_print_like_erlang() {
    let a = Inbox::<()>::new();
    let b = Inbox::<()>::new();
    assert_ne!(a.pid(), b.pid());
    assert!(a.pid() < b.pid());
    let text = a.pid().to_string();
    assert!(
        text.starts_with("#PID<0.") && text.ends_with(".0>"),
        "{text}"
    );
    let copy: Pid = a.pid();
    assert_eq!(copy, a.pid());
}

#[tokio::test]
async fn abnormal_exit_kills_linked_non_trapping_process() {
    let a = Inbox::<()>::new();
    let b = Inbox::<()>::new();
    let c = Inbox::<()>::new();
    a.link(&b);
    b.link(&c);
    a.process().exit(ExitReason::error("boom"));
    assert!(!b.is_alive());
    assert!(!c.is_alive(), "exits cascade along links");
    assert_eq!(c.exit_reason(), Some(ExitReason::error("boom")));
}

#[tokio::test]
async fn normal_exit_kills_no_one() {
    let a = Inbox::<()>::new();
    let b = Inbox::<()>::new();
    b.link(&a);
    drop(a); // exits with Normal
    assert!(b.is_alive());
    assert_eq!(
        b.process().links_and_monitors(),
        (0, 0),
        "the dead link is gone"
    );
}

#[tokio::test]
async fn shutdown_exit_kills_linked_non_trapping_process() {
    // Only `normal` is ignored by links; shutdown travels (it is not a failure for restarts).
    let a = Inbox::<()>::new();
    let b = Inbox::<()>::new();
    b.link(&a);
    a.process().exit(ExitReason::error("x"));
    assert!(!b.is_alive());
}

#[tokio::test]
async fn trapping_process_gets_exit_message_and_lives() {
    let a = Inbox::<()>::new();
    let mut b = Inbox::<()>::new();
    b.trap_exit(true);
    b.link(&a);
    let a_pid = a.pid();
    a.process().exit(ExitReason::error("boom"));
    assert!(b.is_alive());
    assert_eq!(
        b.recv().await,
        Ok(Received::Exit {
            from: a_pid,
            reason: ExitReason::error("boom")
        })
    );
}

#[tokio::test]
async fn trapping_process_also_sees_normal_exits_of_links() {
    let a = Inbox::<()>::new();
    let mut b = Inbox::<()>::new();
    b.trap_exit(true);
    b.link(&a);
    let a_pid = a.pid();
    drop(a);
    assert_eq!(
        b.recv().await,
        Ok(Received::Exit {
            from: a_pid,
            reason: ExitReason::Normal
        })
    );
}

#[tokio::test]
async fn unlink_stops_exit_propagation_both_ways() {
    let a = Inbox::<()>::new();
    let b = Inbox::<()>::new();
    a.link(&b);
    b.unlink(&a);
    assert!(!a.process().is_linked_to(b.pid()));
    a.process().exit(ExitReason::error("boom"));
    assert!(b.is_alive());
}

#[tokio::test]
async fn link_to_dead_process_delivers_noproc_at_once() {
    let mut a = Inbox::<()>::new();
    let dead = Inbox::<()>::new().process();
    a.trap_exit(true);
    a.link(&dead);
    assert_eq!(
        a.recv().await,
        Ok(Received::Exit {
            from: dead.pid(),
            reason: ExitReason::NoProc
        })
    );

    let b = Inbox::<()>::new();
    b.link(&dead);
    assert!(!b.is_alive(), "a non-trapping process dies of noproc");
    assert_eq!(b.exit_reason(), Some(ExitReason::NoProc));
}

#[tokio::test]
async fn kill_cannot_be_trapped_and_links_see_killed() {
    let a = Inbox::<()>::new();
    a.trap_exit(true);
    let mut watcher = Inbox::<()>::new();
    watcher.trap_exit(true);
    watcher.link(&a);
    a.process().exit(ExitReason::Kill);
    assert!(!a.is_alive());
    assert_eq!(a.exit_reason(), Some(ExitReason::Killed));
    assert_eq!(
        watcher.recv().await,
        Ok(Received::Exit {
            from: a.pid(),
            reason: ExitReason::Killed
        })
    );
}

#[tokio::test]
async fn exit_normal_is_ignored_by_non_trapping_target_and_delivered_to_trapping() {
    let a = Inbox::<()>::new();
    let mut b = Inbox::<()>::new();
    let _shell = Inbox::<()>::new(); // the newest inbox is the sender
    a.process().exit(ExitReason::Normal);
    assert!(a.is_alive());
    b.trap_exit(true);
    b.process().exit(ExitReason::Normal);
    assert!(matches!(
        b.recv().await,
        Ok(Received::Exit {
            reason: ExitReason::Normal,
            ..
        })
    ));
}

#[tokio::test]
async fn exit_normal_to_oneself_terminates() {
    let shell = Inbox::<()>::new();
    shell.process().exit(ExitReason::Normal);
    assert_eq!(shell.exit_reason(), Some(ExitReason::Normal));
}

#[tokio::test]
async fn monitor_delivers_down_with_reference_pid_and_reason() {
    let mut watcher = Inbox::<()>::new();
    let target = Inbox::<()>::new();
    let reference = watcher.monitor(&target);
    let pid = target.pid();
    target.process().exit(ExitReason::shutdown_with("bye"));
    assert_eq!(
        watcher.recv().await,
        Ok(Received::Down(Down {
            reference,
            pid,
            reason: ExitReason::shutdown_with("bye")
        }))
    );
    assert!(watcher.is_alive(), "monitors never kill");
}

#[tokio::test]
async fn monitor_of_dead_process_is_noproc_and_demonitor_cancels() {
    let mut watcher = Inbox::<()>::new();
    let dead = Inbox::<()>::new().process();
    let r = watcher.monitor(&dead);
    assert_eq!(
        watcher.recv().await,
        Ok(Received::Down(Down {
            reference: r,
            pid: dead.pid(),
            reason: ExitReason::NoProc
        }))
    );

    let target = Inbox::<()>::new();
    let r = watcher.monitor(&target);
    assert!(watcher.demonitor(r));
    drop(target);
    assert!(watcher.flush().is_empty());
    assert_eq!(watcher.process().links_and_monitors(), (0, 0));
}

#[tokio::test]
async fn dead_inbox_reports_its_reason_from_recv() {
    let mut a = Inbox::<u8>::new();
    let addr = a.addr();
    a.process().exit(ExitReason::error("gone"));
    assert_eq!(
        a.recv().await,
        Err(RecvError::Exited(ExitReason::error("gone")))
    );
    assert!(addr.send(1).is_err());
}

#[tokio::test]
async fn flush_returns_signals_then_messages() {
    let mut a = Inbox::<u8>::new();
    a.trap_exit(true);
    a.addr().send(1).unwrap();
    a.process().exit(ExitReason::error("x"));
    let got = a.flush();
    assert!(matches!(got[0], Received::Exit { .. }));
    assert_eq!(got[1], Received::Message(1));
}

#[tokio::test]
async fn registry_names_are_unique_and_vanish_with_the_process() {
    let a = Inbox::<u8>::new();
    let b = Inbox::<u8>::new();
    let before = registry::len();
    registry::register("test:registry:one", &a).unwrap();
    registry::register("test:registry:two", &a).unwrap();
    assert_eq!(registry::whereis("test:registry:one"), Some(a.pid()));
    assert_eq!(
        registry::register("test:registry:one", &b),
        Err(RegisterError::Taken(a.pid()))
    );
    registry::lookup::<u8>("test:registry:two")
        .unwrap()
        .send(7)
        .unwrap();
    a.process().exit(ExitReason::Kill);
    assert_eq!(registry::whereis("test:registry:one"), None);
    assert_eq!(registry::whereis("test:registry:two"), None);
    assert_eq!(registry::len(), before);
    let dead = b.process();
    drop(b);
    assert_eq!(
        registry::register("test:registry:three", &dead),
        Err(RegisterError::NoProc)
    );
}

#[tokio::test]
async fn unregister_frees_the_name() {
    let a = Inbox::<u8>::new();
    registry::register("test:registry:unreg", &a).unwrap();
    assert!(registry::unregister("test:registry:unreg"));
    assert_eq!(registry::whereis("test:registry:unreg"), None);
    let b = Inbox::<u8>::new();
    registry::register("test:registry:unreg", &b).unwrap();
}

#[tokio::test(start_paused = true)]
async fn timer_fires_after_its_delay_and_not_before() {
    let mut inbox = Inbox::<&str>::new();
    let start = tokio::time::Instant::now();
    timer::send_after(&inbox.addr(), "tick", Duration::from_secs(10));
    assert_eq!(
        inbox.recv_timeout(Duration::from_secs(9)).await,
        Err(RecvError::Timeout)
    );
    assert_eq!(inbox.recv().await, Ok(Received::Message("tick")));
    assert_eq!(start.elapsed(), Duration::from_secs(10));
}

#[tokio::test(start_paused = true)]
async fn cancelled_timer_never_fires() {
    let mut inbox = Inbox::<&str>::new();
    let t = timer::send_after(&inbox.addr(), "tick", Duration::from_secs(1));
    assert!(t.is_pending());
    assert!(t.cancel());
    assert!(
        !t.cancel(),
        "cancelling twice reports it was no longer pending"
    );
    assert_eq!(
        inbox.recv_timeout(Duration::from_secs(5)).await,
        Err(RecvError::Timeout)
    );
}

#[tokio::test(start_paused = true)]
async fn timer_to_dead_process_is_dropped() {
    let inbox = Inbox::<String>::new();
    let addr = inbox.addr();
    let t = timer::send_after(&addr, "late".to_string(), Duration::from_secs(1));
    drop(inbox);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!t.is_pending(), "it fired");
    assert!(!addr.is_alive());
}

#[tokio::test]
async fn wait_returns_the_exit_reason() {
    let a = Inbox::<()>::new();
    let p = a.process();
    let waiter = tokio::spawn(async move { p.wait().await });
    tokio::task::yield_now().await;
    a.process().exit(ExitReason::error("done"));
    assert_eq!(waiter.await.unwrap(), ExitReason::error("done"));
}
