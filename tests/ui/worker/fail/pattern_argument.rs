use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[info]
    fn point(&mut self, (x, y): (i32, i32)) {
        let _ = (x, y);
    }
}

fn main() {}
