//! Aggregation over a time window: per router, its identities online, its
//! identities' disconnects (and their rate) and its own flaps; the top
//! flapping routers and identities; events per minute by type; and each
//! link's latency and jitter over time.
//!
//! Counts are of *real changes*: the events go through a [`Store`] (started
//! from the state at the window's start), so HA copies, replays and late
//! events count once, exactly as the live view sees them.

use crate::event::{Body, LatencyOf};
use crate::store::Change;
use crate::{ConnKind, Event, Store, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Each link keeps at most this many latency points; past it, every other
/// one is dropped (the chart keeps its shape at half the resolution).
pub const MAX_POINTS: usize = 600;

/// Events of each type in one minute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub conn: u32,
    pub sdk: u32,
    pub cluster: u32,
    pub link: u32,
    pub latency: u32,
    /// `entityChange` events (changes and their commits).
    #[serde(default)]
    pub entity: u32,
}

impl KindCounts {
    /// The types, in the order of [`KindCounts::each`].
    pub const TYPES: [&'static str; 6] = ["conn", "sdk", "cluster", "link", "latency", "entity"];

    /// The counts, in the order of [`KindCounts::TYPES`].
    pub fn each(&self) -> [u32; 6] {
        [self.conn, self.sdk, self.cluster, self.link, self.latency, self.entity]
    }

    /// Events of every type.
    pub fn total(&self) -> u32 {
        self.each().iter().sum()
    }
}

/// One latency sample of a link.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencyPoint {
    pub at: Timestamp,
    pub mean_ms: f64,
    /// `None` when the controller's metric filter dropped the standard deviation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter_ms: Option<f64>,
}

/// One router over the window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouterRow {
    pub router: String,
    /// Identities connected at the window's end.
    pub identities_online: u32,
    /// Identity connections to it that dropped in the window.
    pub disconnects: u32,
    /// `disconnects` per hour of the window.
    pub disconnects_per_hour: f64,
    /// Times its own controller connections dropped in the window.
    pub flaps: u32,
}

/// What the window holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Events read (all types, copies included).
    pub events: u64,
    /// Every router, by name.
    pub routers: Vec<RouterRow>,
    /// The routers that flapped most (then by disconnects), at most `top`.
    pub top_routers: Vec<RouterRow>,
    /// The identities that dropped most: `(identity, drops)`, at most `top`.
    pub top_identities: Vec<(String, u32)>,
    /// Events per minute by type: `(minute start, counts)`, oldest first.
    pub per_minute: Vec<(Timestamp, KindCounts)>,
    /// Each link's latency samples in the window, the slowest link (by its
    /// highest mean) first, ties by name.
    pub links: Vec<(String, Vec<LatencyPoint>)>,
}

/// Feeds on events in time order; see the module docs.
pub struct Aggregator {
    store: Store,
    from: Timestamp,
    to: Timestamp,
    events: u64,
    disconnects: HashMap<String, u32>,
    flaps: HashMap<String, u32>,
    identities: HashMap<String, u32>,
    minutes: BTreeMap<i64, KindCounts>,
    links: BTreeMap<String, Vec<LatencyPoint>>,
}

const MINUTE_NS: i64 = 60_000_000_000;

impl Aggregator {
    /// An aggregation of `from..to`, starting from `start`, the state at `from`.
    pub fn new(start: Store, from: Timestamp, to: Timestamp) -> Self {
        Aggregator {
            store: start,
            from,
            to,
            events: 0,
            disconnects: HashMap::new(),
            flaps: HashMap::new(),
            identities: HashMap::new(),
            minutes: BTreeMap::new(),
            links: BTreeMap::new(),
        }
    }

