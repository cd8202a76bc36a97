use supervise_runtime::{supervision_tree, worker};

pub struct Db;
#[worker]
impl Db { fn init() -> Self { Db } }

supervision_tree! {
    pub App: one_for_all(max_restarts = -3, within = 0s, within = 1s) {
        db: Db::child_spec() ; restart = sometimes,
        db: Db::child_spec(),
        jobs: dynamic<Db>(strategy = one_for_all),
        inner: sideways { leaf: Db::child_spec() },
    }
}

fn main() {}
