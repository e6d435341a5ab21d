//! Replay: the network at a moment, moved on through the history's events.
//!
//! Time travel starts from the feed's `GET /state?at=` (a checkpoint plus
//! replay, done by the feed). Playing forward from there needs no new
//! state each step: the events between the moment held and the next one
//! (`GET /history?from=&to=`, in time order) are applied to the store held.
//! That is what a replay is, and it is cheaper for both sides than a state
//! per step. A jump backwards, or one so far ahead that its events would
//! cost more than a state, asks for the state instead ([`Replay::plan`]).
//!
//! The store's state does not depend on the order in which reports arrive
//! (a newer report wins, see `store::latest`), so events applied in time
//! order give the network `GET /state` gives for the same moment, for the
//! events stored by then. The feed's tests check exactly that, late events
//! included. One thing a replay cannot see: an event stored after the
//! replay passed its moment (a router's batch held back by a partition).
//! So once playback pauses, a replay that has moved asks for the exact
//! state again ([`Replay::plan_exact`]).

use crate::{Event, Store, Timestamp};

/// Past this span a step asks for the state rather than the events.
pub const READ_MAX_NS: i64 = 15 * 60 * 1_000_000_000;

/// Past this many events in one step, the step gives up on them and asks
/// for the state (a busy network's minute can hold more than a state).
pub const READ_MAX_EVENTS: usize = 50_000;

/// What it takes to show a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The replay already holds it.
    Show,
    /// Ask for the state at this moment (`GET /state?at=`).
    Seek(i64),
    /// Read the events with `from <= at < to` (`GET /history?from=&to=`)
    /// and apply them in order; the replay then holds `to - 1`.
    Read { from: i64, to: i64 },
}

/// A store, and the moment it holds: every event at or before `at` applied.
pub struct Replay {
    store: Store,
    at: i64,
    moved: bool,
}

impl Replay {
    /// A replay of `store`, which holds the network at `at` (ns).
    pub fn new(store: Store, at: i64) -> Replay {
        Replay { store, at, moved: false }
    }

    /// What showing `target` takes from `held` (none held: a seek).
    pub fn plan(held: Option<&Replay>, target: i64) -> Step {
        match held {
            Some(r) if r.at == target => Step::Show,
            Some(r) if r.at < target && target - r.at <= READ_MAX_NS => {
                Step::Read { from: r.at.saturating_add(1), to: target.saturating_add(1) }
            }
            _ => Step::Seek(target),
        }
    }

    /// What showing `target` exactly takes (paused): only a state fetched
    /// for that moment will do, so a replay that moved, or would have to,
    /// seeks.
    pub fn plan_exact(held: Option<&Replay>, target: i64) -> Step {
        match held {
            Some(r) if r.at == target && !r.moved => Step::Show,
            _ => Step::Seek(target),
        }
    }

    /// Ends a [`Step::Read`]: applies every event it read, in the order
    /// given (the history's time order); the replay then holds `target`.
    pub fn advance(&mut self, events: impl IntoIterator<Item = Event>, target: i64) {
        for e in events {
            self.store.apply(&e);
        }
        self.at = target;
        self.moved = true;
    }

    /// The moment held (ns).
    pub fn at(&self) -> i64 {
        self.at
    }

    /// The moment held, as a time.
    pub fn now(&self) -> Timestamp {
        Timestamp(self.at)
    }

    /// The network at that moment.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Body, ConnChange};
    use crate::store::Health;
    use crate::ConnKind;

    const S: i64 = 1_000_000_000;

    fn conn(at: i64, router: &str, up: bool) -> Event {
        Event {
            at: Timestamp(at),
            via: Some("ctrl1".into()),
            body: Body::Conn(ConnChange {
                kind: ConnKind::RouterToCtrl,
                src: router.into(),
                dst: "ctrl1".into(),
                up,
                addr: None,
            }),
        }
    }

    fn health(r: &Replay, router: &str) -> Option<Health> {
        r.store().topology(r.now()).router(router).map(|n| n.health)
    }

    #[test]
    fn plans_a_read_forward_and_a_seek_otherwise() {
        assert_eq!(Replay::plan(None, 5 * S), Step::Seek(5 * S));
        let r = Replay::new(Store::new(), 100 * S);
        assert_eq!(Replay::plan(Some(&r), 100 * S), Step::Show);
        assert_eq!(Replay::plan(Some(&r), 110 * S), Step::Read { from: 100 * S + 1, to: 110 * S + 1 });
        assert_eq!(Replay::plan(Some(&r), 99 * S), Step::Seek(99 * S), "backwards needs the state");
        let far = 100 * S + READ_MAX_NS + 1;
        assert_eq!(Replay::plan(Some(&r), far), Step::Seek(far), "too far ahead needs the state");
        assert_eq!(Replay::plan(Some(&r), 100 * S + READ_MAX_NS), Step::Read { from: 100 * S + 1, to: far });
        assert_eq!(Replay::plan_exact(Some(&r), 100 * S), Step::Show, "exact: a fresh state shows");
        assert_eq!(Replay::plan_exact(Some(&r), 110 * S), Step::Seek(110 * S), "exact: never a read");
        assert_eq!(Replay::plan_exact(None, 5 * S), Step::Seek(5 * S));
    }

    #[test]
    fn reading_forward_gives_the_network_a_fresh_replay_gives() {
        let events = [conn(S, "r1", true), conn(2 * S, "r2", true), conn(3 * S, "r1", false), conn(4 * S, "r2", false)];
        let upto = |t: i64| {
            let mut s = Store::new();
            events.iter().filter(|e| e.at.0 <= t).for_each(|e| {
                s.apply(e);
            });
            Replay::new(s, t)
        };
        let mut r = upto(2 * S);
        assert_eq!(health(&r, "r1"), Some(Health::Ok));
        assert_eq!(Replay::plan_exact(Some(&r), 2 * S), Step::Show, "fresh from a state");
        let Step::Read { from, to } = Replay::plan(Some(&r), 3 * S) else { panic!("a read") };
        r.advance(events.iter().filter(|e| (from..to).contains(&e.at.0)).cloned(), 3 * S);
        assert_eq!(Replay::plan(Some(&r), 3 * S), Step::Show);
        assert_eq!(Replay::plan_exact(Some(&r), 3 * S), Step::Seek(3 * S), "exact: a moved replay seeks");
        assert_eq!(health(&r, "r1"), health(&upto(3 * S), "r1"));
        assert_eq!(health(&r, "r1"), Some(Health::Down));
        assert_eq!(health(&r, "r2"), Some(Health::Ok), "r2 drops only at 4 s");
    }
}
