use supervise_runtime::{supervision_tree, worker};

pub struct Db;
#[worker]
impl Db { fn init() -> Self { Db } }

supervision_tree! {
    pub App: one_for_one(auto_shutdown = any_significant) {
        db: Db::child_spec() ; significant = true,
    }
}

fn main() {}
