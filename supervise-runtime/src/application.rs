//! The application root: start a supervision tree, run until SIGINT/SIGTERM or a stop
//! request, stop the tree in order, and tell the program how to exit.
//!
//! The root is a static [`Supervisor`] ([`Application::start`]) or a
//! [`DynamicSupervisor`] ([`Application::start_dynamic`]); either can hold whole trees.
//!
//! When the root supervisor gives up on its own (its restart intensity was exceeded, or
//! `auto_shutdown` ended it), [`AppExit::code`] is 1, so a service manager (systemd,
//! Kubernetes) sees the failure and restarts the program; a requested stop gives 0.

use std::future::Future;
use std::process::ExitCode;

use crate::supervisor::{
    DynamicSupervisor, DynamicSupervisorSpec, Supervisor, SupervisorSpec, SupervisorStartError,
};
use crate::{AsProcess, ExitReason, Handle, Worker};

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::Supervisor {}
    impl Sealed for crate::DynamicSupervisor {}
}

/// A supervisor that can be an [`Application`]'s root: [`Supervisor`] (the default, from
/// [`Application::start`]) or [`DynamicSupervisor`] (from [`Application::start_dynamic`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{AppExit, Application, DynamicSupervisorSpec, RootSupervisor, SupervisorSpec};
///
/// /// Runs an application of either root until told to stop (here: at once).
/// async fn serve<R: RootSupervisor>(app: Application<R>) -> AppExit {
///     app.run_until(async {}).await
/// }
/// let static_root = serve(Application::start(SupervisorSpec::default()).await.unwrap()).await;
/// let dynamic_root = serve(Application::start_dynamic(DynamicSupervisorSpec::new()).await.unwrap()).await;
/// assert_eq!((static_root.code(), dynamic_root.code()), (0, 0));
/// # }
/// ```
pub trait RootSupervisor: Worker + sealed::Sealed {
    /// Stops the root (its children in its own stop order) and returns its exit reason.
    #[doc(hidden)]
    fn stop_root(root: &Handle<Self>) -> impl Future<Output = ExitReason> + Send;
}

impl RootSupervisor for Supervisor {
    fn stop_root(root: &Handle<Self>) -> impl Future<Output = ExitReason> + Send {
        stop_root(root)
    }
}

impl RootSupervisor for DynamicSupervisor {
    fn stop_root(root: &Handle<Self>) -> impl Future<Output = ExitReason> + Send {
        stop_root(root)
    }
}

/// Stops `root` and returns its exit reason (the one it had, if it was already dead).
async fn stop_root<R: Worker>(root: &Handle<R>) -> ExitReason {
    match root.stop(ExitReason::Shutdown).await {
        Ok(reason) => reason,
        Err(_) => root.process().wait().await,
    }
}

/// A running application: the root supervisor of a tree, not linked to anything.
/// The root is a static [`Supervisor`] by default, or a [`DynamicSupervisor`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::{Application, ExitReason, Strategy, SupervisorSpec};
/// let app = Application::start(SupervisorSpec::new(Strategy::OneForOne)).await.unwrap();
/// let exit = app.run_until(async {}).await; // stop at once
/// assert_eq!(exit.reason, ExitReason::Shutdown);
/// assert_eq!(exit.code(), 0);
/// # }
/// ```
pub struct Application<R: RootSupervisor = Supervisor> {
    root: Handle<R>,
}

impl<R: RootSupervisor> std::fmt::Debug for Application<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("root", &self.root.pid())
            .finish()
    }
}

/// How an application ended.
///
/// ```
/// use supervise_runtime::{AppExit, ExitReason};
/// let exit = AppExit { reason: ExitReason::Shutdown, gave_up: true };
/// assert_eq!(exit.code(), 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AppExit {
    /// The root supervisor's exit reason.
    pub reason: ExitReason,
    /// True when the root exited on its own rather than on a signal or stop request.
    pub gave_up: bool,
}

