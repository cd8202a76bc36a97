//! Shared helpers for supervise's integration tests.
//!
//! [`capture_logs`] records the `tracing` events (crash and supervisor reports) emitted on
//! the current thread, so a test can assert the report's fields. Tests run on tokio's
//! current-thread runtime, where every process task runs on the test's thread.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::Mutex;
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};

/// One captured `tracing` event: its target, level and fields (`message` included).
#[derive(Clone, Debug)]
pub struct Event {
    /// The event's target, e.g. `supervise::crash`.
    pub target: String,
    /// The level, e.g. `ERROR`.
    pub level: tracing::Level,
    /// Every field, formatted.
    pub fields: BTreeMap<String, String>,
}

impl Event {
    /// A field's text; empty if absent.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// The events captured so far.
#[derive(Clone, Debug, Default)]
pub struct Logs(Arc<Mutex<Vec<Event>>>);

impl Logs {
    /// Every event with this target.
    pub fn with_target(&self, target: &str) -> Vec<Event> {
        self.0
            .lock()
            .iter()
            .filter(|e| e.target == target)
            .cloned()
            .collect()
    }

    /// Every event.
    pub fn all(&self) -> Vec<Event> {
        self.0.lock().clone()
    }
}

struct Recorder(Logs);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl<S: tracing::Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let meta = event.metadata();
        self.0.0.lock().push(Event {
            target: meta.target().to_string(),
            level: *meta.level(),
            fields,
        });
    }
}

/// Starts capturing this thread's `tracing` events until the guard is dropped.
pub fn capture_logs() -> (tracing::subscriber::DefaultGuard, Logs) {
    let logs = Logs::default();
    let subscriber = tracing_subscriber::registry().with(Recorder(logs.clone()));
    (tracing::subscriber::set_default(subscriber), logs)
}
