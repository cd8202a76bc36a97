//! A syntax error inside a handler's body is one error, rustc's own, where it is: the
//! macro does not parse bodies, and emits the block with its tokens as they came, so
//! there is no second report of it, and the handle and start functions still exist
//! (no "no function `start`" at the call site).
use supervise_runtime::worker;

pub struct W {
    n: u64,
}

#[worker]
impl W {
    fn init(n: u64) -> Self {
        W { n }
    }
    #[call]
    fn get(&self) -> u64 {
        self.n +
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let w = W::start(1).await.unwrap();
    let _ = w.get().await;
}
