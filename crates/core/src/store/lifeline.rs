//! A lifeline: the bounded, ordered history of one thing's up/down
//! observations, and the state that follows from it.
//!
//! The rules make the outcome independent of arrival order:
//! - observations are kept sorted by time, and at an equal time *down*
//!   sorts after *up*, so down wins a tie;
//! - an identical observation (same time, same state) is a duplicate;
//! - the state, the time of the last change and the transition count are a
//!   fold over the observations in order, so an out-of-order observation
//!   lands where it belongs, exactly as if it had arrived in time;
//! - only the newest `cap` observations are kept; older ones are folded
//!   into a base. An observation older than everything kept cannot be
//!   placed exactly any more: it is refused as [`Observe::TooOld`].

use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// What became of an observation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observe {
    /// It was recorded.
    Recorded,
    /// The same observation was already recorded.
    Duplicate,
    /// It is older than the retained history and was dropped.
    TooOld,
}

/// The fold of a prefix of observations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folded {
    /// `Some(true)`: up; `Some(false)`: down; `None`: nothing observed.
    pub up: Option<bool>,
    /// When the state last changed (or was first observed).
    pub since: Timestamp,
    /// The earliest observation.
    pub first_seen: Timestamp,
    /// The newest observation.
    pub last_seen: Timestamp,
    /// State changes after the first observation.
    pub transitions: u32,
}

impl Folded {
    /// Whether nothing has been folded into it.
    pub fn is_empty(&self) -> bool {
        self.up.is_none()
    }

    fn step(mut self, (at, up): (Timestamp, bool)) -> Folded {
        match self.up {
            None => {
                self.first_seen = at;
                self.since = at;
            }
            Some(prev) if prev != up => {
                self.transitions = self.transitions.saturating_add(1);
                self.since = at;
            }
            Some(_) => {}
        }
        self.up = Some(up);
        self.last_seen = self.last_seen.max(at);
        self
    }
}

/// See the module docs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Lifeline {
    /// The fold of every evicted observation.
    #[serde(default, skip_serializing_if = "Folded::is_empty")]
    base: Folded,
    /// Retained observations, sorted by `(time, down-after-up)`.
    obs: Vec<(Timestamp, bool)>,
    /// The fold of `base` and every observation in `obs`.
    #[serde(skip)]
    now: Option<Folded>,
}

/// Equal when the history is: the cached fold is derived from it.
impl PartialEq for Lifeline {
    fn eq(&self, other: &Self) -> bool {
        self.base == other.base && self.obs == other.obs
    }
}

impl Eq for Lifeline {}

/// Sort key: time, then up before down (so down wins a tie).
fn key(o: &(Timestamp, bool)) -> (Timestamp, bool) {
    (o.0, !o.1)
}

impl Lifeline {
    /// Records an observation, keeping at most `cap` (≥ 1).
    pub fn observe(&mut self, at: Timestamp, up: bool, cap: usize) -> Observe {
        let item = (at, up);
        let pos = match self.obs.binary_search_by(|o| key(o).cmp(&key(&item))) {
            Ok(_) => return Observe::Duplicate,
            Err(pos) => pos,
        };
        if pos == 0 && self.base.up.is_some() {
            return Observe::TooOld;
        }
        let cap = cap.max(1);
        let appended = pos == self.obs.len();
        if self.obs.len() >= cap {
            // Full: the oldest goes into the base before the new one comes
            // in, so the Vec never holds cap + 1 (its allocation would
            // double, for every full lifeline: 256 bytes each at cap 16).
            if pos == 0 {
                // The new one is the oldest: it would be evicted at once.
                self.base = self.base.step(item);
            } else {
                let oldest = self.obs.remove(0);
                self.base = self.base.step(oldest);
                self.obs.insert(pos - 1, item);
            }
        } else {
            self.obs.insert(pos, item);
        }
        while self.obs.len() > cap {
            let oldest = self.obs.remove(0);
            self.base = self.base.step(oldest);
        }
        // Appending (the in-order case) extends the fold; anything else
        // refolds. Eviction into the base leaves the whole fold as it was.
        self.now = match (appended, self.now) {
            (true, Some(f)) => Some(f.step(item)),
            _ => Some(self.refold()),
        };
        Observe::Recorded
    }

    /// The current fold.
    pub fn folded(&self) -> Folded {
        self.now.unwrap_or_else(|| self.refold())
    }

    /// Whether the latest state is up (`None` before any observation).
    pub fn up(&self) -> Option<bool> {
        self.folded().up
    }

