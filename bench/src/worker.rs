//! The bench worker on supervise: state = a counter, a drop guard and its start arguments.

use std::fmt;

use supervise_runtime::{Context, Flow, Init, MessageOf, ReplyTo, Worker};

use crate::common::{Args, DropGuard};

pub struct BenchWorker {
    count: u64,
    _guard: DropGuard,
    args: Args,
}

#[derive(Debug)]
pub enum Info {
    Cast,
    Crash,
}

impl Worker for BenchWorker {
    type Args = Args;
    type Info = Info;
    type Call = ReplyTo<u64>;
    type Cast = std::convert::Infallible;
    type Api<A: supervise_runtime::Address<Self>> = A;
    // Crash reports keep the last message, as `#[worker]` workers do: measure that cost.
    // Its `init` never awaits, as `#[worker]` would say of a plain `fn init`.
    const SYNC_INIT: bool = true;

    async fn init(args: Args, _: &mut Context<Self>) -> Init<Self> {
        args.started.count_down();
        Init::Ok(BenchWorker {
            count: 0,
            _guard: DropGuard(args.gone.clone()),
            args,
        })
    }

    async fn handle_info(&mut self, msg: Info, _: &mut Context<Self>) -> Flow {
        match msg {
            Info::Cast => {
                self.count += 1;
                if self.count == self.args.cast_target
                    && let Some(done) = &self.args.cast_done
                {
                    done.count_down();
                }
            }
            Info::Crash => panic!("crash"),
        }
        Flow::Continue
    }

    async fn handle_call(&mut self, reply: ReplyTo<u64>, _: &mut Context<Self>) -> Flow {
        self.count += 1;
        reply.reply(self.count);
        Flow::Continue
    }

    fn format_message(msg: &MessageOf<Self>, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(out, "{msg:?}")
    }

    fn format_state(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(out, "BenchWorker {{ count: {} }}", self.count)
    }
}
