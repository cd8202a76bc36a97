//! Supervisor flags and the specs a supervisor starts from, with OTP's validation rules.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use super::spec::{ChildId, ChildSpec, ExtraArgs, Restart, SpecInner};
use crate::Worker;

/// How a static supervisor restarts its children (OTP's `strategy`).
///
/// ```
/// assert_eq!(supervise_runtime::Strategy::default(), supervise_runtime::Strategy::OneForOne);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Restart only the child that stopped.
    #[default]
    OneForOne,
    /// Stop all the others (in reverse start order), then start all in start order.
    OneForAll,
    /// Stop the children started after it (in reverse), then start it and them in order.
    RestForOne,
}

/// When a supervisor stops itself because significant children stopped (OTP 24+).
///
/// Only a significant child stopping *on its own* and *for good* (not restarted) counts;
/// one stopped by its supervisor (`terminate_child`, a strategy, a shutdown) does not.
/// As in OTP, `AnySignificant`/`AllSignificant` with no significant child is accepted
/// (the supervisor then never stops itself); a significant child under `Never` is not.
/// The supervisor exits with `shutdown`.
///
/// ```
/// assert_eq!(supervise_runtime::AutoShutdown::default(), supervise_runtime::AutoShutdown::Never);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AutoShutdown {
    /// Never (significant children are then not allowed).
    #[default]
    Never,
    /// When any significant child stops for good.
    AnySignificant,
    /// When the last running significant child stops for good.
    AllSignificant,
}

/// Restart backoff: wait before restarting a child that keeps failing.
///
/// Off by default (OTP restarts at once). With it, the `n`-th consecutive restart of a
/// child waits `min(base * 2^n, max)`; the count resets once an incarnation has lived
/// longer than `max`. A restart still counts against the intensity when it is *decided*,
/// not when it happens, so backoff spreads restarts in time without hiding a crash loop:
/// pick a period longer than the backoff you allow, or the intensity never trips.
///
/// ```
/// use std::time::Duration;
/// use supervise_runtime::Backoff;
/// let b = Backoff::exponential(Duration::from_millis(100), Duration::from_secs(5));
/// assert_eq!(b.base, Duration::from_millis(100));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay.
    pub base: Duration,
    /// The cap.
    pub max: Duration,
}

impl Backoff {
    /// Exponential backoff from `base`, doubling, capped at `max`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let b = supervise_runtime::Backoff::exponential(Duration::from_millis(1), Duration::from_millis(8));
    /// assert_eq!(b.max, Duration::from_millis(8));
    /// ```
    pub fn exponential(base: Duration, max: Duration) -> Self {
        Backoff { base, max }
    }
}

/// Why a supervisor spec or a child spec is invalid. Each variant names the rule.
///
/// ```
/// use supervise_runtime::SpecError;
/// let e = SpecError::DuplicateId("db".into());
/// assert_eq!(e.to_string(), "duplicate child id `db`: ids must be unique within a supervisor");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpecError {
    /// The intensity period is zero.
    ZeroPeriod,
    /// A dynamic supervisor can only be `OneForOne`.
    DynamicStrategy(Strategy),
    /// Two children share an id.
    DuplicateId(ChildId),
    /// A significant child is permanent.
    SignificantPermanent(ChildId),
    /// A significant child under `auto_shutdown = Never`.
    SignificantWithoutAutoShutdown(ChildId),
    /// Dynamic supervisors have no `auto_shutdown`, so no significant children.
    SignificantDynamic,
    /// A backoff whose base is zero or above its cap.
    BadBackoff,
    /// `max_children` of zero.
    ZeroMaxChildren,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::ZeroPeriod => {
                f.write_str("invalid intensity: the period must be longer than zero")
            }
            SpecError::DynamicStrategy(s) => write!(
                f,
                "invalid strategy {s:?}: a dynamic supervisor can only be OneForOne"
            ),
            SpecError::DuplicateId(id) => write!(
                f,
                "duplicate child id `{id}`: ids must be unique within a supervisor"
            ),
            SpecError::SignificantPermanent(id) => write!(
                f,
                "child `{id}`: a significant child must be transient or temporary, not permanent"
            ),
            SpecError::SignificantWithoutAutoShutdown(id) => write!(
                f,
                "child `{id}`: a significant child needs auto_shutdown AnySignificant or AllSignificant, not Never"
            ),
            SpecError::SignificantDynamic => f.write_str(
                "a dynamic supervisor has no auto_shutdown, so its children cannot be significant",
            ),
            SpecError::BadBackoff => {
                f.write_str("invalid backoff: the base must be above zero and at most the cap")
            }
            SpecError::ZeroMaxChildren => {
                f.write_str("invalid max_children: it must be at least 1")
            }
        }
    }
}

