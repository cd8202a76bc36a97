//! A process's set of links, stored inline while it has at most one.
//!
//! Most processes are linked to exactly one other (a child to its supervisor), so the
//! common case must not allocate; a supervisor with many children gets a hash map.

use super::ProcessRef;
use crate::Pid;
use crate::pid::PidMap;

#[derive(Default)]
pub(crate) enum Links {
    #[default]
    None,
    One(ProcessRef),
    /// Boxed: a process with many links is rare (a supervisor), and this keeps every
    /// other process's control block small.
    Many(Box<PidMap<ProcessRef>>),
}

impl Links {
    pub(crate) fn insert(&mut self, other: ProcessRef) {
        match self {
            Links::None => *self = Links::One(other),
            Links::One(p) if p.pid() == other.pid() => *p = other,
            Links::One(_) => {
                let Links::One(first) = std::mem::take(self) else {
                    return;
                };
                let mut map = PidMap::default();
                map.insert(first.pid(), first);
                map.insert(other.pid(), other);
                *self = Links::Many(Box::new(map));
            }
            Links::Many(map) => {
                map.insert(other.pid(), other);
            }
        }
    }

    pub(crate) fn remove(&mut self, pid: Pid) -> Option<ProcessRef> {
        match self {
            Links::None => None,
            Links::One(p) if p.pid() == pid => match std::mem::take(self) {
                Links::One(p) => Some(p),
                _ => None,
            },
            Links::One(_) => None,
            Links::Many(map) => map.remove(&pid),
        }
    }

    pub(crate) fn contains(&self, pid: Pid) -> bool {
        match self {
            Links::None => false,
            Links::One(p) => p.pid() == pid,
            Links::Many(map) => map.contains_key(&pid),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Links::None => 0,
            Links::One(_) => 1,
            Links::Many(map) => map.len(),
        }
    }

    pub(crate) fn into_processes(self) -> impl Iterator<Item = ProcessRef> {
        let (one, many) = match self {
            Links::None => (None, None),
            Links::One(p) => (Some(p), None),
            Links::Many(map) => (None, Some(map)),
        };
        one.into_iter()
            .chain(many.into_iter().flat_map(|m| m.into_values()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AsProcess, Inbox};

    #[tokio::test]
    async fn grows_from_inline_to_map_and_back() {
        let a = Inbox::<()>::new();
        let b = Inbox::<()>::new();
        let mut links = Links::default();
        links.insert(a.process());
        assert!(matches!(links, Links::One(_)));
        links.insert(a.process());
        assert_eq!(links.len(), 1, "linking twice is one link");
        links.insert(b.process());
        assert!(matches!(links, Links::Many(_)));
        assert!(links.contains(a.pid()) && links.contains(b.pid()));
        assert_eq!(links.remove(a.pid()).map(|p| p.pid()), Some(a.pid()));
        assert_eq!(links.remove(a.pid()), None);
        assert_eq!(links.into_processes().count(), 1);
    }
}
