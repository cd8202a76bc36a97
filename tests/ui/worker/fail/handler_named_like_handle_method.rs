use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[call]
    fn pid(&self) -> u32 {
        7
    }
}

fn main() {}
