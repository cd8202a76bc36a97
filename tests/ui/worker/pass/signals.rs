//! Every shape an `#[exit]` or `#[down]` handler may have.
use supervise_runtime::{worker, Context, Down, ExitReason, Flow, Pid};

pub struct Plain;

#[worker]
impl Plain {
    fn init(ctx: &mut Context<Self>) -> Self {
        ctx.trap_exit(true);
        Plain
    }
    /// Keeps the default's "stop when the parent exits", ignores the rest.
    #[exit]
    fn on_exit(&mut self, from: Pid, reason: ExitReason, ctx: &Context<Self>) -> Flow {
        if Some(from) == ctx.parent() {
            return Flow::Stop(reason);
        }
        Flow::Continue
    }
    #[down]
    fn on_down(&self, _: Down) {}
}

pub struct Async;

#[worker]
impl Async {
    async fn init() -> Self {
        Async
    }
    #[exit]
    async fn exited(
        &mut self,
        ctx: &mut Context<Self>,
        _from: supervise_runtime::Pid,
        reason: supervise_runtime::ExitReason,
    ) -> Result<(), ExitReason> {
        let _ = ctx.pid();
        Err(reason)
    }
    #[down]
    async fn went_down(&mut self, down: Down, _ctx: &mut Context<Self>) -> Result<Flow, String> {
        Err(format!("{} went down", down.pid))
    }
}

fn main() {}
