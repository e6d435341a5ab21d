//! Router↔router links: their own up/down lifeline, their endpoints, and
//! the latest latency each end measured.
//!
//! A controller drops every link a router sourced, silently, when that
//! router goes offline. So a link is *effectively* up only while its own
//! events say up and its source router is online; that second half is
//! derived when read, which keeps the outcome independent of arrival order.

use super::lifeline::{Lifeline, Observe};
use crate::event::{LatencySample, LinkChange};
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// What the store knows about one link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The dialling router, once reported.
    pub src: Option<String>,
    /// The accepting router, once reported.
    pub dst: Option<String>,
    pub protocol: Option<String>,
    pub cost: Option<i32>,
    /// Underlay connections, when reported.
    pub connections: Option<u32>,
    /// Up/down by the link's own events.
    pub life: Lifeline,
    /// The newest sample from each end that measured it: (time, sample).
    pub latency: Vec<(Timestamp, LatencySample)>,
    /// Times a destination-not-connected report was seen (informational).
    pub disconnected_dest: u32,
}

impl Link {
    /// Applies a link event; returns the lifeline's verdict when the event
    /// says up or down.
    pub(crate) fn apply(&mut self, at: Timestamp, l: &LinkChange, cap: usize) -> Option<Observe> {
        // Endpoints never change for a link id; id-only events carry none.
        if l.src.is_some() {
            self.src.clone_from(&l.src);
        }
        if l.dst.is_some() {
            self.dst.clone_from(&l.dst);
        }
        if l.protocol.is_some() {
            self.protocol.clone_from(&l.protocol);
        }
        if l.cost.is_some() {
            self.cost = l.cost;
        }
        if l.connections.is_some() {
            self.connections = l.connections;
        }
        if l.event == crate::event::LinkEventType::DisconnectedDest {
            self.disconnected_dest += 1;
        }
        l.event.up().map(|up| self.life.observe(at, up, cap))
    }

    /// Keeps the newest sample per measuring end.
    pub(crate) fn sample(&mut self, at: Timestamp, s: &LatencySample) {
        match self.latency.iter_mut().find(|(_, old)| old.source == s.source) {
            Some(slot) if at >= slot.0 => *slot = (at, s.clone()),
            Some(_) => {}
            None => self.latency.push((at, s.clone())),
        }
        // Ties on time break by source, so the order is the same everywhere.
        self.latency.sort_by(|a, b| (a.0, &a.1.source).cmp(&(b.0, &b.1.source)));
    }

    /// The time of the newest latency sample: the link's heartbeat.
    pub fn last_heartbeat(&self) -> Option<Timestamp> {
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
