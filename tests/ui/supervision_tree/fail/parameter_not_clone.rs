use supervise_runtime::{supervision_tree, worker};

pub struct Db;
#[worker]
impl Db { fn init() -> Self { Db } }

pub struct Config;

supervision_tree! {
    pub App(config: Config): one_for_one {
        db: Db::child_spec(),
    }
}

fn main() {}
