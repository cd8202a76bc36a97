//! A live view of a running `supervise` tree in a browser, like Erlang's `:observer`.
//!
//! One call serves a page that shows the tree under a root supervisor, updated as it
//! changes: the server takes the runtime's [`observe::snapshot`]
//! again as soon as a lifecycle event of the tree arrives (at most one every 75 ms), and
//! every [`poll_every`](Observer::poll_every) for what changes without events (mailboxes,
//! message counts), and pushes each change over server-sent events. It shows each
//! process's pid, id, kind, worker type, uptime, mailbox length and messages handled; each
//! supervisor's strategy and restart intensity; restarts (as the supervisors count them)
//! highlighted as they happen; a process's state on click; and, when turned on, buttons
//! to kill a process or terminate or restart a static child.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use supervise_runtime::{Supervisor, SupervisorSpec};
//! let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
//! let server = supervise_observer::serve(root, "127.0.0.1:0".parse().unwrap()).await.unwrap();
//! println!("open {}", server.url());
//! # server.shutdown().await;
//! # }
//! ```
//!
//! Safe by default: it binds where told, but a non-loopback address needs a
//! [`token`](Observer::token) that every request must then carry (as
//! `Authorization: Bearer ..`, an `X-Observer-Token` header, or `?token=..`); the actions
//! are off unless [`actions`](Observer::actions) turns them on; a bad request (a malformed
//! pid, one that is not in the tree) gets a JSON error and changes nothing.
//!
//! The endpoints: `GET /` (the page), `GET /api/tree` (the [`TreeView`] as JSON),
//! `GET /api/events` (server-sent events named `tree`, each the whole tree as JSON, sent
//! when it changes), `GET /api/state/{pid}` (`{"pid": .., "state": ..}`: the state of a
//! process of the tree as its worker's `format_state` writes it, redactions included;
//! 404 for a pid not in the tree, 504 when the process is busy for a second),
//! `POST /api/kill/{pid}`, `POST /api/terminate/{pid}` and
//! `POST /api/restart/{pid or child key}`.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::Stream;
use supervise_runtime::observe;
use supervise_runtime::tree::Shape;
use supervise_runtime::{AsProcess, ProcessRef};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{Notify, broadcast, oneshot, watch};
use tokio::task::JoinHandle;

mod collect;

pub use collect::{
    Collector, CountView, IntensityView, Kind, NodeView, Status, SupervisorView, TreeView,
};

const PAGE_HTML: &str = include_str!("page.html");
const PAGE_CSS: &str = include_str!("page.css");
const PAGE_JS: &str = include_str!("page.js");

/// Serves the observer for the tree under `root` on `addr` with the defaults: actions off,
/// no token (so `addr` must be a loopback address).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{Supervisor, SupervisorSpec};
/// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
/// let server = supervise_observer::serve(root, "127.0.0.1:0".parse().unwrap()).await.unwrap();
/// assert!(server.local_addr().ip().is_loopback());
/// assert_ne!(server.local_addr().port(), 0);
/// server.shutdown().await;
/// # }
/// ```
pub async fn serve(root: impl AsProcess, addr: SocketAddr) -> Result<Server, BindError> {
    Observer::new(root).bind(addr).await
}

/// The observer's settings; [`bind`](Observer::bind) starts it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_observer::Observer;
/// use supervise_runtime::{Supervisor, SupervisorSpec};
/// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
/// let server = Observer::new(root)
///     .actions(true)
///     .token("s3cret")
///     .bind("127.0.0.1:0".parse().unwrap())
///     .await
///     .unwrap();
/// assert!(server.url().ends_with("/?token=s3cret"));
/// server.shutdown().await;
/// # }
/// ```
#[derive(Debug)]
pub struct Observer {
    root: ProcessRef,
    actions: bool,
    token: Option<String>,
    shape: Option<&'static Shape>,
    title: Option<String>,
    every: Duration,
}

impl Observer {
    /// An observer of the tree under `root`: actions off, no token, snapshots taken on
    /// lifecycle events and every second.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let observer = supervise_observer::Observer::new(root);
    /// # drop(observer);
    /// # }
    /// ```
    pub fn new(root: impl AsProcess) -> Self {
        Observer {
            root: root.process(),
            actions: false,
            token: None,
            shape: None,
            title: None,
            every: Duration::from_secs(1),
        }
    }

