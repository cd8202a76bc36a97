//! Shared helpers for supervise's integration tests.
//!
//! [`capture_logs`] records the `tracing` events (crash and supervisor reports) emitted on
//! the current thread, so a test can assert the report's fields. Tests run on tokio's
//! current-thread runtime, where every process task runs on the test's thread.
//! [`capture`] does the same through one global subscriber (immune to callsite-interest
//! caching across parallel tests), and [`Probe`] is a configurable worker whose live
//! states are counted, for the supervisor tests.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use parking_lot::Mutex;
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};

use supervise_runtime::{Context, ExitReason, Flow, Init, ReplyTo, Worker};

pub mod seed;

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
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: LayerContext<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let meta = event.metadata();
        let mut events = self.0.0.lock();
        // A report's fields come in a DEBUG companion right after its text: one report.
        if let Some(parent) = meta.target().strip_suffix("::fields") {
            if let Some(report) = events.iter_mut().rev().find(|e| e.target == parent) {
                for (k, v) in fields {
                    report.fields.entry(k).or_insert(v);
                }
            }
            return;
        }
        events.push(Event {
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
    (scoped_subscriber(subscriber), logs)
}

/// Makes `subscriber` this thread's default, safely next to tests on other threads that
/// have none. `tracing` caches per call site whether anyone listens; with a single
/// registered subscriber, a thread without one that reaches a call site first caches
/// "nobody" for every thread (tokio-rs/tracing#3611), and this thread's capture would
/// then miss the event. So a global subscriber is installed first (it makes the cache say
/// "ask each time"), and the cache is rebuilt for call sites registered before it.
pub fn scoped_subscriber(
    subscriber: impl tracing::Subscriber + Send + Sync + 'static,
) -> tracing::subscriber::DefaultGuard {
    install_global_subscriber();
    let guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    guard
}

/// How the probe's `init` behaves (shared, so a test can change it between restarts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum InitMode {
    /// Start.
    Ok = 0,
    /// Return `Init::Ignore`.
    Ignore = 1,
    /// Return `Init::Stop(error "init failed")`.
    Stop = 2,
    /// Panic with "init panicked".
    Panic = 3,
}

/// Shared observations of every probe started from the same [`Lab`].
#[derive(Clone, Debug, Default)]
pub struct Lab {
    /// Live probe states (incremented in init, decremented on drop).
    pub live: Arc<AtomicUsize>,
    /// Successful inits.
    pub starts: Arc<AtomicUsize>,
    /// `start:<tag>` and `stop:<tag>` (terminate) events, in order.
    pub events: Arc<Mutex<Vec<String>>>,
    mode: Arc<AtomicU8>,
}

impl Lab {
    /// A fresh lab.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how the next inits behave.
    pub fn set_init(&self, mode: InitMode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }

    /// Live probe states.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// Successful inits.
    pub fn starts(&self) -> usize {
        self.starts.load(Ordering::SeqCst)
    }

    /// Takes the recorded events.
    pub fn take_events(&self) -> Vec<String> {
        std::mem::take(&mut *self.events.lock())
    }

    /// Args for a probe tagged `tag`, trapping exits or not.
    pub fn probe(&self, tag: &str, trap: bool) -> ProbeArgs {
        ProbeArgs {
            lab: self.clone(),
            tag: tag.into(),
            trap,
            linger: None,
        }
    }
}

/// The probe's start arguments.
#[derive(Clone, Debug)]
pub struct ProbeArgs {
    /// Where it reports.
    pub lab: Lab,
    /// Its tag in events.
    pub tag: Arc<str>,
    /// Whether it traps exits (and so runs terminate on shutdown).
    pub trap: bool,
    /// How long `terminate` takes (`None`: at once); it records `stop:<tag>` when done.
    pub linger: Option<std::time::Duration>,
}

impl ProbeArgs {
    /// A probe whose `terminate` takes `linger` (on tokio's clock) before it returns.
    pub fn linger(mut self, linger: std::time::Duration) -> Self {
        self.linger = Some(linger);
        self
    }
}

/// A worker for tests.
#[derive(Debug)]
pub struct Probe {
    args: ProbeArgs,
}

/// Messages to a probe.
#[derive(Debug)]
pub enum ProbeMsg {
    /// Panic with this message.
    Crash(String),
    /// Stop with this reason.
    Stop(ExitReason),
}

