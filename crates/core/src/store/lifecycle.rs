//! The presented lifecycle of a connection or link: connected or
//! disconnected by its events, **stale** when heartbeats are expected and
//! missing for twice their interval, **flapping** when it changed state at
//! least N times within a window. Time comes from the caller (`now`), so a
//! test clock drives it, never sleeping.
//!
//! A router↔router link is the exception: its liveness comes from its link
//! events alone, never from its latency samples. In HA each router reports
//! its metrics to one controller of the cluster, so a stream that carries
//! one controller's events sees about 1/N of a link's samples; a link was
//! shown stale while its link events said it was fine. What can go stale
//! is the latency *reading*: it is flagged once no sample came for twice
//! the interval times the cluster's size ([`Store::link_latency`]).

use super::lifeline::Lifeline;
use super::Store;
use crate::event::LatencySample;
use crate::{ConnKind, Timestamp};
use serde::{Deserialize, Serialize};

/// See the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lifecycle {
    Connected,
    Disconnected,
    /// Up by its events, but its heartbeats stopped.
    Stale,
    /// Changing state too often.
    Flapping,
}

impl Lifecycle {
    /// Lower-case name, for display.
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Connected => "connected",
            Lifecycle::Disconnected => "disconnected",
            Lifecycle::Stale => "stale",
            Lifecycle::Flapping => "flapping",
        }
    }
}

/// Expected heartbeat intervals (ms) and flap detection. A heartbeat is a
/// latency sample, or REST activity for edge→ctrl. A connection is held to
/// its interval only once it has shown a heartbeat at all, so a stream
/// without metrics never makes anything stale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LifecycleConfig {
    /// router→ctrl: `ctrl.latency` arrives once a minute.
    pub router_to_ctrl_ms: Option<u64>,
    /// ctrl↔ctrl: `peer.latency` arrives once a minute.
    pub ctrl_to_ctrl_ms: Option<u64>,
    /// identity→ctrl: SDKs call the REST API at least this often.
    pub edge_to_ctrl_ms: Option<u64>,
    /// identity→router: no heartbeat reaches the controller's events.
    pub edge_to_router_ms: Option<u64>,
    /// links: `link.latency` arrives once a minute from each end, through
    /// one controller of the cluster (so a controller's stream sees it once
    /// every `link_ms` × members). It judges the latency reading, never
    /// the link.
    pub link_ms: Option<u64>,
    /// State changes within `flap_window_ms` that make it flapping.
    pub flap_threshold: u32,
    pub flap_window_ms: u64,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        LifecycleConfig {
            router_to_ctrl_ms: Some(60_000),
            ctrl_to_ctrl_ms: Some(60_000),
            edge_to_ctrl_ms: Some(300_000),
            edge_to_router_ms: None,
            link_ms: Some(60_000),
            flap_threshold: 4,
            flap_window_ms: 300_000,
        }
    }
}

impl LifecycleConfig {
    /// The heartbeat interval of a connection kind, in ns.
    pub fn interval_ns(&self, kind: ConnKind) -> Option<i64> {
        let ms = match kind {
            ConnKind::RouterToCtrl => self.router_to_ctrl_ms,
            ConnKind::CtrlToCtrl => self.ctrl_to_ctrl_ms,
            ConnKind::EdgeToCtrl => self.edge_to_ctrl_ms,
            ConnKind::EdgeToRouter => self.edge_to_router_ms,
        };
        ms.map(|m| m as i64 * 1_000_000)
    }

    /// The link heartbeat interval, in ns.
    pub fn link_interval_ns(&self) -> Option<i64> {
        self.link_ms.map(|m| m as i64 * 1_000_000)
    }

    /// Whether a reading taken at `at` is stale at `now`: older than twice
    /// its `interval_ns` (never, without an interval).
    pub fn reading_stale(&self, at: Timestamp, interval_ns: Option<i64>, now: Timestamp) -> bool {
        interval_ns.is_some_and(|iv| now.0.saturating_sub(at.0) > iv.saturating_mul(2))
    }

