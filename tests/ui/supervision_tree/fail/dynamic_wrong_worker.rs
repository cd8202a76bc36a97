use supervise_runtime::{supervision_tree, worker};

pub struct Job;
#[worker]
impl Job { fn init() -> Self { Job } }

pub struct Report;
#[worker]
impl Report { fn init() -> Self { Report } }

supervision_tree! {
    pub App: one_for_one {
        jobs: dynamic<Job>,
    }
}

async fn start_one(app: &AppRef) {
    let _ = app.jobs().start_child(Report::child_spec()).await;
}

fn main() {
    let _ = start_one;
}
