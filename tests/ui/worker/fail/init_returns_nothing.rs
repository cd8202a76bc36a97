use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() {}
}

fn main() {}
