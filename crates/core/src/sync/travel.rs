//! Time travel in the worker: the store at the moment the page asked for
//! ([`Command::Travel`](super::Command::Travel)), fetched by the worker's
//! I/O a step at a time ([`Travel::next`]: what to read next, as
//! [`crate::replay`] plans it) and handed back here. The live store keeps
//! applying underneath, so "Live" returns with no gap.
//!
//! Rules:
//! - One fetch at a time: the I/O asks [`Travel::next`] until it says
//!   there is nothing to fetch; the target may move meanwhile, and the
//!   next step heads for the new one.
//! - An answer that comes after the page went live shows nothing. One for
//!   a moment the page has left is held and shown (it is the newest past
//!   there is) while the next step heads for the new moment.
//! - Paused, the moment shown is the exact one (a replay that moved asks
//!   for the state again: see `replay`).

use crate::event::Event;
use crate::replay::{Replay, Step};
use crate::store::StoreState;
use crate::{Store, StoreConfig};

/// See the module docs.
#[derive(Default)]
pub struct Travel {
    /// The moment asked for (ns), `None` while live.
    target: Option<i64>,
    /// Paused: only the exact state will do.
    exact: bool,
    held: Option<Replay>,
    /// Why the moment could not be shown.
    error: Option<String>,
}

impl Travel {
    /// The page's moment (`None`: live) and whether it is paused.
    pub fn aim(&mut self, target: Option<i64>, exact: bool) {
        self.target = target;
        self.exact = exact;
        if target.is_none() {
            self.held = None;
            self.error = None;
        }
    }

    /// What to fetch next to show the target, if anything.
    pub fn next(&self) -> Option<Step> {
        let target = self.target?;
        let plan = if self.exact { Replay::plan_exact } else { Replay::plan };
        Some(plan(self.held.as_ref(), target)).filter(|s| *s != Step::Show)
    }

    /// The state at `at` arrived (`GET /state?at=`); `false` if it shows
    /// nothing (live meanwhile).
    pub fn state(&mut self, at: i64, state: StoreState) -> bool {
        if self.target.is_none() {
            return false;
        }
        self.held = Some(Replay::new(Store::from_state(state, StoreConfig::default()), at));
        self.error = None;
        true
    }

    /// A read's events arrived (`None`: more than one step may apply, so
    /// the next step seeks); the replay then holds `to - 1`.
    pub fn events(&mut self, events: Option<Vec<Event>>, to: i64) -> bool {
        if self.target.is_none() {
            return false;
        }
        match (events, self.held.as_mut()) {
            (Some(events), Some(r)) => r.advance(events, to - 1),
            _ => self.held = None,
        }
        self.error = None;
        true
    }

    /// A fetch failed: the reason shows until the next moment arrives.
    pub fn failed(&mut self, error: String) {
        if self.target.is_some() {
            self.error = Some(error);
        }
    }

    /// The moment asked for, if travelling.
    pub fn target(&self) -> Option<i64> {
        self.target
    }

    /// The replay held, once fetched.
    pub fn held(&self) -> Option<&Replay> {
        self.held.as_ref()
    }

    /// Why the moment could not be shown.
    pub fn error(&self) -> Option<&String> {
        self.error.as_ref()
    }
}
