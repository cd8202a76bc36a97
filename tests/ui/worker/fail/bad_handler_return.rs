use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[info]
    fn count(&mut self) -> u32 {
        1
    }
}

fn main() {}
