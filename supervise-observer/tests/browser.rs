//! The page in a real headless Chromium, driven through WebDriver: it shows the example's
//! tree with the runtime's pids, a click on a worker's kill button gives it a new pid, its
//! supervisor's restart count goes up to the runtime's own, and a click on the worker shows
//! its state as the runtime tells it. Saves a screenshot of the page.

#[allow(dead_code)]
#[path = "../examples/observer_tree/mod.rs"]
mod observer_tree;

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use supervise_observer::Observer;
use supervise_runtime::DynamicSupervisor;
use supervise_runtime::observe::{self, NodeKind};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver, in its own process group; the group (browser included) is killed on
/// every path out of the test, panics too.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("{CHROMEDRIVER} did not start: {e}"));
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port} within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free loopback port");
    listener.local_addr().expect("its address").port()
}

/// Polls `check` every 50 ms until it returns `Some`, for at most `limit`.
async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {} s",
            limit.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -p supervise-observer --test browser -- --ignored"]
async fn kill_from_the_page_gives_the_worker_a_new_pid_and_counts_a_restart() {
    let root = observer_tree::start(3, false).await;
    let server = Observer::new(root.clone())
        .shape(&observer_tree::Shop::SHAPE)
        .actions(true)
        .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("the observer binds");

    let driver = Driver::start();
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1440,900"]
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!("an object")
    };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session");
    client
        .set_window_size(1440, 900)
        .await
        .expect("window size");
    client.goto(&server.url()).await.expect("the page loads");

    // The runtime's own view: the jobs supervisor and its second job.
    let top = root.which_children().await.expect("the root answers");
    let jobs = top
        .iter()
        .find(|c| c.id.as_deref() == Some("jobs"))
        .and_then(|c| c.worker::<DynamicSupervisor>())
        .expect("the jobs supervisor runs");
    let job = jobs.which_children().await.expect("jobs answers")[1]
        .process
        .clone()
        .expect("a running job");
    let old_pid = job.pid().to_string();

    // The page lists every process of the tree by its pid.
    let all = root
        .which_children()
        .await
        .expect("the root answers")
        .into_iter()
        .chain(jobs.which_children().await.expect("jobs answers"))
        .filter_map(|c| c.pid.pid())
        .chain([root.pid(), jobs.pid()]);
    for pid in all {
        let selector = format!("[data-pid=\"{pid}\"]");
        eventually(&format!("row {pid} shown"), Duration::from_secs(10), || {
            let client = client.clone();
            let selector = selector.clone();
            async move { client.find(Locator::Css(&selector)).await.ok() }
        })
        .await;
    }

    let row = client
        .find(Locator::Css(&format!("[data-pid=\"{old_pid}\"]")))
        .await
        .expect("the job's row");
    let key = row.attr("data-key").await.expect("its key").expect("a key");
    let sup_restarts = || {
        let client = client.clone();
        async move {
            client
                .find(Locator::Css("[data-key=\"jobs\"]"))
                .await
                .ok()?
                .attr("data-sup-restarts")
                .await
                .ok()??
                .parse::<u64>()
                .ok()
        }
    };
    let before = sup_restarts().await.expect("the jobs supervisor's count");

    row.find(Locator::Css("button.act-kill"))
        .await
        .expect("a kill button")
        .click()
        .await
        .expect("kill clicked");

    let row_of_key = format!("[data-key=\"{key}\"]");
    let new_pid = eventually("a new pid for the job", Duration::from_secs(10), || {
        let client = client.clone();
        let row_of_key = row_of_key.clone();
        let old_pid = old_pid.clone();
        async move {
            let pid = client
                .find(Locator::Css(&row_of_key))
                .await
                .ok()?
                .attr("data-pid")
                .await
                .ok()??;
            (!pid.is_empty() && pid != old_pid).then_some(pid)
        }
    })
    .await;
    let after = eventually("the restart counted", Duration::from_secs(10), || {
        let restarts = sup_restarts();
        async move { restarts.await.filter(|&n| n > before) }
    })
    .await;
    assert_eq!((before, after), (0, 1));
    // The runtime's own count: its supervisor's record of the job, and its intensity.
    let tree = observe::snapshot(&root).await.expect("a snapshot");
    let jobs_node = tree.find(jobs.pid()).expect("jobs in the tree");
    assert_eq!(jobs_node.kind, NodeKind::DynamicSupervisor);
    let counted: u32 = jobs_node.children.iter().map(|c| c.restarts).sum();
    let window = jobs_node.supervisor.expect("its flags").restarts_in_window;
    assert_eq!((u64::from(counted), window), (after, 1), "{tree}");
    let shown = client
        .find(Locator::Css("[data-key=\"jobs\"] .sup-restarts"))
        .await
        .expect("the count shown")
        .text()
        .await
        .expect("its text");
    assert_eq!(shown, "1 restart");
    assert!(!job.is_alive(), "the killed job is gone");
    let live: Vec<String> = jobs
        .which_children()
        .await
        .expect("jobs answers")
        .iter()
        .filter_map(|c| c.pid.pid().map(|p| p.to_string()))
        .collect();
    assert!(
        live.contains(&new_pid),
        "{new_pid} is a job of the runtime's: {live:?}"
    );

    // Select the restarted job for the details panel, then keep a picture of the page.
    client
        .find(Locator::Css(&format!("{row_of_key} .name")))
        .await
        .expect("the new row")
        .click()
        .await
        .expect("row selected");
    eventually("details shown", Duration::from_secs(5), || {
        let client = client.clone();
        async move { client.find(Locator::Css("#details dl")).await.ok() }
    })
    .await;
    // Its state, as the runtime tells it (the worker's format_state).
    let new_job = tree
        .find(
            jobs_node
                .children
                .iter()
                .find_map(|c| c.pid.filter(|p| p.to_string() == new_pid))
                .expect("the new job in the snapshot"),
        )
        .and_then(|n| n.process.clone())
        .expect("its process");
    let expected = observe::state(&new_job, Duration::from_secs(1))
        .await
        .expect("its state");
    assert!(expected.starts_with("Job {"), "{expected}");
    let shown = eventually("the state shown", Duration::from_secs(5), || {
        let client = client.clone();
        async move {
            client
                .find(Locator::Css("#details pre.state[data-loaded]"))
                .await
                .ok()?
                .text()
                .await
                .ok()
        }
    })
    .await;
    assert_eq!(shown, expected);
    let png = client.screenshot().await.expect("a screenshot");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("observer-screenshot.png");
    std::fs::write(&path, png).expect("the screenshot is written");
    println!("screenshot: {}", path.display());
    if let Some(copy) = std::env::var_os("OBSERVER_SCREENSHOT") {
        std::fs::write(&copy, std::fs::read(&path).expect("read back")).expect("copied");
    }

    client.close().await.expect("the session closes");
    drop(driver);
    server.shutdown().await;
}
