use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    pub fn start() {}
}

fn main() {}
