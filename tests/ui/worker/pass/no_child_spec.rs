//! `#[worker(child_spec = false)]`: start arguments need not be `Clone` (a file handle
//! here), and there is no `child_spec`; `start` and `start_link` are still generated.
use supervise_runtime::worker;

pub struct Log {
    _file: std::fs::File,
}

#[worker(child_spec = false)]
impl Log {
    fn init(file: std::fs::File) -> Self {
        Log { _file: file }
    }
}

fn main() {
    let _start = Log::start;
    let _start_link = Log::start_link;
}
