use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[call]
    fn lookup(&self) -> u32 {
        1
    }
    #[info]
    fn lookup_timeout(&mut self) {}
}

fn main() {}
