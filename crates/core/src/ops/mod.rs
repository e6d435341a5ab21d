//! The NOC's shared alert state (issue 21): who acknowledged what and why,
//! the silences, and the maintenance windows, as the feed keeps them and
//! pushes them to every open screen (`ops` on the stream; see
//! `docs/feed-protocol.md`).
//!
//! The invariant: every screen judges an alert by the same [`Ops`], so the
//! desk and the wall agree on what is acked, silenced or in maintenance.
//! A browser keeps none of it; it keeps only its own preferences.
//!
//! The rules:
//! - **An ack covers one episode.** It holds for an alert whose episode
//!   began (`Alert::since`, which every screen computes alike from the
//!   store) at or before the ack was made; the next episode starts after
//!   it, so an alert that fires again is not acked. The newest ack wins.
//! - **A silence** mutes what it covers until it ends ([`Silence::covers`]).
//! - **Maintenance** holds for the subjects a window covers while one of
//!   its spans holds: an alert whose node (or, for a link's alert, whose
//!   link) is covered is "in maintenance": it does not call anyone, and
//!   is counted apart. The feed resolves a window's spans (it has the
//!   time zone database); screens match its scope against their store.
//! - **At a time-travel moment** ([`Ops::as_of`]) only the acks and
//!   silences made by then count.

mod requests;

pub use requests::{check_text, subject_known, AckRequest, SilenceRequest, BY_CAP, COMMENT_CAP, MAX_SILENCE_MINUTES};

pub use crate::alerts::shared::{Answers, Maintenance, SharedAck, SharedSilence};

use crate::alerts::AlertKey;
use crate::layout::NodeId;
use crate::report::windows::Scope;
use crate::report::{Span, Subject};
use crate::store::NodeRow;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// A maintenance window as the stream carries it: its spans around now
/// resolved by the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// `None` for one from the feed's config file (it cannot be deleted).
    pub id: Option<i64>,
    pub name: String,
    pub scope: Scope,
    /// Sorted, merged.
    pub spans: Vec<Span>,
}

impl Held {
    /// Whether one of its spans holds at `at` (ns).
    pub fn holds(&self, at: i64) -> bool {
        self.spans.iter().any(|s| s.from <= at && at < s.to)
    }

    /// Its spans inside `from..to` as shares of it (left and width, 0 to
    /// 1): where a time bar over that range shows them.
    pub fn on_scale(&self, from: i64, to: i64) -> Vec<(f64, f64)> {
        let whole = (to - from).max(1) as f64;
        (self.spans.iter())
            .map(|s| s.clip(Span::new(from, to)))
            .filter(|s| !s.is_empty())
            .map(|s| ((s.from - from) as f64 / whole, s.len() as f64 / whole))
            .collect()
    }

    /// The first span that holds at `at` or begins after it.
    pub fn next_span(&self, at: i64) -> Option<Span> {
        self.spans.iter().copied().find(|s| s.to > at)
    }

    /// The subjects it covers among `rows` (see [`Scope::covers`]).
    pub fn covers(&self, rows: &[NodeRow]) -> std::collections::BTreeSet<Subject> {
        self.scope.covers(rows)
    }
}

/// Everything shared: what the `ops` message carries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ops {
    /// The newest ack for each alert, newest first.
    pub acks: Vec<SharedAck>,
    /// The silences not yet ended (and those that ended lately, for time
    /// travel).
    pub silences: Vec<SharedSilence>,
    pub windows: Vec<Held>,
}

/// The most of each the app takes from one `ops` message (a hostile or
/// broken feed cannot make it hold more).
pub const MAX_ACKS: usize = 5_000;
pub const MAX_SILENCES: usize = 1_000;
pub const MAX_WINDOWS: usize = 1_000;

impl Ops {
    /// Cut to the caps (see [`MAX_ACKS`]).
    pub fn capped(mut self) -> Ops {
        self.acks.truncate(MAX_ACKS);
        self.silences.truncate(MAX_SILENCES);
        self.windows.truncate(MAX_WINDOWS);
        self
    }

    /// The acks and silences, as the alert engine takes them.
    pub fn answers(&self) -> Answers {
        Answers { acks: self.acks.clone(), silences: self.silences.clone() }
    }

    /// The newest ack of an episode of `key` that began at `since` (see
    /// [`Answers::ack_for`]).
    pub fn ack_for(&self, key: &AlertKey, since: Timestamp) -> Option<&SharedAck> {
        Answers::ack_for_in(&self.acks, key, since)
    }

    /// The silence over `key` at `now` (see [`Answers::silence_for`]).
    pub fn silence_for(&self, key: &AlertKey, now: Timestamp) -> Option<&SharedSilence> {
        Answers::silence_for_in(&self.silences, key, now)
    }

    /// The maintenance an operator is told of at `at`: the window that
    /// holds then (its span and name), else the next to begin within
    /// `within_ns`; the earliest first.
    pub fn near(&self, at: i64, within_ns: i64) -> Option<(Span, &str)> {
        (self.windows.iter())
            .filter_map(|w| w.next_span(at).map(|s| (s, w.name.as_str())))
            .filter(|(s, _)| s.from < at.saturating_add(within_ns))
            .min()
    }

    /// The windows that hold at `now`.
    pub fn holding(&self, now: Timestamp) -> impl Iterator<Item = &Held> {
        self.windows.iter().filter(move |w| w.holds(now.0))
    }

    /// The nodes and links in maintenance at `now`, each with the name of
    /// a window that covers it, resolved against the network's `rows`.
    pub fn in_maintenance(&self, rows: &[NodeRow], now: Timestamp) -> Maintenance {
        let mut out = Maintenance::default();
        for w in self.holding(now) {
            for s in w.covers(rows) {
                let name = w.name.clone();
                match s {
                    Subject::Router(id) => out.nodes.entry(NodeId::Router(id)).or_insert(name),
                    Subject::Controller(id) => out.nodes.entry(NodeId::Controller(id)).or_insert(name),
                    Subject::Link(id) => out.links.entry(id).or_insert(name),
                };
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
