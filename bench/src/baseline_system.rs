//! The baseline as a [`System`].

use tokio::sync::oneshot;

use crate::baseline::{Child, Msg, Supervisor};
use crate::common::Args;
use crate::workloads::System;

pub struct Baseline;

impl System for Baseline {
    const NAME: &'static str = "tokio-baseline";
    type Sup = Supervisor;
    type Child = Child;

    async fn supervisor() -> Supervisor {
        Supervisor::start()
    }

    async fn start_child(sup: &Supervisor, args: Args) -> Child {
        sup.start_child(args).await
    }

    fn cast(child: &Child) {
        let _ = child.send(Msg::Cast);
    }

    async fn call(child: &Child) -> u64 {
        let (tx, rx) = oneshot::channel();
        let _ = child.send(Msg::Call(tx));
        rx.await.unwrap_or(0)
    }

    type Followed = Child;

    async fn start_followed(sup: &Supervisor, args: Args) -> Child {
        sup.start_child(args).await
    }

    async fn call_followed(child: &Child) -> u64 {
        Self::call(child).await
    }

    fn crash(child: &Child) {
        let _ = child.send(Msg::Crash);
    }

    async fn current(sup: &Supervisor) -> Child {
        loop {
            if let Some(c) = sup.current().await
                && !c.is_closed()
            {
                return c;
            }
            tokio::task::yield_now().await;
        }
    }

    async fn stop(sup: Supervisor) {
        sup.stop().await;
    }
}
