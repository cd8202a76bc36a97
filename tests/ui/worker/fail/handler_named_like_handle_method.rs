use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[call]
    fn pid(&self) -> u32 {
        7
    }
    // `AsProcess::process`, which the handle implements, would hide it.
    #[info]
    fn process(&mut self, job: u32) {
        let _ = job;
    }
}

fn main() {}
