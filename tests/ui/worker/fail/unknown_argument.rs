use supervise_runtime::worker;

pub struct W;

#[worker(krate = ::supervise_runtime)]
impl W {
    fn init() -> Self {
        W
    }
}

fn main() {}
