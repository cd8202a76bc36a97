use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[info(priority = 1)]
    fn ping(&mut self) {}
}

fn main() {}
