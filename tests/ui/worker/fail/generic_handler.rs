use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[info]
    fn put<T: Send + 'static>(&mut self, value: T) {
        let _ = value;
    }
}

fn main() {}
