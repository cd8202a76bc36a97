use supervise_runtime::{supervision_tree, worker};

pub struct Db;
#[worker]
impl Db { fn init() -> Self { Db } }

supervision_tree! {
    pub App: one_for_one(max_restarts = 3, within = 0s) {
        db: Db::child_spec(),
    }
}

fn main() {}
