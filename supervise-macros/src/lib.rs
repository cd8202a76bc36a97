//! Procedural macros of `supervise`. Use them through `supervise_runtime`, which re-exports
//! them; generated code names `::supervise_runtime` (see the `crate` argument to rename it).
//!
//! [`macro@worker`] turns an `impl` block into a GenServer-style worker:
//!
//! ```
//! use supervise_runtime::worker;
//!
//! /// Counts what it is told to.
//! #[derive(Debug)]
//! pub struct Counter { total: u64 }
//!
//! #[worker]
//! impl Counter {
//!     fn init(start: u64) -> Self { Counter { total: start } }
//!     /// Adds to the total.
//!     #[info] fn add(&mut self, n: u64) { self.total += n }
//!     /// The total so far.
//!     #[call] fn total(&self) -> u64 { self.total }
//! }
//!
//! // Generated, among others:
//! //   pub enum CounterMsg { Add { n: u64 } }
//! //   pub enum CounterCall { Total { reply: ReplyTo<u64> } }
//! //   pub struct CounterRef { .. } with .add(n), .total().await, .total().timeout(d).await
//! //   Counter::start(start).await, Counter::start_link(start).await
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let counter = Counter::start(40).await.unwrap();
//! counter.add(2).unwrap();
//! assert_eq!(counter.total().await, Ok(42));
//! # }
//! ```
//!
//! The runtime's `docs_worker` module is the full guide, with what is generated next to
//! each input.

mod ctxt;
mod tree;
mod worker;

use proc_macro::TokenStream;

/// Writes a `supervise_runtime::Worker` implementation, a message enum, call and cast
/// envelopes, a typed handle and `start`/`start_link` from an inherent `impl` block.
///
/// Arguments: `crate = path` (where the runtime is, default `::supervise_runtime`) and
/// `vis = visibility` (of the generated items, default `pub`).
///
/// ```
/// use supervise_runtime::{worker, Flow};
///
/// pub(crate) struct Echo;
///
/// #[worker(vis = pub(crate))]
/// impl Echo {
///     fn init() -> Self { Echo }
///     #[call] fn echo(&self, text: String) -> String { text }
///     #[cast] fn stop(&mut self) -> Flow { Flow::stop_normal() }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let echo = Echo::start().await.unwrap();
/// assert_eq!(echo.echo("hi").await.unwrap(), "hi");
/// echo.stop().unwrap();
/// # }
/// ```
#[proc_macro_attribute]
pub fn worker(args: TokenStream, item: TokenStream) -> TokenStream {
    worker::expand(args.into(), item.into()).into()
}

/// Declares a whole supervision tree in one block: see the runtime's `docs_tree` module
/// for the grammar, the rules and what each error says.
///
/// ```
/// use supervise_runtime::{supervision_tree, worker};
///
/// pub struct Cache { size: usize }
/// #[worker]
/// impl Cache {
///     fn init(size: usize) -> Self { Cache { size } }
///     #[call] fn size(&self) -> usize { self.size }
/// }
///
/// supervision_tree! {
///     /// The application.
///     pub App(size: usize): one_for_one(max_restarts = 3, within = 5s) {
///         cache: Cache::child_spec(size),
///         jobs: dynamic<Cache>(max_children = 100),
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app = App::start(1024).await.unwrap();
/// assert_eq!(app.count_children().await.unwrap().active, 2);
/// assert_eq!(AppChild::Cache.id(), "cache");
/// println!("{}", App::SHAPE);
/// app.stop().await;
/// # }
/// ```
#[proc_macro]
pub fn supervision_tree(input: TokenStream) -> TokenStream {
    tree::expand(input.into()).into()
}
