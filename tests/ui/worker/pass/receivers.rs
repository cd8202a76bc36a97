//! Every way of writing a reference receiver is one: `&'_ self`, `&'_ mut self`,
//! `self: &Self`, `self: &mut Self`.

use supervise_runtime::worker;

pub struct Counter(u64);

#[worker]
impl Counter {
    fn init() -> Self {
        Counter(0)
    }
    #[info]
    fn add(self: &mut Self, n: u64) {
        self.0 += n;
    }
    #[call]
    fn total(self: &Self) -> u64 {
        self.0
    }
    #[call]
    fn elided(&'_ self) -> u64 {
        self.0
    }
    #[cast]
    fn reset(&'_ mut self) {
        self.0 = 0;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let counter = Counter::start().await.unwrap();
    counter.add(2).unwrap();
    assert_eq!(counter.total().await, Ok(2));
    assert_eq!(counter.elided().await, Ok(2));
    counter.reset().unwrap();
    assert_eq!(counter.total().await, Ok(0));
}
