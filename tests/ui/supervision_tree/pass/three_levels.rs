//! Three levels of inline supervisors, each with its own strategy, intensity and id enum.

use supervise_runtime::{supervision_tree, worker, ChildPid};

pub struct Leaf;
#[worker]
impl Leaf { fn init() -> Self { Leaf } }

supervision_tree! {
    pub Deep: one_for_one(max_restarts = 1, within = 1s) {
        top: Leaf::child_spec(),
        middle: one_for_all(max_restarts = 2, within = 2s) {
            mid: Leaf::child_spec(),
            bottom: rest_for_one(max_restarts = 3, within = 3s) {
                first: Leaf::child_spec() ; shutdown = brutal_kill,
                second: Leaf::child_spec() ; shutdown = 500ms, restart = transient,
            },
        },
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let deep = Deep::start().await.unwrap();
    let children = deep.which_children().await.unwrap();
    assert_eq!(children.len(), 2);
    assert!(children.iter().all(|c| matches!(c.pid, ChildPid::Running(_))));
    assert_eq!(DeepMiddleChild::ALL, &[DeepMiddleChild::Mid, DeepMiddleChild::Bottom]);
    assert_eq!(DeepMiddleBottomChild::Second.to_string(), "second");
    let shape = Deep::SHAPE.to_string();
    assert!(shape.contains("      second: Leaf [transient]"), "{shape}");
    deep.stop().await;
}
