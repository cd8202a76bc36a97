use supervise_runtime::{supervision_tree, worker};

pub struct Db;
#[worker]
impl Db { fn init() -> Self { Db } }

supervision_tree! {
    pub App: one_for_one {
        jobs: dynamic<Db>(max_children = 10, auto_shutdown = any_significant),
    }
}

fn main() {}
