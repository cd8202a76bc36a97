use supervise_runtime::{worker, Context, Pid};

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[exit]
    fn on_exit(&mut self, from: Pid, ctx: &mut Context<Self>) {
        let _ = (from, ctx);
    }
}

fn main() {}
