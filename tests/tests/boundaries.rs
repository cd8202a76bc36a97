//! Boundary values on the public configuration: zero, one and the maximum of each integer
//! and duration. None of them may panic inside a supervisor (which would take its other
//! children down), overflow a clock, or hang.

use std::time::Duration;

use supervise_runtime::{
    AsProcess, Backoff, ChildPid, ChildSpec, DynamicSupervisor, DynamicSupervisorSpec, ExitReason,
    Handle, Inbox, Mailbox, Shutdown, SpecError, Strategy, Supervisor, SupervisorSpec, timer,
};
use tests::{Lab, Probe, ProbeCall, ProbeMsg};

/// Generous: with the paused clock, only a hang ever reaches it.
const HANG: Duration = Duration::from_secs(24 * 3600);

fn probe(lab: &Lab, tag: &str) -> ChildSpec<Probe> {
    ChildSpec::<Probe>::worker(lab.probe(tag, false)).id(tag.to_string())
}

async fn ping(child: &Handle<Probe>) -> String {
    child.call(ProbeCall::Ping).await.unwrap()
}

/// Issue 13 item 8: `Shutdown::Timeout(Duration::MAX)` passed validation, then overflowed
/// `Instant + d` in the supervisor: `terminate_child` crashed it and its siblings died.
#[tokio::test(start_paused = true)]
async fn a_shutdown_timeout_of_duration_max_is_infinity() {
    let lab = Lab::new();
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(probe(&lab, "sibling"))
        .child(probe(&lab, "long").shutdown(Shutdown::Timeout(Duration::MAX)));
    assert!(spec.validate().is_ok());
    let sup = Supervisor::start(spec).await.unwrap();
    tokio::time::timeout(HANG, sup.terminate_child("long"))
        .await
        .expect("no hang")
        .unwrap();
    assert!(sup.is_alive());
    let children = sup.which_children().await.unwrap();
    assert!(
        matches!(children[0].pid, ChildPid::Running(_)),
        "{children:?}"
    );
    assert_eq!(children[1].pid, ChildPid::Undefined);
    assert_eq!(lab.live(), 1);
    assert_eq!(
        tokio::time::timeout(HANG, sup.stop(ExitReason::Shutdown))
            .await
            .unwrap(),
        Ok(ExitReason::Shutdown)
    );
}

/// The same under a DynamicSupervisor, which stops all its children at once.
#[tokio::test(start_paused = true)]
async fn a_dynamic_child_with_a_shutdown_of_duration_max_stops() {
    let lab = Lab::new();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let spec = probe(&lab, "long").shutdown(Shutdown::Timeout(Duration::MAX));
    let child = sup.start_child(spec.clone()).await.unwrap();
    tokio::time::timeout(HANG, sup.terminate_child(child.pid()))
        .await
        .unwrap()
        .unwrap();
    sup.start_child(spec).await.unwrap();
    let reason = tokio::time::timeout(HANG, sup.stop(ExitReason::Shutdown))
        .await
        .unwrap();
    assert_eq!(reason, Ok(ExitReason::Shutdown));
    assert_eq!(lab.live(), 0);
}

/// A shutdown of zero kills at once, as brutal_kill does (OTP accepts it).
#[tokio::test(start_paused = true)]
async fn a_shutdown_timeout_of_zero_kills_at_once() {
    let lab = Lab::new();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let trapping = ChildSpec::<Probe>::worker(lab.probe("t", true).linger(HANG))
        .shutdown(Shutdown::Timeout(Duration::ZERO));
    let child = sup.start_child(trapping).await.unwrap();
    tokio::time::timeout(Duration::from_millis(10), sup.terminate_child(child.pid()))
        .await
        .expect("killed at once")
        .unwrap();
    assert_eq!(child.process().wait().await, ExitReason::Killed);
}

/// Issue 13 item 11: `Mailbox::Bounded(usize::MAX)` in a child spec panicked inside tokio,
/// in the supervisor. A capacity above tokio's limit is that limit; zero is one.
#[tokio::test(start_paused = true)]
async fn a_mailbox_of_any_capacity_starts() {
    let lab = Lab::new();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    for capacity in [0, 1, usize::MAX >> 3, (usize::MAX >> 3) + 1, usize::MAX] {
        let spec = probe(&lab, "m").mailbox(Mailbox::Bounded(capacity));
        let child = sup.start_child(spec).await.unwrap();
        assert_eq!(ping(&child).await, "m", "capacity {capacity}");
    }
    assert!(sup.is_alive());
    let one = Inbox::<u8>::with_mailbox(Mailbox::Bounded(0));
    one.addr().send(1).unwrap();
    assert!(one.addr().send(2).is_err(), "a capacity of zero holds one");
}