    /// Turns the actions (kill, terminate, restart) on or off; off by default, when they
    /// answer 403.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let observer = supervise_observer::Observer::new(root).actions(true);
    /// # drop(observer);
    /// # }
    /// ```
    pub fn actions(mut self, on: bool) -> Self {
        self.actions = on;
        self
    }

    /// Requires this token on every request (`Authorization: Bearer ..`, an
    /// `X-Observer-Token` header, or `?token=..`); needed to bind a non-loopback address.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let server = supervise_observer::Observer::new(root)
    ///     .token("s3cret")
    ///     .bind("0.0.0.0:0".parse().unwrap())
    ///     .await
    ///     .unwrap();
    /// server.shutdown().await;
    /// # }
    /// ```
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Uses the tree's static `SHAPE` (from `supervision_tree!`) for the title and the
    /// dynamic supervisors' `max_children` (the strategies and intensities shown are the
    /// running supervisors' own, shape or not).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{supervision_tree, worker};
    /// pub struct Job;
    /// #[worker]
    /// impl Job { fn init() -> Self { Job } }
    /// supervision_tree! { pub App: one_for_one { job: Job::child_spec() } }
    /// let app = App::start().await.unwrap();
    /// let observer = supervise_observer::Observer::new(&app).shape(&App::SHAPE);
    /// # drop(observer);
    /// # }
    /// ```
    pub fn shape(mut self, shape: &'static Shape) -> Self {
        self.shape = Some(shape);
        self
    }

    /// The page's title (default: the shape's name, else `supervise`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let observer = supervise_observer::Observer::new(root).title("billing");
    /// # drop(observer);
    /// # }
    /// ```
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// How often a snapshot is taken when no lifecycle event asks for one (1 s by default;
    /// at least 10 ms): mailbox lengths and message counts change without events.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let observer = supervise_observer::Observer::new(root).poll_every(Duration::from_secs(1));
    /// # drop(observer);
    /// # }
    /// ```
    pub fn poll_every(mut self, every: Duration) -> Self {
        self.every = every.max(Duration::from_millis(10));
        self
    }

    /// Binds `addr` and serves until the returned [`Server`] is shut down or dropped.
    ///
    /// A non-loopback address without a token is refused, as is an empty token.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_observer::{BindError, Observer};
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let refused = Observer::new(root).bind("0.0.0.0:0".parse().unwrap()).await;
    /// assert!(matches!(refused, Err(BindError::TokenRequired(_))));
    /// # }
    /// ```
    pub async fn bind(self, addr: SocketAddr) -> Result<Server, BindError> {
        if self.token.as_deref() == Some("") {
            return Err(BindError::EmptyToken);
        }
        if self.token.is_none() && !addr.ip().is_loopback() {
            return Err(BindError::TokenRequired(addr));
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(BindError::Io)?;
        let local_addr = listener.local_addr().map_err(BindError::Io)?;

        let mut collector = Collector::new(self.root.clone()).actions(self.actions);
        if let Some(shape) = self.shape {
            collector = collector.shape(shape);
        }
        if let Some(title) = self.title {
            collector = collector.title(title);
        }
        // Subscribed before the first snapshot: nothing that happens after it is missed.
        let lifecycle = observe::subscribe();
        let first = collector.poll().await;
        let (tx, latest) = watch::channel(to_json(&first));
        let wake = Arc::new(Notify::new());
        let poller = tokio::spawn(poll_loop(
            collector,
            first,
            tx,
            lifecycle,
            wake.clone(),
            self.every,
        ));

        let shared = Arc::new(Shared {
            root: self.root,
            actions: self.actions,
            token: self.token.clone(),
            latest,
            wake,
            page: PAGE_HTML
                .replace("/*STYLE*/", PAGE_CSS)
                .replace("/*SCRIPT*/", PAGE_JS),
        });
        let app = Router::new()
            .route("/", get(page))
            .route("/api/tree", get(tree))
            .route("/api/events", get(events))
            .route("/api/state/{pid}", get(state))
            .route("/api/kill/{pid}", post(kill))
            .route("/api/terminate/{pid}", post(terminate))
            .route("/api/restart/{*target}", post(restart))
            .fallback(not_found)
            .layer(middleware::from_fn_with_state(shared.clone(), authorize))
            .with_state(shared);
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Server {
            local_addr,
            token: self.token,
            stop: Some(stop),
            poller,
            served: Some(served),
        })
    }
}

