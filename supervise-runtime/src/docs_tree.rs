//! # `supervision_tree!`: a whole tree in one block
//!
//! The reference for [`supervision_tree!`](crate::supervision_tree): the grammar, what is
//! generated, the rules the block must follow and what each mistake says. Written for
//! readers of Elixir's
//! `Supervisor.init(children, strategy: :one_for_one, max_restarts: 3, max_seconds: 5)`.
//!
//! ```
//! use std::path::PathBuf;
//! use supervise_runtime::{supervision_tree, worker, Flow};
//!
//! pub struct Redis { url: String }
//! #[worker]
//! impl Redis {
//!     fn init(url: String) -> Self { Redis { url } }
//!     #[call] fn url(&self) -> String { self.url.clone() }
//! }
//! pub struct Reader;
//! #[worker]
//! impl Reader { fn init(_path: PathBuf) -> Self { Reader } }
//! pub struct Writer;
//! #[worker]
//! impl Writer {
//!     fn init() -> Self { Writer }
//!     #[info] fn done(&mut self) -> Flow { Flow::stop_normal() }
//! }
//! pub struct Job;
//! #[worker]
//! impl Job { fn init(_n: u32) -> Self { Job } }
//!
//! supervision_tree! {
//!     /// A cache of its own, nested below.
//!     pub Cache(url: String): one_for_all {
//!         redis: Redis::child_spec(url),
//!     }
//! }
//!
//! supervision_tree! {
//!     /// The application.
//!     pub App(redis_url: String, path: PathBuf): one_for_one(max_restarts = 3, within = 5s) {
//!         redis:    Redis::child_spec(redis_url),
//!         jobs:     dynamic<Job>(max_children = 10_000),
//!         any:      dynamic(max_children = 5, within = 1s),
//!         pipeline: rest_for_one(max_restarts = 5, within = 1m, auto_shutdown = any_significant) {
//!             reader: Reader::child_spec(path),
//!             writer: Writer::child_spec() ; restart = transient, shutdown = 5s, significant = true,
//!         },
//!         other:    tree Cache(redis_url),
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! // The shape is known without starting anything.
//! assert_eq!(App::SHAPE.to_string(), "\
//! App: one_for_one (3 restarts in 5s)
//!   redis: Redis
//!   jobs: dynamic<Job> (max_children 10000, 3 restarts in 5s)
//!   any: dynamic (max_children 5, 3 restarts in 1s)
//!   pipeline: rest_for_one (5 restarts in 1m, auto_shutdown any_significant)
//!     reader: Reader
//!     writer: Writer [transient, significant]
//!   other: Cache: one_for_all (3 restarts in 5s)
//!     redis: Redis
//! ");
//! let app = App::start("redis://localhost".into(), "/tmp/in".into()).await.unwrap();
//! // Every named child has an accessor, at every depth, with its worker's methods.
//! assert_eq!(app.redis().url().await.unwrap(), "redis://localhost");
//! assert_eq!(app.other().redis().url().await.unwrap(), "redis://localhost");
//! let job = app.jobs().start_child(Job::child_spec(7)).await.unwrap(); // a JobRef
//! assert_eq!(app.pipeline().count_children().await.unwrap().workers, 2);
//! // The supervisors' API takes the children's ids as enums.
//! app.terminate_child(AppChild::Redis).await.unwrap();
//! app.restart_child(AppChild::Redis).await.unwrap();
//! assert_eq!(app.redis().url().await.unwrap(), "redis://localhost", "the accessor follows");
//! app.pipeline().terminate_child(AppPipelineChild::Writer).await.unwrap();
//! app.stop().await;
//! # let _ = job;
//! # }
//! ```
//!
//! ## Grammar
//!
//! ```text
//! block      := ("#![crate = " path "]")?  tree
//! tree       := attr* vis Name ("(" param,* ")")? ":" supervisor
//! param      := ident ":" Type
//! supervisor := strategy ("(" option,* ")")? "{" child,* "}"
//! strategy   := one_for_one | one_for_all | rest_for_one
//! child      := doc* name ":" body (";" override ("," override)*)?
//! body       := supervisor                                  -- nested, inline, any depth
//!             | "dynamic" ("<" Type ">")? ("(" option,* ")")?
//!             | "tree" Path "(" expr,* ")"                  -- another tree type
//!             | (Type "=")? expr                            -- a worker's ChildSpec<W>
//! option     := key "=" value
//! duration   := integer literal with a unit suffix: 500ms | 5s | 1m
//! ```
//!
//! Options of a static supervisor (in the parentheses after its strategy):
//!
//! | option | value | default |
//! |---|---|---|
//! | `max_restarts` | a count (`u32`) | 3 |
//! | `within` | a duration, not zero (OTP's `max_seconds`, finer) | `5s` |
//! | `auto_shutdown` | `never`, `any_significant`, `all_significant` | `never` |
//! | `backoff` | `base..max`, two durations (`100ms..5s`): see [`Backoff`](crate::Backoff) | off |
//!
//! Options of a `dynamic` supervisor: `max_children` (a count, not zero; default no
//! limit), `max_restarts`, `within`, `backoff` as above, `extra_arguments = expr` (any
//! `Clone + Send` value prepended to the start arguments of children made with
//! [`ChildSpec::with_extra_arguments`](crate::ChildSpec::with_extra_arguments)), and
//! `strategy`, which can only be `one_for_one` (as in OTP; accepted so that writing it
//! out is not an error). `dynamic<Job>` is typed by the worker it starts; plain
//! `dynamic` is open to any worker.
//!
//! Overrides of a child (after `;`, before the comma that ends the child):
//! `restart = permanent | transient | temporary`, `shutdown = brutal_kill | infinity |
//! <duration>`, `significant = true | false`, `name = "registered name"`. They apply to
//! every kind of child (a nested supervisor, a dynamic one, a tree), after the
//! expression's own settings. The child's id is always its name in the block.
//!
//! ## Choices
//!
//! - **Children's expressions.** Each is evaluated once, when the tree's spec is built;
//!   the spec keeps its start arguments and clones them for every (re)start, as OTP
//!   re-applies the same arguments. Each expression sees its *own clone* of every start
//!   parameter, so `Redis::child_spec(redis_url)` can move it and a second child can use
//!   it again. Start parameters must therefore be `Clone`.
//! - **The worker's type** is read off the expression when it is `Type::child_spec(..)`
//!   (optionally followed by method calls: `Redis::child_spec(url).mailbox(..)`). For any
//!   other expression write it: `cache: Cache = ChildSpec::<Cache>::worker((1024,))`. It
//!   names the child in [`SHAPE`](crate::tree::Shape) and types its accessor.
//! - **An empty supervisor is an error.** OTP accepts `Supervisor.init([], ..)`, but a
//!   block's children are all that supervisor will ever start from it; children added at
//!   run time belong under `dynamic`.
//! - **`auto_shutdown` without a significant child is an error**, and so is a
//!   significant child under `auto_shutdown = never`. OTP accepts the first (the
//!   supervisor then never stops itself); in a block it is a forgotten `significant`.
//! - **A word followed by braces is a nested supervisor** (`pipeline: rest_for_one
//!   {..}`), unless it is capitalised, which reads as a struct expression.
//! - **A child's name** is snake_case and becomes its id, an accessor and an id enum
//!   variant, so it cannot be one of the supervisor handle's own methods
//!   (`which_children`, `count_children`, `terminate_child`, `restart_child`,
//!   `delete_child`, `start_child`, `start_child_following`, `stop`, `pid`, `is_alive`,
//!   `current`, `following`, `handle`, `process`, `shape`, `clone`, `deref`, `fmt`).
//! - **Accessors follow.** A worker's accessor is its following handle (see the crate's
//!   "Handles"): the tree creates it before anything starts and each child's spec
//!   publishes every incarnation into it, so it survives the child's restarts and those of
//!   every supervisor above it (a nested supervisor is rebuilt from the same spec).
//!   During a restart, calls wait for the next incarnation within their own timeout and
//!   sends hand the message back as `SendError::Restarting`; once the tree is stopped,
//!   or a level gave up for good, everything is `NoProc`. A child whose type cannot be
//!   read off its expression has no accessor: write its type (`cache: Cache = ..`).
//! - **`#![crate = path]`** names the runtime when it is not `::supervise_runtime`.
//!
//! ## What is generated
//!
//! For `pub App(params): strategy(..) { .. }`:
//!
//! - `pub struct App`, with
//!   - `App::SHAPE`: a [`tree::Shape`](crate::tree::Shape), the tree as plain data
//!     (names, strategies, worker types, intensity), printable as an indented tree;
//!   - `App::spec(params) -> SupervisorSpec` and `App::child_spec(params) ->
//!     ChildSpec<Supervisor>` (a tree is a child of any supervisor; another tree nests it
//!     with `name: tree App(args)`);
//!   - `App::child_spec_following(params) -> (ChildSpec<Supervisor>, AppRef)`: the tree
//!     under a supervisor you write, with the handle that reaches it once started;
//!   - `App::start(params)` and `App::start_link(params)`, returning an `AppRef`;
//!   - `App::application(params) -> (Application, AppRef)`, the tree as an
//!     [`Application`](crate::Application)'s root: `app.run().await.exit_code()` stops it
//!     in order on SIGINT/SIGTERM and exits non-zero when the root gave up.
//! - `pub struct AppRef`, the running tree, with an accessor per named child:
//!   - a worker: `app.redis() -> &RedisRef<Following<Redis>>` (its generated methods,
//!     following its restarts);
//!   - a nested supervisor: `app.pipeline() -> &AppPipelineRef`, the same kind of handle
//!     one level down (`app.pipeline().reader()`);
//!   - a dynamic supervisor: `app.jobs() -> &`[`tree::DynamicRef<Job>`](crate::tree::DynamicRef),
//!     whose `start_child` takes a `ChildSpec<Job>` only (any worker when declared
//!     `dynamic`) and returns the child's typed handle (`start_child_following` for one
//!     that follows the child's restarts), plus `terminate_child(pid)`, `which_children`
//!     and `count_children`;
//!   - another tree: `app.other() -> &CacheRef`;
//!
//!   and, through `Deref` to [`tree::SupervisorRef<AppChild>`](crate::tree::SupervisorRef),
//!   its supervisor's API: `which_children`, `count_children`,
//!   `terminate_child(AppChild)`, `restart_child(AppChild)`, `stop()`, `pid()`,
//!   `current()`. Every level's handle follows its supervisor across restarts.
//! - One id enum per static supervisor, named after its path: `AppChild { Redis, Jobs,
//!   .. }`, `AppPipelineChild { Reader, Writer }`, with `id()`, `ALL` and `Display`;
//!   a child's doc comments become its variant's.
//!
//! ## Rules and their errors
//!
//! Every mistake of a block is reported at once, each on the offending tokens; a syntax
//! error stops the parse and is the one error shown. Alongside the errors the tree is
//! still generated from what could be decided, so the rest of the crate (which names
//! `App`) does not add errors of its own.
//!
//! | mistake | error |
//! |---|---|
//! | `one_for_none {..}` | unknown strategy `one_for_none`: the strategies are `one_for_one`, `one_for_all` and `rest_for_one` |
//! | `max_retries = 3` | unknown option `max_retries`: a supervisor's option is one of `max_restarts`, `within`, `auto_shutdown` and `backoff` (the list of the place: dynamic supervisor, child) |
//! | `within = 1s, within = 2s` | `within` is given twice: each option may appear once |
//! | `within = 0s` | `within` is the window restarts are counted in and cannot be zero |
//! | `within = 5`, `1.5s`, `5h`, `"5s"` | `within`: `5` has no unit / durations are whole numbers / unknown unit / malformed duration: a duration is a whole number and a unit: `500ms`, `5s` or `1m` |
//! | `max_restarts = -1`, `2.5`, `"3"` | `max_restarts`: expected a count: a whole number, 0 or more; it cannot be negative / is not a whole number |
//! | `restart = sometimes` | `restart`: unknown value `sometimes`: expected one of `permanent`, `transient` and `temporary` (likewise `auto_shutdown`) |
//! | two children named `db` | duplicate child name `db`: a child's name is its id, so the names of one supervisor's children must be unique (on every repeat: three `db` are two errors) |
//! | `pipeline: rest_for_one {}` | a supervisor needs at least one child: .. for children started at run time use `dynamic` |
//! | `dynamic<Job>(strategy = rest_for_one)` | `strategy`: a dynamic supervisor's strategy is always `one_for_one` (as OTP's DynamicSupervisor) |
//! | `dynamic(auto_shutdown = ..)` | a dynamic supervisor has no `auto_shutdown`: its children are started at run time and cannot be significant |
//! | `; significant = true` (permanent) | `db` is significant, so it cannot be permanent (the default restart): .. add `restart = transient` or `restart = temporary` |
//! | significant child, no `auto_shutdown` | `db` is significant, but its supervisor has no `auto_shutdown` |
//! | `auto_shutdown` and no significant child | `auto_shutdown` needs a significant child |
//! | `backoff = 5s..100ms`, `0ms..1s` | the backoff's base is longer than its max / cannot be zero |
//! | `max_children = 0` | `max_children = 0` would refuse every child |
//! | `stop: ..` | a child cannot be named `stop`: each child's name becomes an accessor of its supervisor's handle |
//! | `config: Config { .. }` | `Config` is not a worker's child spec (on the expression) |
//! | `db: Cache = Db::child_spec()` | expected `ChildSpec<Cache>`, found `ChildSpec<Db>` |
//! | `app.jobs().start_child(Report::child_spec())` for `dynamic<Job>` | expected `ChildSpec<Job>`, found `ChildSpec<Report>` (on the argument) |
//! | a start parameter that is not `Clone` | `Config` is not `Clone`, so it cannot be a worker's start argument |
//!
//! Each rule has a compile-fail case under `tests/ui/supervision_tree/fail/`.
