use supervise_runtime::{supervision_tree, worker};

pub struct Db;
#[worker]
impl Db { fn init() -> Self { Db } }

supervision_tree! {
    pub App: one_for_one(within = 5) {
        db: Db::child_spec(),
    }
}

fn main() {}
