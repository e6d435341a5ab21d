//! Alerts a NOC can trust: raised once, grouped by root cause, never
//! re-raised by a replay, and resolved when the condition ends.
//!
//! - [`rules`]: which conditions hold now (a pure function of the store,
//!   its topology, the feed's health, its sources', and the time);
//! - [`AlertEngine`] (`engine`): each condition's alert and its lifecycle,
//!   *pending* (for the rule's hold time) → *firing* → *resolved*, with a
//!   dedupe key (rule + subject), a count of the times it fired, first and
//!   last seen; the shared acks, silences and maintenance ([`shared`]);
//!   a bounded history;
//! - [`config`]: thresholds and hold times;
//! - [`attention`]: which nodes call for attention on the map (and which
//!   are acked), from the board.
//!
//! Time is the caller's `now` (the feed's clock in the app), so a test
//! clock drives every rule. The feed can run the same engine for
//! automation: it is plain Rust with no browser in it.

pub mod attention;
pub mod config;
mod engine;
pub mod rules;
pub mod shared;

pub use config::{AlertConfig, AppConfig};
pub use engine::{alerts_at, AlertEngine};

use crate::layout::NodeId;
use crate::wire::SourceCounters;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A router lost all its controller connections.
    RouterDown,
    /// A controller cluster peer connection is down.
    PeerDown,
    /// The cluster has no leader reaching a majority.
    QuorumLost,
    /// The cluster's leader moved.
    LeaderChanged,
    /// A router's control channel keeps going up and down.
    RouterFlapping,
    /// Identities keep connecting and dropping at one router.
    IdentitiesFlapping,
    /// Many identities dropped from one router at once.
    MassDisconnect,
    /// A router↔router link is down or faulted.
    LinkDown,
    /// A link's latency or jitter is over its threshold.
    LinkLatency,
    /// No heartbeat from the feed for twice its period.
    FeedStale,
    /// The app has lost its feed.
    FeedDisconnected,
    /// One of the feed's sources is down (its command exited and has not
    /// come back, its file cannot be read, its input ended).
    SourceDown,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 12] = [
        Rule::RouterDown,
        Rule::PeerDown,
        Rule::QuorumLost,
        Rule::LeaderChanged,
        Rule::RouterFlapping,
        Rule::IdentitiesFlapping,
        Rule::MassDisconnect,
        Rule::LinkDown,
        Rule::LinkLatency,
        Rule::FeedStale,
        Rule::FeedDisconnected,
        Rule::SourceDown,
    ];

    /// Its name, as in configuration and silences.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::RouterDown => "router-down",
            Rule::PeerDown => "peer-down",
            Rule::QuorumLost => "quorum-lost",
            Rule::LeaderChanged => "leader-changed",
            Rule::RouterFlapping => "router-flapping",
            Rule::IdentitiesFlapping => "identities-flapping",
            Rule::MassDisconnect => "mass-disconnect",
            Rule::LinkDown => "link-down",
            Rule::LinkLatency => "link-latency",
            Rule::FeedStale => "feed-stale",
            Rule::FeedDisconnected => "feed-disconnected",
            Rule::SourceDown => "source-down",
        }
    }

    /// How bad it is.
    pub fn severity(self) -> Severity {
        match self {
            Rule::RouterDown | Rule::QuorumLost | Rule::FeedDisconnected => Severity::Critical,
            Rule::PeerDown | Rule::MassDisconnect | Rule::LinkDown | Rule::FeedStale | Rule::SourceDown => {
                Severity::Major
            }
            Rule::RouterFlapping | Rule::IdentitiesFlapping | Rule::LinkLatency => Severity::Minor,
            Rule::LeaderChanged => Severity::Info,
        }
    }
}

/// Worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Critical,
    Major,
    Minor,
    Info,
}

impl Severity {
    /// A word for it (shown beside its colour and icon).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Major => "major",
            Severity::Minor => "minor",
            Severity::Info => "info",
        }
    }
}

/// An alert's identity: one per rule and subject, whatever happens.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AlertKey {
    pub rule: Rule,
    /// A router or link id, a controller pair, `cluster`, `feed`, or a
    /// feed source's name.
    pub subject: String,
}

/// Where an alert is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertState {
    Firing,
    /// Its condition holds, for less than the rule's hold time so far.
    Pending,
    Resolved,
}

/// Who acknowledged an alert, when and why (shared by the feed: see
/// [`shared`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ack {
    pub by: String,
    pub at: Timestamp,
    #[serde(default)]
    pub comment: String,
}

