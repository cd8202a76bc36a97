use supervise_runtime::{worker, Down};

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[down]
    fn on_down(&mut self, down: Down, also: u8) {
        let _ = (down, also);
    }
}

fn main() {}
