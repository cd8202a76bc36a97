//! The seed's application, for real: a Redis connection worker and stores that keep their
//! data through it, under one supervision tree.
//!
//! ```text
//! App: one_for_one (6 restarts in 1m, backoff 250 ms doubling to 4 s)
//! ├── redix   Redix: owns a redis-rs MultiplexedConnection (permanent)
//! └── stores  DynamicSupervisor of Store workers (store(key, value), fetch(key))
//! ```
//!
//! What supervision is for. When the Redis server stops, `Redix`'s next command fails (a
//! store, a fetch, or its own heartbeat `PING` every second) and that error crashes it.
//! The supervisor restarts it with backoff; each restart opens a new connection in `init`,
//! which fails while the server is down, so the restarts go on (250 ms, 500 ms, 1 s, ..)
//! until the server is back. Meanwhile a `Store` reaches `Redix` through its following
//! handle: a call made while `Redix` restarts waits for the next incarnation for at most
//! [`REDIS_CALL_TIMEOUT`], so the store's caller gets a clear error (or the answer) within
//! that time, never a hang. Kept down, the restarts exceed the root's intensity, the tree
//! stops and the program exits with status 1, for systemd or Kubernetes to act on.
//!
//! ```sh
//! redis-server --port 6379 &            # or any server; REDIS_URL says where
//! cargo run --example redis_store       # writes tick:N every second; stop the server to see
//! printf 'writes 3\nfetch key-1\n' | cargo run --example redis_store -- --script
//! ```
//!
//! Script mode (`--script`) reads one command a line from stdin and prints one line per
//! result, so a test or a shell can drive it:
//!
//! | command | prints |
//! |---|---|
//! | `store KEY VALUE` | `ACK KEY` once Redis acknowledged the write, else `ERR KEY <why> (<ms> ms)` |
//! | `fetch KEY` | `GOT KEY VALUE`, `NONE KEY`, or `ERR KEY ..` |
//! | `writes N` | `store key-I value-I` for I in 0..N |
//! | `sleep MS` | `SLEPT MS` |
//!
//! At the end of its input it stops the tree and exits 0; if the tree gives up first it
//! prints `GAVE UP` and exits 1. Crash and supervisor reports go to stderr.

use std::fmt;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;
use supervise_runtime::{
    CallError, ChildError, Context, Following, ReplyTo, supervision_tree, worker,
};

/// Where the server is when `REDIS_URL` is not set.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";
/// How long a store waits for `Redix` (its restart included) before it gives up on a command.
pub const REDIS_CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// How long `Redix` waits to connect, and for a reply, before that is an error.
pub const REDIS_IO_TIMEOUT: Duration = Duration::from_secs(1);
/// How often `Redix` checks its connection when nothing else uses it.
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// The server address: `REDIS_URL`, or [`DEFAULT_REDIS_URL`].
pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_owned())
}

/// The connection worker (Redix in the seed's Elixir application): one multiplexed
/// connection, opened in `init`, so a start fails when the server is down.
pub struct Redix {
    url: String,
    conn: MultiplexedConnection,
}

impl fmt::Debug for Redix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redix").field("url", &self.url).finish()
    }
}

#[worker]
impl Redix {
    async fn init(url: String, ctx: &mut Context<Self>) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url.as_str())?;
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(REDIS_IO_TIMEOUT)
            .set_response_timeout(REDIS_IO_TIMEOUT);
        let conn = match client
            .get_multiplexed_async_connection_with_config(&config)
            .await
        {
            Ok(conn) => conn,
            Err(e) => {
                println!("redix {}: cannot connect to {url}: {e}", ctx.pid());
                return Err(e);
            }
        };
        println!("redix {}: connected to {url}", ctx.pid());
        ctx.send_after(RedixMsg::Heartbeat, HEARTBEAT);
        Ok(Redix { url, conn })
    }

    /// `SET key value`; replies once Redis acknowledged it. An error crashes the worker
    /// (the caller's call then ends with the error as the exit reason).
    #[call]
    async fn set(
        &mut self,
        key: String,
        value: String,
        reply: ReplyTo<()>,
    ) -> Result<(), redis::RedisError> {
        let () = self.conn.set(&key, &value).await?;
        reply.reply(());
        Ok(())
    }

    /// `GET key`. An error crashes the worker, as for `set`.
    #[call]
    async fn get(
        &mut self,
        key: String,
        reply: ReplyTo<Option<String>>,
    ) -> Result<(), redis::RedisError> {
        let value: Option<String> = self.conn.get(&key).await?;
        reply.reply(value);
        Ok(())
    }

    /// `PING`, every [`HEARTBEAT`]: a server that went away crashes an idle worker too.
    #[info]
    async fn heartbeat(&mut self, ctx: &mut Context<Self>) -> Result<(), redis::RedisError> {
        let () = redis::cmd("PING").query_async(&mut self.conn).await?;
        ctx.send_after(RedixMsg::Heartbeat, HEARTBEAT);
        Ok(())
    }
}

/// Why a store could not do what it was asked.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreError {
    /// `Redix` did not come back within [`REDIS_CALL_TIMEOUT`] (the server is down).
    Unavailable,
    /// `Redix` crashed on this command (the server went away while it ran).
    Failed(String),
    /// `Redix` is gone for good (the tree is stopping).
    Stopped,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable => write!(
                f,
                "redis unavailable: no connection within {} ms",
                REDIS_CALL_TIMEOUT.as_millis()
            ),
            StoreError::Failed(why) => write!(f, "redis command failed: {why}"),
            StoreError::Stopped => f.write_str("redis connection stopped"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<CallError> for StoreError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Timeout => StoreError::Unavailable,
            CallError::Exited(reason) => StoreError::Failed(reason.to_string()),
            CallError::NoProc => StoreError::Stopped,
            other => StoreError::Failed(other.to_string()),
        }
    }
}

