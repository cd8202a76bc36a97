//! `examples/intensity.rs`: a child crashing too often escalates up the tree, the root
//! gives up loudly, and the application ends with exit status 1.

#[allow(dead_code)]
#[path = "../../examples/intensity.rs"]
mod intensity;

use std::time::Duration;

use tests::capture;

#[tokio::test(start_paused = true)]
async fn a_child_crashing_too_often_ends_the_application_with_status_1() {
    let (reports, _guard) = capture();
    let exit = intensity::run(Duration::from_millis(100)).await;
    assert!(exit.gave_up);
    assert_eq!(exit.code(), 1);

    let supervisor = reports.supervisor();
    let gave_up: Vec<_> = supervisor
        .iter()
        .filter(|r| r.field("reason") == "reached_max_restart_intensity")
        .map(|r| {
            (
                r.field("child_id").to_string(),
                r.field("max_restarts").to_string(),
            )
        })
        .collect();
    // `inner` gives up three times (3 restarts in 1 s each time); the third time, `App`
    // (2 restarts in 5 s) gives up too.
    assert_eq!(
        gave_up,
        [
            ("flaky".to_string(), "3".to_string()),
            ("flaky".to_string(), "3".to_string()),
            ("flaky".to_string(), "3".to_string()),
            ("inner".to_string(), "2".to_string()),
        ]
    );
    let crashes = reports.crash();
    assert_eq!(
        crashes.len(),
        12,
        "4 crashes of flaky for each of the 3 inner supervisors"
    );
    assert!(
        crashes
            .iter()
            .all(|c| c.field("reason").contains("flaky crashed"))
    );
}
