//! The grammar's every form in one tree: parameters, intensity, a typed and an open
//! dynamic supervisor, a nested supervisor with overrides, a tree as a child.

use std::path::PathBuf;

use supervise_runtime::{supervision_tree, worker, Flow};

pub struct Redis { url: String }
#[worker]
impl Redis {
    fn init(url: String) -> Self { Redis { url } }
    #[call] fn url(&self) -> String { self.url.clone() }
}

pub struct Reader;
#[worker]
impl Reader { fn init(_path: PathBuf) -> Self { Reader } }

pub struct Writer;
#[worker]
impl Writer {
    fn init() -> Self { Writer }
    #[info] fn done(&mut self) -> Flow { Flow::stop_normal() }
}

pub struct Job;
#[worker]
impl Job { fn init(_n: u32) -> Self { Job } }

supervision_tree! {
    /// Another tree, to nest.
    pub Cache(url: String): one_for_all {
        redis: Redis::child_spec(url),
    }
}

supervision_tree! {
    /// The application.
    pub App(redis_url: String, path: PathBuf): one_for_one(max_restarts = 3, within = 5s) {
        redis:    Redis::child_spec(redis_url.clone()),
        jobs:     dynamic<Job>(max_children = 10_000),
        any:      dynamic(max_children = 5, within = 1s, backoff = 10ms..1s),
        pipeline: rest_for_one(max_restarts = 5, within = 1m, auto_shutdown = any_significant) {
            reader: Reader::child_spec(path),
            writer: Writer::child_spec() ; restart = transient, shutdown = 5s, significant = true, name = "writer",
        },
        other:    tree Cache(redis_url),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let app = App::start("redis://".to_owned(), PathBuf::from("/tmp")).await.unwrap();
    assert_eq!(app.count_children().await.unwrap().active, 5);
    assert_eq!(AppChild::ALL.len(), 5);
    assert_eq!(AppPipelineChild::Writer.id(), "writer");
    assert!(App::SHAPE.to_string().contains("writer: Writer [transient, significant]"));
    app.terminate_child(AppChild::Redis).await.unwrap();
    app.restart_child(AppChild::Redis).await.unwrap();
    app.stop().await;
}
