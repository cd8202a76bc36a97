use supervise_runtime::{worker, ExitReason, Pid};

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[exit]
    fn on_exit(&mut self, from: Pid, reason: ExitReason) {
        let _ = (from, reason);
    }
    #[exit]
    fn on_link_exit(&mut self, from: Pid, reason: ExitReason) {
        let _ = (from, reason);
    }
}

fn main() {}
