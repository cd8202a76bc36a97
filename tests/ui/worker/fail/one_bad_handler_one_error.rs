//! One wrong handler gives one error: the handle, `start` and `child_spec` are still
//! generated without it, so the code that uses them reports nothing more.

use supervise_runtime::worker;

pub struct Counter(u64);

#[worker]
impl Counter {
    fn init() -> Self {
        Counter(0)
    }
    #[info]
    fn add(&mut self, n: u64) {
        self.0 += n;
    }
    #[info]
    fn consume(self) {}
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let counter = Counter::start().await.unwrap();
    counter.add(1).unwrap();
    let _spec = Counter::child_spec();
}