/// Calls to a probe.
#[derive(Debug)]
pub enum ProbeCall {
    /// Replies with the tag.
    Ping(ReplyTo<String>),
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.args.lab.live.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Worker for Probe {
    type Args = ProbeArgs;
    type Info = ProbeMsg;
    type Call = ProbeCall;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init(args: ProbeArgs, ctx: &mut Context<Self>) -> Init<Self> {
        match args.lab.mode.load(Ordering::SeqCst) {
            1 => return Init::Ignore,
            2 => return Init::Stop(ExitReason::error("init failed")),
            3 => panic!("init panicked"),
            _ => {}
        }
        ctx.trap_exit(args.trap);
        args.lab.live.fetch_add(1, Ordering::SeqCst);
        args.lab.starts.fetch_add(1, Ordering::SeqCst);
        args.lab.events.lock().push(format!("start:{}", args.tag));
        Init::Ok(Probe { args })
    }

    async fn handle_info(&mut self, msg: ProbeMsg, _: &mut Context<Self>) -> Flow {
        match msg {
            ProbeMsg::Crash(text) => panic!("{text}"),
            ProbeMsg::Stop(reason) => Flow::Stop(reason),
        }
    }

    async fn handle_call(&mut self, call: ProbeCall, _: &mut Context<Self>) -> Flow {
        match call {
            ProbeCall::Ping(reply) => reply.reply(self.args.tag.to_string()),
        }
        Flow::Continue
    }

    async fn terminate(&mut self, _reason: &ExitReason, _: &mut Context<Self>) {
        if let Some(linger) = self.args.linger {
            tokio::time::sleep(linger).await;
        }
        let event = format!("stop:{}", self.args.tag);
        self.args.lab.events.lock().push(event);
    }
}

/// One captured `tracing` event: its target, level and fields (message included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Captured {
    /// The event's target.
    pub target: String,
    /// The event's level.
    pub level: tracing::Level,
    /// Its fields, formatted.
    pub fields: BTreeMap<String, String>,
    /// When it was emitted (tokio's clock, so paused time counts).
    pub at: tokio::time::Instant,
}

impl Captured {
    /// A field's text, or "" when absent.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Events captured by a [`capture`] guard.
#[derive(Clone, Debug, Default)]
pub struct Reports(Arc<Mutex<Vec<Captured>>>);

impl Reports {
    /// Captured events of the supervisor (target `supervise::supervisor`).
    pub fn supervisor(&self) -> Vec<Captured> {
        self.0
            .lock()
            .iter()
            .filter(|c| c.target == "supervise::supervisor")
            .cloned()
            .collect()
    }

    /// Captured crash reports (target `supervise::crash`).
    pub fn crash(&self) -> Vec<Captured> {
        self.0
            .lock()
            .iter()
            .filter(|c| c.target == "supervise::crash")
            .cloned()
            .collect()
    }

    /// Every event, in order.
    pub fn all(&self) -> Vec<Captured> {
        self.0.lock().clone()
    }

    /// The targets of every captured event, in order.
    pub fn all_targets(&self) -> Vec<String> {
        self.0.lock().iter().map(|c| c.target.clone()).collect()
    }

    /// The `context` fields of the supervisor reports, in order.
    pub fn contexts(&self) -> Vec<String> {
        self.supervisor()
            .iter()
            .map(|c| c.field("context").to_string())
            .collect()
    }
}

thread_local! {
    static CURRENT: std::cell::RefCell<Option<Reports>> = const { std::cell::RefCell::new(None) };
}

/// Sends every event to the capture open on the emitting thread, if any. It is the one
/// global subscriber, so no callsite's interest is ever cached as "never" by a thread
/// that had no capture open (which a per-test `set_default` is prone to).
struct GlobalLayer;

impl<S: tracing::Subscriber> Layer<S> for GlobalLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: LayerContext<'_, S>) {
        let Some(reports) = CURRENT.with(|c| c.borrow().clone()) else {
            return;
        };
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let mut events = reports.0.lock();
        // A report's fields come in a DEBUG companion right after its text: one report.
        if let Some(parent) = event.metadata().target().strip_suffix("::fields") {
            if let Some(report) = events.iter_mut().rev().find(|e| e.target == parent) {
                for (k, v) in fields {
                    report.fields.entry(k).or_insert(v);
                }
            }
            return;
        }
        events.push(Captured {
            target: event.metadata().target().to_string(),
            level: *event.metadata().level(),
            fields,
            at: tokio::time::Instant::now(),
        });
    }
}

/// Installs [`GlobalLayer`] as the global subscriber, once per test binary.
fn install_global_subscriber() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let _ = tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(GlobalLayer),
        );
    });
}

/// Stops capturing on this thread when dropped.
#[derive(Debug)]
pub struct CaptureGuard(());

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.borrow_mut().take());
    }
}

/// Captures `tracing` events emitted on this thread until the guard drops (use a
/// current-thread runtime, the `#[tokio::test]` default, so every process logs here).
pub fn capture() -> (Reports, CaptureGuard) {
    install_global_subscriber();
    let reports = Reports::default();
    CURRENT.with(|c| *c.borrow_mut() = Some(reports.clone()));
    (reports, CaptureGuard(()))
}
