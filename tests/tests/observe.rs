//! `supervise_runtime::observe` seen from outside: redaction in crash reports and in the
//! state shown, and the lifecycle events as `tracing` events.

use std::fmt;
use std::time::Duration;

use supervise_runtime::{
    AsProcess, Context, DynamicSupervisor, DynamicSupervisorSpec, Init, Worker, observe, worker,
};
use tests::capture_logs;

/// A `#[worker]` whose state's `Debug` leaves the password out.
pub struct Conn {
    user: String,
    password: String,
}

impl fmt::Debug for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conn")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[worker]
impl Conn {
    fn init(user: String, password: String) -> Self {
        Conn { user, password }
    }
    #[info]
    fn crash(&mut self) {
        panic!("lost the connection of {}", self.user)
    }
    #[call]
    fn secret_len(&self) -> usize {
        self.password.len()
    }
}

/// A `#[worker]` that says what to show of its state with `format_status`.
#[derive(Debug)]
pub struct Token {
    owner: String,
    token: String,
}

/// What reports and the observer show of a [`Token`] (its fields are read through `Debug`).
#[derive(Debug)]
#[allow(dead_code)]
pub struct TokenStatus<'a> {
    owner: &'a str,
    token_len: usize,
}

#[worker]
impl Token {
    fn init(owner: String, token: String) -> Self {
        Token { owner, token }
    }
    #[info]
    fn crash(&mut self) {
        panic!("token of {} revoked", self.owner)
    }
    fn format_status(&self) -> TokenStatus<'_> {
        TokenStatus {
            owner: &self.owner,
            token_len: self.token.len(),
        }
    }
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn format_status_is_what_reports_and_the_state_show() {
    let (_guard, logs) = capture_logs();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let token = sup
        .start_child(Token::child_spec(
            "ada".to_string(),
            "tok-123456".to_string(),
        ))
        .await
        .unwrap();
    let shown = observe::state(&token, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(shown, r#"TokenStatus { owner: "ada", token_len: 10 }"#);
    token.crash().unwrap();
    token.process().wait().await;
    let crashes = logs.with_target("supervise::crash");
    assert_eq!(crashes.len(), 1, "{crashes:?}");
    assert_eq!(
        crashes[0].field("state"),
        r#"TokenStatus { owner: "ada", token_len: 10 }"#
    );
    assert!(!format!("{:?}", crashes[0].fields).contains("tok-123456"));
}

/// A worker written by hand, redacting in `format_state`.
pub struct Vault {
    key: String,
    opened: u32,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Vault { .. }")
    }
}

impl Worker for Vault {
    type Args = String;
    type Info = ();
    type Call = std::convert::Infallible;
    type Cast = std::convert::Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init(key: String, _ctx: &mut Context<Self>) -> Init<Self> {
        Init::Ok(Vault { key, opened: 0 })
    }

    async fn handle_info(&mut self, _msg: (), _ctx: &mut Context<Self>) -> supervise_runtime::Flow {
        self.opened += 1;
        panic!(
            "vault broke after {} with {} key bytes",
            self.opened,
            self.key.len()
        )
    }

    fn format_state(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(
            out,
            "Vault {{ key: <{} bytes>, opened: {} }}",
            self.key.len(),
            self.opened
        )
    }
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn redaction_holds_in_the_crash_report_and_the_state_shown() {
    let (_guard, logs) = capture_logs();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let conn = sup
        .start_child(Conn::child_spec("ada".to_string(), "hunter2".to_string()))
        .await
        .unwrap();
    assert_eq!(conn.secret_len().await, Ok(7));
    let shown = observe::state(&conn, Duration::from_secs(1)).await.unwrap();
    assert_eq!(shown, r#"Conn { user: "ada", password: "<redacted>" }"#);

    let vault = sup
        .start_child(supervise_runtime::ChildSpec::<Vault>::worker(
            "s3cr3t-key".to_string(),
        ))
        .await
        .unwrap();
    let shown = observe::state(&vault, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(shown, "Vault { key: <10 bytes>, opened: 0 }");

    conn.crash().unwrap();
    conn.process().wait().await;
    vault.send(()).unwrap();
    vault.process().wait().await;

    let crashes = logs.with_target("supervise::crash");
    assert_eq!(crashes.len(), 2, "{crashes:?}");
    for report in &crashes {
        let text = format!("{:?}", report.fields);
        assert!(
            !text.contains("hunter2") && !text.contains("s3cr3t"),
            "{text}"
        );
    }
    assert!(
        crashes[0].field("state").contains("<redacted>"),
        "{crashes:?}"
    );
    assert!(
        crashes[1].field("state").contains("<10 bytes>"),
        "{crashes:?}"
    );
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn lifecycle_events_are_traced_with_fields() {
    let (_guard, logs) = capture_logs();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let conn = sup
        .start_child(Conn::child_spec("ada".to_string(), "pw".to_string()))
        .await
        .unwrap();
    conn.crash().unwrap();
    conn.process().wait().await;

    let events = logs.with_target("supervise::lifecycle");
    let kinds: Vec<&str> = events.iter().map(|e| e.field("event")).collect();
    assert_eq!(
        kinds,
        ["started", "exited", "started", "restarted"],
        "{events:?}"
    );
    let sup_pid = sup.pid().to_string();
    assert!(events.iter().all(|e| e.field("supervisor") == sup_pid));
    assert!(events.iter().all(|e| e.level == tracing::Level::DEBUG));
    assert_eq!(events[1].field("pid"), conn.pid().to_string());
    assert!(
        events[1]
            .field("reason")
            .contains("lost the connection of ada")
    );
    assert_eq!(events[3].field("old"), conn.pid().to_string());
}

/// A `format_status` that panics.
#[derive(Debug)]
pub struct Fragile;

#[worker]
impl Fragile {
    fn init() -> Self {
        Fragile
    }
    #[info]
    fn crash(&mut self) {
        panic!("fragile crashed")
    }
    fn format_status(&self) -> String {
        panic!("format_status broke")
    }
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_panicking_format_status_is_shown_as_such_and_harms_nothing() {
    let (_guard, logs) = capture_logs();
    let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new())
        .await
        .unwrap();
    let fragile = sup.start_child(Fragile::child_spec()).await.unwrap();
    let shown = observe::state(&fragile, Duration::from_secs(1))
        .await
        .unwrap();
    assert!(shown.contains("format_status broke"), "{shown}");
    assert!(fragile.is_alive(), "asking for the state did not crash it");
    fragile.crash().unwrap();
    fragile.process().wait().await;
    let crashes = logs.with_target("supervise::crash");
    assert_eq!(crashes.len(), 1, "{crashes:?}");
    assert!(
        crashes[0].field("state").contains("format_status broke"),
        "{crashes:?}"
    );
    assert_eq!(sup.count_children().await.unwrap().active, 1, "restarted");
}
