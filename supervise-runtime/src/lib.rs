//! Erlang/OTP supervision trees for Rust, on tokio.
//!
//! `supervise` brings the process model an Erlang engineer relies on to tokio: processes
//! with pids and typed mailboxes, links and monitors, exit signals that can be trapped,
//! crash reports, GenServer-style workers, and supervisors that restart them.
//!
//! # The story
//!
//! A worker is started from the shell with `start_link`. It answers `store` with
//! `HelloFriend`, and crashes on `raise("heck")`. Because it is linked to the shell, its
//! crash takes the shell down with it; a shell that traps exits gets the exit as a message
//! instead and lives on. (Started under a `DynamicSupervisor`, the crash is reported and a
//! replacement with a new pid takes its place, and the caller is untouched.)
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use std::convert::Infallible;
//! use supervise_runtime::{Addr, AsProcess, Context, Flow, Inbox, Init, Received, Worker, start_link};
//!
//! #[derive(Debug, PartialEq)]
//! enum Reply { HelloFriend }
//! enum Msg { Store(String, String), Raise(String) }
//! struct Redis { reply_to: Addr<Reply> }
//!
//! impl Worker for Redis {
//!     type Args = Addr<Reply>;
//!     type Info = Msg;
//!     type Call = Infallible;
//!     type Cast = Infallible;
//!     async fn init(reply_to: Addr<Reply>, _: &mut Context<Self>) -> Init<Self> {
//!         Init::Ok(Redis { reply_to })
//!     }
//!     async fn handle_info(&mut self, msg: Msg, _: &mut Context<Self>) -> Flow {
//!         match msg {
//!             Msg::Store(_key, _value) => { let _ = self.reply_to.send(Reply::HelloFriend); }
//!             Msg::Raise(message) => panic!("{message}"),
//!         }
//!         Flow::Continue
//!     }
//! }
//!
//! // The shell: code outside any process opens an inbox, which start_link links to.
//! let mut shell = Inbox::<Reply>::new();
//! let worker = start_link::<Redis>(shell.addr()).await.unwrap();
//! worker.send(Msg::Store("foo".into(), "bar".into())).unwrap();
//! assert_eq!(shell.recv().await.unwrap(), Received::Message(Reply::HelloFriend));
//!
//! worker.send(Msg::Raise("heck".into())).unwrap();
//! let reason = worker.process().wait().await;
//! assert_eq!(reason.panic().unwrap().message(), "heck");
//! assert!(!shell.is_alive(), "the crash took the shell down with it");
//!
//! // A shell that traps exits gets the exit signal as a message, and lives.
//! let mut shell = Inbox::<Reply>::new();
//! shell.trap_exit(true);
//! let worker = start_link::<Redis>(shell.addr()).await.unwrap();
//! worker.send(Msg::Raise("heck".into())).unwrap();
//! let Received::Exit { from, reason } = shell.recv().await.unwrap() else { unreachable!() };
//! assert_eq!(from, worker.pid());
//! assert!(reason.is_failure());
//! assert!(shell.is_alive());
//! # }
//! ```
//!
//! # Processes
//!
//! - A process is a tokio task with a [`Pid`], a typed mailbox (unbounded unless a
//!   [`Mailbox::Bounded`] is asked for) and a control lane for signals, always served before
//!   the mailbox. Code outside any task uses an [`Inbox`], which plays Erlang's shell.
//! - [`ExitReason`]s: `Normal`, `Shutdown` and `ShutdownWith` are not failures; `Kill`,
//!   `Killed`, `NoProc`, a panic (message and `file:line:col`) and a handler's error are.
//! - Links are both ways: an abnormal exit kills linked processes that do not trap exits
//!   (`Normal` kills no one); a trapping process gets [`Received::Exit`] / `handle_exit`.
//!   `Kill` cannot be trapped. Monitors are one way and deliver a [`Down`]. Linking to or
//!   monitoring a dead process delivers the exit or `Down` at once with `NoProc`.
//! - The *current process* is the process task running the code, or else the newest open
//!   [`Inbox`] of the thread; [`start_link`] links to it and fails with
//!   [`StartError::NoCaller`] when there is none.
//! - A [`registry`] of names that vanish with their process, and [`timer`]s.
//!
//! # Workers
//!
//! A [`Worker`] is a GenServer: `init` (the start waits for it, as OTP's synchronous start
//! does), `handle_info`, `handle_call` with a [`ReplyTo`] (reply now or later),
//! `handle_cast`, `handle_exit`, `handle_down` and `terminate`. Calls time out after
//! [`DEFAULT_CALL_TIMEOUT`] (5 s) unless told otherwise, and never hang: a dead worker is
//! [`CallError::NoProc`] at once, a worker that dies while handling the call gives its
//! reason, a call to oneself is [`CallError::CallingSelf`].
//!
//! # Crash reports
//!
//! A panic in any callback is caught at the process boundary. The process exits with the
//! panic as its reason (linked processes and monitors are told first, so a supervisor can
//! restart it at once) and then an error event is logged through `tracing` with target
//! `supervise::crash` and the fields `pid`, `worker`, `reason`, `location`, `last_message`
//! and `state`. The last message and the state are shown in their `Debug` form when the
//! worker provides it ([`Worker::format_message`], [`Worker::format_state`]); otherwise
//! the report says plainly that they are not `Debug`. The state is the one left when the
//! callback panicked (and after `terminate` ran), which may differ from OTP, where it is
//! the state before the message. An abnormal stop (`Flow::Stop` with a failure, or a
//! handler's error) is reported the same way; a process killed by an exit signal is not.
//!
//! Design choices that differ from the BEAM, on purpose:
//! - `init` runs in the caller's task, as the new process, before the process's task is
//!   spawned: the start is synchronous exactly as in OTP, without a round trip.
//! - A failed `start_link` (init stopped, ignored or panicked) unlinks before the new
//!   process exits, so the caller learns of it from the result, not from an exit signal.

#![warn(missing_docs, missing_debug_implementations)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

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
pub mod supervisor;
pub use supervisor::{
    AutoShutdown, Backoff, ChildCount, ChildError, ChildId, ChildInfo, ChildPid, ChildSpec,
    ChildType, DynamicSupervisor, DynamicSupervisorSpec, Restart, Shutdown, SpecError, Stable,
    StableError, Strategy, Supervisor, SupervisorSpec, SupervisorStartError,
};
mod application;
pub use application::{AppExit, Application, RootSupervisor};

/// Writes a [`Worker`] from an `impl` block: see [`docs_worker`] for the guide and what it generates.
pub use supervise_macros::worker;
