use supervise_runtime::worker;

pub struct W;

#[worker]
impl Clone for W {
    fn clone(&self) -> Self {
        W
    }
}

fn main() {}
