use supervise_runtime::worker;

pub struct W;

#[worker]
impl W {
    fn init() -> Self {
        W
    }
    #[info]
    fn store_value(&mut self) {}
    #[info]
    #[allow(non_snake_case)]
    fn storeValue(&mut self) {}
}

fn main() {}