/// Why the observer did not start.
///
/// ```
/// use supervise_observer::BindError;
/// let e = BindError::TokenRequired("0.0.0.0:4000".parse().unwrap());
/// assert!(e.to_string().contains("token"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BindError {
    /// A non-loopback address was asked for without a token.
    TokenRequired(SocketAddr),
    /// The token is empty.
    EmptyToken,
    /// The address could not be bound.
    Io(std::io::Error),
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindError::TokenRequired(addr) => write!(
                f,
                "refusing to serve the observer on {addr} without a token: bind a loopback address, or set Observer::token"
            ),
            BindError::EmptyToken => f.write_str("the observer's token is empty"),
            BindError::Io(e) => write!(f, "the observer could not bind its address: {e}"),
        }
    }
}

impl std::error::Error for BindError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BindError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// A running observer. Dropping it stops it, as does [`shutdown`](Server::shutdown).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{Supervisor, SupervisorSpec};
/// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
/// let server = supervise_observer::serve(root, "127.0.0.1:0".parse().unwrap()).await.unwrap();
/// assert_eq!(server.url(), format!("http://{}/", server.local_addr()));
/// server.shutdown().await;
/// # }
/// ```
#[derive(Debug)]
pub struct Server {
    local_addr: SocketAddr,
    token: Option<String>,
    stop: Option<oneshot::Sender<()>>,
    poller: JoinHandle<()>,
    served: Option<JoinHandle<()>>,
}

impl Server {
    /// The address it listens on (the port chosen when bound to port 0).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let server = supervise_observer::serve(root, "[::1]:0".parse().unwrap()).await.unwrap();
    /// assert!(server.local_addr().is_ipv6());
    /// # }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The page's URL, with the token when there is one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let server = supervise_observer::serve(root, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    /// assert!(server.url().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub fn url(&self) -> String {
        match &self.token {
            Some(token) => format!(
                "http://{}/?token={}",
                self.local_addr,
                percent_encode(token)
            ),
            None => format!("http://{}/", self.local_addr),
        }
    }

    /// Stops serving: open event streams end and the listener closes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Supervisor, SupervisorSpec};
    /// let root = Supervisor::start(SupervisorSpec::default()).await.unwrap();
    /// let server = supervise_observer::serve(root, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    /// let addr = server.local_addr();
    /// server.shutdown().await;
    /// assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    /// # }
    /// ```
    pub async fn shutdown(mut self) {
        self.stop_now();
        if let Some(served) = self.served.take() {
            let _ = served.await;
        }
    }

    fn stop_now(&mut self) {
        // The poller owns the tree's sender: stopping it ends every event stream, so the
        // graceful shutdown does not wait for browsers that keep theirs open.
        self.poller.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_now();
    }
}

struct Shared {
    root: ProcessRef,
    actions: bool,
    token: Option<String>,
    latest: watch::Receiver<Arc<str>>,
    wake: Arc<Notify>,
    page: String,
}

fn to_json(view: &TreeView) -> Arc<str> {
    match serde_json::to_string(view) {
        Ok(json) => json.into(),
        Err(e) => format!("{{\"error\":\"the tree could not be serialized: {e}\"}}").into(),
    }
}

/// At most one snapshot this often on lifecycle events (a burst of them, a supervisor
/// restarting many children, gives one or two).
const DEBOUNCE: Duration = Duration::from_millis(75);

/// Takes snapshots and publishes the changed ones: at once on a lifecycle event of the
/// tree or an action (no sooner than [`DEBOUNCE`] after the previous one), and every
/// `every` without one.
async fn poll_loop(
    mut collector: Collector,
    mut last: TreeView,
    tx: watch::Sender<Arc<str>>,
    mut lifecycle: broadcast::Receiver<observe::Event>,
    wake: Arc<Notify>,
    every: Duration,
) {
    let mut listening = true;
    let mut taken = tokio::time::Instant::now();
    loop {
        let poll_at = taken + every;
        tokio::select! {
            _ = tokio::time::sleep_until(poll_at) => {}
            _ = wake.notified() => tokio::time::sleep_until(taken + DEBOUNCE).await,
            event = lifecycle.recv(), if listening => {
                match event {
                    Ok(event) if !collector.note(&event) => continue,
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => {
                        listening = false;
                        continue;
                    }
                }
                tokio::time::sleep_until(taken + DEBOUNCE).await;
            }
        }
        // The burst's other events are seen by this snapshot.
        loop {
            match lifecycle.try_recv() {
                Ok(event) => {
                    collector.note(&event);
                }
                Err(broadcast::error::TryRecvError::Lagged(_)) => {}
                Err(_) => break,
            }
        }
        let view = collector.poll().await;
        taken = tokio::time::Instant::now();
        let news = changed(&last, &view);
        let json = to_json(&view);
        last = view;
        // Always kept for `GET /api/tree`; pushed to the pages only when it changed.
        tx.send_if_modified(|current| {
            *current = json;
            news
        });
    }
}

