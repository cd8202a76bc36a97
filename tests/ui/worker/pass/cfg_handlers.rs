//! A handler removed by `#[cfg(..)]` is left out of the enums and the handle.

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
    #[cfg(any())]
    #[info]
    fn gone(&mut self, n: NotAType) {
        let _ = n;
    }
    #[cfg(any())]
    #[call]
    fn also_gone(&self) -> NotAType {
        todo!()
    }
    #[cfg(all())]
    #[call]
    fn total(&self) -> u64 {
        self.0
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let counter = Counter::start().await.unwrap();
    counter.add(2).unwrap();
    assert_eq!(counter.total().await, Ok(2));
    let _only: CounterMsg = CounterMsg::Add { n: 1 };
}
