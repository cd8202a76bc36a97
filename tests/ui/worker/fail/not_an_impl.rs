use supervise_runtime::worker;

#[worker]
pub struct W;

fn main() {}
