use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[call]
    fn echo(&self, reply: String) -> String {
        reply
    }
}

fn main() {}
