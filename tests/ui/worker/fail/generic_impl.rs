use supervise_runtime::worker;

pub struct W<T>(T);

#[worker]
impl<T: Send + 'static> W<T> {
    fn init(value: T) -> Self {
        W(value)
    }
}

fn main() {}
