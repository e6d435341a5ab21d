//! Router↔router links: their own up/down lifeline, their endpoints, and
//! the latest latency each end measured.
//!
//! A controller drops every link a router sourced, silently, when that
//! router goes offline. So a link is *effectively* up only while its own
//! events say up and its source router is online; that second half is
//! derived when read, which keeps the outcome independent of arrival order.

use super::latest::Latest;
use super::lifeline::{Lifeline, Observe};
use crate::event::{LatencySample, LinkChange};
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// What the store knows about one link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The dialling router, once reported.
    #[serde(default, skip_serializing_if = "Latest::is_none")]
    pub src: Latest<String>,
    /// The accepting router, once reported.
    #[serde(default, skip_serializing_if = "Latest::is_none")]
    pub dst: Latest<String>,
    #[serde(default, skip_serializing_if = "Latest::is_none")]
    pub protocol: Latest<String>,
    #[serde(default, skip_serializing_if = "Latest::is_none")]
    pub cost: Latest<i32>,
    /// Underlay connections, when reported.
    #[serde(default, skip_serializing_if = "Latest::is_none")]
    pub connections: Latest<u32>,
    /// Up/down by the link's own events.
    pub life: Lifeline,
    /// The newest sample from each end that measured it: (time, sample).
    pub latency: Vec<(Timestamp, LatencySample)>,
}

impl Link {
    /// Applies a link event; returns the lifeline's verdict when the event
    /// says up or down.
    pub(crate) fn apply(&mut self, at: Timestamp, l: &LinkChange, cap: usize) -> Option<Observe> {
        // Id-only events carry no attributes; the newest report of each wins.
        if let Some(v) = &l.src {
            self.src.offer(at, v);
        }
        if let Some(v) = &l.dst {
            self.dst.offer(at, v);
        }
        if let Some(v) = &l.protocol {
            self.protocol.offer(at, v);
        }
        if let Some(v) = &l.cost {
            self.cost.offer(at, v);
        }
        if let Some(v) = &l.connections {
            self.connections.offer(at, v);
        }
        l.event.up().map(|up| self.life.observe(at, up, cap))
    }

    /// Keeps the newest sample per measuring end.
    pub(crate) fn sample(&mut self, at: Timestamp, s: &LatencySample) {
        match self.latency.iter_mut().find(|(_, old)| old.source == s.source) {
            // Newer wins; an equal time is settled by the sample's order.
            Some(slot) if (at, s) > (slot.0, &slot.1) => *slot = (at, s.clone()),
            Some(_) => {}
            None => self.latency.push((at, s.clone())),
        }
        // Ties on time break by source, so the order is the same everywhere.
        self.latency.sort();
    }

    /// The time of the newest latency sample. It dates the latency reading;
    /// it says nothing of whether the link is up (its events do).
    pub fn last_sample(&self) -> Option<Timestamp> {
        self.latency.last().map(|(t, _)| *t)
    }

    /// The newest latency sample from either end.
    pub fn latest_latency(&self) -> Option<&LatencySample> {
        self.latency.last().map(|(_, s)| s)
    }

    /// Whether the link's own events say it is up.
    pub fn reported_up(&self) -> bool {
        self.life.up() == Some(true)
    }
}
