//! Catching panics at the process boundary with their location.
//!
//! The location of a panic is only visible to the panic hook, so the first process started
//! installs a hook that, for panics inside a process task, records `file:line:column` in a
//! thread-local for the process to pick up, and stays quiet when a `tracing` subscriber
//! will log the crash report (which says it all). Panics anywhere else, and panics in
//! processes when no subscriber listens, go to the hook that was installed before.

use std::any::Any;
use std::cell::RefCell;
use std::sync::{Arc, Once};

use crate::process::current;
use crate::{ExitReason, PanicReason};

thread_local! {
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Set while [`quietly`] runs: a panic then is an answer, not news.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

static INSTALL: Once = Once::new();

pub(crate) fn install_hook() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(|q| q.get()) {
                return;
            }
            if current::in_process_task() {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                LOCATION.with(|slot| *slot.borrow_mut() = at);
                // The crash report says it all, if anyone listens; if nobody does, the
                // panic is not swallowed: the hook installed before speaks as usual.
                if !tracing::enabled!(target: "supervise::crash", tracing::Level::ERROR) {
                    previous(info);
                }
            } else {
                previous(info);
            }
        }));
    });
}

/// The exit reason for a caught panic payload.
pub(crate) fn reason(payload: Box<dyn Any + Send>) -> ExitReason {
    let message = payload_message(payload.as_ref());
    // A payload whose own drop panics must not escape the process boundary.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(payload)));
    let location = LOCATION.with(|slot| slot.borrow_mut().take());
    ExitReason::Panic(Arc::new(PanicReason::new(message, location)))
}

/// Formats with user code (a `Debug` or `Display` impl) that may panic: the text, or a
/// note saying the formatting panicked. A report must never take its writer down (a
/// supervisor formats its children's arguments and reasons), nor be lost.
pub(crate) fn format_guarded(write: impl FnOnce(&mut String) -> std::fmt::Result) -> String {
    let mut out = String::new();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write(&mut out))) {
        Ok(Ok(())) => out,
        Ok(Err(_)) => "<formatting failed>".to_string(),
        Err(payload) => formatting_panicked(payload),
    }
}

/// The note a report shows where formatting panicked with `payload`.
pub(crate) fn formatting_panicked(payload: Box<dyn Any + Send>) -> String {
    // The hook noted where it panicked: that is not a process's crash location.
    LOCATION.with(|slot| slot.borrow_mut().take());
    let message = payload_message(payload.as_ref());
    // A payload whose own drop panics must not escape either.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(payload)));
    format!("<formatting panicked: {message}>")
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_string()
    }
}

/// Runs `probe`, which may panic to say "no" (tokio does when a runtime lacks a driver),
/// without the panic being printed: `None` if it panicked.
pub(crate) fn quietly<T>(probe: impl FnOnce() -> T) -> Option<T> {
    install_hook();
    QUIET.with(|q| q.set(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(probe));
    QUIET.with(|q| q.set(false));
    match out {
        Ok(out) => Some(out),
        Err(payload) => {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(payload)));
            None
        }
    }
}
