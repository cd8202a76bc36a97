use supervise_runtime::{supervision_tree, worker};

pub struct Db;
#[worker]
impl Db { fn init() -> Self { Db } }

pub struct Config { pub retries: u32 }

supervision_tree! {
    pub App: one_for_one {
        db: Db::child_spec(),
        config: Config { retries: 3 },
    }
}

fn main() {}
