use supervise_runtime::worker;

pub struct Once;

#[worker]
impl Once {
    fn init() -> Option<Self> {
        Some(Once)
    }
}

fn main() {}
