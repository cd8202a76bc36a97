//! A tree as a child of another tree, twice, each with its own parameters.

use supervise_runtime::{supervision_tree, worker};

pub struct Conn { url: String }
#[worker]
impl Conn {
    fn init(url: String) -> Self { Conn { url } }
    #[call] fn url(&self) -> String { self.url.clone() }
}

supervision_tree! {
    /// A pool of two connections.
    pub Pool(url: String): one_for_all {
        first: Conn::child_spec(url),
        second: Conn::child_spec(url),
    }
}

supervision_tree! {
    pub App(primary: String, replica: String): one_for_one {
        primary: tree Pool(primary),
        replica: tree Pool(replica) ; restart = transient,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let app = App::start("db://primary".into(), "db://replica".into()).await.unwrap();
    let count = app.count_children().await.unwrap();
    assert_eq!((count.active, count.supervisors), (2, 2));
    let replica: &PoolRef = app.replica();
    assert_eq!(replica.second().url().await.unwrap(), "db://replica");
    assert_eq!(app.primary().first().url().await.unwrap(), "db://primary");
    replica.terminate_child(PoolChild::First).await.unwrap();
    assert!(App::SHAPE.to_string().contains("replica: [transient] Pool: one_for_all"));
    app.stop().await;
}
