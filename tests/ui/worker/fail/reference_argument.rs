use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[info]
    fn store(&mut self, key: &str) {
        let _ = key;
    }
}

fn main() {}
