use supervise_runtime::worker;

pub struct Conn;

pub struct W;

#[worker]
impl W {
    fn init(name: String, conn: Conn) -> Self {
        let _ = (name, conn);
        W
    }
}

fn main() {}
