use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[cast]
    fn nothing(n: u32) {
        let _ = n;
    }
}

fn main() {}
