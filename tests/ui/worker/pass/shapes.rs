//! Every signature shape a handler may have.
use std::time::Duration;

use supervise_runtime::{worker, Context, ExitReason, Flow, Init, ReplyTo};

/// A private state type: the generated items are `pub` by default and still compile.
struct Shapes {
    n: u64,
}

#[derive(Debug)]
struct Oops;

impl std::fmt::Display for Oops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("oops")
    }
}

#[worker]
impl Shapes {
    async fn init(n: u64, ctx: &mut Context<Self>) -> Init<Self> {
        ctx.trap_exit(true);
        Init::Ok(Shapes { n })
    }
    #[info]
    fn plain(&mut self) {}
    #[info]
    async fn awaited(&mut self, delay: Duration) {
        tokio::time::sleep(delay).await;
    }
    #[info]
    fn flow(&mut self, ctx: &mut Context<Self>) -> Flow {
        let _ = ctx.pid();
        Flow::Continue
    }
    #[info]
    fn display_error(&mut self) -> Result<(), Oops> {
        Err(Oops)
    }
    #[info]
    fn reason_error(&mut self) -> Result<Flow, ExitReason> {
        Err(ExitReason::Killed)
    }
    #[info]
    fn r#type(&mut self, r#ref: u8) {
        let _ = r#ref;
    }
    #[info]
    fn with_self(&mut self, other: Option<Box<Self>>) {
        let _ = other.map(|o| o.n);
    }
    #[cast]
    fn set(&mut self, n: u64) {
        self.n = n;
    }
    #[call]
    fn get(&self) -> u64 {
        self.n
    }
    #[call]
    fn unit(&self, ctx: &Context<Self>) {
        let _ = ctx.parent();
    }
    #[call]
    async fn later(&mut self, reply: ReplyTo<u64>) -> Result<(), std::io::Error> {
        reply.reply(self.n);
        Ok(())
    }
    fn helper(&self) -> u64 {
        self.n
    }
    async fn terminate(&mut self, ctx: &mut Context<Self>, reason: &ExitReason) {
        let _ = (ctx.pid(), reason, self.helper());
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let s = Shapes::start(1).await.unwrap();
    s.set(2).unwrap();
    s.r#type(1).unwrap();
    assert_eq!(s.get().await.unwrap(), 2);
    assert_eq!(s.later().await.unwrap(), 2);
    let _: () = s.unit().await.unwrap();
    let _ = ShapesMsg::Type { r#ref: 1 };
    let _ = ShapesCast::Set { n: 1 };
}
