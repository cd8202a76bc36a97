//! The application root: start a supervision tree, run until SIGINT/SIGTERM or a stop
//! request, stop the tree in order, and tell the program how to exit.
//!
//! The root is a static [`Supervisor`] ([`Application::start`]) or a
//! [`DynamicSupervisor`] ([`Application::start_dynamic`]); either can hold whole trees.
//!
//! When the root supervisor gives up on its own (its restart intensity was exceeded, or
//! `auto_shutdown` ended it), [`AppExit::code`] is 1, so a service manager (systemd,
//! Kubernetes) sees the failure and restarts the program; a requested stop gives 0,
//! whether it came from a signal, from `run_until`'s future, or from
//! `app.root().stop(..)`.
//!
//! Signals:
//! - The application listens for SIGINT and SIGTERM from the moment [`Application::start`]
//!   begins, so a signal that arrives while the tree starts is not lost (nor does it kill
//!   the program with no `terminate` run): [`run`](Application::run) and
//!   [`run_until`](Application::run_until) stop the tree as soon as they are called. Once
//!   listened to, these signals no longer end the program by themselves, even when the
//!   start fails (tokio cannot stop listening): an application that is started is meant
//!   to be run, and `main` should return when the start fails.
//! - A second SIGINT or SIGTERM while the tree stops forces the exit: `run` returns at
//!   once with reason [`ExitReason::Killed`] and status 1, without waiting for the stop
//!   to finish. Returning from `main` then drops the runtime, and every process with it
//!   (they exit with `Killed`; `terminate` does not run for those still stopping).
//! - On a runtime without the IO driver (only `enable_time`), signals cannot be listened
//!   to: the application runs until it is stopped on request or the root gives up, and
//!   says so once at WARN (target `supervise::application`).

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
///
/// Signals:
/// - The application listens for SIGINT and SIGTERM from the moment [`Application::start`]
///   begins, so a signal that arrives while the tree starts is not lost (nor does it kill
///   the program with no `terminate` run): [`run`](Application::run) and
///   [`run_until`](Application::run_until) stop the tree as soon as they are called. Once
///   listened to, these signals no longer end the program by themselves, even when the
///   start fails (tokio cannot stop listening): an application that is started is meant
///   to be run, and `main` should return when the start fails.
/// - A second SIGINT or SIGTERM while the tree stops forces the exit: `run` returns at
///   once with reason [`ExitReason::Killed`] and status 1, without waiting for the stop
///   to finish. Returning from `main` then drops the runtime, and every process with it
///   (they exit with `Killed`; `terminate` does not run for those still stopping).
/// - On a runtime without the IO driver (only `enable_time`), signals cannot be listened
///   to: the application runs until it is stopped on request or the root gives up, and
///   says so once at WARN (target `supervise::application`).
pub struct Application<R: RootSupervisor = Supervisor> {
    root: Handle<R>,
    /// SIGINT and SIGTERM, listened to since the start; `None` without an IO driver.
    signals: Option<Signals>,
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
    /// True when the root exited on its own rather than on a signal or stop request, or
    /// when a second signal forced the exit while the tree stopped.
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
        let signals = Signals::listen();
        Ok(Application {
            root: Supervisor::start(spec).await?,
            signals,
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
        let signals = Signals::listen();
        Ok(Application {
            root: DynamicSupervisor::start(spec).await?,
            signals,
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
        self.run_until(std::future::pending()).await
    }

    /// Runs until `stop` completes, or SIGINT or SIGTERM comes (then stops the tree in
    /// order), or the root stops on its own: on request (`app.root().stop(..)`, status 0)
    /// or giving up (status 1). A second signal during the stop forces the exit (see the
    /// [`Application`] docs).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{AsProcess, Application, ExitReason};
    /// let app = Application::start(Default::default()).await.unwrap();
    /// app.root().process().exit(ExitReason::Kill); // the root dies on its own
    /// let exit = app.run_until(std::future::pending()).await;
    /// assert!(exit.gave_up);
    /// assert_eq!(exit.code(), 1);
    ///
    /// let app = Application::start(Default::default()).await.unwrap();
    /// app.root().stop(ExitReason::Shutdown).await; // a requested stop is no failure
    /// let exit = app.run_until(std::future::pending()).await;
    /// assert_eq!((exit.gave_up, exit.code()), (false, 0));
    /// # }
    /// ```
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> AppExit {
        let Application { root, signals } = self;
        let mut signals = signals;
        let process = root.process();
        tokio::select! {
            reason = process.wait() => {
                if process.control().stop_requested() {
                    return AppExit { reason, gave_up: false };
                }
                // The reason may hold a user error whose `Display` panics.
                let text = crate::panic::format_guarded(|out| {
                    std::fmt::Write::write_fmt(out, format_args!("{reason}"))
                });
                tracing::error!(
                    target: "supervise::application",
                    root = %process.pid(),
                    reason = %text,
                    "the application's root supervisor gave up ({text}); exiting with status 1"
                );
                AppExit { reason, gave_up: true }
            }
            () = stop => stop_tree(&root, &mut signals).await,
            () = Signals::recv(&mut signals) => stop_tree(&root, &mut signals).await,
        }
    }
}

/// Stops the tree in order, unless a signal forces the exit meanwhile.
async fn stop_tree<R: RootSupervisor>(root: &Handle<R>, signals: &mut Option<Signals>) -> AppExit {
    tokio::select! {
        reason = R::stop_root(root) => AppExit { reason, gave_up: false },
        () = Signals::recv(signals) => {
            tracing::error!(
                target: "supervise::application",
                root = %root.pid(),
                "a second signal came while the application stopped: exiting at once, with status 1"
            );
            AppExit { reason: ExitReason::Killed, gave_up: true }
        }
    }
}

/// SIGINT and SIGTERM, listened to from the application's start.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    /// Starts listening; `None` if the runtime cannot (it has no IO driver: tokio panics
    /// then, which is caught here and said once at WARN).
    fn listen() -> Option<Signals> {
        match crate::panic::quietly(Self::try_listen) {
            Some(signals) => signals,
            None => {
                static SAID: std::sync::Once = std::sync::Once::new();
                SAID.call_once(|| {
                    tracing::warn!(
                        target: "supervise::application",
                        "the runtime has no IO driver (enable_io): the application cannot listen for SIGINT/SIGTERM"
                    );
                });
                None
            }
        }
    }

    #[cfg(unix)]
    fn try_listen() -> Option<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Some(Signals {
            interrupt: signal(SignalKind::interrupt()).ok()?,
            terminate: signal(SignalKind::terminate()).ok()?,
        })
    }

    #[cfg(not(unix))]
    fn try_listen() -> Option<Signals> {
        Some(Signals {})
    }

    /// Completes at the next signal; never without signals.
    async fn recv(signals: &mut Option<Signals>) {
        let Some(signals) = signals else {
            return std::future::pending().await;
        };
        signals.next().await;
    }

    #[cfg(unix)]
    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
