use supervise_runtime::{supervision_tree, worker};

pub struct Db;
#[worker]
impl Db { fn init() -> Self { Db } }

supervision_tree! {
    pub App: one_for_one {
        jobs: dynamic<Db>(strategy = rest_for_one),
    }
}

fn main() {}
