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
}

static INSTALL: Once = Once::new();

pub(crate) fn install_hook() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
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
    let message = if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_string()
    };
    let location = LOCATION.with(|slot| slot.borrow_mut().take());
    ExitReason::Panic(Arc::new(PanicReason::new(message, location)))
}
