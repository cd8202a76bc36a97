//! # Guide: writing workers with `#[worker]`
//!
//! [`#[worker]`](crate::worker) goes on the inherent `impl` block of a worker's state type.
//! It reads the methods and writes the [`Worker`](crate::Worker) implementation, the message
//! enums, a typed handle, the start functions and a child spec for supervisors, so no
//! `match` on messages is written by hand.
//!
//! ## What you write
//!
//! ```
//! use supervise_runtime::{worker, Addr, Flow, Inbox, Received};
//!
//! #[derive(Debug)]
//! pub struct Worker { reply_to: Addr<Reply>, conn: String }
//!
//! #[derive(Debug, PartialEq)]
//! pub enum Reply { HelloFriend, Goodbye }
//!
//! #[worker]
//! impl Worker {
//!     fn init(reply_to: Addr<Reply>, conn: String) -> Self {
//!         Worker { reply_to, conn }
//!     }
//!     /// Stores a value and greets.
//!     #[info]
//!     fn store(&mut self, key: String, value: String) {
//!         let _ = (key, value);
//!         let _ = self.reply_to.send(Reply::HelloFriend);
//!     }
//!     #[info]
//!     fn shutdown(&mut self) -> Flow {
//!         let _ = self.reply_to.send(Reply::Goodbye);
//!         Flow::stop_normal()
//!     }
//!     #[info]
//!     fn raise(&mut self, message: String) { panic!("{message}") }
//!     #[call]
//!     fn lookup(&self, key: String) -> Option<String> {
//!         (key == "conn").then(|| self.conn.clone())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mut inbox = Inbox::<Reply>::new();
//! let w = Worker::start_link(inbox.addr(), "redis").await.unwrap();
//! w.store("foo", "bar").unwrap();
//! assert_eq!(inbox.recv().await.unwrap(), Received::Message(Reply::HelloFriend));
//! assert_eq!(w.lookup("conn").await.unwrap(), Some("redis".to_string()));
//! w.send(WorkerMsg::Shutdown).unwrap();
//! assert_eq!(inbox.recv().await.unwrap(), Received::Message(Reply::Goodbye));
//! # }
//! ```
//!
//! ## What it generates
//!
//! Written out by hand, this is what the block above adds (paths shortened; generated items
//! carry generated docs, and each handler's doc comments go on its variant and handle method):
//!
//! ```text
//! pub enum WorkerMsg {                      // one variant per #[info], named in UpperCamelCase
//!     /// Stores a value and greets.
//!     Store { key: String, value: String },
//!     Shutdown,
//!     Raise { message: String },
//! }
//! pub enum WorkerCall {                     // one variant per #[call], with its reply field
//!     Lookup { key: String, reply: ReplyTo<Option<String>> },
//! }
//! pub enum WorkerCast {}                    // one variant per #[cast] (none here)
//! // Debug for the three enums: fields whose types are Debug are shown, the others named
//! // ("<my::Type is not Debug>"), so crash reports always print the last message.
//!
//! impl Worker for Worker {
//!     type Args = (Addr<Reply>, String);    // init's parameters, in order
//!     type Info = WorkerMsg; type Call = WorkerCall; type Cast = WorkerCast;
//!     type Api<A: Address<Self>> = WorkerApi<A>;   // what the handle derefs to
//!     const SYNC_INIT: bool = true;         // false when `init` is an `async fn`
//!     // init, handle (one exhaustive match over every kind of message, calling your
//!     // methods; the trait's handle_info/handle_call/handle_cast are left to their
//!     // defaults), handle_exit/handle_down if you marked #[exit]/#[down] methods,
//!     // terminate if you wrote one, format_state (format_message is the trait's
//!     // default: the message's Debug)
//! }
//!
//! // The typed handle, over an address: Handle<Worker> (one incarnation, the default) or
//! // Following<Worker> (whichever incarnation is current). It is the runtime's generic
//! // RefOf, so Clone, Debug, PartialEq, Eq, AsProcess, From<A>, and the lookups by name
//! // are written once there, not per worker:
//! pub type WorkerRef<A = Handle<Worker>> = RefOf<Worker, A>;
//! //   WorkerRef::whereis(name: &str) -> Option<WorkerRef>           // OTP's whereis, typed
//! //   WorkerRef::named(name: &str) -> WorkerRef<Following<Worker>>  // calls by name
//!
//! // What the handle derefs to: the handler methods. It derefs in turn to the address,
//! // so `worker.pid()`, `worker.process()`, raw calls and `stop` come from the address.
//! pub struct WorkerApi<A>(A);
//! impl<A: Address<Worker>> WorkerApi<A> {
//!     pub fn store(&self, key: impl Into<String>, value: impl Into<String>) -> Result<(), SendError<WorkerMsg>>;
//!     pub fn shutdown(&self) -> Result<(), SendError<WorkerMsg>>;
//!     pub fn raise(&self, message: impl Into<String>) -> Result<(), SendError<WorkerMsg>>;
//!     pub fn lookup(&self, key: impl Into<String>) -> Call<'_, Worker, Option<String>>;  // 5 s; .timeout(d)
//! }
//! impl<A> Deref for WorkerApi<A> { type Target = A; }
//! impl<A> supervise_runtime::Addressed<A> for WorkerApi<A> {}  // from_address, address
//!
//! impl Worker {
//!     pub fn start(reply_to: Addr<Reply>, conn: impl Into<String>) -> Starting<Worker>; // Future<Output = Result<WorkerRef, StartError>>
//!     pub fn start_link(reply_to: Addr<Reply>, conn: impl Into<String>) -> Starting<Worker>; // Future<Output = Result<WorkerRef, StartError>>
//!     pub fn start_with(reply_to: Addr<Reply>, conn: impl Into<String>, options: StartOptions) -> Starting<Worker>;
//!     // For supervisors: every (re)start gets a clone of these arguments, so each must be
//!     // Clone (a compile error on the argument otherwise). Permanent, shutdown 5 000 ms.
//!     // Supervisor reports show them when all are Debug:
//!     //   Start Call: my_app::Worker::start_link(Addr(#PID<0.7.0>), "redis")
//!     // and `..` when one is not.
//!     pub fn child_spec(reply_to: Addr<Reply>, conn: impl Into<String>) -> ChildSpec<Worker>;
//! }
//!
//! // And one private import, through which the generated items name the runtime (short
//! // paths compile faster): `use supervise_runtime::__private as __Worker_supervise;`.
//! // What does not depend on the worker (formatting, lookups by name, the child spec of
//! // standard-type arguments) is generic code in the runtime that these items call.
//! ```
//!
//! ## Under a supervisor
//!
//! `child_spec` is OTP's `child_spec/1`: the start arguments and how to treat the child,
//! adjustable with the [`ChildSpec`](crate::ChildSpec) builders. A restarted child gets a
//! clone of the same arguments and a new pid.
//!
//! ```
//! use supervise_runtime::{worker, Addr, AsProcess, ChildPid, Context, DynamicSupervisor, Inbox, Pid, Received, Restart};
//!
//! pub struct Conn;
//!
//! #[worker]
//! impl Conn {
//!     fn init(started: Addr<Pid>, url: String, ctx: &Context<Self>) -> Self {
//!         let _ = (started.send(ctx.pid()), url);
//!         Conn
//!     }
//!     #[info]
//!     fn raise(&mut self, message: String) { panic!("{message}") }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mut started = Inbox::<Pid>::new();
//! let sup = DynamicSupervisor::start(Default::default()).await.unwrap();
//! let spec = Conn::child_spec(started.addr(), "redis://").restart(Restart::Transient);
//! let conn: ConnRef = sup.start_child(spec).await.unwrap();
//! assert_eq!(started.recv().await.unwrap(), Received::Message(conn.pid()));
//!
//! conn.raise("heck").unwrap(); // logged as a crash report; transient: restarted
//! let Ok(Received::Message(new)) = started.recv().await else { unreachable!() };
//! assert_ne!(new, conn.pid());
//! assert_eq!(sup.which_children().await.unwrap()[0].pid, ChildPid::Running(new));
//! # }
//! ```
//!
//! ## The rules
//!
//! - **`init`** (unmarked, by name) builds the state. Its parameters are the start
//!   arguments. It returns `Self`, `Result<Self, E>` (`Err` fails the start with `E` as the
//!   reason: [`StartError::Stopped`](crate::StartError::Stopped)) or
//!   [`Init<Self>`](crate::Init) (to `Ignore`).
//! - **`#[info]`**, **`#[call]`**, **`#[cast]`** mark handlers (GenServer's `handle_info`,
//!   `handle_call`, `handle_cast`). Each takes `&mut self` or `&self`; its other parameters
//!   become the fields of its variant and must be plain names of owned, `Send` types.
//! - **`terminate`** (unmarked, optional) takes `&mut self`, optionally `reason:
//!   &ExitReason` and the context. It runs when a handler returns `Flow::Stop` or
//!   panics, and on [`Handle::stop`](crate::Handle::stop). On its supervisor's shutdown it
//!   runs **only when the worker traps exits** (`ctx.trap_exit(true)` in `init`), as in
//!   OTP: a worker that does not trap exits is killed by the shutdown signal at once, and
//!   its `terminate` does not run. Killed (`brutal_kill`, a shutdown timeout run out), no
//!   worker runs it.
//! - **`format_status`** (unmarked, optional): `fn format_status(&self) -> impl Debug`
//!   says what crash reports and the observer ([`observe::state`](crate::observe::state))
//!   show of the state, instead of its `Debug` (Elixir's `format_status`, or `@derive
//!   {Inspect, except: [:password]}`): return a view that leaves the secrets out. It covers
//!   the state only: a supervisor report's `Start Call` shows the start arguments, so a
//!   secret passed to `init` needs a type whose `Debug` redacts it (see "Start arguments"
//!   below). A view read only through `Debug` may need `#[allow(dead_code)]`: rustc does
//!   not count `Debug` as reading its fields.
//!
//!   ```
//!   use supervise_runtime::worker;
//!   pub struct Conn { user: String, password: String }
//!   #[derive(Debug)]
//!   pub struct ConnView<'a> { user: &'a str, password: &'static str }
//!   #[worker]
//!   impl Conn {
//!       fn init(user: String, password: String) -> Self { Conn { user, password } }
//!       fn format_status(&self) -> ConnView<'_> {
//!           ConnView { user: &self.user, password: "<redacted>" }
//!       }
//!   }
//!   # use supervise_runtime::Worker;
//!   let conn = Conn { user: "ada".into(), password: "hunter2".into() };
//!   let mut shown = String::new();
//!   conn.format_state(&mut shown).unwrap();
//!   assert_eq!(shown, r#"ConnView { user: "ada", password: "<redacted>" }"#);
//!   # let _ = &conn.password;
//!   ```
//! - **`#[exit]`** and **`#[down]`** (optional, at most one of each) mark the handlers of
//!   trapped exit signals (`fn on_exit(&mut self, from: Pid, reason: ExitReason)`) and of
//!   monitors' `Down`s (`fn on_down(&mut self, down: Down)`), each optionally taking the
//!   context and returning what a message handler does. They become
//!   [`Worker::handle_exit`](crate::Worker::handle_exit) and
//!   [`Worker::handle_down`](crate::Worker::handle_down); see
//!   [Exits and monitors](#exits-and-monitors).
//! - **Sync or async**: any of these may be an `async fn`.
//! - **The context**: a parameter of type `&mut Context<Self>` or `&Context<Self>` (found by
//!   its type, anywhere in the list) receives the process's [`Context`](crate::Context): its
//!   pid, timers, links, monitors.
//! - **What a handler returns**: nothing continues; [`Flow`](crate::Flow) may stop with a
//!   reason; `Result<(), E>` or `Result<Flow, E>` crashes on `Err(e)` with `e` as the exit
//!   reason (an `ExitReason` as it is, a `std::error::Error + Send + Sync` kept as the source,
//!   anything else `Display` by its text).
//! - **Calls reply with their return value.** A call returning `Result<T, E>` replies with
//!   the whole `Result` and keeps running, as a GenServer replying `{error, _}` does: the
//!   caller decides. To reply later, or to reply and then stop, take a `ReplyTo<T>` parameter
//!   instead (a deferred reply) and return nothing, `Flow` or `Result<(), E>`.
//! - **Start arguments** are `Send`, and `Clone`: `child_spec` keeps them and each start
//!   under a supervisor gets a clone (share what cannot be cloned in an `Arc`, or write
//!   `#[worker(child_spec = false)]` for a worker only ever started by hand). When all of
//!   them are `Debug`, supervisor reports print them in `Start Call`, as OTP does: give a
//!   secret a type whose `Debug` redacts it (or no `Debug`, which prints `..` instead).
//! - **Handle arguments**: `String` parameters take `impl Into<String>` (so `"foo"` works);
//!   all others take their exact type, because `impl Into` would break integer literals and
//!   unsizing coercions.
//! - **Names**: variants are the handler names in UpperCamelCase (`store_value` ->
//!   `StoreValue`); two handlers of one kind may not map to one variant, and a handler may not
//!   take the name of a handle method (`pid`, `is_alive`, `send`, `whereis`, `named`). In a call replying by value, `reply` names the reply
//!   field, so no argument may be called `reply`.
//! - **Generic state types are not supported**: `impl<T> Worker<T>` is a compile error. The
//!   generated enums and handle need one concrete type; write the block for a concrete type
//!   (`impl Worker<u32>` works, as does a newtype).
//! - **Arguments**: `crate = path` when the runtime is renamed (`#[worker(crate = ::my_rt)]`),
//!   `vis = visibility` for the generated items (default `pub`; it must be at least as visible
//!   as the state type, since the enums appear in its `Worker` impl), `child_spec = false`
//!   to generate no `child_spec` (start arguments then need not be `Clone`).
//!
//! Breaking a rule is a compile error pointing at the offending tokens, never a panic.
//!
//! ## Every handler shape
//!
//! ```
//! use std::time::Duration;
//! use supervise_runtime::{worker, Context, ExitReason, Flow, ReplyTo};
//!
//! pub struct Shapes { n: u64, parked: Vec<ReplyTo<u64>> }
//!
//! #[worker]
//! impl Shapes {
//!     async fn init(n: u64, ctx: &mut Context<Self>) -> Result<Self, String> {
//!         let _ = ctx.pid();
//!         if n == 13 { return Err("unlucky".into()) }
//!         Ok(Shapes { n, parked: Vec::new() })
//!     }
//!     #[info] async fn add(&mut self, k: u64) { self.n += k }
//!     #[info] fn later(&mut self, ctx: &mut Context<Self>) {
//!         ctx.send_after(ShapesMsg::Add { k: 1 }, Duration::from_millis(10));
//!     }
//!     #[info] fn check(&mut self) -> Result<(), std::io::Error> {
//!         if self.n > 100 { return Err(std::io::Error::other("too big")) }
//!         Ok(())
//!     }
//!     #[cast] fn stop(&mut self) -> Flow { Flow::Stop(ExitReason::shutdown_with("asked")) }
//!     #[call] fn get(&self) -> u64 { self.n }
//!     #[call] fn half(&self) -> Result<u64, String> {
//!         if self.n % 2 == 0 { Ok(self.n / 2) } else { Err("odd".into()) }
//!     }
//!     #[call] fn wait(&mut self, reply: ReplyTo<u64>) { self.parked.push(reply) }
//!     #[info] fn release(&mut self) { for r in self.parked.drain(..) { r.reply(self.n) } }
//!     fn terminate(&mut self, reason: &ExitReason) { let _ = reason; }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let s = Shapes::start(4).await.unwrap();
//! s.add(2).unwrap();
//! assert_eq!(s.get().await, Ok(6));
//! assert_eq!(s.half().await, Ok(Ok(3)));
//! let waiting = { let s = s.clone(); tokio::spawn(async move { s.wait().await }) };
//! tokio::task::yield_now().await;
//! s.release().unwrap();
//! assert_eq!(waiting.await.unwrap(), Ok(6));
//! assert!(Shapes::start(13).await.is_err());
//! # }
//! ```
//!
//! ## Exits and monitors
//!
//! A worker that calls [`ctx.trap_exit(true)`](crate::Context::trap_exit) receives the exit
//! signals of its links as messages instead of dying of them, and one that
//! [monitors](crate::Context::monitor) a process receives a [`Down`](crate::Down) when it
//! exits. By default a trapped exit from the parent (the supervisor, or whoever started the
//! worker linked) stops the worker with the same reason, other exits are ignored, and
//! `Down`s are ignored. Mark a method `#[exit]` or `#[down]` to handle them yourself.
//!
//! **An `#[exit]` handler replaces the default entirely**, including "stop when the parent
//! exits": a handler that ignores its parent's `shutdown` is killed when its supervisor's
//! shutdown timeout runs out, and `terminate` never runs. Keep the default for the parent
//! with one line at the top:
//!
//! ```text
//! if Some(from) == ctx.parent() { return Flow::Stop(reason) }
//! ```
//!
//! ```
//! use supervise_runtime::{worker, AsProcess, Context, Down, ExitReason, Flow, Inbox, Pid, ProcessRef};
//!
//! /// Watches two processes: linked to one, monitoring the other.
//! pub struct Guard { lost: Vec<Pid> }
//!
//! #[worker]
//! impl Guard {
//!     fn init(peer: ProcessRef, watched: ProcessRef, ctx: &mut Context<Self>) -> Self {
//!         ctx.trap_exit(true);
//!         ctx.link(&peer);
//!         ctx.monitor(&watched);
//!         Guard { lost: Vec::new() }
//!     }
//!     #[exit]
//!     fn on_exit(&mut self, from: Pid, reason: ExitReason, ctx: &Context<Self>) -> Flow {
//!         if Some(from) == ctx.parent() {
//!             return Flow::Stop(reason); // as the default does: the supervisor says stop
//!         }
//!         self.lost.push(from);
//!         Flow::Continue
//!     }
//!     #[down]
//!     fn on_down(&mut self, down: Down) {
//!         self.lost.push(down.pid);
//!     }
//!     #[call]
//!     fn lost(&self) -> Vec<Pid> { self.lost.clone() }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let (peer, watched) = (Inbox::<()>::new(), Inbox::<()>::new());
//! let guard = Guard::start(peer.process(), watched.process()).await.unwrap();
//! peer.process().exit(ExitReason::error("peer broke"));
//! watched.process().exit(ExitReason::error("gone"));
//! assert_eq!(guard.lost().await, Ok(vec![peer.pid(), watched.pid()]));
//! # }
//! ```
