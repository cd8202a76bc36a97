use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    #[info]
    fn ping(&mut self) {}
}

fn main() {}