    /// Takes one event. Events outside the window still move the state (a
    /// late event may land inside it) but are not counted.
    pub fn observe(&mut self, e: &Event) {
        let inside = |t: Timestamp| t >= self.from && t < self.to;
        let changes = self.store.apply(e);
        if !inside(e.at) {
            return;
        }
        self.events += 1;
        let minute = e.at.0.div_euclid(MINUTE_NS) * MINUTE_NS;
        let counts = self.minutes.entry(minute).or_default();
        match &e.body {
            Body::Conn(_) => counts.conn += 1,
            Body::Sdk(_) => counts.sdk += 1,
            Body::Cluster(_) => counts.cluster += 1,
            Body::Link(_) => counts.link += 1,
            Body::Entity(_) => counts.entity += 1,
            Body::Latency(s) => {
                counts.latency += 1;
                if s.of == LatencyOf::Link {
                    let points = self.links.entry(s.target.clone()).or_default();
                    if points.len() >= MAX_POINTS {
                        let mut i = 0;
                        points.retain(|_| {
                            i += 1;
                            i % 2 == 0
                        });
                    }
                    points.push(LatencyPoint {
                        at: e.at,
                        mean_ms: s.mean_ns as f64 / 1e6,
                        jitter_ms: s.std_dev_ns.map(|ns| ns as f64 / 1e6),
                    });
                }
            }
        }
        for c in changes {
            if let Change::Conn { key, from: Some(true), to: false, at } = c {
                if !inside(at) {
                    continue;
                }
                match key.kind {
                    ConnKind::EdgeToRouter => {
                        *self.disconnects.entry(key.dst.clone()).or_default() += 1;
                        *self.identities.entry(key.src).or_default() += 1;
                    }
                    ConnKind::RouterToCtrl => *self.flaps.entry(key.src).or_default() += 1,
                    ConnKind::EdgeToCtrl | ConnKind::CtrlToCtrl => {}
                }
            }
        }
    }

