//! The HTTP API against a real server on a free loopback port.

#[allow(dead_code)]
#[path = "../examples/observer_tree/mod.rs"]
mod observer_tree;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use serde_json::Value;
use supervise_observer::{BindError, Observer, Server};
use supervise_runtime::{Handle, Inbox, Supervisor};

const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

async fn shop(actions: bool) -> (Handle<Supervisor>, Server) {
    shop_polled(actions, Duration::from_millis(20)).await
}

async fn shop_polled(actions: bool, every: Duration) -> (Handle<Supervisor>, Server) {
    let root = observer_tree::start(2, false).await;
    let server = Observer::new(root.clone())
        .shape(&observer_tree::Shop::SHAPE)
        .actions(actions)
        .poll_every(every)
        .bind(LOOPBACK)
        .await
        .expect("the observer binds");
    (root, server)
}

fn url(server: &Server, path: &str) -> String {
    format!("http://{}{path}", server.local_addr())
}

/// A pid in a URL path: `#`, `<` and `>` percent-encoded.
fn enc(pid: impl std::fmt::Display) -> String {
    pid.to_string()
        .replace('#', "%23")
        .replace('<', "%3C")
        .replace('>', "%3E")
}

async fn get_tree(server: &Server) -> Value {
    let resp = reqwest::get(url(server, "/api/tree"))
        .await
        .expect("GET /api/tree");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("JSON")
}

fn child<'a>(node: &'a Value, id: &str) -> &'a Value {
    node["children"]
        .as_array()
        .and_then(|c| c.iter().find(|n| n["id"] == id))
        .unwrap_or_else(|| panic!("no child {id} in {node}"))
}

async fn post(server: &Server, path: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(url(server, path))
        .send()
        .await
        .expect("POST");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("a JSON body"))
}

