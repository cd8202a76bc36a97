//! Supervisors: [`Supervisor`] (static children, OTP's `supervisor`) and
//! [`DynamicSupervisor`] (children started at run time, Elixir's `DynamicSupervisor`).
//!
//! # How a crash flows through a supervisor
//!
//! A supervisor is a [`Worker`](crate::Worker) that traps exits. It starts each child with
//! `start_link` from inside its own process, so every child is linked to it and
//! `start_child` returns only after the child's `init` ran.
//!
//! 1. A child panics (or stops, or is killed). Its process exits, and the link delivers
//!    an exit signal to the supervisor, which, trapping exits, receives it in
//!    `handle_exit` ahead of any queued request.
//! 2. The supervisor finds the child by pid and consults the restart table
//!    (restart type x exit reason): a permanent child is always restarted, a transient
//!    one only after an abnormal exit, a temporary one never (its spec is dropped).
//!    A child terminating abnormally gets a supervisor report through `tracing`
//!    (target `supervise::supervisor`).
//! 3. A restart is counted in the intensity window (a ring of the last `max_restarts`
//!    restart times, so O(1) whatever the history). One restart too many: the supervisor
//!    reports it loudly, stops all children in reverse start order and exits with
//!    `shutdown`, which its own supervisor sees as a child failure (escalation).
//! 4. Otherwise the strategy runs: `OneForOne` starts the child again; `OneForAll` stops
//!    the others in reverse start order and starts all in start order; `RestForOne` does
//!    the same for the children started after it. A failed restart marks the child
//!    restarting and is retried through the supervisor's mailbox, counting again, so a
//!    child that cannot start exhausts the intensity instead of looping.
//! 5. The new incarnation has a new pid. [`Following`](crate::Following) handles and
//!    registered names (`ChildSpec::name`) follow it.
//!
//! Stopping a child: unlink, send `shutdown` (or `kill` for `BrutalKill`), wait up to the
//! shutdown time, then `kill`. A static supervisor stops its children one at a time in
//! reverse start order; a dynamic one signals all at once and then waits, linear in N.
//! A supervisor exits when its parent does (the exit from its parent arrives in
//! `handle_exit`), so trees nest to any depth.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use std::convert::Infallible;
//! use supervise_runtime::{AsProcess, ChildPid, ChildSpec, Context, ExitReason, Init, Strategy, Supervisor, SupervisorSpec, Worker};
//! struct Idle;
//! impl Worker for Idle {
//!     type Args = (); type Info = Infallible; type Call = Infallible; type Cast = Infallible; type Api<A: supervise_runtime::Address<Self>> = A;
//!     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Idle) }
//! }
//! let spec = SupervisorSpec::new(Strategy::OneForOne).child(ChildSpec::<Idle>::worker(()).id("idle"));
//! let sup = Supervisor::start(spec).await.unwrap();
//! let before = sup.which_children().await.unwrap()[0].pid.pid().unwrap();
//! let stable = sup.child::<Idle>("idle").await.unwrap();
//! let child = stable.current().unwrap().process();
//! child.exit(ExitReason::error("crash"));
//! child.wait().await; // its exit signal reached the supervisor before this returned
//! let after = sup.which_children().await.unwrap()[0].pid;
//! assert!(matches!(after, ChildPid::Running(pid) if pid != before));
//! # }
//! ```

mod api;
mod decide;
mod dynamic;
mod flags;
mod info;
mod report;
mod server;
mod spec;
mod stop;

pub use dynamic::{DynamicInfo, DynamicRequest, DynamicSupervisor};
pub use flags::{
    AutoShutdown, Backoff, DynamicSupervisorSpec, SpecError, Strategy, SupervisorSpec,
};
pub use info::{ChildCount, ChildError, ChildInfo, ChildPid, Children, SupervisorStartError};
pub use server::{Supervisor, SupervisorInfo, SupervisorRequest};
pub use spec::{ChildId, ChildSpec, ChildType, Restart, Shutdown};
