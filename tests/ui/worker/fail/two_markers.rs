use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[info]
    #[cast]
    fn ping(&mut self) {}
}

fn main() {}