/// Whether `new` differs from `old` by more than the supervisors' message counts, which
/// each snapshot moves (it is a request to each of them).
fn changed(old: &TreeView, new: &TreeView) -> bool {
    fn quiet(node: &NodeView) -> NodeView {
        let mut node = node.clone();
        if node.supervisor.is_some() {
            node.messages_handled = None;
        }
        node.children = node.children.iter().map(quiet).collect();
        node
    }
    quiet(&old.root) != quiet(&new.root) || old.title != new.title
}

fn error(status: StatusCode, message: impl fmt::Display) -> Response {
    let body = serde_json::json!({ "error": message.to_string() });
    (status, no_store(), axum::Json(body)).into_response()
}

fn no_store() -> [(header::HeaderName, HeaderValue); 1] {
    [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]
}

/// Compares without stopping at the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn token_of(req: &Request) -> Option<String> {
    let headers = req.headers();
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_string());
    }
    if let Some(token) = headers
        .get("x-observer-token")
        .and_then(|v| v.to_str().ok())
    {
        return Some(token.trim().to_string());
    }
    req.uri()
        .query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .and_then(percent_decode)
}

async fn authorize(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if let Some(expected) = &shared.token {
        let given = token_of(&req);
        if !given.is_some_and(|g| same_secret(&g, expected)) {
            return error(
                StatusCode::UNAUTHORIZED,
                "a token is required: send it as `Authorization: Bearer <token>`, an `X-Observer-Token` header, or `?token=<token>`",
            );
        }
    }
    next.run(req).await
}

async fn page(State(shared): State<Arc<Shared>>) -> Response {
    let headers = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
            ),
        ),
    ];
    (headers, Html(shared.page.clone())).into_response()
}

async fn tree(State(shared): State<Arc<Shared>>) -> Response {
    let json = shared.latest.borrow().clone();
    let headers = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ),
    ];
    (headers, json.to_string()).into_response()
}

async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut rx = shared.latest.clone();
    rx.mark_changed();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.changed().await.ok()?;
        let json = rx.borrow_and_update().clone();
        Some((Ok(Event::default().event("tree").data(&*json)), rx))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(10)))
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such endpoint")
}

type PathText = Result<Path<String>, axum::extract::rejection::PathRejection>;

async fn act<F, Fut>(shared: &Shared, target: PathText, action: F) -> Response
where
    F: FnOnce(ProcessRef, String) -> Fut,
    Fut: Future<Output = Result<collect::ActionDone, collect::ActionError>>,
{
    if !shared.actions {
        return error(
            StatusCode::FORBIDDEN,
            "actions are off: serve with Observer::actions(true) to kill, terminate or restart",
        );
    }
    let target = match target {
        Ok(Path(target)) => target,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("bad path: {e}")),
    };
    match action(shared.root.clone(), target).await {
        Ok(done) => {
            shared.wake.notify_one();
            (StatusCode::OK, no_store(), axum::Json(done)).into_response()
        }
        Err(e) => error(
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            e,
        ),
    }
}

async fn state(State(shared): State<Arc<Shared>>, pid: PathText) -> Response {
    let pid = match pid {
        Ok(Path(pid)) => pid,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("bad path: {e}")),
    };
    match collect::state(&shared.root, &pid).await {
        Ok(state) => (StatusCode::OK, no_store(), axum::Json(state)).into_response(),
        Err(e) => error(
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            e,
        ),
    }
}

async fn kill(State(shared): State<Arc<Shared>>, pid: PathText) -> Response {
    act(&shared, pid, |root, pid| async move {
        collect::kill(&root, &pid).await
    })
    .await
}

async fn terminate(State(shared): State<Arc<Shared>>, pid: PathText) -> Response {
    act(&shared, pid, |root, pid| async move {
        collect::terminate(&root, &pid).await
    })
    .await
}