impl std::error::Error for SpecError {}

/// Restart intensity: `max_restarts` within `period` (default 3 in 5 s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Intensity {
    pub(crate) max_restarts: u32,
    pub(crate) period: Duration,
}

impl Default for Intensity {
    fn default() -> Self {
        Intensity {
            max_restarts: 3,
            period: Duration::from_secs(5),
        }
    }
}

impl Intensity {
    fn check(self) -> Result<(), SpecError> {
        match self.period.is_zero() {
            true => Err(SpecError::ZeroPeriod),
            false => Ok(()),
        }
    }
}

fn check_backoff(backoff: Option<Backoff>) -> Result<(), SpecError> {
    match backoff {
        Some(b) if b.base.is_zero() || b.base > b.max => Err(SpecError::BadBackoff),
        _ => Ok(()),
    }
}

/// Checks one child spec against the supervisor's `auto_shutdown` (OTP's check_childspec).
pub(crate) fn check_child(spec: &SpecInner, auto: AutoShutdown) -> Result<(), SpecError> {
    if !spec.significant {
        return Ok(());
    }
    if spec.restart == Restart::Permanent {
        return Err(SpecError::SignificantPermanent(spec.id()));
    }
    if auto == AutoShutdown::Never {
        return Err(SpecError::SignificantWithoutAutoShutdown(spec.id()));
    }
    Ok(())
}

/// A static supervisor: flags and children in start order.
///
/// ```
/// use std::time::Duration;
/// use supervise_runtime::{AutoShutdown, Strategy, SupervisorSpec};
/// let spec = SupervisorSpec::new(Strategy::RestForOne)
///     .intensity(10, Duration::from_secs(60))
///     .auto_shutdown(AutoShutdown::Never);
/// assert_eq!(spec.strategy(), Strategy::RestForOne);
/// assert!(spec.validate().is_ok());
/// ```
#[derive(Clone, Debug, Default)]
pub struct SupervisorSpec {
    pub(crate) strategy: Strategy,
    pub(crate) intensity: Intensity,
    pub(crate) auto_shutdown: AutoShutdown,
    pub(crate) backoff: Option<Backoff>,
    pub(crate) children: Vec<SpecInner>,
}

impl SupervisorSpec {
    /// A spec with this strategy, default intensity (3 in 5 s) and no children.
    ///
    /// ```
    /// use supervise_runtime::{Strategy, SupervisorSpec};
    /// let spec = SupervisorSpec::new(Strategy::OneForAll);
    /// assert_eq!(spec.strategy(), Strategy::OneForAll);
    /// assert!(spec.is_empty());
    /// assert!(spec.validate().is_ok());
    /// ```
    pub fn new(strategy: Strategy) -> Self {
        SupervisorSpec {
            strategy,
            ..Default::default()
        }
    }

