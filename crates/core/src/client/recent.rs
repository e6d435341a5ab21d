//! The "latest changes" list: a dispatcher subscriber that keeps the newest
//! [`RECENT_CAP`] real changes, newest first, leaving out REST activity
//! (identity→ctrl), whose first sightings would drown the real changes.

use crate::dispatch::{Dispatcher, Interest, Subscription};
use crate::{Change, ConnKind};
use std::collections::VecDeque;

/// How many recent changes are kept.
pub const RECENT_CAP: usize = 50;

/// See the module docs.
pub struct RecentChanges {
    sub: Subscription,
    list: VecDeque<Change>,
}

impl RecentChanges {
    /// Subscribes to `changes`.
    pub fn subscribe(changes: &Dispatcher) -> Self {
        let interest = Interest { exclude_kinds: vec![ConnKind::EdgeToCtrl], ..Default::default() };
        // The queue never needs more than the list keeps.
        RecentChanges { sub: changes.subscribe(interest, RECENT_CAP), list: VecDeque::with_capacity(RECENT_CAP) }
    }

    /// Takes in what arrived since the last call; `true` if anything did.
    pub fn refresh(&mut self) -> bool {
        let new = self.sub.drain();
        for change in &new {
            if self.list.len() == RECENT_CAP {
                self.list.pop_back();
            }
            self.list.push_front(change.clone());
        }
        !new.is_empty()
    }

    /// The changes, newest first.
    pub fn iter(&self) -> impl Iterator<Item = &Change> {
        self.list.iter()
    }
}
