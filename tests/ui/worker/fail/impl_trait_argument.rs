use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[info]
    fn show(&mut self, value: impl std::fmt::Display + Send + 'static) {
        let _ = value.to_string();
    }
}

fn main() {}
