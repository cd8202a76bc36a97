//! `examples/redis_store.rs` against a real `redis-server`: writes, the server killed
//! mid-run (callers get errors within their timeout), the server restarted on the same
//! port and data directory (`Redix` comes back by itself), every acknowledged write read
//! back with a plain client, and the tree giving up (status 1) when the server stays down.
//!
//! The example's workers and tree are compiled into this test from the example's file.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../../examples/redis_store.rs"]
#[allow(dead_code)]
mod redis_store;

use redis_store::{App, REDIS_CALL_TIMEOUT, StoreRef, execute, redis_key, start_store, store_line};

/// A `redis-server` child process, killed when dropped (on every path, a failing
/// assertion included).
struct RedisServer {
    child: Child,
}

impl RedisServer {
    /// Starts a server on `port` with its data in `dir` (append-only file on, no RDB
    /// snapshots) and waits until it answers `PING`.
    fn start(port: u16, dir: &Path) -> RedisServer {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("redis.log"))
            .expect("open the server's log");
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--appendonly", "yes", "--save", ""])
            .arg("--dir")
            .arg(dir)
            .args(["--daemonize", "no"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start redis-server (is it installed? apt-get install redis-server)");
        let mut server = RedisServer { child };
        let url = url(port);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "redis-server exited with {status}: {}",
                    std::fs::read_to_string(dir.join("redis.log")).unwrap_or_default()
                );
            }
            let ping = redis::Client::open(url.as_str())
                .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(200)))
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c));
            if ping.is_ok() {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer within 20 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server (SIGKILL: no goodbye to its clients, no final save) and reaps it.
    fn kill(mut self) {
        self.kill_now();
    }

    fn kill_now(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill_now();
    }
}

fn url(port: u16) -> String {
    format!("redis://127.0.0.1:{port}")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The longest a store call may take: its wait for `Redix`, plus slack for a loaded machine.
fn bound() -> Duration {
    REDIS_CALL_TIMEOUT + Duration::from_secs(3)
}

/// Runs `store key value`, checks it returned within [`bound`], and gives its line.
async fn timed_store(store: &StoreRef, key: &str, value: &str) -> String {
    let started = Instant::now();
    let line = tokio::time::timeout(bound() * 2, store_line(store, key, value))
        .await
        .unwrap_or_else(|_| panic!("store {key} hung"));
    let took = started.elapsed();
    assert!(
        took <= bound(),
        "store {key} took {took:?}, more than {:?}: {line}",
        bound()
    );
    line
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: run with cargo test -p tests --test redis_store -- --ignored"]
async fn acknowledged_writes_survive_the_server_going_away() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    let server = RedisServer::start(port, dir.path());

    let (app, tree) = App::application(url(port)).await.expect("the tree starts");
    let store = start_store(&tree, "t").await.expect("a store");

    // Everything up: every write is acknowledged.
    let mut acked: Vec<(String, String)> = Vec::new();
    let lines = execute(&store, "writes 20").await;
    assert_eq!(lines.len(), 20);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line, &format!("ACK key-{i}"));
        acked.push((format!("key-{i}"), format!("value-{i}")));
    }
    assert_eq!(execute(&store, "fetch key-7").await, ["GOT key-7 value-7"]);
    let first = tree.redix().pid().expect("redix runs");

    // The server goes away: writes fail, each within its bound, with a clear error.
    server.kill();
    let mut n = 0;
    let mut errors = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while errors.len() < 2 {
        assert!(Instant::now() < deadline, "no errors 20 s after the kill");
        let (key, value) = (format!("down-{n}"), format!("v{n}"));
        n += 1;
        let line = timed_store(&store, &key, &value).await;
        if line.starts_with("ACK ") {
            acked.push((key, value)); // a write acknowledged before the connection noticed
        } else {
            assert!(line.starts_with(&format!("ERR {key} redis ")), "{line}");
            errors.push(line);
        }
    }
    println!("while down: {errors:#?}");
    assert!(
        errors.iter().any(|e| e.contains("redis unavailable")),
        "a call made while redix restarts ends with its timeout: {errors:#?}"
    );
    assert_ne!(
        tree.redix().pid(),
        Some(first),
        "redix crashed and is being restarted"
    );

    // The server comes back on the same port and data: redix reconnects by itself.
    let server = RedisServer::start(port, dir.path());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            Instant::now() < deadline,
            "no write acknowledged 30 s after the restart"
        );
        let (key, value) = (format!("back-{n}"), format!("v{n}"));
        n += 1;
        let line = timed_store(&store, &key, &value).await;
        if line.starts_with("ACK ") {
            acked.push((key, value));
            break;
        }
    }
    for i in 0..5 {
        let (key, value) = (format!("after-{i}"), format!("v{i}"));
        assert_eq!(
            timed_store(&store, &key, &value).await,
            format!("ACK {key}")
        );
        acked.push((key, value));
    }
    assert_eq!(execute(&store, "fetch key-3").await, ["GOT key-3 value-3"]);
    assert!(app.root().is_alive(), "the tree rode the outage out");

    // Every acknowledged write is in the server, read with a plain client.
    let client = redis::Client::open(url(port)).expect("client");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    for (key, value) in &acked {
        let got: Option<String> = redis::AsyncCommands::get(&mut conn, redis_key("t", key))
            .await
            .expect("GET");
        assert_eq!(got.as_deref(), Some(value.as_str()), "acknowledged {key}");
    }
    drop(conn);

    // Kept down, the restarts exceed the root's intensity: the tree gives up, status 1.
    server.kill();
    let started = Instant::now();
    let exit = tokio::time::timeout(
        Duration::from_secs(60),
        app.run_until(std::future::pending()),
    )
    .await
    .expect("the tree gave up within 60 s");
    println!(
        "gave up after {:?}: {} (status {})",
        started.elapsed(),
        exit.reason,
        exit.code()
    );
    assert!(exit.gave_up);
    assert_eq!(exit.code(), 1);
}
