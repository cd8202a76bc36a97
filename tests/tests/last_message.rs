//! A worker formats each message it handles for the crash report only while a `tracing`
//! subscriber listens to `supervise::crash`. In its own binary: it needs a process in
//! which no subscriber was ever installed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use supervise_runtime::worker;
use tests::capture_logs;

/// Counts how often it is formatted.
pub struct Counted(Arc<AtomicUsize>);

impl std::fmt::Debug for Counted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fetch_add(1, SeqCst);
        f.write_str("Counted")
    }
}

/// Takes `Counted` messages.
#[derive(Debug)]
pub struct Tally;

#[worker]
impl Tally {
    fn init() -> Self {
        Tally
    }

    #[info]
    fn note(&mut self, _counted: Counted) {}

    #[call]
    fn sync(&mut self) {}
}

#[tokio::test]
async fn messages_are_formatted_for_crash_reports_only_while_someone_listens() {
    let formatted = Arc::new(AtomicUsize::new(0));
    let tally = Tally::start().await.unwrap();
    for _ in 0..3 {
        tally.note(Counted(formatted.clone())).unwrap();
    }
    tally.sync().await.unwrap();
    assert_eq!(
        formatted.load(SeqCst),
        0,
        "no subscriber: nothing formatted"
    );

    let (_guard, logs) = capture_logs();
    for _ in 0..3 {
        tally.note(Counted(formatted.clone())).unwrap();
    }
    tally.sync().await.unwrap();
    assert_eq!(formatted.load(SeqCst), 3, "one format per message");
    assert!(logs.all().is_empty(), "and no report without a crash");
}