impl AppExit {
    /// The process exit status: 1 when the root gave up, else 0.
    ///
    /// ```
    /// let exit = supervise_runtime::AppExit { reason: supervise_runtime::ExitReason::Shutdown, gave_up: false };
    /// assert_eq!(exit.code(), 0);
    /// ```
    pub fn code(&self) -> u8 {
        u8::from(self.gave_up)
    }

    /// The status as an [`ExitCode`], to return from `main`.
    ///
    /// ```
    /// let exit = supervise_runtime::AppExit { reason: supervise_runtime::ExitReason::Shutdown, gave_up: true };
    /// assert_eq!(exit.exit_code(), std::process::ExitCode::from(1));
    /// ```
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

impl Application {
    /// Starts the root supervisor (returning after every child started).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{Application, SupervisorSpec};
    /// let bad = SupervisorSpec::default().intensity(1, Duration::ZERO);
    /// assert!(Application::start(bad).await.is_err());
    /// # }
    /// ```
    pub async fn start(spec: SupervisorSpec) -> Result<Application, SupervisorStartError> {
        Ok(Application {
            root: Supervisor::start(spec).await?,
        })
    }
}

impl Application<DynamicSupervisor> {
    /// Starts a [`DynamicSupervisor`] as the root; add children with
    /// `app.root().start_child(..)`. A stop request stops them all at once.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{Application, DynamicSupervisorSpec, ExitReason};
    /// let app = Application::start_dynamic(DynamicSupervisorSpec::new().max_children(100)).await.unwrap();
    /// assert_eq!(app.root().count_children().await.unwrap().active, 0);
    /// assert_eq!(app.run_until(async {}).await.reason, ExitReason::Shutdown);
    /// # }
    /// ```
    pub async fn start_dynamic(
        spec: DynamicSupervisorSpec,
    ) -> Result<Application<DynamicSupervisor>, SupervisorStartError> {
        Ok(Application {
            root: DynamicSupervisor::start(spec).await?,
        })
    }
}

impl<R: RootSupervisor> Application<R> {
    /// The root supervisor.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let app = supervise_runtime::Application::start(Default::default()).await.unwrap();
    /// assert!(app.root().is_alive());
    /// # }
    /// ```
    pub fn root(&self) -> &Handle<R> {
        &self.root
    }

    /// Runs until SIGINT (Ctrl-C) or SIGTERM, then stops the tree in order; or until the
    /// root gives up. Return `exit.exit_code()` from `main`.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> std::process::ExitCode {
    /// use supervise_runtime::{Application, Strategy, SupervisorSpec};
    /// let app = Application::start(SupervisorSpec::new(Strategy::OneForOne)).await.unwrap();
    /// app.run().await.exit_code()
    /// # }
    /// ```
    pub async fn run(self) -> AppExit {
        self.run_until(shutdown_signal()).await
    }

    /// Runs until `stop` completes (then stops the tree in order) or the root gives up.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, Application, ExitReason};
    /// let app = Application::start(Default::default()).await.unwrap();
    /// app.root().process().exit(ExitReason::Kill); // the root dies on its own
    /// let exit = app.run_until(std::future::pending()).await;
    /// assert!(exit.gave_up);
    /// assert_eq!(exit.code(), 1);
    /// # }
    /// ```
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> AppExit {
        let root = self.root.process();
        tokio::select! {
            reason = root.wait() => {
                tracing::error!(
                    target: "supervise::application",
                    root = %root.pid(),
                    reason = %reason,
                    "the application's root supervisor gave up ({reason}); exiting with status 1"
                );
                AppExit { reason, gave_up: true }
            }
            () = stop => {
                let reason = R::stop_root(&self.root).await;
                AppExit { reason, gave_up: false }
            }
        }
    }
}

/// Completes on SIGINT or SIGTERM (never, for a signal that cannot be listened to).
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate() => {}
    }
}

#[cfg(unix)]
async fn terminate() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            term.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending().await
}
