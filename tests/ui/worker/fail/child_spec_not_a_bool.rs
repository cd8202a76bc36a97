use supervise_runtime::worker;

pub struct W;

#[worker(child_spec = no)]
impl W {
    fn init() -> Self {
        W
    }
}

fn main() {}
