use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[info]
    fn share(&mut self, counter: std::rc::Rc<u32>) {
        let _ = counter;
    }
}

fn main() {}
