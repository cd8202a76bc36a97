//! Erlang/OTP supervision trees for Rust, on tokio.
//!
//! `supervise` brings the process model an Erlang engineer relies on to tokio: processes
//! with pids and typed mailboxes, links and monitors, exit signals that can be trapped,
//! crash reports, GenServer-style workers, and supervisors that restart them.
//!
//! # The story
//!
//! Elixir's `DynamicSupervisor` story, told in Rust (`cargo run --example
//! dynamic_supervision` prints it). A worker is started with `(reply_to, "redis")`. Sent
//! `store` it answers `HelloFriend`; sent `shutdown` it answers `Goodbye` and stops
//! normally; sent `raise("heck")` it crashes. [`#[worker]`](macro@worker) writes the
//! message enum, the typed handle (`worker.store(..)`), `start_link` and `child_spec`.
//!
//! Started with `start_link` from the shell, its crash takes the linked shell down.
//! Started under a [`DynamicSupervisor`] (the application's tree, declared in one block
//! with [`supervision_tree!`]), the crash is logged as a report (reason, where it
//! panicked, the last message, the state; see [Crash reports](#crash-reports)), the
//! supervisor starts a replacement with a new pid, `which_children` shows it, and the
//! caller lives on with the same pid.
//!
//! ```
//! use supervise_runtime::{supervision_tree, worker, Addr, AsProcess, ChildPid, Flow, Inbox, Received};
//!
//! #[derive(Debug, PartialEq)]
//! pub enum Reply { HelloFriend, Goodbye }
//!
//! #[derive(Debug)]
//! pub struct Worker { reply_to: Addr<Reply>, conn: String }
//!
//! #[worker]
//! impl Worker {
//!     fn init(reply_to: Addr<Reply>, conn: String) -> Self { Worker { reply_to, conn } }
//!     #[info]
//!     fn store(&mut self, key: String, value: String) {
//!         let _ = self.reply_to.send(Reply::HelloFriend);
//!     }
//!     #[info]
//!     fn shutdown(&mut self) -> Flow {
//!         let _ = self.reply_to.send(Reply::Goodbye);
//!         Flow::stop_normal()
//!     }
//!     #[info]
//!     fn raise(&mut self, message: String) { panic!("{message}") }
//! }
//!
//! // The application: a tree whose root starts a DynamicSupervisor of workers.
//! supervision_tree! {
//!     pub App: one_for_one {
//!         workers: dynamic<Worker>,
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! // The shell: code outside any process opens an inbox, which start_link links to.
//! let mut shell = Inbox::<Reply>::new();
//! let worker = Worker::start_link(shell.addr(), "redis").await.unwrap();
//! worker.store("key", "value").unwrap();
//! assert_eq!(shell.recv().await.unwrap(), Received::Message(Reply::HelloFriend));
//! worker.raise("heck").unwrap();
//! worker.process().wait().await;
//! assert!(!shell.is_alive(), "the crash took the linked shell down");
//!
//! // Under a DynamicSupervisor: the crash is reported and the worker replaced.
//! let mut shell = Inbox::<Reply>::new();
//! let caller = shell.pid();
//! let app = App::start_link().await.unwrap();
//! let sup = app.workers(); // the tree's typed accessor: it starts `Worker`s
//! let worker = sup.start_child(Worker::child_spec(shell.addr(), "redis")).await.unwrap();
//! let count = sup.count_children().await.unwrap();
//! assert_eq!((count.active, count.specs, count.supervisors, count.workers), (1, 1, 0, 1));
//!
//! worker.raise("heck").unwrap();
//! worker.process().wait().await; // the supervisor restarted it before this returns
//! let children = sup.which_children().await.unwrap();
//! let ChildPid::Running(new) = children[0].pid else { unreachable!() };
//! assert_ne!(new, worker.pid());
//! assert!(shell.is_alive());
//! assert_eq!(shell.pid(), caller);
//!
//! // A permanent child is restarted even after a normal exit.
//! let worker = children[0].worker::<Worker>().unwrap();
//! worker.shutdown().unwrap();
//! assert_eq!(shell.recv().await.unwrap(), Received::Message(Reply::Goodbye));
//! worker.process().wait().await;
//! assert_ne!(sup.which_children().await.unwrap()[0].pid, ChildPid::Running(new));
//! # }
//! ```
//!
//! A shell that traps exits ([`Inbox::trap_exit`]) gets a linked crash as a
//! [`Received::Exit`] message instead, and lives on.
//!
//! # Where to go next
//!
//! - [`docs_worker`]: writing workers with [`#[worker]`](macro@worker), and everything it
//!   generates; the [`Worker`] trait underneath, for writing one by hand.
//! - [`docs_tree`]: [`supervision_tree!`], the whole tree in one block, its accessors and
//!   the compile errors of a wrong block.
//! - [`supervisor`]: [`Supervisor`] (static children, strategies, intensity) and
//!   [`DynamicSupervisor`]; children are described by a [`ChildSpec`].
//! - [`Application`]: the root of a tree, stopped in order on SIGINT/SIGTERM, exiting
//!   non-zero when the root gives up.
//! - [`observe`]: a live tree as plain data (a snapshot with each process's mailbox,
//!   messages handled, restarts and last exit), a worker's state on request, and a
//!   stream of lifecycle events, for a terminal, a page or metrics.
//!
//! # Processes
//!
//! - Everything runs on a tokio runtime with its time driver (`enable_time`, or
//!   `enable_all`, as `#[tokio::main]` and `#[tokio::test]` do): call and shutdown
//!   timeouts, restart intensity and [`timer`]s use it.
//! - A process is a tokio task with a [`Pid`], a typed mailbox (unbounded unless a
//!   [`Mailbox::Bounded`] is asked for) and a control lane for signals, always served before
//!   the mailbox. Code outside any task uses an [`Inbox`], which plays Erlang's shell.
//! - A started worker gets its task when it first has something to do: its first message
//!   or signal spawns it, on the runtime it was started in, whoever sends. Until then it
//!   is waiting for its first message, as far as anyone can tell, and costs no task. A
//!   start, and so a restart, makes no new task ready (unless a message or signal came
//!   during `init`). Killed before its first message, it dies at once where the signal
//!   arrives (its links and monitors are told, then its state is dropped) rather than being
//!   spawned only to die.
//! - When a runtime shuts down (is dropped), every process of it exits with
//!   [`ExitReason::Killed`], with or without a task: its links and monitors are told, its
//!   names freed, whoever waits on it (`wait`, a call from another runtime) returns. Its
//!   `terminate` does not run: tokio drops its task without polling it again.
//! - [`ExitReason`]s: `Normal`, `Shutdown` and `ShutdownWith` are not failures; `Kill`,
//!   `Killed`, `NoProc`, a panic (message and `file:line:col`) and a handler's error are.
//! - Links are both ways: an abnormal exit kills linked processes that do not trap exits
//!   (`Normal` kills no one); a trapping process gets [`Received::Exit`] / `handle_exit`.
//!   `Kill` cannot be trapped. Monitors are one way and deliver a [`Down`]. Linking to or
//!   monitoring a dead process delivers the exit or `Down` at once with `NoProc`.
//! - The *current process* (what [`start_link`] links to, and who a call is from) is the
//!   process whose task runs the code; in a plain tokio task, the [`Inbox`] whose
//!   [`Inbox::run`] runs the future; outside any task (`main`, a test), the newest open
//!   inbox of the thread. [`start_link`] fails with [`StartError::NoCaller`] when there
//!   is none.
//! - A [`registry`] of names that vanish with their process, and [`timer`]s.
//!
//! # Handles
//!
//! Every door that gives a worker gives its typed handle, with a method per handler:
//! `Counter::start(..)`, `start_link`, [`DynamicSupervisor`]'s `start_child`,
//! [`Supervisor`]'s `start_child` and `child`, `CounterRef::whereis(name)`,
//! [`ChildInfo::worker`] and [`ProcessRef::worker`] for what `which_children` lists,
//! [`Context::handle`] for a worker's own. No conversion is written. (A trapped exit or a
//! `Down` carries the pid of a process that is gone: there is nothing to call, so it is
//! compared with the handles one kept, as in OTP.)
//!
//! How: every door returns the runtime's [`RefOf<W, A>`](RefOf), the typed handle of
//! worker `W` over an [`Address`] `A`; `#[worker]` names it `CounterRef<A>` (a type alias).
//! `RefOf` derefs to the worker's [`Api`](Worker::Api): for `#[worker]`, the generated
//! `CounterApi<A>`, with one method per handler. So what does not depend on the worker
//! (`Clone`, `Debug`, `PartialEq`, `From<A>`, `whereis`, `named`) is written once in the
//! runtime, and what `#[worker]` generates per worker is only the handler methods (which
//! keeps `cargo check` fast in crates of many workers). `RefOf` has no methods of its own
//! (its trait methods, `clone`, `eq`, `ne`, `process`, are names `#[worker]` refuses for a
//! handler), so a method call always reaches the handler it names. There are two addresses,
//! so two flavours with the same handler methods (what the address itself offers differs:
//! `pid()` is a `Pid` on one incarnation, an `Option<Pid>` on a following handle):
//!
//! | flavour | type | after a restart | like OTP's |
//! |---|---|---|---|
//! | one incarnation | `CounterRef` = `CounterRef<Handle<Counter>>` | `NoProc`: that process is gone | a pid |
//! | follows restarts | `CounterRef<Following<Counter>>` | reaches the new incarnation | a registered name |
//!
//! `CounterApi` derefs in turn to the address, so `pid()`, `process()`, raw `call`s,
//! `stop` and (for a [`Following`]) `current()` are there too; `.into()` turns a handle
//! back into its plain address. A following handle comes from
//! `Supervisor::child(id)`, `DynamicSupervisor::start_child_following(spec)` (keyed by the
//! child itself: the supervisor publishes each incarnation into it, see
//! [`ChildSpec::publish`]), `CounterRef::named(name)` (keyed by a name, looked up at each
//! operation as OTP does), or a tree's accessors. What it does while its child restarts
//! differs from OTP, on purpose: a call waits for the next incarnation within its own
//! timeout instead of failing with `noproc`; a send or cast never waits and hands the
//! message back as [`SendError::Restarting`] (or `NoProc` once the child is gone for
//! good). A worker written by hand with `type Api<A: Address<Self>> = A` gets a `RefOf`
//! that derefs straight to the runtime's [`Handle`] or [`Following`].
//!
//! # Workers
//!
//! A [`Worker`] is a GenServer: `init` (the start waits for it, as OTP's synchronous start
//! does), `handle_info`, `handle_call` with a [`ReplyTo`] (reply now or later),
//! `handle_cast`, `handle_exit`, `handle_down` and `terminate`. Calls time out after
//! [`DEFAULT_CALL_TIMEOUT`] (5 s) unless told otherwise, and never hang: a dead worker is
//! [`CallError::NoProc`] at once, a worker that dies while handling the call gives its
//! reason, a call to oneself is [`CallError::CallingSelf`]. A timeout arms no timer per
//! call: the call's reply slot is handed to a deadline keeper task of its thread and
//! runtime (a thread that runs several runtimes has one in each; a plain thread outside
//! any runtime uses one program-wide keeper on a thread of its own), which expires it if
//! it is still unanswered at its deadline. A timeout never fires early; one
//! of a second or more (the default) reads no clock either, and fires at most about 5 ms
//! late (see [`Handle::call_timeout`]). [`Handle::call_infinity`] is
//! OTP's `infinity`: no deadline, for calls that may legitimately take long (supervisors'
//! own APIs are called that way).
//!
//! # Crash reports
//!
//! A panic in any callback is caught at the process boundary. The process exits with the
//! panic as its reason (linked processes and monitors are told first, so a supervisor can
//! restart it at once) and then the report is logged through `tracing`: its text, as OTP
//! prints it, in an `ERROR` event with target `supervise::crash`, and the same facts as
//! fields (`pid`, `worker`, `reason`, `location`, `last_message`, `state`) in a `DEBUG`
//! event right after it with target `supervise::crash::fields`, for JSON, OpenTelemetry or
//! metrics layers (turn it on with `supervise::crash::fields=debug`). So a plain
//! `tracing_subscriber::fmt().init()` prints each report once. Supervisor reports do the
//! same (`supervise::supervisor` and `supervise::supervisor::fields`). The last message is shown in its `Debug` form (every
//! message type is `Debug`; [`Worker::format_message`] can say less), the state in its
//! `Debug` form when it has one ([`Worker::format_state`]); otherwise the report says
//! plainly that it is not `Debug`. The state is the one left when the
//! callback panicked (and after `terminate` ran), which may differ from OTP, where it is
//! the state before the message. An abnormal stop (`Flow::Stop` with a failure, or a
//! handler's error) is reported the same way; a process killed by an exit signal is not.
//! The report is formatted only when a subscriber listens to that target, and so is the
//! `Debug` form of each message a worker handles: without a subscriber, no message is
//! formatted for a report nobody would read (a subscriber installed later sees
//! `<not recorded>` for a message handled before it). When none listens, the panic goes
//! to the panic hook that was installed before (by default it prints to stderr), so a
//! crash is never silent.
//!
//! User code called while a report is written (the state's and messages' `Debug`, the
//! start arguments' `Debug`, a reason's `Display`) may panic: the report then shows
//! `<formatting panicked: ..>` in that field and is still written, and the process
//! writing it (a supervisor, above all) lives on. A message's `Debug` is called only for
//! a report, so one that panics never crashes the worker. A `terminate` that panics
//! runs once, and the panic is the exit reason; a queued message whose `Drop` panics
//! is dropped inside the process boundary, so the process still exits and is reported.
//!
//! # Dropped means exited
//!
//! A process never outlives the code that was to run it:
//! - A start future dropped while `init` awaits (a cancelled `start`, `start_link`,
//!   `Supervisor::start`, or a supervisor killed while it restarts a child) ends the new
//!   process with `Shutdown`, unlinked from its starter first: its name is free again, and
//!   whatever its `init` had started (linked to it) goes with it.
//! - A process whose runtime is dropped exits with `Killed` (see [Processes](#processes)).
//! - A supervisor's `stop` waits for room in a full bounded mailbox rather than dropping
//!   the request; a DynamicSupervisor monitors, while it stops them, the children that
//!   unlinked themselves, before or during the stop (their exits would not come back
//!   through the link), and does not list a child that unlinked itself and died.
//! - No `Down` arrives once `demonitor` returned true (as in OTP).
//!
//! Design choices that differ from the BEAM, on purpose:
//! - `init` runs in the caller's task, as the new process, before the process's task is
//!   spawned: the start is synchronous exactly as in OTP, without a round trip.
//! - A failed `start_link` (init stopped, ignored or panicked) unlinks before the new
//!   process exits, so the caller learns of it from the result, not from an exit signal.