/// Polls the tree (every 20 ms, for at most 10 s) until `check` finds what it wants.
async fn tree_until<T>(server: &Server, what: &str, check: impl Fn(&Value) -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let tree = get_tree(server).await;
        if let Some(found) = check(&tree) {
            return found;
        }
        assert!(Instant::now() < deadline, "{what}: not within 10 s: {tree}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn pids(root: &Handle<Supervisor>) -> Vec<String> {
    let mut out = vec![root.pid().to_string()];
    for c in root.which_children().await.expect("the root answers") {
        out.push(c.pid.to_string());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tree_shows_every_process_with_its_pid_kind_and_type() {
    let (root, server) = shop(false).await;
    let tree = get_tree(&server).await;
    assert_eq!(tree["title"], "Shop");
    assert_eq!(tree["actions"], false);
    assert_eq!(tree["root"]["pid"], root.pid().to_string());
    assert_eq!(tree["root"]["supervisor"]["strategy"], "one_for_one");
    assert_eq!(tree["root"]["supervisor"]["intensity"]["max_restarts"], 5);
    let listed = root.which_children().await.expect("the root answers");
    for info in &listed {
        let id = info.id.as_deref().expect("static ids");
        let node = child(&tree["root"], id);
        assert_eq!(node["pid"], info.pid.to_string());
    }
    let cache = child(&tree["root"], "cache");
    assert_eq!(cache["kind"], "supervisor");
    assert_eq!(cache["supervisor"]["strategy"], "one_for_all");
    assert!(
        child(cache, "store")["worker_type"]
            .as_str()
            .is_some_and(|t| t.ends_with("::Store"))
    );
    let jobs = child(&tree["root"], "jobs");
    assert_eq!(jobs["kind"], "dynamic_supervisor");
    assert_eq!(jobs["supervisor"]["max_children"], 8);
    let kids = jobs["children"].as_array().expect("jobs");
    assert_eq!(kids.len(), 2);
    assert!(
        kids.iter()
            .all(|k| k["id"].is_null() && k["kind"] == "worker")
    );
    for kid in kids {
        assert_eq!(kid["mailbox_len"], 0, "the runtime's: {kid}");
        assert_eq!(kid["messages_handled"], 0, "{kid}");
        assert_eq!(
            (&kid["status"], &kid["restarts"]),
            (&"running".into(), &0.into())
        );
        assert!(kid["started_unix_ms"].is_u64(), "{kid}");
    }
    assert_eq!(jobs["supervisor"]["intensity"]["max_restarts"], 10);
    assert_eq!(jobs["supervisor"]["count"]["active"], 2);

    let page = reqwest::get(url(&server, "/")).await.expect("GET /");
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = page.text().await.expect("the page");
    assert!(html.contains("<div id=\"tree\""));
    assert!(html.contains("new EventSource"), "the script is inlined");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing fetched from elsewhere"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_gives_a_new_pid_and_counts_the_restart() {
    let (root, server) = shop(true).await;
    let tree = get_tree(&server).await;
    let old = child(&tree["root"], "config")["pid"]
        .as_str()
        .expect("config runs")
        .to_string();
    let (status, body) = post(&server, &format!("/api/kill/{}", enc(&old))).await;
    assert_eq!(
        (status, &body["done"]),
        (200, &Value::from("killed")),
        "{body}"
    );
    assert_eq!(body["pid"], old);

    let config = tree_until(&server, "config restarted", |t| {
        let c = child(&t["root"], "config");
        (c["pid"].is_string() && c["pid"] != old && t["root"]["supervisor"]["restarts"] == 1)
            .then(|| c.clone())
    })
    .await;
    assert_eq!(config["restarts"], 1);
    assert_eq!(config["last_exit"], "killed");
    assert_eq!(config["last_exit_pid"], old);
    assert!(config["last_exit_unix_ms"].is_u64());
    assert_eq!(config["last_restart_unix_ms"], config["started_unix_ms"]);
    let new = config["pid"].as_str().expect("a pid").to_string();
    assert!(pids(&root).await.contains(&new), "the runtime agrees");

    // A dynamic child keeps its slot (key) across the restart.
    let tree = get_tree(&server).await;
    let job = &child(&tree["root"], "jobs")["children"][0];
    let (key, old) = (job["key"].clone(), job["pid"].clone());
    let (status, _) = post(
        &server,
        &format!("/api/kill/{}", enc(old.as_str().unwrap())),
    )
    .await;
    assert_eq!(status, 200);
    tree_until(&server, "the job restarted in its slot", |t| {
        let jobs = child(&t["root"], "jobs");
        let again = jobs["children"]
            .as_array()?
            .iter()
            .find(|j| j["key"] == key)?;
        (again["pid"].is_string()
            && again["pid"] != old
            && again["restarts"] == 1
            && jobs["supervisor"]["restarts"] == 1
            && jobs["supervisor"]["intensity"]["recent"] == 1)
            .then_some(())
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminate_and_restart_a_static_child() {
    let (_root, server) = shop(true).await;
    let tree = get_tree(&server).await;
    let store = child(child(&tree["root"], "cache"), "store")["pid"]
        .as_str()
        .expect("store runs")
        .to_string();
    let (status, body) = post(&server, &format!("/api/terminate/{}", enc(&store))).await;
    assert_eq!(status, 200, "{body}");
    tree_until(&server, "store terminated", |t| {
        let s = child(child(&t["root"], "cache"), "store");
        (s["status"] == "stopped" && s["pid"].is_null() && s["last_exit"] == "shutdown")
            .then_some(())
    })
    .await;

    let (status, body) = post(&server, "/api/restart/cache/store").await;
    assert_eq!(status, 200, "{body}");
    let new = body["new_pid"].as_str().expect("a new pid").to_string();
    tree_until(&server, "store running again", |t| {
        let s = child(child(&t["root"], "cache"), "store");
        (s["pid"] == new.as_str()).then_some(())
    })
    .await;

    // A running static child restarts by pid: terminated, then started again.
    let (status, body) = post(&server, &format!("/api/restart/{}", enc(&new))).await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(body["new_pid"], new.as_str());

    // Restarting a child that runs, by key, is refused as OTP refuses it.
    let (status, body) = post(&server, "/api/restart/cache/store").await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("running"),
        "{body}"
    );

    // A dynamic child has no restart_child.
    let tree = get_tree(&server).await;
    let job = child(&tree["root"], "jobs")["children"][0]["pid"]
        .as_str()
        .expect("a job")
        .to_string();
    let (status, body) = post(&server, &format!("/api/restart/{}", enc(&job))).await;
    assert_eq!(status, 409, "{body}");
    let (status, body) = post(&server, "/api/restart/cache/nobody").await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = post(&server, "/api/restart/nowhere/store").await;
    assert_eq!(status, 404, "{body}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_pids_get_a_clear_error_and_change_nothing() {
    let (root, server) = shop(true).await;
    let before = pids(&root).await;
    let outsider = Inbox::<()>::new();
    for (path, status, says) in [
        ("/api/kill/%3C0.x.0%3E".to_string(), 400, "malformed pid"),
        ("/api/kill/banana".to_string(), 400, "malformed pid"),
        ("/api/terminate/0.1.2.3".to_string(), 400, "malformed pid"),
        ("/api/kill/%FF%FE".to_string(), 400, "bad path"),
        (
            "/api/kill/%23PID%3C0.99999999.0%3E".to_string(),
            404,
            "no process",
        ),
        (
            format!("/api/kill/{}", enc(outsider.pid())),
            404,
            "in the tree",
        ),
        (format!("/api/kill/{}", enc(root.pid())), 409, "root"),
        (format!("/api/terminate/{}", enc(root.pid())), 409, "root"),
    ] {
        let (got, body) = post(&server, &path).await;
        assert_eq!(got, status, "{path}: {body}");
        let error = body["error"].as_str().expect("an error message");
        assert!(error.contains(says), "{path}: {error}");
    }
    assert!(outsider.is_alive());
    assert_eq!(pids(&root).await, before, "nothing changed");

    let resp = reqwest::get(url(&server, "/api/nothing"))
        .await
        .expect("GET");
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.expect("JSON");
    assert!(body["error"].is_string());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_are_off_unless_turned_on() {
    let (root, server) = shop(false).await;
    let before = pids(&root).await;
    let config = &before[1];
    for action in ["kill", "terminate", "restart"] {
        let (status, body) = post(&server, &format!("/api/{action}/{}", enc(config))).await;
        assert_eq!(status, 403, "{action}: {body}");
        assert!(body["error"].as_str().unwrap().contains("actions are off"));
    }
    assert_eq!(pids(&root).await, before, "nothing changed");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_guards_every_request() {
    let root = observer_tree::start(1, false).await;
    let server = Observer::new(root.clone())
        .token("s3 cr&t")
        .bind(LOOPBACK)
        .await
        .expect("binds");
    let client = reqwest::Client::new();
    for path in [
        "/",
        "/api/tree",
        "/api/events",
        "/api/state/%23PID%3C0.1.0%3E",
        "/api/nothing",
    ] {
        let resp = client.get(url(&server, path)).send().await.expect("GET");
        assert_eq!(resp.status(), 401, "{path}");
        let body: Value = resp.json().await.expect("JSON");
        assert!(body["error"].as_str().unwrap().contains("token"));
    }
    let wrong = client
        .get(url(&server, "/api/tree"))
        .bearer_auth("s3 cr&u")
        .send()
        .await
        .expect("GET");
    assert_eq!(wrong.status(), 401);
    let (status, _) = post(&server, &format!("/api/kill/{}", enc(root.pid()))).await;
    assert_eq!(status, 401, "refused before anything else");

    let bearer = client
        .get(url(&server, "/api/tree"))
        .bearer_auth("s3 cr&t")
        .send()
        .await
        .expect("GET");
    assert_eq!(bearer.status(), 200);
    let header = client
        .get(url(&server, "/api/tree"))
        .header("x-observer-token", "s3 cr&t")
        .send()
        .await
        .expect("GET");
    assert_eq!(header.status(), 200);
    // The page's own URL carries it in the query.
    assert!(
        server.url().ends_with("/?token=s3%20cr%26t"),
        "{}",
        server.url()
    );
    let page = client.get(server.url()).send().await.expect("GET");
    assert_eq!(page.status(), 200);
    let query = client
        .get(url(&server, "/api/tree?token=s3%20cr%26t"))
        .send()
        .await
        .expect("GET");
    assert_eq!(query.status(), 200);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binding_beyond_loopback_needs_a_token() {
    let root = observer_tree::start(0, false).await;
    let anywhere: SocketAddr = "0.0.0.0:0".parse().unwrap();
    let refused = Observer::new(root.clone()).bind(anywhere).await;
    assert!(matches!(refused, Err(BindError::TokenRequired(a)) if a == anywhere));
    let empty = Observer::new(root.clone()).token("").bind(LOOPBACK).await;
    assert!(matches!(empty, Err(BindError::EmptyToken)));
    let with_token = Observer::new(root).token("t").bind(anywhere).await;
    with_token.expect("a token allows it").shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_push_the_tree_then_each_change() {
    // Polled once a minute: what arrives sooner was pushed by the lifecycle events.
    let (root, server) = shop_polled(true, Duration::from_secs(60)).await;
    let mut resp = reqwest::get(url(&server, "/api/events"))
        .await
        .expect("GET /api/events");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    let next_event = async |resp: &mut reqwest::Response, seen: &mut String| -> Value {
        loop {
            if let Some(end) = seen.find("\n\n") {
                let event: String = seen.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                    assert!(event.starts_with("event: tree\n"), "{event}");
                    return serde_json::from_str(data).expect("JSON data");
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), resp.chunk())
                .await
                .expect("an event within 10 s")
                .expect("the stream")
                .expect("not ended");
            seen.push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    };
    let first = next_event(&mut resp, &mut seen).await;
    let old = child(&first["root"], "config")["pid"].clone();
    // Killed by the program, not through the page: only the events tell of it.
    let config = root.which_children().await.expect("the root answers")[0]
        .process
        .clone()
        .expect("config runs");
    assert_eq!(old, config.pid().to_string());
    config.exit(supervise_runtime::ExitReason::Kill);
    let killed = Instant::now();
    loop {
        let tree = next_event(&mut resp, &mut seen).await;
        let config = child(&tree["root"], "config");
        if config["pid"].is_string() && config["pid"] != old && config["restarts"] == 1 {
            break;
        }
    }
    assert!(
        killed.elapsed() < Duration::from_secs(5),
        "pushed on the event, not the minute's poll: {:?}",
        killed.elapsed()
    );
    // Shutting down ends the open stream.
    server.shutdown().await;
    let end = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(_)) = resp.chunk().await {}
    })
    .await;
    assert!(end.is_ok(), "the stream ended with the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarts_are_counted_per_supervisor_as_its_strategy_counts_them() {
    let (_root, server) = shop(true).await;
    let tree = get_tree(&server).await;
    let cache = child(&tree["root"], "cache");
    let store = child(cache, "store")["pid"].as_str().unwrap().to_string();
    let index = child(cache, "index")["pid"].as_str().unwrap().to_string();

    // one_for_all: a crash of store restarts store and index, which the cache counts once.
    let (status, _) = post(&server, &format!("/api/kill/{}", enc(&store))).await;
    assert_eq!(status, 200);
    let cache = tree_until(&server, "the cache restarted both", |t| {
        let c = child(&t["root"], "cache");
        let moved = child(c, "store")["pid"] != store.as_str()
            && child(c, "index")["pid"] != index.as_str()
            && child(c, "store")["pid"].is_string()
            && child(c, "index")["pid"].is_string();
        moved.then(|| c.clone())
    })
    .await;
    // As the supervisor counts them: one restart, in its intensity and in its total; one
    // for each child; index was stopped by the strategy.
    assert_eq!(cache["supervisor"]["intensity"]["recent"], 1, "{cache}");
    assert_eq!(cache["supervisor"]["restarts"], 1, "{cache}");
    assert_eq!(child(&cache, "store")["restarts"], 1);
    assert_eq!(child(&cache, "store")["last_exit"], "killed");
    assert_eq!(child(&cache, "index")["restarts"], 1);
    assert_eq!(child(&cache, "index")["last_exit"], "shutdown");

    // A supervisor restarted by its parent: one restart of the parent's; its new
    // incarnation's children are new, with counts of their own.
    let old_cache = cache["pid"].as_str().unwrap().to_string();
    let (status, _) = post(&server, &format!("/api/kill/{}", enc(&old_cache))).await;
    assert_eq!(status, 200);
    let tree = tree_until(&server, "the cache restarted", |t| {
        let c = child(&t["root"], "cache");
        (c["pid"].is_string()
            && c["pid"] != old_cache.as_str()
            && child(c, "store")["pid"].is_string()
            && child(c, "index")["pid"].is_string())
        .then(|| t.clone())
    })
    .await;
    let cache = child(&tree["root"], "cache");
    assert_eq!(tree["root"]["supervisor"]["restarts"], 1);
    assert_eq!(cache["restarts"], 1);
    assert_eq!(
        cache["supervisor"]["intensity"]["recent"], 0,
        "a new incarnation's window is empty"
    );
    assert_eq!(cache["last_exit"], "killed");
    assert_eq!(tree["root"]["supervisor"]["intensity"]["recent"], 1);
    assert_eq!(child(cache, "store")["restarts"], 0, "{cache}");
    assert_eq!(child(cache, "index")["restarts"], 0, "{cache}");
    server.shutdown().await;
}

/// A connection whose password its `Debug` leaves out, so its `format_state` does too.
pub struct Vault {
    user: String,
    password: String,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[supervise_runtime::worker]
impl Vault {
    fn init(user: &'static str, password: &'static str) -> Self {
        Vault {
            user: user.to_string(),
            password: password.to_string(),
        }
    }
    #[call]
    fn login(&self, password: String) -> bool {
        password == self.password
    }
    /// Busy in a callback for a while.
    #[info]
    async fn nap(&mut self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await
    }
}

const PASSWORD: &str = "hunter2-correct-horse";

async fn vault() -> (Handle<Supervisor>, Server) {
    let spec = supervise_runtime::SupervisorSpec::default()
        .child(Vault::child_spec("ada", PASSWORD).id("vault"));
    let root = Supervisor::start(spec).await.expect("the vault starts");
    // Actions off: reading a state is not an action.
    let server = Observer::new(root.clone())
        .bind(LOOPBACK)
        .await
        .expect("binds");
    (root, server)
}

async fn get(server: &Server, path: &str) -> (u16, Value) {
    let resp = reqwest::get(url(server, path)).await.expect("GET");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("a JSON body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_is_shown_as_the_worker_redacts_it() {
    let (root, server) = vault().await;
    let vault = root
        .child::<Vault>("vault")
        .await
        .expect("the vault runs")
        .current()
        .expect("it runs");
    assert!(vault.login(PASSWORD.to_string()).await.expect("it answers"));

    let (status, body) = get(&server, &format!("/api/state/{}", enc(vault.pid()))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["pid"], vault.pid().to_string());
    assert_eq!(
        body["state"],
        r#"Vault { user: "ada", password: "<redacted>" }"#
    );
    // A supervisor tells a summary of itself.
    let (status, body) = get(&server, &format!("/api/state/{}", enc(root.pid()))).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["state"].as_str().is_some_and(|s| !s.is_empty()));

    // Nowhere in what the observer serves.
    let tree = tree_until(&server, "the login counted", |t| {
        (child(&t["root"], "vault")["messages_handled"] == 1).then(|| t.clone())
    })
    .await;
    for (what, text) in [
        ("the tree", tree.to_string()),
        (
            "the state",
            reqwest::get(url(&server, &format!("/api/state/{}", enc(vault.pid()))))
                .await
                .expect("GET")
                .text()
                .await
                .expect("text"),
        ),
    ] {
        assert!(!text.contains("hunter2"), "{what}: {text}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_is_read_only_from_a_process_of_the_tree_that_answers() {
    let (root, server) = vault().await;
    let vault = root
        .child::<Vault>("vault")
        .await
        .expect("the vault runs")
        .current()
        .expect("it runs");
    let outsider = Inbox::<()>::new();
    for (path, status, says) in [
        ("/api/state/banana".to_string(), 400, "malformed pid"),
        ("/api/state/%3C0.x.0%3E".to_string(), 400, "malformed pid"),
        (
            "/api/state/%23PID%3C0.99999999.0%3E".to_string(),
            404,
            "no process",
        ),
        (
            format!("/api/state/{}", enc(outsider.pid())),
            404,
            "in the tree",
        ),
    ] {
        let (got, body) = get(&server, &path).await;
        assert_eq!(got, status, "{path}: {body}");
        let error = body["error"].as_str().expect("an error message");
        assert!(error.contains(says), "{path}: {error}");
    }

    // Busy in a callback for longer than the second the observer waits.
    vault.nap(3_000).expect("sent");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let asked = Instant::now();
    let (status, body) = get(&server, &format!("/api/state/{}", enc(vault.pid()))).await;
    assert_eq!(status, 504, "{body}");
    let error = body["error"].as_str().expect("an error message");
    assert!(error.contains("busy"), "{error}");
    assert!(
        asked.elapsed() < Duration::from_millis(2_500),
        "gave up after a second"
    );
    assert!(vault.is_alive(), "nothing changed");
    server.shutdown().await;
}