/// One alert (see the module docs).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Alert {
    pub key: AlertKey,
    pub severity: Severity,
    pub state: AlertState,
    /// The map node it is about, if any.
    pub node: Option<NodeId>,
    /// What is wrong, in words (plain text).
    pub message: String,
    /// Effects folded into it (e.g. identities that dropped with a router).
    pub grouped: u32,
    /// When this episode's condition started.
    pub since: Timestamp,
    /// When it first held, in any episode, and when it last held.
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// When it last fired and last resolved.
    pub fired_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    /// How many times it has fired.
    pub count: u32,
    /// The ack of this episode, if any (see [`shared`]).
    pub ack: Option<Ack>,
    /// The maintenance window it is in, by name: it calls nobody.
    #[serde(default)]
    pub maintenance: Option<String>,
}

impl Alert {
    /// Whether `query` (case-insensitive, trimmed; empty: everything)
    /// names its rule, subject, message, severity or state.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        q.is_empty()
            || self.key.rule.as_str().contains(&q)
            || self.key.subject.to_lowercase().contains(&q)
            || self.message.to_lowercase().contains(&q)
            || self.severity.as_str() == q
            || self.state.as_str() == q
    }
}

#[cfg(test)]
impl Alert {
    /// A firing alert of `rule` about the router `subject`, fired (and
    /// begun) at `at`, unacked: what tests start from.
    pub(crate) fn firing(rule: Rule, subject: &str, at: Timestamp) -> Alert {
        Alert {
            key: AlertKey { rule, subject: subject.into() },
            severity: rule.severity(),
            state: AlertState::Firing,
            node: Some(NodeId::Router(subject.into())),
            message: String::new(),
            grouped: 0,
            since: at,
            first_seen: at,
            last_seen: at,
            fired_at: Some(at),
            resolved_at: None,
            count: 1,
            ack: None,
            maintenance: None,
        }
    }
}

impl AlertState {
    /// A word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Pending => "pending",
            AlertState::Resolved => "resolved",
        }
    }
}

/// Something the board should tell people about once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// It started firing (a toast, a sound, a notification).
    Fired {
        key: AlertKey,
        silenced: bool,
    },
    Resolved {
        key: AlertKey,
    },
}

/// Mutes alerts by rule, by subject, or both, until a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Silence {
    pub rule: Option<Rule>,
    pub subject: Option<String>,
    pub until: Timestamp,
}

impl Silence {
    /// Whether it mutes `key` at `now`.
    pub fn covers(&self, key: &AlertKey, now: Timestamp) -> bool {
        now < self.until
            && self.rule.is_none_or(|r| r == key.rule)
            && self.subject.as_ref().is_none_or(|s| *s == key.subject)
            && (self.rule.is_some() || self.subject.is_some())
    }
}

/// The subject of an alert about the whole network (many routers at once).
pub const NETWORK: &str = "network";

/// What the feed's own health looks like to the app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedHealth {
    /// Whether the stream is open.
    pub connected: bool,
    /// Since when it has been as it is (for a disconnection).
    pub since: Timestamp,
    /// The feed's time in the latest word from it, snapshot or heartbeat
    /// (a fresh connection has a snapshot before its first heartbeat).
    pub last_heard: Option<Timestamp>,
    /// The feed's sources that are down, as its latest heartbeat said
    /// (kept while the feed is away: nothing newer is known).
    pub sources_down: Vec<SourceDown>,
}

/// One of the feed's sources that is down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceDown {
    /// The source's name (`ctrl2`, `file:/var/log/…`).
    pub name: String,
    /// When the outage began, on the feed's clock.
    pub since: Timestamp,
    /// Why ("exited with status 0", "spawn failed: …").
    pub reason: Option<String>,
}

impl SourceDown {
    /// The sources a heartbeat's counters say are down, by name.
    pub fn from_counters(sources: &BTreeMap<String, SourceCounters>) -> Vec<SourceDown> {
        (sources.iter())
            .filter_map(|(name, s)| {
                Some(SourceDown { name: name.clone(), since: s.down_since?, reason: s.reason.clone() })
            })
            .collect()
    }
}

/// The board's counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AlertCounts {
    /// Firing, not silenced and not in maintenance.
    pub firing: usize,
    /// Firing but silenced.
    pub silenced: usize,
    /// Firing in a maintenance window.
    #[serde(default)]
    pub maintenance: usize,
    pub pending: usize,
    pub resolved: usize,
}

#[cfg(test)]
mod tests;