async fn restart(State(shared): State<Arc<Shared>>, target: PathText) -> Response {
    act(&shared, target, |root, target| async move {
        collect::restart(&root, &target).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use supervise_runtime::{ChildSpec, DynamicSupervisor, ExitReason, worker};
    use supervise_runtime::{Handle, Supervisor};
    use tokio::time::Instant;

    #[derive(Debug)]
    pub struct Job;

    #[worker]
    impl Job {
        fn init() -> Self {
            Job
        }
        #[call]
        fn ping(&self) {}
    }

    const EVERY: Duration = Duration::from_secs(10);

    /// A root with a dynamic supervisor of `n` jobs, and its poll loop: the tree's JSON as
    /// pushed, and the jobs.
    async fn looped(n: usize) -> (watch::Receiver<Arc<str>>, Handle<DynamicSupervisor>) {
        let spec = supervise_runtime::SupervisorSpec::default().child(
            ChildSpec::dynamic_supervisor(
                supervise_runtime::DynamicSupervisorSpec::new()
                    .intensity(100, Duration::from_secs(5)),
            )
            .id("jobs"),
        );
        let root = Supervisor::start(spec).await.unwrap();
        let jobs = root.which_children().await.unwrap()[0]
            .worker::<DynamicSupervisor>()
            .unwrap();
        for _ in 0..n {
            jobs.start_child(Job::child_spec()).await.unwrap();
        }
        let mut collector = Collector::new(root);
        let lifecycle = observe::subscribe();
        let first = collector.poll().await;
        let (tx, rx) = watch::channel(to_json(&first));
        let wake = Arc::new(Notify::new());
        tokio::spawn(poll_loop(collector, first, tx, lifecycle, wake, EVERY));
        (rx, supervise_runtime::RefOf::into_address(jobs))
    }

    fn restarts(json: &str) -> u64 {
        let tree: serde_json::Value = serde_json::from_str(json).unwrap();
        tree["root"]["children"][0]["supervisor"]["restarts"]
            .as_u64()
            .unwrap()
    }

    async fn job(jobs: &Handle<DynamicSupervisor>, i: usize) -> supervise_runtime::ProcessRef {
        jobs.which_children().await.unwrap()[i]
            .process
            .clone()
            .unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn a_lifecycle_event_pushes_the_tree_at_once() {
        let (mut rx, jobs) = looped(2).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let killed_at = Instant::now();
        job(&jobs, 0).await.exit(ExitReason::Kill);
        tokio::time::timeout(EVERY / 2, rx.changed())
            .await
            .expect("pushed before the next poll")
            .unwrap();
        assert!(killed_at.elapsed() <= DEBOUNCE, "{:?}", killed_at.elapsed());
        assert_eq!(restarts(&rx.borrow_and_update()), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_events_is_debounced() {
        let (mut rx, jobs) = looped(6).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let all: Vec<_> = jobs
            .which_children()
            .await
            .unwrap()
            .into_iter()
            .filter_map(|c| c.process)
            .collect();
        for p in &all {
            p.exit(ExitReason::Kill);
        }
        let mut pushes = Vec::new();
        let mut last = 0;
        while last < 6 {
            tokio::time::timeout(EVERY / 2, rx.changed())
                .await
                .expect("the restarts pushed before the next poll")
                .unwrap();
            pushes.push(Instant::now());
            last = restarts(&rx.borrow_and_update());
        }
        for gap in pushes.windows(2) {
            assert!(gap[1] - gap[0] >= DEBOUNCE, "{pushes:?}");
        }
        assert!(pushes.len() <= 3, "{} pushes for one burst", pushes.len());
    }

    #[tokio::test(start_paused = true)]
    async fn the_poll_pushes_what_changes_without_events_and_only_that() {
        let (mut rx, jobs) = looped(1).await;
        // Nothing happens: polls come and go (each moves the supervisors' message counts,
        // which is not news), nothing is pushed.
        let quiet = tokio::time::timeout(EVERY * 3, rx.changed()).await;
        assert!(quiet.is_err(), "nothing to push");
        // A message handled is news, seen by the next poll (no event tells it).
        let start = Instant::now();
        job(&jobs, 0)
            .await
            .worker::<Job>()
            .unwrap()
            .ping()
            .await
            .unwrap();
        rx.changed().await.unwrap();
        assert!(start.elapsed() <= EVERY, "{:?}", start.elapsed());
        let tree: serde_json::Value = serde_json::from_str(&rx.borrow_and_update()).unwrap();
        assert_eq!(
            tree["root"]["children"][0]["children"][0]["messages_handled"],
            1
        );
    }
}