#![warn(missing_docs, missing_debug_implementations)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

// Lets the crate's own tests use `#[worker]`, which names the crate by its path.
#[cfg(test)]
extern crate self as supervise_runtime;

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

pub mod docs_tree;
pub mod docs_worker;
pub mod observe;
pub mod tree;

pub use inbox::{Inbox, RecvError};
pub use pid::{Pid, Ref};
pub use process::{Addr, AsProcess, Down, Mailbox, ProcessRef, Received, SendError};
pub use reason::{ExitReason, PanicReason};
pub use registry::RegisterError;
pub use worker::{
    Address, Addressed, Call, CallError, Context, DEFAULT_CALL_TIMEOUT, Envelope, Flow,
    FollowError, Following, Handle, Init, MessageOf, RefOf, ReplyTo, StartError, StartOptions,
    Starting, Worker, start, start_link, start_with,
};

pub mod supervisor;
pub use supervisor::{
    AutoShutdown, Backoff, ChildCount, ChildError, ChildId, ChildInfo, ChildPid, ChildSpec,
    ChildType, DynamicSupervisor, DynamicSupervisorSpec, Restart, Shutdown, SpecError, Strategy,
    Supervisor, SupervisorSpec, SupervisorStartError,
};
mod application;
pub use application::{AppExit, Application, RootSupervisor};

/// Writes a [`Worker`] from an `impl` block: see [`docs_worker`] for the guide and what it generates.
pub use supervise_macros::worker;

/// Declares a whole supervision tree in one block: see [`docs_tree`] for the guide.
pub use supervise_macros::supervision_tree;