    /// At most `max_restarts` restarts within `period`; one more stops the supervisor.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{worker, AsProcess, ExitReason, Strategy, Supervisor, SupervisorSpec};
    ///
    /// pub struct Fragile;
    /// #[worker]
    /// impl Fragile { fn init() -> Self { Fragile } }
    ///
    /// let spec = SupervisorSpec::new(Strategy::OneForOne)
    ///     .intensity(0, Duration::from_secs(1)) // no restart allowed
    ///     .child(Fragile::child_spec().id("fragile"));
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let child = sup.which_children().await.unwrap().remove(0).process.unwrap();
    /// child.exit(ExitReason::Kill);
    /// assert_eq!(sup.process().wait().await, ExitReason::Shutdown, "the supervisor gave up");
    /// # }
    /// ```
    pub fn intensity(mut self, max_restarts: u32, period: Duration) -> Self {
        self.intensity = Intensity {
            max_restarts,
            period,
        };
        self
    }

    /// Sets `auto_shutdown`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, AsProcess, AutoShutdown, ExitReason, Flow, Restart, Strategy, Supervisor, SupervisorSpec};
    ///
    /// pub struct Job;
    /// #[worker]
    /// impl Job {
    ///     fn init() -> Self { Job }
    ///     #[info] fn finish(&mut self) -> Flow { Flow::stop_normal() }
    /// }
    ///
    /// let job = Job::child_spec().id("job").restart(Restart::Transient).significant(true);
    /// let spec = SupervisorSpec::new(Strategy::OneForOne).auto_shutdown(AutoShutdown::AnySignificant).child(job);
    /// let sup = Supervisor::start(spec).await.unwrap();
    /// let job: JobRef = sup.child::<Job>("job").await.unwrap().current().unwrap().into();
    /// job.finish().unwrap();
    /// assert_eq!(sup.process().wait().await, ExitReason::Shutdown, "its significant child is done");
    /// # }
    /// ```
    pub fn auto_shutdown(mut self, auto_shutdown: AutoShutdown) -> Self {
        self.auto_shutdown = auto_shutdown;
        self
    }

    /// Turns on restart backoff (see [`Backoff`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervise_runtime::{Backoff, SpecError, SupervisorSpec};
    /// let ms = Duration::from_millis;
    /// let spec = SupervisorSpec::default().backoff(Backoff::exponential(ms(10), ms(1000)));
    /// assert!(spec.validate().is_ok());
    /// let upside_down = SupervisorSpec::default().backoff(Backoff::exponential(ms(1000), ms(10)));
    /// assert_eq!(upside_down.validate(), Err(SpecError::BadBackoff));
    /// ```
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = Some(backoff);
        self
    }

    /// Appends a child (children start in the order they are added).
    ///
    /// ```
    /// use supervise_runtime::{ChildSpec, Strategy, SupervisorSpec};
    /// let inner = SupervisorSpec::new(Strategy::OneForOne);
    /// let outer = SupervisorSpec::new(Strategy::OneForOne).child(ChildSpec::supervisor(inner).id("inner"));
    /// assert_eq!(outer.len(), 1);
    /// ```
    pub fn child<W: Worker>(mut self, spec: ChildSpec<W>) -> Self {
        self.children.push(spec.inner);
        self
    }

    /// The strategy.
    ///
    /// ```
    /// assert_eq!(supervise_runtime::SupervisorSpec::default().strategy(), supervise_runtime::Strategy::OneForOne);
    /// ```
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// How many children the spec lists.
    ///
    /// ```
    /// assert_eq!(supervise_runtime::SupervisorSpec::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// Whether the spec lists no children.
    ///
    /// ```
    /// assert!(supervise_runtime::SupervisorSpec::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// Checks every rule; the supervisor runs this before starting anything.
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervise_runtime::{SpecError, SupervisorSpec};
    /// let bad = SupervisorSpec::default().intensity(3, Duration::ZERO);
    /// assert_eq!(bad.validate(), Err(SpecError::ZeroPeriod));
    /// ```
    pub fn validate(&self) -> Result<(), SpecError> {
        self.intensity.check()?;
        check_backoff(self.backoff)?;
        let mut ids = HashSet::new();
        for child in &self.children {
            if !ids.insert(child.id()) {
                return Err(SpecError::DuplicateId(child.id()));
            }
            check_child(child, self.auto_shutdown)?;
        }
        Ok(())
    }
}