/// The Redis key a store keeps `key` under.
pub fn redis_key(store: &str, key: &str) -> String {
    format!("{store}:{key}")
}

/// A store (the seed's worker): keeps its data in Redis under `<name>:<key>`, through
/// `Redix`'s following handle, so it outlives `Redix`'s restarts.
#[derive(Debug)]
pub struct Store {
    name: String,
    redix: RedixRef<Following<Redix>>,
}

#[worker]
impl Store {
    fn init(name: String, redix: RedixRef<Following<Redix>>) -> Self {
        Store { name, redix }
    }

    /// Stores `value` under `key`: `Ok` once Redis acknowledged it.
    #[call]
    async fn store(&self, key: String, value: String) -> Result<(), StoreError> {
        let key = redis_key(&self.name, &key);
        Ok(self
            .redix
            .set(key, value)
            .timeout(REDIS_CALL_TIMEOUT)
            .await?)
    }

    /// The value under `key`, if any.
    #[call]
    async fn fetch(&self, key: String) -> Result<Option<String>, StoreError> {
        let key = redis_key(&self.name, &key);
        Ok(self.redix.get(key).timeout(REDIS_CALL_TIMEOUT).await?)
    }
}

supervision_tree! {
    /// The application: `redix` next to the `stores` dynamic supervisor. Restarts wait
    /// 250 ms, then twice as long each time up to 4 s; a seventh restart within a minute
    /// (about 12 s of a server kept down) makes the root give up.
    pub App(redis_url: String): one_for_one(max_restarts = 6, within = 60s, backoff = 250ms..4s) {
        redix: Redix::child_spec(redis_url),
        stores: dynamic<Store>(max_children = 100),
    }
}

/// Starts a store named `name` under the tree's `stores`, talking to its `redix`.
pub async fn start_store(app: &AppRef, name: &str) -> Result<StoreRef, ChildError> {
    app.stores()
        .start_child(Store::child_spec(name, app.redix().clone()))
        .await
}

/// Runs one script command (see the crate docs) and returns the lines it prints.
pub async fn execute(store: &StoreRef, line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [] => Vec::new(),
        ["store", key, value] => vec![store_line(store, key, value).await],
        ["fetch", key] => {
            let started = Instant::now();
            vec![match store.fetch(*key).await {
                Ok(Ok(Some(value))) => format!("GOT {key} {value}"),
                Ok(Ok(None)) => format!("NONE {key}"),
                Ok(Err(e)) => err_line(key, &e, started),
                Err(e) => err_line(key, &e, started),
            }]
        }
        ["writes", n] => match n.parse::<usize>() {
            Ok(n) => {
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    out.push(store_line(store, &format!("key-{i}"), &format!("value-{i}")).await);
                }
                out
            }
            Err(e) => vec![format!("BAD writes {n}: {e}")],
        },
        ["sleep", ms] => match ms.parse::<u64>() {
            Ok(ms) => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                vec![format!("SLEPT {ms}")]
            }
            Err(e) => vec![format!("BAD sleep {ms}: {e}")],
        },
        _ => vec![format!("BAD {line}")],
    }
}

/// `store key value` as a script line: `ACK key` or `ERR key ..`.
pub async fn store_line(store: &StoreRef, key: &str, value: &str) -> String {
    let started = Instant::now();
    match store.store(key, value).await {
        Ok(Ok(())) => format!("ACK {key}"),
        Ok(Err(e)) => err_line(key, &e, started),
        Err(e) => err_line(key, &e, started),
    }
}

fn err_line(key: &str, e: &dyn fmt::Display, started: Instant) -> String {
    format!("ERR {key} {e} ({} ms)", started.elapsed().as_millis())
}

/// Writes `tick:N` every second and prints what happened, until stopped.
async fn demo(store: StoreRef) {
    for line in execute(&store, "store foo bar").await {
        println!("store(\"foo\", \"bar\"): {line}");
    }
    for line in execute(&store, "fetch foo").await {
        println!("fetch(\"foo\"): {line}");
    }
    println!(
        "writing tick:N every second; stop the Redis server to watch the restarts, Ctrl-C to end"
    );
    for n in 0u64.. {
        println!(
            "{}",
            store_line(&store, &format!("tick:{n}"), &n.to_string()).await
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Reads script commands from stdin until its end.
async fn script(store: StoreRef) {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    loop {
        match lines.next_line().await {
            Ok(Some(line)) => {
                for out in execute(&store, &line).await {
                    println!("{out}");
                }
            }
            Ok(None) => return,
            Err(e) => {
                eprintln!("stdin: {e}");
                return;
            }
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    // Crash reports, supervisor reports and the root giving up, on stderr (stdout is the
    // script's output).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let scripted = std::env::args().skip(1).any(|a| a == "--script");
    let url = redis_url();
    println!("starting the tree against {url}");
    println!("{}", App::SHAPE);
    let (app, tree) = match App::application(url).await {
        Ok(started) => started,
        Err(e) => {
            eprintln!("the tree did not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let store = match start_store(&tree, if scripted { "script" } else { "demo" }).await {
        Ok(store) => store,
        Err(e) => {
            eprintln!("the store did not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("store started: {}", store.pid());
    let exit = if scripted {
        app.run_until(script(store)).await
    } else {
        app.run_until(demo(store)).await
    };
    if exit.gave_up {
        println!(
            "GAVE UP: the tree stopped ({}); exiting with status 1",
            exit.reason
        );
    } else {
        println!("stopped ({})", exit.reason);
    }
    exit.exit_code()
}
