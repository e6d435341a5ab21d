//! The second half of reading `entityChange`: a staged change holds only
//! once its commit has been seen. [`Commits`] pairs the two by the change's
//! `eventId`, in either arrival order, and hands out committed changes only.
//!
//! Why it is needed (`docs/openziti-shapes.md`): the controller emits the
//! change inside its database transaction and the `committed` event after
//! the commit (bbolt `OnCommit`). A rollback emits nothing, so a change
//! whose commit never comes was rolled back. Every change has its own
//! `eventId` (`boltz` `store_crud.go`: `uuid.NewString()` per change), and
//! commit callbacks run after the write lock is released, so another
//! transaction's events can come between a change and its commit: neither
//! "a new id before the commit" (the Go doc comment's rule) nor "a later
//! change committed" proves a rollback. Only time does: both halves come
//! from one controller within milliseconds, so a half left unpaired for
//! [`COMMIT_WINDOW_NS`] of event time is dropped and counted.

use crate::event::{Body, EntityChange, EntityEvent};
use crate::{Event, Timestamp};
use std::collections::HashMap;

/// How long, in event time, a staged change waits for its commit (and a
/// commit for its change) before it is dropped.
pub const COMMIT_WINDOW_NS: i64 = 60 * 1_000_000_000;

/// Most unpaired halves of each kind kept; past it the oldest is dropped.
pub const MAX_PENDING: usize = 4096;

/// Most committed change ids remembered, so that another copy of a change
/// already committed (each HA controller emits its own, at its own time)
/// still counts: then the outcome does not depend on which copy met the
/// commit first.
pub const MAX_DONE: usize = 65_536;

/// A change that holds: the staged change, with its own time and reporter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedChange {
    pub at: Timestamp,
    pub via: Option<String>,
    pub change: EntityChange,
}

/// What [`Commits`] did with what it was offered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommitStats {
    /// Changes handed out, committed.
    pub committed: u64,
    /// Staged changes dropped without a commit: rolled back (or the commit
    /// was lost, or came far too late).
    pub rolled_back: u64,
    /// Commits dropped without a change: of an entity type that is skipped,
    /// a repeat, or a recovery commit after a controller restart.
    pub unmatched: u64,
}

/// See the module docs.
#[derive(Clone, Debug, Default)]
pub struct Commits {
    staged: HashMap<String, CommittedChange>,
    commits: HashMap<String, Timestamp>,
    /// Committed change ids, oldest first in `done_order`.
    done: std::collections::HashSet<String>,
    done_order: std::collections::VecDeque<String>,
    newest: Option<Timestamp>,
    swept: Option<Timestamp>,
    stats: CommitStats,
}

impl Commits {
    /// Nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// Offers one event. Returns the committed change it completes: a
    /// commit whose change was staged, or a change whose commit came first.
    /// Events of other kinds are ignored.
    pub fn offer(&mut self, ev: &Event) -> Option<CommittedChange> {
        let Body::Entity(entity) = &ev.body else { return None };
        self.advance(ev.at);
        let done = match entity {
            EntityEvent::Staged(change) => {
                let staged = CommittedChange { at: ev.at, via: ev.via.clone(), change: change.clone() };
                if self.done.contains(&change.change) {
                    // Another copy of a committed change: it holds too.
                    return Some(staged);
                }
                if self.commits.remove(&change.change).is_some() {
                    Some(staged)
                } else {
                    if !self.staged.contains_key(&change.change) && self.staged.len() >= MAX_PENDING {
                        evict_oldest(&mut self.staged, |s| s.at);
                        self.stats.rolled_back += 1;
                    }
                    // Copies of one change waiting together: the newest
                    // stands (as the store's `Latest` would settle them),
                    // whichever came first; at an equal time, the greater.
                    let slot = self.staged.entry(change.change.clone()).or_insert_with(|| staged.clone());
                    if (staged.at, &staged.via) > (slot.at, &slot.via) {
                        *slot = staged;
                    }
                    None
                }
            }
            // A listing holds at once: nothing to pair.
            EntityEvent::Listed(_) => None,
            // A copy of a commit already paired changes nothing.
            EntityEvent::Committed { change } if self.done.contains(change) => None,
            EntityEvent::Committed { change } => match self.staged.remove(change) {
                Some(staged) => Some(staged),
                None => {
                    if !self.commits.contains_key(change) && self.commits.len() >= MAX_PENDING {
                        evict_oldest(&mut self.commits, |t| *t);
                        self.stats.unmatched += 1;
                    }
                    self.commits.insert(change.clone(), ev.at);
                    None
                }
            },
        };
        if let Some(d) = &done {
            self.stats.committed += 1;
            self.remember(&d.change.change);
        }
        done
    }

    /// Remembers a committed change id (bounded: the oldest is forgotten).
    fn remember(&mut self, id: &str) {
        if self.done.insert(id.to_owned()) {
            self.done_order.push_back(id.to_owned());
            if self.done_order.len() > MAX_DONE {
                if let Some(old) = self.done_order.pop_front() {
                    self.done.remove(&old);
                }
            }
        }
    }

    /// What was paired and dropped so far.
    pub fn stats(&self) -> CommitStats {
        self.stats
    }

    /// Staged changes and commits still waiting for their other half.
    pub fn pending(&self) -> (usize, usize) {
        (self.staged.len(), self.commits.len())
    }

