//! The example's tree, shared with the browser test: a shop with a config worker, a cache
//! of two workers under `one_for_all`, and a dynamic supervisor of jobs that, when `chaos`
//! is on, crash now and then (each after 4 to 15 seconds).

use std::time::Duration;

use supervise_runtime::{Context, Handle, Supervisor, supervision_tree, worker};

/// The shop's settings.
#[derive(Debug)]
pub struct Config;

#[worker]
impl Config {
    fn init() -> Self {
        Config
    }
}

/// Where the cache keeps its entries.
#[derive(Debug)]
pub struct Store;

#[worker]
impl Store {
    fn init() -> Self {
        Store
    }
}

/// The cache's index over the store.
#[derive(Debug)]
pub struct Index;

#[worker]
impl Index {
    fn init() -> Self {
        Index
    }
}

/// A background job that, with chaos on, hits a bad record after a while and crashes.
#[derive(Debug)]
pub struct Job {
    n: u32,
}

#[worker]
impl Job {
    fn init(n: u32, chaos: bool, ctx: &Context<Self>) -> Self {
        if chaos {
            // A pseudo-random lifetime, different for each incarnation.
            let seconds = 4 + (ctx.pid().serial().wrapping_mul(7919) ^ u64::from(n)) % 12;
            ctx.send_after(JobMsg::BadRecord, Duration::from_secs(seconds));
        }
        Job { n }
    }

    /// Crashes, as a job does on a record it cannot parse.
    #[info]
    fn bad_record(&mut self) {
        panic!("job {} could not parse a record", self.n)
    }
}

supervision_tree! {
    /// A small shop: settings, a cache, and jobs started at run time.
    pub Shop: one_for_one(max_restarts = 5, within = 10s) {
        config: Config::child_spec(),
        cache: one_for_all(max_restarts = 3, within = 5s) {
            store: Store::child_spec(),
            index: Index::child_spec(),
        },
        jobs: dynamic<Job>(max_children = 8, max_restarts = 10, within = 10s),
    }
}

/// Starts the shop and `jobs` jobs under its dynamic supervisor; returns the root.
pub async fn start(jobs: u32, chaos: bool) -> Handle<Supervisor> {
    let shop = Shop::start().await.expect("the shop starts");
    for n in 1..=jobs {
        shop.jobs()
            .start_child(Job::child_spec(n, chaos))
            .await
            .expect("a job starts");
    }
    shop.current().expect("the shop runs")
}
