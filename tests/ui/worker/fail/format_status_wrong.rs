use supervise_runtime::worker;

pub struct NotDebug;

#[derive(Debug)]
pub struct Conn { password: String }

#[worker]
impl Conn {
    fn init(password: String) -> Self { Conn { password } }
    fn format_status(&self) -> NotDebug { NotDebug }
}

#[derive(Debug)]
pub struct Other;

#[worker]
impl Other {
    fn init() -> Self { Other }
    fn format_status(&mut self, verbose: bool) {}
}

fn main() {}
