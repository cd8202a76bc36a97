use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[call]
    fn get<const N: usize>(&self) -> usize {
        N
    }
}

fn main() {}