/// A dynamic supervisor's flags: children are added at run time with `start_child`.
///
/// ```
/// use std::time::Duration;
/// use supervise_runtime::DynamicSupervisorSpec;
/// let spec = DynamicSupervisorSpec::new().max_children(10_000).intensity(5, Duration::from_secs(1));
/// assert!(spec.validate().is_ok());
/// ```
#[derive(Clone, Debug, Default)]
pub struct DynamicSupervisorSpec {
    pub(crate) strategy: Strategy,
    pub(crate) intensity: Intensity,
    pub(crate) max_children: Option<usize>,
    pub(crate) extra_arguments: Option<ExtraArgs>,
    pub(crate) backoff: Option<Backoff>,
}

impl DynamicSupervisorSpec {
    /// One-for-one, 3 restarts in 5 s, unlimited children, no extra arguments.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{DynamicSupervisor, DynamicSupervisorSpec};
    /// let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new()).await.unwrap();
    /// assert_eq!(sup.count_children().await.unwrap().active, 0);
    /// # }
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The strategy; anything but `OneForOne` is rejected at start, as in OTP.
    ///
    /// ```
    /// use supervise_runtime::{DynamicSupervisorSpec, SpecError, Strategy};
    /// let bad = DynamicSupervisorSpec::new().strategy(Strategy::OneForAll);
    /// assert_eq!(bad.validate(), Err(SpecError::DynamicStrategy(Strategy::OneForAll)));
    /// ```
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// At most `max_restarts` restarts within `period`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{worker, AsProcess, DynamicSupervisor, DynamicSupervisorSpec, ExitReason};
    ///
    /// pub struct Fragile;
    /// #[worker]
    /// impl Fragile { fn init() -> Self { Fragile } }
    ///
    /// let spec = DynamicSupervisorSpec::new().intensity(0, Duration::from_secs(1)); // no restart allowed
    /// let sup = DynamicSupervisor::start(spec).await.unwrap();
    /// let child = sup.start_child(Fragile::child_spec()).await.unwrap();
    /// child.process().exit(ExitReason::Kill);
    /// assert_eq!(sup.process().wait().await, ExitReason::Shutdown, "the supervisor gave up");
    /// # }
    /// ```
    pub fn intensity(mut self, max_restarts: u32, period: Duration) -> Self {
        self.intensity = Intensity {
            max_restarts,
            period,
        };
        self
    }

    /// Refuse `start_child` beyond this many children (default: unlimited). Unlike
    /// Elixir, which accepts 0 (a supervisor that refuses every child), 0 is rejected at
    /// start with [`SpecError::ZeroMaxChildren`]: it is always a mistake.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, ChildError, DynamicSupervisor, DynamicSupervisorSpec};
    ///
    /// pub struct Conn;
    /// #[worker]
    /// impl Conn { fn init() -> Self { Conn } }
    ///
    /// let sup = DynamicSupervisor::start(DynamicSupervisorSpec::new().max_children(2)).await.unwrap();
    /// sup.start_child(Conn::child_spec()).await.unwrap();
    /// sup.start_child(Conn::child_spec()).await.unwrap();
    /// assert_eq!(sup.start_child(Conn::child_spec()).await.unwrap_err(), ChildError::MaxChildren);
    /// assert_eq!(sup.count_children().await.unwrap().active, 2);
    /// # }
    /// ```
    pub fn max_children(mut self, max: usize) -> Self {
        self.max_children = Some(max);
        self
    }

