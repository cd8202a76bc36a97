//! The less common forms: `#![crate = ..]`, a written worker type, a spec built by hand,
//! dynamic supervisors with every option, `auto_shutdown`, docs on children, the root as
//! an `Application`, and a private tree.

use std::time::Duration;

use supervise_runtime::{supervision_tree, worker, ChildSpec, Flow, Restart};

pub struct Job;
#[worker]
impl Job {
    fn init(_pool: u32, _n: u64) -> Self { Job }
    #[info] fn done(&mut self) -> Flow { Flow::stop_normal() }
}

pub struct Cache;
#[worker]
impl Cache { fn init(_size: usize) -> Self { Cache } }

mod rt {
    pub use supervise_runtime::*;
}

supervision_tree! {
    #![crate = crate::rt]
    /// Private tree.
    Forms(size: usize): one_for_one(backoff = 10ms..1s, max_restarts = 0) {
        /// The cache.
        cache: Cache = ChildSpec::<Cache>::worker((size,)).restart(Restart::Permanent),
        inferred: Cache::child_spec(size).id("ignored: the block's name wins"),
        pool: dynamic<Job>(max_children = 4, max_restarts = 10, within = 500ms, backoff = 5ms..50ms, extra_arguments = 7u32),
        open: dynamic,
        ended: one_for_one(auto_shutdown = all_significant) {
            job: Job::child_spec(1, 2) ; restart = temporary, significant = true, shutdown = infinity,
        },
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (app, forms) = Forms::application(16).await.unwrap();
    assert_eq!(app.root().count_children().await.unwrap().active, 5);
    assert_eq!(forms.pid(), Some(app.root().pid()));
    let _: &FormsRef = &forms;
    let _: &supervise_runtime::tree::DynamicRef<Job> = forms.pool();
    let _: &supervise_runtime::tree::DynamicRef = forms.open();
    let _: &FormsEndedRef = forms.ended();
    let exit = app.run_until(tokio::time::sleep(Duration::from_millis(1))).await;
    assert_eq!(exit.code(), 0);
    assert_eq!(FormsChild::Inferred.id(), "inferred");
    assert_eq!(Forms::SHAPE.root.children.len(), 5);
}
