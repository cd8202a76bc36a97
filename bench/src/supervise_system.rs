//! supervise as a [`System`]: a `DynamicSupervisor` of the bench worker.

use supervise_runtime::{
    ChildSpec, DynamicSupervisor, DynamicSupervisorSpec, ExitReason, Following, Handle, RefOf,
};

use crate::common::Args;
use crate::worker::{BenchWorker, Info};
use crate::workloads::System;

pub struct Supervise;

impl System for Supervise {
    const NAME: &'static str = "supervise";
    type Sup = Handle<DynamicSupervisor>;
    type Child = RefOf<BenchWorker>;

    async fn supervisor() -> Self::Sup {
        // The restart workload crashes 10 000 times in a row on purpose.
        let spec =
            DynamicSupervisorSpec::new().intensity(u32::MAX, std::time::Duration::from_secs(1));
        DynamicSupervisor::start(spec)
            .await
            .expect("start the supervisor")
    }

    async fn start_child(sup: &Self::Sup, args: Args) -> Self::Child {
        sup.start_child(ChildSpec::<BenchWorker>::worker(args))
            .await
            .expect("start a child")
    }

    fn cast(child: &Self::Child) {
        let _ = child.send(Info::Cast);
    }

    async fn call(child: &Self::Child) -> u64 {
        child.call(|reply| reply).await.unwrap_or(0)
    }

    async fn call_infinity(child: &Self::Child) -> u64 {
        child.call_infinity(|reply| reply).await.unwrap_or(0)
    }

    type Followed = RefOf<BenchWorker, Following<BenchWorker>>;

    async fn start_followed(sup: &Self::Sup, args: Args) -> Self::Followed {
        sup.start_child_following(ChildSpec::<BenchWorker>::worker(args))
            .await
            .expect("start a child")
    }

    async fn call_followed(child: &Self::Followed) -> u64 {
        child.call(|reply| reply).await.unwrap_or(0)
    }

    fn crash(child: &Self::Child) {
        let _ = child.send(Info::Crash);
    }

    async fn current(sup: &Self::Sup) -> Self::Child {
        loop {
            let children = sup.which_children().await.expect("which_children");
            if let Some(h) = children
                .iter()
                .filter_map(|c| c.process.as_ref())
                .find_map(Handle::<BenchWorker>::from_process)
                .filter(Handle::is_alive)
            {
                return h.into();
            }
            tokio::task::yield_now().await;
        }
    }

    async fn stop(sup: Self::Sup) {
        let _ = sup.stop(ExitReason::Shutdown).await;
    }
}
