//! Process identifiers and monitor references.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};

/// The identity of one process incarnation.
///
/// A `Pid` is unique for the life of the program: a restarted child gets a new one, as in
/// OTP. It is `Copy`, totally ordered (older processes compare lower) and prints like
/// Erlang's `#PID<0.162.0>`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::Inbox;
/// let a = Inbox::<()>::new();
/// let b = Inbox::<()>::new();
/// assert_ne!(a.pid(), b.pid());
/// assert!(a.pid() < b.pid());
/// assert!(a.pid().to_string().starts_with("#PID<0."));
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid(NonZeroU64); // serial + 1, so that `Option<Pid>` is one word

static NEXT_PID: AtomicU64 = AtomicU64::new(100);

impl Pid {
    pub(crate) fn next() -> Pid {
        Pid::from_serial(NEXT_PID.fetch_add(1, Ordering::Relaxed))
    }

    pub(crate) const fn from_serial(serial: u64) -> Pid {
        Pid(NonZeroU64::MIN.saturating_add(serial))
    }

    /// The serial number of this pid (the middle field of `#PID<0.N.0>`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = supervise_runtime::Inbox::<()>::new();
    /// assert_eq!(inbox.pid().to_string(), format!("#PID<0.{}.0>", inbox.pid().serial()));
    /// # }
    /// ```
    pub fn serial(self) -> u64 {
        self.0.get() - 1
    }
}

/// A map keyed by pid, laid out for the way supervisors fill it: children started one
/// after another have consecutive pids, and [`PidHasher`] puts consecutive pids in
/// neighbouring buckets, so a table of a million children is written and read mostly in
/// order instead of one cache and TLB miss per child.
pub(crate) type PidMap<V> = HashMap<Pid, V, BuildHasherDefault<PidHasher>>;

/// The hash of a pid: its serial in the low bits (which pick the bucket), and a mix of it
/// in the top seven bits (the tag the table compares first, which must tell neighbours
/// apart).
#[derive(Default)]
pub(crate) struct PidHasher(u64);

impl Hasher for PidHasher {
    #[inline]
    fn write_u64(&mut self, n: u64) {
        const TAG_BITS: u64 = 0x7f << 57;
        self.0 = n ^ (n.wrapping_mul(0x9e37_79b9_7f4a_7c15) & TAG_BITS);
    }

    /// Only pids are hashed with it; anything else still gets a usable hash.
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0.rotate_left(8) ^ u64::from(b));
        }
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#PID<0.{}.0>", self.serial())
    }
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The reference of one monitor, carried by the [`Down`](crate::Down) it produces.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use supervise_runtime::Inbox;
/// let watcher = Inbox::<()>::new();
/// let target = Inbox::<()>::new();
/// let m1 = watcher.monitor(&target);
/// let m2 = watcher.monitor(&target);
/// assert_ne!(m1, m2);
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref(u64);

static NEXT_REF: AtomicU64 = AtomicU64::new(1);

impl Ref {
    pub(crate) fn next() -> Ref {
        Ref(NEXT_REF.fetch_add(1, Ordering::Relaxed))
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#Reference<0.{}>", self.0)
    }
}

impl fmt::Debug for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    fn hash(pid: Pid) -> u64 {
        BuildHasherDefault::<PidHasher>::default().hash_one(pid)
    }

    #[test]
    fn consecutive_pids_hash_to_consecutive_buckets_with_varied_tags() {
        let pids: Vec<Pid> = (1_000..1_256).map(Pid::from_serial).collect();
        for pair in pids.windows(2) {
            let mask = (1 << 57) - 1;
            assert_eq!(hash(pair[1]) & mask, (hash(pair[0]) & mask) + 1);
        }
        let tags: std::collections::HashSet<u64> = pids.iter().map(|&p| hash(p) >> 57).collect();
        assert!(
            tags.len() > 64,
            "tags must tell neighbours apart: {}",
            tags.len()
        );
    }

    #[test]
    fn a_pid_map_finds_what_it_holds() {
        let mut map = PidMap::default();
        for serial in 0..10_000 {
            map.insert(Pid::from_serial(serial), serial);
        }
        for serial in (0..10_000).step_by(7) {
            assert_eq!(map.remove(&Pid::from_serial(serial)), Some(serial));
        }
        assert_eq!(map.len(), 10_000 - 10_000usize.div_ceil(7));
        assert_eq!(map.get(&Pid::from_serial(1)), Some(&1));
        assert_eq!(map.get(&Pid::from_serial(7)), None);
    }
}
