//! Erlang/OTP supervision trees for Rust, on tokio.
//!
//! TODO(story): crate docs are written with the story below.

#![warn(missing_docs, missing_debug_implementations)]

mod inbox;
mod panic;
mod pid;
mod process;
mod reason;
pub mod registry;
pub mod timer;
mod worker;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub mod docs_worker;

pub use inbox::{Inbox, RecvError};
pub use pid::{Pid, Ref};
pub use process::{Addr, AsProcess, Down, Mailbox, ProcessRef, Received, SendError};
pub use reason::{ExitReason, PanicReason};
pub use registry::RegisterError;
pub use worker::{
    CallError, Context, DEFAULT_CALL_TIMEOUT, Envelope, Flow, Handle, Init, MessageOf, ReplyTo,
    StartError, StartOptions, Worker, start, start_link, start_with,
};

/// Writes a [`Worker`] from an `impl` block: see [`docs_worker`] for the guide and what it generates.
pub use supervise_macros::worker;
