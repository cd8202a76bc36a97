//! `child_spec` takes the start arguments (`impl Into<String>` for `String`) and returns a
//! `ChildSpec` the spec builders and both supervisors accept.
use std::sync::Arc;
use std::time::Duration;

use supervise_runtime::{
    worker, ChildSpec, DynamicSupervisor, DynamicSupervisorSpec, Restart, Shutdown, Strategy,
    Supervisor, SupervisorSpec,
};

/// Not `Clone` itself: shared through an `Arc`, as the error message suggests.
pub struct Pool;

pub struct Db {
    _url: String,
    _pool: Arc<Pool>,
}

#[worker]
impl Db {
    fn init(url: String, pool: Arc<Pool>, retries: u8) -> Self {
        let _ = retries;
        Db { _url: url, _pool: pool }
    }
}

pub struct Nothing;

#[worker]
impl Nothing {
    fn init() -> Self {
        Nothing
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let pool = Arc::new(Pool);
    let spec: ChildSpec<Db> = Db::child_spec("postgres://", pool.clone(), 3)
        .id("db")
        .restart(Restart::Transient)
        .shutdown(Shutdown::Timeout(Duration::from_secs(1)));
    let sup = Supervisor::start(
        SupervisorSpec::new(Strategy::OneForOne)
            .child(spec)
            .child(Nothing::child_spec()),
    )
    .await
    .unwrap();
    let dynamic = DynamicSupervisor::start(DynamicSupervisorSpec::new()).await.unwrap();
    let _db = dynamic.start_child(Db::child_spec(String::from("x"), pool, 0)).await.unwrap();
    let _ = sup;
}
