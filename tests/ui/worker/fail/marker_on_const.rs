use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    #[info]
    const LIMIT: u32 = 3;
    fn init() -> Self {
        W
    }
}

fn main() {}