    /// Moves the clock to the newest event time seen, and drops, at most
    /// once per window, the halves that have waited longer than it.
    fn advance(&mut self, at: Timestamp) {
        let newest = self.newest.map_or(at, |n| n.max(at));
        self.newest = Some(newest);
        let swept = *self.swept.get_or_insert(newest);
        if newest.0.saturating_sub(swept.0) < COMMIT_WINDOW_NS {
            return;
        }
        self.swept = Some(newest);
        let cutoff = newest.0.saturating_sub(COMMIT_WINDOW_NS);
        let (staged, commits) = self.pending();
        self.staged.retain(|_, s| s.at.0 >= cutoff);
        self.commits.retain(|_, t| t.0 >= cutoff);
        self.stats.rolled_back += (staged - self.staged.len()) as u64;
        self.stats.unmatched += (commits - self.commits.len()) as u64;
    }
}

/// Removes the entry with the oldest time (ties: the smallest id, so the
/// outcome does not depend on the map's order).
fn evict_oldest<V>(map: &mut HashMap<String, V>, time: impl Fn(&V) -> Timestamp) {
    let oldest = map.iter().min_by(|a, b| (time(a.1), a.0).cmp(&(time(b.1), b.0))).map(|(k, _)| k.clone());
    if let Some(k) = oldest {
        map.remove(&k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EntityOp;
    use crate::EntityType;

    fn staged(at: i64, id: &str, name: &str) -> Event {
        Event {
            at: Timestamp(at),
            via: Some("ctrl1".into()),
            body: Body::Entity(EntityEvent::Staged(EntityChange {
                change: format!("ev-{id}-{at}"),
                entity: EntityType::Router,
                op: EntityOp::Updated,
                id: id.into(),
                name: Some(name.into()),
                attributes: None,
                identity_type: None,
            })),
        }
    }

    fn commit(at: i64, of: &Event) -> Event {
        let Body::Entity(EntityEvent::Staged(c)) = &of.body else { panic!() };
        Event {
            at: Timestamp(at),
            via: Some("ctrl1".into()),
            body: Body::Entity(EntityEvent::Committed { change: c.change.clone() }),
        }
    }

    #[test]
    fn a_change_holds_at_its_commit_in_either_order() {
        let change = staged(10, "r1", "east");
        let done = commit(11, &change);
        for order in [[&change, &done], [&done, &change]] {
            let mut c = Commits::new();
            assert_eq!(c.offer(order[0]), None, "half a change is nothing yet");
            let out = c.offer(order[1]).expect("both halves");
            assert_eq!((out.at, out.change.name.as_deref()), (Timestamp(10), Some("east")), "the change's own time");
            assert_eq!(c.pending(), (0, 0));
            assert_eq!(c.stats().committed, 1);
        }
    }

    #[test]
    fn a_change_without_its_commit_is_rolled_back_after_the_window() {
        let mut c = Commits::new();
        let lost = staged(0, "r1", "taken-name");
        assert_eq!(c.offer(&lost), None);
        let later = staged(COMMIT_WINDOW_NS + 1, "r2", "west");
        assert_eq!(c.offer(&later), None);
        assert_eq!(c.stats().rolled_back, 1, "dropped and counted");
        assert_eq!(c.pending(), (1, 0), "the new change still waits");
        assert_eq!(c.offer(&commit(0, &lost)), None, "too late: the change is gone");
        assert!(c.offer(&commit(COMMIT_WINDOW_NS + 2, &later)).is_some());
        // The stray commit is dropped a window later, and counted.
        c.offer(&staged(3 * COMMIT_WINDOW_NS, "r3", "x"));
        assert_eq!(c.stats().unmatched, 1);
    }

    #[test]
    fn interleaved_transactions_pair_by_id() {
        // tx1 stages A, tx2 stages and commits B, then tx1's commit of A
        // arrives: B's commit proves nothing about A.
        let (a, b) = (staged(1, "r1", "a"), staged(2, "r2", "b"));
        let mut c = Commits::new();
        assert_eq!(c.offer(&a), None);
        assert_eq!(c.offer(&b), None);
        assert_eq!(c.offer(&commit(3, &b)).map(|x| x.change.id), Some("r2".into()));
        assert_eq!(c.offer(&commit(4, &a)).map(|x| x.change.id), Some("r1".into()));
        assert_eq!(c.stats(), CommitStats { committed: 2, rolled_back: 0, unmatched: 0 });
    }

    #[test]
    fn pending_halves_are_bounded() {
        let mut c = Commits::new();
        for i in 0..(MAX_PENDING as i64 + 10) {
            c.offer(&staged(i, &format!("r{i}"), "n"));
        }
        assert_eq!(c.pending().0, MAX_PENDING);
        assert_eq!(c.stats().rolled_back, 10);
        let oldest_left = staged(10, "r10", "n");
        assert!(c.offer(&commit(11, &oldest_left)).is_some(), "the oldest went first");
    }

    #[test]
    fn other_events_pass_by() {
        let mut c = Commits::new();
        let conn = Event::conn(Timestamp(1), crate::ConnKind::RouterToCtrl, "r", "c", true);
        assert_eq!(c.offer(&conn), None);
        assert_eq!(c.pending(), (0, 0));
    }
}