    /// The report, with the `top` worst routers and identities.
    pub fn report(&self, top: usize) -> Report {
        let hours = ((self.to.0.saturating_sub(self.from.0)) as f64 / 3.6e12).max(1e-9);
        let topology = self.store.topology(self.to);
        let mut routers: Vec<RouterRow> = topology
            .routers
            .iter()
            .map(|r| {
                let disconnects = self.disconnects.get(&r.id).copied().unwrap_or(0);
                RouterRow {
                    router: r.id.clone(),
                    identities_online: r.identities.online,
                    disconnects,
                    disconnects_per_hour: f64::from(disconnects) / hours,
                    flaps: self.flaps.get(&r.id).copied().unwrap_or(0),
                }
            })
            .collect();
        routers.sort_by(|a, b| a.router.cmp(&b.router));
        let mut top_routers: Vec<RouterRow> =
            routers.iter().filter(|r| r.flaps > 0 || r.disconnects > 0).cloned().collect();
        top_routers
            .sort_by(|a, b| (b.flaps, b.disconnects).cmp(&(a.flaps, a.disconnects)).then(a.router.cmp(&b.router)));
        top_routers.truncate(top);
        let mut top_identities: Vec<(String, u32)> = self.identities.iter().map(|(k, v)| (k.clone(), *v)).collect();
        top_identities.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        top_identities.truncate(top);
        let worst = |p: &[LatencyPoint]| p.iter().map(|x| x.mean_ms).fold(0.0, f64::max);
        let mut links: Vec<(String, Vec<LatencyPoint>)> =
            self.links.iter().map(|(l, p)| (l.clone(), p.clone())).collect();
        links.sort_by(|a, b| worst(&b.1).total_cmp(&worst(&a.1)).then_with(|| a.0.cmp(&b.0)));
        Report {
            from: self.from,
            to: self.to,
            events: self.events,
            routers,
            top_routers,
            top_identities,
            per_minute: self.minutes.iter().map(|(m, c)| (Timestamp(*m), *c)).collect(),
            links,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::LatencySample;

    const M: i64 = MINUTE_NS;

    fn latency(at: i64, link: &str, mean_ms: i64) -> Event {
        Event {
            at: Timestamp(at),
            via: None,
            body: Body::Latency(LatencySample {
                of: LatencyOf::Link,
                target: link.into(),
                source: "r1".into(),
                mean_ns: mean_ms * 1_000_000,
                p50_ns: None,
                p99_ns: None,
                std_dev_ns: Some(2_000_000),
                unresponsive: false,
            }),
        }
    }

    #[test]
    fn counts_real_changes_in_the_window_once() {
        let mut a = Aggregator::new(Store::new(), Timestamp(10 * M), Timestamp(70 * M));
        let conn = |at: i64, kind, src: &str, dst: &str, up| Event::conn(Timestamp(at), kind, src, dst, up);
        // Before the window: state only.
        a.observe(&conn(M, ConnKind::RouterToCtrl, "r1", "c1", true));
        a.observe(&conn(M, ConnKind::RouterToCtrl, "r2", "c1", true));
        a.observe(&conn(2 * M, ConnKind::EdgeToRouter, "id-a", "r1", true));
        a.observe(&conn(3 * M, ConnKind::RouterToCtrl, "r2", "c1", false));
        a.observe(&conn(4 * M, ConnKind::RouterToCtrl, "r2", "c1", true));
        // In it: id-a drops from r1 twice (one report has an HA copy), r2 flaps once.
        for (t, up) in [(11, false), (12, true), (13, false)] {
            let e = conn(t * M, ConnKind::EdgeToRouter, "id-a", "r1", up);
            a.observe(&e);
            a.observe(&Event { via: Some("c2".into()), ..e });
        }
        a.observe(&conn(20 * M, ConnKind::RouterToCtrl, "r2", "c1", false));
        a.observe(&conn(21 * M, ConnKind::RouterToCtrl, "r2", "c1", true));
        a.observe(&conn(22 * M, ConnKind::EdgeToRouter, "id-b", "r2", true));
        a.observe(&latency(30 * M, "l1", 40));
        a.observe(&latency(31 * M, "l1", 90));
        a.observe(&latency(32 * M, "l0", 20));
        // After it: not counted.
        a.observe(&conn(80 * M, ConnKind::RouterToCtrl, "r1", "c1", false));
        let r = a.report(10);
        assert_eq!(r.events, 12, "events inside the window, copies included");
        let row = |id: &str| r.routers.iter().find(|x| x.router == id).unwrap().clone();
        assert_eq!((row("r1").disconnects, row("r1").flaps), (2, 0), "a copy is not a second drop");
        assert_eq!((row("r2").disconnects, row("r2").flaps, row("r2").identities_online), (0, 1, 1));
        assert!((row("r1").disconnects_per_hour - 2.0).abs() < 1e-9, "2 in one hour");
        assert_eq!(r.top_routers.iter().map(|x| x.router.as_str()).collect::<Vec<_>>(), ["r2", "r1"], "flaps first");
        assert_eq!(r.top_identities, [("id-a".to_string(), 2)]);
        assert_eq!(r.per_minute.first().map(|(m, c)| (m.0, c.conn)), Some((11 * M, 2)));
        assert_eq!(r.per_minute.iter().map(|(_, c)| c.latency).sum::<u32>(), 3);
        assert_eq!(r.links.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(), ["l1", "l0"], "the slowest first");
        assert_eq!(r.links[0].1.iter().map(|p| p.mean_ms).collect::<Vec<_>>(), [40.0, 90.0]);
    }

    #[test]
    fn a_long_latency_series_is_thinned_not_grown() {
        let mut a = Aggregator::new(Store::new(), Timestamp(0), Timestamp(i64::MAX));
        for i in 0..5_000 {
            a.observe(&latency(i * 1_000_000_000, "l1", i));
        }
        let points = &a.report(1).links[0].1;
        assert!(points.len() <= MAX_POINTS && points.len() > MAX_POINTS / 2, "{}", points.len());
        assert!(points.windows(2).all(|w| w[0].at < w[1].at), "still in time order");
        assert_eq!(points.last().unwrap().mean_ms, 4_999.0, "the newest is kept");
    }
}
