use supervise_runtime::{supervision_tree, worker};

pub struct Db;
#[worker]
impl Db { fn init() -> Self { Db } }

pub struct Cache;
#[worker]
impl Cache { fn init() -> Self { Cache } }

supervision_tree! {
    pub App: one_for_one {
        db: Cache = Db::child_spec(),
    }
}

fn main() {}
