//! What screens share about alerts, as the engine judges by it (see the
//! `ops` module for the rules and the feed's message): the acks and
//! silences people made ([`Answers`]), and what is in maintenance now
//! ([`Maintenance`], worked out from the windows by the caller).

use super::{Alert, AlertKey, Rule, Silence};
use crate::layout::NodeId;
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

/// The acks and silences in force.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answers {
    pub acks: Vec<SharedAck>,
    pub silences: Vec<SharedSilence>,
}

impl Answers {
    /// The ack that covers an episode of `key` that began at `since`: the
    /// newest made at or after it.
    pub fn ack_for(&self, key: &AlertKey, since: Timestamp) -> Option<&SharedAck> {
        Self::ack_for_in(&self.acks, key, since)
    }

    /// The silence that covers `key` at `now`, the one that ends last.
    pub fn silence_for(&self, key: &AlertKey, now: Timestamp) -> Option<&SharedSilence> {
        Self::silence_for_in(&self.silences, key, now)
    }

    /// [`Self::ack_for`] among `acks`.
    pub fn ack_for_in<'a>(acks: &'a [SharedAck], key: &AlertKey, since: Timestamp) -> Option<&'a SharedAck> {
        acks.iter().filter(|a| a.key == *key && a.at >= since).max_by_key(|a| (a.at, a.id))
    }

    /// [`Self::silence_for`] among `silences`.
    pub fn silence_for_in<'a>(
        silences: &'a [SharedSilence],
        key: &AlertKey,
        now: Timestamp,
    ) -> Option<&'a SharedSilence> {
        silences.iter().filter(|s| s.silence.covers(key, now)).max_by_key(|s| s.silence.until)
    }

    /// What had been shared at `at`: the acks and silences made by then.
    pub fn as_of(&self, at: Timestamp) -> Answers {
        Answers {
            acks: self.acks.iter().filter(|a| a.at <= at).cloned().collect(),
            silences: self.silences.iter().filter(|s| s.at <= at).cloned().collect(),
        }
    }
}

/// The nodes and links in maintenance at a moment, each with the name of
/// a window that covers it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintenance {
    pub nodes: BTreeMap<NodeId, String>,
    pub links: BTreeMap<String, String>,
}

impl Maintenance {
    /// The window an alert is in, if any: its link's for a link's alert,
    /// else its node's.
    pub fn of(&self, alert: &Alert) -> Option<&str> {
        let link = matches!(alert.key.rule, Rule::LinkDown | Rule::LinkLatency)
            .then(|| self.links.get(&alert.key.subject))
            .flatten();
        link.or_else(|| self.nodes.get(alert.node.as_ref()?)).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.links.is_empty()
    }
}
