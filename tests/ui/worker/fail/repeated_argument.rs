use supervise_runtime::worker;

pub struct W;

#[worker(crate = ::supervise_runtime, crate = ::supervise_runtime)]
impl W {
    fn init() -> Self {
        W
    }
}

fn main() {}