    /// A value prepended to the start arguments of children whose spec was made with
    /// [`ChildSpec::with_extra_arguments`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use supervise_runtime::{worker, ChildSpec, DynamicSupervisor, DynamicSupervisorSpec};
    ///
    /// pub struct Conn { pool: String, n: u32 }
    /// #[worker]
    /// impl Conn {
    ///     fn init(pool: String, n: u32) -> Self { Conn { pool, n } }
    ///     #[call] fn name(&self) -> String { format!("{}/{}", self.pool, self.n) }
    /// }
    ///
    /// let spec = DynamicSupervisorSpec::new().extra_arguments(String::from("pool-1"));
    /// let sup = DynamicSupervisor::start(spec).await.unwrap();
    /// let child = ChildSpec::<Conn>::with_extra_arguments::<String, u32>(7);
    /// let conn: ConnRef = sup.start_child(child).await.unwrap().into();
    /// assert_eq!(conn.name().await.unwrap(), "pool-1/7");
    /// # }
    /// ```
    pub fn extra_arguments<E: Clone + Send + 'static>(mut self, extra: E) -> Self {
        self.extra_arguments = Some(ExtraArgs::new(extra));
        self
    }

    /// Turns on restart backoff (see [`Backoff`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervise_runtime::{Backoff, DynamicSupervisorSpec, SpecError};
    /// let ms = Duration::from_millis;
    /// let spec = DynamicSupervisorSpec::new().backoff(Backoff::exponential(ms(5), ms(500)));
    /// assert!(spec.validate().is_ok());
    /// let no_base = DynamicSupervisorSpec::new().backoff(Backoff::exponential(ms(0), ms(500)));
    /// assert_eq!(no_base.validate(), Err(SpecError::BadBackoff));
    /// ```
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = Some(backoff);
        self
    }

    /// Checks every rule; the supervisor runs this before starting.
    ///
    /// ```
    /// use supervise_runtime::{DynamicSupervisorSpec, SpecError};
    /// assert_eq!(DynamicSupervisorSpec::new().max_children(0).validate(), Err(SpecError::ZeroMaxChildren));
    /// ```
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.strategy != Strategy::OneForOne {
            return Err(SpecError::DynamicStrategy(self.strategy));
        }
        self.intensity.check()?;
        check_backoff(self.backoff)?;
        if self.max_children == Some(0) {
            return Err(SpecError::ZeroMaxChildren);
        }
        Ok(())
    }
}

/// Checks a child spec given to a dynamic supervisor.
pub(crate) fn check_dynamic_child(spec: &SpecInner) -> Result<(), SpecError> {
    match spec.significant {
        true => Err(SpecError::SignificantDynamic),
        false => Ok(()),
    }
}

impl ChildSpec<super::Supervisor> {
    /// A static supervisor as a child: type supervisor, shutdown infinity.
    ///
    /// ```
    /// use supervise_runtime::{ChildSpec, ChildType, Shutdown, Strategy, SupervisorSpec};
    /// let spec = ChildSpec::supervisor(SupervisorSpec::new(Strategy::OneForAll)).id("pipeline");
    /// assert_eq!(spec.get_type(), ChildType::Supervisor);
    /// assert_eq!(spec.get_shutdown(), Shutdown::Infinity);
    /// ```
    pub fn supervisor(spec: SupervisorSpec) -> Self {
        ChildSpec::<super::Supervisor>::worker(spec).into_supervisor()
    }
}

impl ChildSpec<super::DynamicSupervisor> {
    /// A dynamic supervisor as a child: type supervisor, shutdown infinity.
    ///
    /// ```
    /// use supervise_runtime::{ChildSpec, ChildType, DynamicSupervisorSpec};
    /// let spec = ChildSpec::dynamic_supervisor(DynamicSupervisorSpec::new()).id("workers");
    /// assert_eq!(spec.get_type(), ChildType::Supervisor);
    /// ```
    pub fn dynamic_supervisor(spec: DynamicSupervisorSpec) -> Self {
        ChildSpec::<super::DynamicSupervisor>::worker(spec).into_supervisor()
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Strategy::OneForOne => "one_for_one",
            Strategy::OneForAll => "one_for_all",
            Strategy::RestForOne => "rest_for_one",
        })
    }
}
