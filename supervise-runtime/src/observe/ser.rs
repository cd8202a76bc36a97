//! How the snapshot's fields are serialized (the `serde` feature): pids as `<0.12.0>`,
//! durations as whole milliseconds, restart types and strategies as OTP names them.

use std::fmt::Display;
use std::time::Duration;

use serde::Serializer;

use crate::{Restart, Strategy};

pub(super) fn display<S: Serializer>(v: &impl Display, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

pub(super) fn opt_display<S: Serializer, T: Display>(
    v: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

fn as_millis(d: &Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

pub(super) fn millis<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(as_millis(d))
}

pub(super) fn opt_millis<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_u64(as_millis(d)),
        None => s.serialize_none(),
    }
}

pub(super) fn opt_restart<S: Serializer>(r: &Option<Restart>, s: S) -> Result<S::Ok, S::Error> {
    match r {
        Some(r) => s.serialize_str(super::node::restart_name(*r)),
        None => s.serialize_none(),
    }
}

pub(super) fn strategy<S: Serializer>(v: &Strategy, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(super::node::strategy_name(*v))
}
