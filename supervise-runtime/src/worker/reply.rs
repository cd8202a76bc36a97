use std::fmt;

use std::sync::Arc;

use super::slot::Slot;

/// Where a call's reply goes. Answer now, or keep it and answer later (a deferred reply).
///
/// Replying after the caller gave up (its call timed out) drops the reply silently.
/// Dropping a `ReplyTo` without answering leaves the caller waiting until the worker exits
/// (the caller then gets the exit reason) or its timeout passes, as with GenServer. (A
/// call through a [`Following`](crate::Following) handle whose `ReplyTo` was passed on to
/// another task, and dropped there after the worker had exited and been replaced, ends
/// with `Exited(NoProc)`: see `Following`.)
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::convert::Infallible;
/// use supervise_runtime::{Context, Flow, Init, ReplyTo, Worker};
///
/// /// Holds calls until a `Release` message arrives, then answers them all.
/// struct Gate(Vec<ReplyTo<&'static str>>);
/// #[derive(Debug)]
/// struct Wait(ReplyTo<&'static str>);
/// #[derive(Debug)]
/// struct Release;
///
/// impl Worker for Gate {
///     type Args = ();
///     type Info = Release;
///     type Call = Wait;
///     type Cast = Infallible;
///     type Api<A: supervise_runtime::Address<Self>> = A;
///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Gate(Vec::new())) }
///     async fn handle_call(&mut self, Wait(reply): Wait, _: &mut Context<Self>) -> Flow {
///         self.0.push(reply); // answered later
///         Flow::Continue
///     }
///     async fn handle_info(&mut self, _: Release, _: &mut Context<Self>) -> Flow {
///         for reply in self.0.drain(..) { reply.reply("open") }
///         Flow::Continue
///     }
/// }
///
/// let gate = supervise_runtime::start::<Gate>(()).await.unwrap();
/// let waiter = { let gate = gate.clone(); tokio::spawn(async move { gate.call(Wait).await }) };
/// tokio::task::yield_now().await;
/// gate.send(Release).unwrap();
/// assert_eq!(waiter.await.unwrap().unwrap(), "open");
/// # }
/// ```
pub struct ReplyTo<T> {
    slot: Arc<Slot<T>>,
}

impl<T> ReplyTo<T> {
    pub(crate) fn new(slot: Arc<Slot<T>>) -> Self {
        ReplyTo { slot }
    }

    /// Sends the reply. Does nothing if the caller is gone.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::convert::Infallible;
    /// use supervise_runtime::{Context, Flow, Init, ReplyTo, Worker};
    /// struct Echo;
    /// impl Worker for Echo {
    ///     type Args = ();
    ///     type Info = Infallible;
    ///     type Call = (String, ReplyTo<String>);
    ///     type Cast = Infallible;
    ///     type Api<A: supervise_runtime::Address<Self>> = A;
    ///     async fn init(_: (), _: &mut Context<Self>) -> Init<Self> { Init::Ok(Echo) }
    ///     async fn handle_call(&mut self, (text, reply): Self::Call, _: &mut Context<Self>) -> Flow {
    ///         reply.reply(text);
    ///         Flow::Continue
    ///     }
    /// }
    /// let echo = supervise_runtime::start::<Echo>(()).await.unwrap();
    /// assert_eq!(echo.call(|r| ("hi".to_string(), r)).await.unwrap(), "hi");
    /// # }
    /// ```
    pub fn reply(self, value: T) {
        self.slot.reply(value);
    }

    /// Whether the caller is still waiting.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// use std::time::Duration;
    /// use supervise_runtime::{worker, CallError, ReplyTo};
    ///
    /// pub struct Desk { parked: Option<ReplyTo<u8>> }
    /// #[worker]
    /// impl Desk {
    ///     fn init() -> Self { Desk { parked: None } }
    ///     #[call] fn ask(&mut self, reply: ReplyTo<u8>) { self.parked = Some(reply) }
    ///     #[call] fn caller_waiting(&self) -> bool { self.parked.as_ref().is_some_and(ReplyTo::is_waiting) }
    /// }
    /// let desk = Desk::start().await.unwrap();
    /// assert_eq!(desk.ask().timeout(Duration::from_millis(10)).await, Err(CallError::Timeout));
    /// assert_eq!(desk.caller_waiting().await, Ok(false), "the caller gave up");
    /// # }
    /// ```
    pub fn is_waiting(&self) -> bool {
        self.slot.is_waiting()
    }
}

impl<T> Drop for ReplyTo<T> {
    fn drop(&mut self) {
        // After `reply` this finds the slot answered and does nothing.
        self.slot.drop_unanswered();
    }
}

impl<T> fmt::Debug for ReplyTo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReplyTo")
    }
}
