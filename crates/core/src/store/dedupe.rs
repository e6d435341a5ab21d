//! Content deduplication. No OpenZiti event carries an id, and in HA every
//! controller emits its own copy of the same event, differing only in
//! `event_src_id`. So an event's identity is a hash of its time and body
//! (never its reporter), remembered for the last `cap` events.

use crate::event::Event;
use foldhash::fast::FixedState;
use foldhash::HashSet;
use std::collections::VecDeque;
use std::hash::{BuildHasher, Hash, Hasher};

/// See the module docs.
#[derive(Clone, Default)]
pub struct Dedupe {
    seen: HashSet<u64>,
    order: VecDeque<u64>,
    cap: usize,
}

impl Dedupe {
    /// Remembers up to `cap` events.
    ///
    /// Both are allocated once, at the size a full window keeps: the ring
    /// at `cap`, and the set at twice it. A set that forgets as much as it
    /// learns fills with the marks its removals leave, and rehashes in
    /// place only while it is at most half full; sized for `cap` alone it
    /// would double once the window filled, holding both tables meanwhile
    /// (a step of 3.5 MB at the default window, never given back in wasm).
    pub fn new(cap: usize) -> Self {
        let cap_at_start = cap.min(1 << 16);
        Dedupe {
            seen: HashSet::with_capacity_and_hasher(2 * cap_at_start, Default::default()),
            order: VecDeque::with_capacity(cap_at_start),
            cap,
        }
    }

    /// `true` the first time an event's content is seen (within the window).
    pub fn first_sight(&mut self, ev: &Event) -> bool {
        if self.cap == 0 {
            return true;
        }
        // A fixed seed: the same content hashes the same in the feed and in
        // the browser, run after run.
        let mut h = FixedState::with_seed(0x5a17_5c09e).build_hasher();
        ev.at.hash(&mut h);
        ev.body.hash(&mut h);
        // Cluster events are each controller's own view (who leads, who it
        // sees), not copies: there the reporter is part of the content.
        if matches!(ev.body, crate::event::Body::Cluster(_)) {
            ev.via.hash(&mut h);
        }
        let id = h.finish();
        if !self.seen.insert(id) {
            return false;
        }
        // The oldest leaves before the newest comes, so the ring never
        // holds more than `cap` (and never grows past its allocation).
        if self.order.len() >= self.cap {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        self.order.push_back(id);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConnKind, Timestamp};

    #[test]
    fn ha_copies_are_one_event_and_the_window_is_bounded() {
        let mut d = Dedupe::new(2);
        let a = Event::conn(Timestamp(1), ConnKind::EdgeToRouter, "id", "r1", true);
        assert!(d.first_sight(&a.clone().via("ctrl1")));
        assert!(!d.first_sight(&a.clone().via("ctrl2")), "differs only in the reporter");
        let b = Event::conn(Timestamp(2), ConnKind::EdgeToRouter, "id", "r1", true);
        let c = Event::conn(Timestamp(3), ConnKind::EdgeToRouter, "id", "r1", true);
        assert!(d.first_sight(&b));
        assert!(d.first_sight(&c));
        assert!(d.first_sight(&a), "fell out of the window");
    }

    #[test]
    fn a_full_window_keeps_its_allocations() {
        let mut d = Dedupe::new(1_024);
        let (ring, set) = (d.order.capacity(), d.seen.capacity());
        for t in 0..20_000 {
            assert!(d.first_sight(&Event::conn(Timestamp(t), ConnKind::EdgeToRouter, "id", "r1", true)));
        }
        assert_eq!(d.order.len(), 1_024, "the window holds its cap");
        // Wasm memory never shrinks: a ring or set that regrew once the
        // window filled would keep its peak for good. (A set's capacity
        // dips by the marks its removals leave until it rehashes in place;
        // regrown, it would double.)
        assert_eq!(d.order.capacity(), ring, "the ring never regrew");
        assert!(d.seen.capacity() <= set, "the set never regrew: {} > {set}", d.seen.capacity());
    }

    #[test]
    fn cluster_views_from_different_controllers_are_not_copies() {
        use crate::event::{Body, ClusterChange, ClusterEventType};
        let mut d = Dedupe::new(8);
        let lost = |via: &str| Event {
            at: Timestamp(1),
            via: Some(via.into()),
            body: Body::Cluster(ClusterChange {
                event: ClusterEventType::LeadershipLost,
                peers: vec![],
                leader: None,
                index: None,
            }),
        };
        assert!(d.first_sight(&lost("ctrl1")));
        assert!(d.first_sight(&lost("ctrl2")));
        assert!(!d.first_sight(&lost("ctrl1")));
    }
}
