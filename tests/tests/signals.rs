//! SIGTERM and the application root, in a test binary of its own: the signals are sent to
//! this very process. Once the application listens, a SIGTERM no longer ends the program
//! by itself; the scenarios run one after the other in a single test.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use supervise_runtime::{
    Application, ChildSpec, Context, ExitReason, Flow, Init, Shutdown, Strategy, SupervisorSpec,
    Worker,
};

fn sigterm_myself() {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[derive(Clone, Default)]
struct Plan {
    /// Send SIGTERM from `init`, that is during `Application::start`.
    term_in_init: bool,
    /// Send SIGTERM from `terminate`, then never return.
    term_in_terminate: bool,
    terminated: Arc<AtomicUsize>,
}

struct Sig(Plan);

impl Worker for Sig {
    type Args = Plan;
    type Info = Infallible;
    type Call = Infallible;
    type Cast = Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;

    async fn init(plan: Plan, ctx: &mut Context<Self>) -> Init<Self> {
        ctx.trap_exit(true);
        if plan.term_in_init {
            sigterm_myself();
        }
        Init::Ok(Sig(plan))
    }

    async fn handle_info(&mut self, msg: Infallible, _: &mut Context<Self>) -> Flow {
        match msg {}
    }

    async fn terminate(&mut self, _: &ExitReason, _: &mut Context<Self>) {
        self.0.terminated.fetch_add(1, Ordering::SeqCst);
        if self.0.term_in_terminate {
            sigterm_myself();
            std::future::pending::<()>().await;
        }
    }
}

fn tree(plan: &Plan) -> SupervisorSpec {
    SupervisorSpec::new(Strategy::OneForOne)
        .child(ChildSpec::<Sig>::worker(plan.clone()).shutdown(Shutdown::Infinity))
}

#[tokio::test]
async fn sigterm_during_start_and_a_second_one_during_the_stop() {
    // Issue 13 item 12: a SIGTERM during `Application::start` killed the program with
    // status 143 and ran no terminate (the handlers were installed only in `run`).
    let plan = Plan {
        term_in_init: true,
        ..Plan::default()
    };
    let app = Application::start(tree(&plan)).await.unwrap();
    let exit = app.run().await;
    assert_eq!(exit.reason, ExitReason::Shutdown);
    assert_eq!(exit.code(), 0);
    assert_eq!(plan.terminated.load(Ordering::SeqCst), 1, "terminate ran");

    // Issue 13 item 12: a second signal while a stop hung was swallowed. It now forces
    // the exit: run returns at once, with status 1.
    let plan = Plan {
        term_in_terminate: true,
        ..Plan::default()
    };
    let app = Application::start(tree(&plan)).await.unwrap();
    let run = tokio::spawn(app.run());
    tokio::task::yield_now().await;
    sigterm_myself();
    let exit = run.await.unwrap();
    assert_eq!(exit.reason, ExitReason::Killed);
    assert!(exit.gave_up);
    assert_eq!(exit.code(), 1);
    assert_eq!(plan.terminated.load(Ordering::SeqCst), 1);
}