    /// What a lifeline shows at `now`.
    pub fn present(
        &self,
        life: &Lifeline,
        last_heartbeat: Option<Timestamp>,
        interval_ns: Option<i64>,
        now: Timestamp,
    ) -> Lifecycle {
        let window = Timestamp(now.0.saturating_sub(self.flap_window_ms as i64 * 1_000_000));
        if self.flap_threshold > 0 && life.transitions_since(window) >= self.flap_threshold {
            return Lifecycle::Flapping;
        }
        let folded = life.folded();
        if folded.up != Some(true) {
            return Lifecycle::Disconnected;
        }
        if let (Some(interval), Some(beat)) = (interval_ns, last_heartbeat) {
            // Silence is counted from the newest of the last beat and the
            // last (re)connect: a reconnect restarts the clock.
            let since = beat.max(folded.since);
            if now.0.saturating_sub(since.0) > interval.saturating_mul(2) {
                return Lifecycle::Stale;
            }
        }
        Lifecycle::Connected
    }
}

/// A link's newest latency sample, and whether it is too old to stand for
/// the link now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatencyReading<'a> {
    pub sample: &'a LatencySample,
    /// When it was measured.
    pub at: Timestamp,
    /// No sample came for twice the link interval × the cluster's size.
    pub stale: bool,
}

impl Store {
    /// The controllers a cluster spreads router metrics over: its members
    /// once a membership list was seen, else the controllers known; at
    /// least 1.
    pub fn cluster_size(&self) -> usize {
        let members = self.cluster.member_ids().map_or(0, |m| m.len());
        let size = if members > 0 { members } else { self.ents.controllers.len() };
        size.max(1)
    }

    /// How often a link's latency sample is expected on this stream, in ns:
    /// the link interval times [`Self::cluster_size`] (see the module docs).
    pub fn link_latency_interval_ns(&self) -> Option<i64> {
        let size = i64::try_from(self.cluster_size()).unwrap_or(i64::MAX);
        self.cfg.lifecycle.link_interval_ns().map(|iv| iv.saturating_mul(size))
    }

    /// A link's newest latency reading at `now` (`None` without a sample).
    /// Samples that come through any controller count: they are kept per
    /// measuring end, whoever reported them.
    pub fn link_latency(&self, id: &str, now: Timestamp) -> Option<LatencyReading<'_>> {
        let (at, sample) = self.links.get(id)?.latency.last()?;
        let stale = self.cfg.lifecycle.reading_stale(*at, self.link_latency_interval_ns(), now);
        Some(LatencyReading { sample, at: *at, stale })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn life(obs: &[(i64, bool)]) -> Lifeline {
        let mut l = Lifeline::default();
        for &(at, up) in obs {
            l.observe(Timestamp(at * S), up, 16);
        }
        l
    }

    #[test]
    fn stale_after_twice_the_interval_on_a_test_clock() {
        let cfg = LifecycleConfig::default();
        let l = life(&[(0, true)]);
        let iv = cfg.interval_ns(ConnKind::RouterToCtrl);
        let at = |s: i64| Timestamp(s * S);
        assert_eq!(cfg.present(&l, None, iv, at(10_000)), Lifecycle::Connected, "no beat seen: none expected");
        let beat = Some(at(60));
        assert_eq!(cfg.present(&l, beat, iv, at(180)), Lifecycle::Connected, "exactly 2× is not yet stale");
        assert_eq!(cfg.present(&l, beat, iv, at(181)), Lifecycle::Stale);
        assert_eq!(cfg.present(&l, None, cfg.interval_ns(ConnKind::EdgeToRouter), at(10_000)), Lifecycle::Connected);
        let reconnected = life(&[(0, true), (100, false), (170, true)]);
        assert_eq!(
            cfg.present(&reconnected, beat, iv, at(250)),
            Lifecycle::Connected,
            "a reconnect restarts the clock"
        );
    }

    #[test]
    fn flapping_within_the_window_only() {
        let cfg = LifecycleConfig { flap_threshold: 3, flap_window_ms: 60_000, ..Default::default() };
        let l = life(&[(0, true), (10, false), (20, true), (30, false)]);
        assert_eq!(cfg.present(&l, None, None, Timestamp(40 * S)), Lifecycle::Flapping);
        assert_eq!(
            cfg.present(&l, None, None, Timestamp(75 * S)),
            Lifecycle::Disconnected,
            "2 changes left in the window"
        );
    }
}
