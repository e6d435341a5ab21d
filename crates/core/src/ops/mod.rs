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

use crate::alerts::{Alert, AlertKey, Rule, Silence};
use crate::layout::NodeId;
use crate::report::windows::Scope;
use crate::report::{Span, Subject};
use crate::store::NodeRow;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An operator's acknowledgement of an alert, kept by the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedAck {
    /// The feed's id for it.
    pub id: i64,
    pub key: AlertKey,
    /// Who (as they named themselves).
    pub by: String,
    /// Why, or what is being done (plain text, may be empty).
    #[serde(default)]
    pub comment: String,
    /// When, on the feed's clock.
    pub at: Timestamp,
}

/// A silence, kept by the feed, with who made it and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedSilence {
    pub id: i64,
    #[serde(flatten)]
    pub silence: Silence,
    pub by: String,
    #[serde(default)]
    pub comment: String,
    /// When it was made, on the feed's clock.
    pub at: Timestamp,
}

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

    /// The ack that covers an episode of `key` that began at `since`:
    /// the newest made at or after it.
    pub fn ack_for(&self, key: &AlertKey, since: Timestamp) -> Option<&SharedAck> {
        self.acks.iter().filter(|a| a.key == *key && a.at >= since).max_by_key(|a| (a.at, a.id))
    }

    /// The silence that covers `key` at `now`, the one that ends last.
    pub fn silence_for(&self, key: &AlertKey, now: Timestamp) -> Option<&SharedSilence> {
        self.silences.iter().filter(|s| s.silence.covers(key, now)).max_by_key(|s| s.silence.until)
    }

    /// The windows that hold at `now`.
    pub fn holding(&self, now: Timestamp) -> impl Iterator<Item = &Held> {
        self.windows.iter().filter(move |w| w.holds(now.0))
    }

    /// What was shared at `at`: the acks and silences made by then.
    pub fn as_of(&self, at: Timestamp) -> Ops {
        Ops {
            acks: self.acks.iter().filter(|a| a.at <= at).cloned().collect(),
            silences: self.silences.iter().filter(|s| s.at <= at).cloned().collect(),
            windows: self.windows.clone(),
        }
    }

    /// The subjects in maintenance at `now`, each with the name of a window
    /// that covers it, resolved against the network's `rows`.
    pub fn in_maintenance(&self, rows: &[NodeRow], now: Timestamp) -> Maintenance {
        let mut out = BTreeMap::new();
        for w in self.holding(now) {
            for s in w.covers(rows) {
                out.entry(s).or_insert_with(|| w.name.clone());
            }
        }
        Maintenance(out)
    }
}

/// The subjects in maintenance at a moment, with a window's name each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintenance(pub BTreeMap<Subject, String>);

impl Maintenance {
    /// The window an alert is in, if any: its node's, or its link's for a
    /// link's alert.
    pub fn of(&self, alert: &Alert) -> Option<&str> {
        let link = matches!(alert.key.rule, Rule::LinkDown | Rule::LinkLatency)
            .then(|| self.0.get(&Subject::Link(alert.key.subject.clone())))
            .flatten();
        link.or_else(|| self.0.get(&subject_of(alert.node.as_ref()?))).map(String::as_str)
    }

    /// Whether a node is in maintenance.
    pub fn has_node(&self, node: &NodeId) -> bool {
        self.0.contains_key(&subject_of(node))
    }

    /// The nodes in maintenance.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.0.keys().filter_map(|s| match s {
            Subject::Router(id) => Some(NodeId::Router(id.clone())),
            Subject::Controller(id) => Some(NodeId::Controller(id.clone())),
            Subject::Link(_) => None,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn subject_of(node: &NodeId) -> Subject {
    match node {
        NodeId::Router(id) => Subject::Router(id.clone()),
        NodeId::Controller(id) => Subject::Controller(id.clone()),
    }
}

#[cfg(test)]
mod tests;