/// Intensity at its bounds: zero restarts ends the supervisor at the first crash; the
/// largest counts and windows restart without overflowing anything.
#[tokio::test(start_paused = true)]
async fn intensity_at_its_bounds() {
    let lab = Lab::new();
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(0, Duration::from_secs(1))
        .child(probe(&lab, "a"));
    let sup = Supervisor::start(spec).await.unwrap();
    let child = sup.child::<Probe>("a").await.unwrap();
    child.send(ProbeMsg::Crash("x".into())).unwrap();
    assert_eq!(sup.process().wait().await, ExitReason::Shutdown);

    for (max, period) in [
        (u32::MAX, Duration::MAX),
        (1, Duration::MAX),
        (u32::MAX, Duration::from_nanos(1)),
    ] {
        let spec = SupervisorSpec::new(Strategy::OneForOne)
            .intensity(max, period)
            .child(probe(&lab, "a"));
        let sup = Supervisor::start(spec).await.unwrap();
        let first = sup.which_children().await.unwrap()[0].pid;
        let ChildPid::Running(pid) = first else {
            panic!("{first:?}")
        };
        let child = Handle::<Probe>::from_process(
            sup.which_children().await.unwrap()[0]
                .process
                .as_ref()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(child.pid(), pid);
        child.send(ProbeMsg::Crash("x".into())).unwrap();
        child.process().wait().await;
        assert!(sup.is_alive(), "({max}, {period:?})");
        assert_ne!(sup.which_children().await.unwrap()[0].pid, first);
        let _ = sup.stop(ExitReason::Shutdown).await;
    }
    assert_eq!(
        SupervisorSpec::new(Strategy::OneForOne)
            .intensity(3, Duration::ZERO)
            .validate(),
        Err(SpecError::ZeroPeriod)
    );
}

/// max_children at one and at the maximum.
#[tokio::test(start_paused = true)]
async fn max_children_at_its_bounds() {
    let lab = Lab::new();
    let one = DynamicSupervisor::start(DynamicSupervisorSpec::new().max_children(1))
        .await
        .unwrap();
    one.start_child(probe(&lab, "a")).await.unwrap();
    assert!(one.start_child(probe(&lab, "b")).await.is_err());
    let many = DynamicSupervisor::start(DynamicSupervisorSpec::new().max_children(usize::MAX))
        .await
        .unwrap();
    many.start_child(probe(&lab, "a")).await.unwrap();
    assert_eq!(lab.live(), 2);
}

/// A backoff at its largest delays a restart without overflowing the timer.
#[tokio::test(start_paused = true)]
async fn a_backoff_of_duration_max_does_not_overflow() {
    let lab = Lab::new();
    let sup = DynamicSupervisor::start(
        DynamicSupervisorSpec::new().backoff(Backoff::exponential(Duration::MAX, Duration::MAX)),
    )
    .await
    .unwrap();
    let child = sup.start_child(probe(&lab, "a")).await.unwrap();
    child.send(ProbeMsg::Crash("x".into())).unwrap();
    child.process().wait().await;
    assert!(sup.is_alive());
    let children = sup.which_children().await.unwrap();
    assert_eq!(children[0].pid, ChildPid::Restarting);
    assert_eq!(
        sup.stop(ExitReason::Shutdown).await,
        Ok(ExitReason::Shutdown)
    );
}

/// Timers and call timeouts at their bounds.
#[tokio::test(start_paused = true)]
async fn timers_and_call_timeouts_at_their_bounds() {
    let inbox = Inbox::<u8>::new();
    let never = timer::send_after(&inbox.addr(), 1, Duration::MAX);
    let now = timer::send_after(&inbox.addr(), 2, Duration::ZERO);
    tokio::task::yield_now().await;
    assert!(never.is_pending());
    assert!(!now.is_pending());
    assert!(never.cancel());

    let lab = Lab::new();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let child = sup.start_child(probe(&lab, "a")).await.unwrap();
    for timeout in [Duration::ZERO, Duration::from_nanos(1), Duration::MAX] {
        let answer = child.call_timeout(ProbeCall::Ping, timeout).await;
        if timeout == Duration::MAX {
            assert_eq!(answer.unwrap(), "a");
        }
    }
}
