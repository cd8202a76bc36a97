use supervise_runtime::{worker, Pid};

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[down]
    fn on_down(&mut self, pid: Pid) {
        let _ = pid;
    }
}

fn main() {}