    /// The retained observations, oldest first.
    pub fn observations(&self) -> &[(Timestamp, bool)] {
        &self.obs
    }

    /// How many state changes the retained history shows at or after `since`.
    pub fn transitions_since(&self, since: Timestamp) -> u32 {
        let mut prev = self.base.up;
        let mut n = 0;
        for &(at, up) in &self.obs {
            if prev.is_some_and(|p| p != up) && at >= since {
                n += 1;
            }
            prev = Some(up);
        }
        n
    }

    /// Rebuilds the cached fold after deserialising.
    pub fn restore(&mut self) {
        self.now = Some(self.refold());
    }

    fn refold(&self) -> Folded {
        self.obs.iter().fold(self.base, |f, &o| f.step(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_lifeline_never_outgrows_its_cap() {
        let mut l = Lifeline::default();
        for i in 0..100 {
            l.observe(Timestamp(i), i % 2 == 0, 16);
            assert!(l.obs.len() <= 16 && l.obs.capacity() <= 16, "at {i}: {} of {}", l.obs.len(), l.obs.capacity());
        }
        assert_eq!(l.folded().transitions, 99, "nothing lost to the base");
        assert_eq!(l.observe(Timestamp(50), true, 16), Observe::TooOld);
    }

    #[test]
    fn a_small_cap_folds_to_what_a_roomy_one_holds() {
        // Shuffled within a short horizon (late, never too old), with repeats.
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as i64
        };
        for _ in 0..200 {
            let (mut small, mut roomy) = (Lifeline::default(), Lifeline::default());
            for i in 0..60 {
                let at = Timestamp(i * 10 + next() % 3);
                let up = next() % 2 == 0;
                if small.observe(at, up, 4) != Observe::TooOld {
                    roomy.observe(at, up, 1_000);
                }
            }
            assert_eq!(small.folded(), roomy.folded());
            assert!(small.obs.capacity() <= 4);
        }
    }

    fn t(n: i64) -> Timestamp {
        Timestamp(n)
    }

    fn run(obs: &[(i64, bool)], cap: usize) -> Lifeline {
        let mut l = Lifeline::default();
        for &(at, up) in obs {
            l.observe(t(at), up, cap);
        }
        l
    }

    #[test]
    fn in_order_fold() {
        let l = run(&[(1, true), (2, true), (3, false), (4, true)], 16);
        let f = l.folded();
        assert_eq!((f.up, f.since, f.first_seen, f.last_seen, f.transitions), (Some(true), t(4), t(1), t(4), 2));
    }

    #[test]
    fn a_late_observation_lands_in_place() {
        // up@1, up@3 then a late down@2: in time order that is up, down, up.
        let l = run(&[(1, true), (3, true), (2, false)], 16);
        let f = l.folded();
        assert_eq!((f.up, f.transitions, f.since), (Some(true), 2, t(3)));
        assert_eq!(l.folded(), run(&[(1, true), (2, false), (3, true)], 16).folded());
    }

    #[test]
    fn duplicates_and_ties() {
        let mut l = Lifeline::default();
        assert_eq!(l.observe(t(5), true, 16), Observe::Recorded);
        assert_eq!(l.observe(t(5), true, 16), Observe::Duplicate);
        l.observe(t(5), false, 16);
        assert_eq!(l.up(), Some(false), "down wins a tie");
        let mut r = Lifeline::default();
        r.observe(t(5), false, 16);
        r.observe(t(5), true, 16);
        assert_eq!(r.folded(), l.folded(), "in either order");
    }

    #[test]
    fn eviction_keeps_the_fold_and_refuses_older() {
        let mut l = run(&[(1, true), (2, false), (3, true), (4, false), (5, true)], 3);
        assert_eq!(l.observations().len(), 3);
        assert_eq!(l.folded(), run(&[(1, true), (2, false), (3, true), (4, false), (5, true)], 99).folded());
        assert_eq!(l.observe(t(2), true, 3), Observe::TooOld);
        assert_eq!(l.observe(t(4), true, 3), Observe::Recorded, "inside the window is fine");
    }

    #[test]
    fn flap_counting() {
        let l = run(&[(1, true), (10, false), (20, true), (30, false), (40, true)], 16);
        assert_eq!(l.transitions_since(t(0)), 4);
        assert_eq!(l.transitions_since(t(25)), 2);
    }

    #[test]
    fn serde_round_trip_restores_the_fold() {
        let l = run(&[(1, true), (2, false), (3, true), (4, false)], 2);
        let mut back: Lifeline = serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
        back.restore();
        assert_eq!(back.folded(), l.folded());
    }
}
