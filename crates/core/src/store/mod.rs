//! The connection-state store: every connection, link and cluster fact,
//! the entity roll-up, and `apply`, which reports only real changes.
//!
//! - [`lifeline`]: one connection's ordered, bounded history and the state
//!   that follows from it (exact under any arrival order);
//! - [`dedupe`]: HA copies and replays are one event;
//! - [`links`] and [`cluster`]: what only `link` and `cluster` events say;
//! - [`change`]: what `apply` reports; [`state`]: snapshots.
//!
//! Fusion rules (what the real controller makes necessary):
//! - `connect` only ever says "made"; loss arrives as `router-offline`,
//!   `sdk-offline`, `peer.disconnected` and link `fault`s;
//! - ctrl↔ctrl is one connection per pair, whichever side reports it;
//! - `sdk-offline` takes down every router connection the identity had;
//! - a router is online while it holds ≥1 controller connection; an
//!   identity while it holds ≥1 router connection or its newest SDK status
//!   is online (REST activity alone marks it seen, not online); a
//!   controller while it holds ≥1 router or peer connection.

pub mod change;
pub mod cluster;
pub mod dedupe;
pub mod latest;
pub mod lifecycle;
pub mod lifeline;
pub mod links;
pub mod state;
mod summary;

pub use change::{Change, ChangeLabel};
pub use cluster::Cluster;
pub use latest::Latest;
pub use lifecycle::{Lifecycle, LifecycleConfig};
pub use lifeline::{Folded, Lifeline, Observe};
pub use links::Link;
pub use state::StoreState;
pub use summary::{Summary, Tally};

use crate::event::{Body, ConnChange, LatencyOf, LatencySample, SdkStatus};
use crate::{ConnKind, EntityType, Event, Timestamp};
use dedupe::Dedupe;
use serde::{Deserialize, Serialize};
// foldhash: much cheaper than SipHash on short ids (SipHash was ~9% of all
// instructions in the apply profile), and still seeded per process.
use foldhash::HashMap;

/// Identifies one connection. For ctrl↔ctrl the pair is sorted, so both
/// sides' reports land on the same connection.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnKey {
    pub kind: ConnKind,
    pub src: String,
    pub dst: String,
}

impl ConnKey {
    /// The canonical key of a connection between `src` and `dst`.
    pub fn new(kind: ConnKind, src: &str, dst: &str) -> Self {
        let (src, dst) = if kind == ConnKind::CtrlToCtrl && dst < src { (dst, src) } else { (src, dst) };
        ConnKey { kind, src: src.to_owned(), dst: dst.to_owned() }
    }

    /// `src → dst`, or `src` alone when the other end is unknown.
    pub fn describe(&self) -> String {
        if self.dst.is_empty() {
            self.src.clone()
        } else {
            format!("{} → {}", self.src, self.dst)
        }
    }
}

/// What the store knows about one connection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// Its up/down history and current state.
    pub life: Lifeline,
    /// The newest sign of life: an "up" report or a latency sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_heartbeat: Option<Timestamp>,
    /// The newest source address reported.
    #[serde(default, skip_serializing_if = "Latest::is_none")]
    pub addr: Latest<String>,
    /// The newest latency sample on it (router→ctrl and ctrl↔ctrl).
    #[serde(default, skip_serializing_if = "Latest::is_none")]
    pub latency: Latest<LatencySample>,
    /// What [`Store::tick`] last reported (derived; not serialised).
    #[serde(skip)]
    pub presented: Option<Lifecycle>,
}

impl Connection {
    /// Whether it is up now.
    pub fn is_up(&self) -> bool {
        self.life.up() == Some(true)
    }
}

/// Tunables. The defaults suit a real OpenZiti network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreConfig {
    /// Observations kept per connection and link (≥ 1).
    pub history_cap: usize,
    /// Events remembered for deduplication.
    pub dedupe_window: usize,
    /// Times an identity's `sdk-offline` is remembered, to apply it to
    /// router connections that are reported late.
    pub offline_memory: usize,
    /// Heartbeat intervals and flap detection.
    pub lifecycle: LifecycleConfig,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            history_cap: 16,
            dedupe_window: 1 << 16,
            offline_memory: 4,
            lifecycle: LifecycleConfig::default(),
        }
    }
}

/// Counters about what `apply` did with its input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStats {
    /// Events applied (first sight).
    pub applied: u64,
    /// Events dropped as copies of one already applied.
    pub duplicates: u64,
    /// Observations older than the retained history (not applied).
    pub too_old: u64,
}

/// Per identity: what makes it online.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityRec {
    /// Connected router connections (derived; not serialised).
    #[serde(skip)]
    pub live: u32,
    /// The newest SDK status: (time, status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk: Option<(Timestamp, SdkStatus)>,
    /// Recent `sdk-offline` times, newest last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offline_at: Vec<Timestamp>,
    /// Routers it has (had) connections to (derived; not serialised).
    #[serde(skip)]
    pub routers: Vec<String>,
}

impl IdentityRec {
    fn online(&self) -> bool {
        self.live > 0 || matches!(self.sdk, Some((_, SdkStatus::Online)))
    }
}

/// See the module docs.
#[derive(Default)]
pub struct Store {
    cfg: StoreConfig,
    conns: HashMap<ConnKey, Connection>,
    /// Live controller connections per router.
    routers: HashMap<String, u32>,
    /// Controller connections ever seen per router, up or down.
    router_ctrl_conns: HashMap<String, u32>,
    /// Live router and peer connections per controller.
    controllers: HashMap<String, u32>,
    identities: HashMap<String, IdentityRec>,
    links: HashMap<String, Link>,
    cluster: Cluster,
    dedupe: Dedupe,
    stats: StoreStats,
    /// Online entities, by `EntityType as usize`.
    online: [usize; 3],
}

impl Store {
    /// An empty store with the default configuration.
    pub fn new() -> Self {
        Self::with_config(StoreConfig::default())
    }

    /// An empty store.
    pub fn with_config(cfg: StoreConfig) -> Self {
        Store { dedupe: Dedupe::new(cfg.dedupe_window), cfg, ..Default::default() }
    }

    /// Applies one event and returns the real changes it made: none for a
    /// duplicate, for activity on a connection that is already up, or for
    /// an event older than what it would overwrite.
    pub fn apply(&mut self, ev: &Event) -> Vec<Change> {
        let mut out = Vec::new();
        // Every reporter is a controller we know of, even when its copy of
        // the event is a duplicate of another controller's.
        if let Some(via) = &ev.via {
            self.see(EntityType::Controller, via);
        }
        if !self.dedupe.first_sight(ev) {
            self.stats.duplicates += 1;
            return out;
        }
        self.stats.applied += 1;
        match &ev.body {
            Body::Conn(c) => self.conn_event(ev.at, c, &mut out),
            Body::Sdk(s) => self.sdk_event(ev.at, &s.identity, s.status, &mut out),
            Body::Cluster(c) => {
                if let (Some(via), Some(peer)) = (&ev.via, c.peers.first()) {
                    use crate::event::ClusterEventType as T;
                    if matches!(c.event, T::PeerConnected | T::PeerDisconnected) {
                        let up = c.event == T::PeerConnected;
                        let change = ConnChange {
                            kind: ConnKind::CtrlToCtrl,
                            src: peer.id.clone(),
                            dst: via.clone(),
                            up,
                            addr: None,
                        };
                        self.conn_event(ev.at, &change, &mut out);
                    }
                }
                let delta = self.cluster.apply(ev.at, ev.via.as_deref(), c);
                if let Some(to) = delta.leader {
                    out.push(Change::Leader { from: None, to, at: ev.at });
                }
                if let Some(count) = delta.members {
                    out.push(Change::Members { count, at: ev.at });
                }
                if let Some(read_only) = delta.read_only {
                    out.push(Change::ReadOnly { read_only, at: ev.at });
                }
            }
            Body::Link(l) => {
                let cap = self.cfg.history_cap;
                if !self.links.contains_key(&l.link) {
                    self.links.insert(l.link.clone(), Link::default());
                }
                let link = self.links.get_mut(&l.link).expect("inserted above");
                let before = link.life.up();
                match link.apply(ev.at, l, cap) {
                    Some(Observe::TooOld) => self.stats.too_old += 1,
                    Some(_) if link.life.up() != before => {
                        out.push(Change::Link { link: l.link.clone(), from: before, to: link.reported_up(), at: ev.at })
                    }
                    _ => {}
                }
                for r in [&l.src, &l.dst].into_iter().flatten() {
                    self.see(EntityType::Router, r);
                }
            }
            Body::Latency(s) => self.latency_event(ev.at, s),
        }
        out
    }

    fn conn_event(&mut self, at: Timestamp, c: &ConnChange, out: &mut Vec<Change>) {
        let key = ConnKey::new(c.kind, &c.src, &c.dst);
        if !self.conns.contains_key(&key) {
            self.create(&key);
        }
        let cap = self.cfg.history_cap;
        let conn = self.conns.get_mut(&key).expect("created above");
        let before = conn.life.up();
        if conn.life.observe(at, c.up, cap) == Observe::TooOld {
            self.stats.too_old += 1;
        }
        if c.up {
            // REST calls are edge→ctrl's heartbeat; other kinds beat
            // through latency samples.
            if c.kind == ConnKind::EdgeToCtrl {
                conn.last_heartbeat = conn.last_heartbeat.max(Some(at));
            }
            if let Some(addr) = &c.addr {
                conn.addr.offer(at, addr);
            }
        }
        let after = conn.life.up();
        if before != after {
            self.count(&key, before == Some(true), after == Some(true));
            out.push(Change::Conn { key, from: before, to: after == Some(true), at });
        }
    }

    /// Registers a new connection's ends, and applies any `sdk-offline` of
    /// its identity that came first, so arrival order does not matter.
    fn create(&mut self, key: &ConnKey) {
        let (src_t, dst_t) = key.kind.ends();
        self.see(src_t, &key.src);
        self.see(dst_t, &key.dst);
        let mut conn = Connection::default();
        if key.kind == ConnKind::RouterToCtrl {
            *self.router_ctrl_conns.entry(key.src.clone()).or_default() += 1;
        }
        if key.kind == ConnKind::EdgeToRouter {
            if let Some(rec) = self.identities.get_mut(&key.src) {
                rec.routers.push(key.dst.clone());
                for &t in &rec.offline_at {
                    conn.life.observe(t, false, self.cfg.history_cap);
                }
            }
        }
        self.conns.insert(key.clone(), conn);
    }

    fn sdk_event(&mut self, at: Timestamp, identity: &str, status: SdkStatus, out: &mut Vec<Change>) {
        self.see(EntityType::Identity, identity);
        let cap = self.cfg.offline_memory;
        let rec = self.identities.get_mut(identity).expect("seen above");
        let was_online = rec.online();
        // Newest wins; at a tie the worse status wins (offline > unknown > online).
        let rank = |s: SdkStatus| match s {
            SdkStatus::Online => 0,
            SdkStatus::Unknown => 1,
            SdkStatus::Offline => 2,
        };
        let newer = rec.sdk.is_none_or(|(t, s)| (at, rank(status)) > (t, rank(s)));
        if newer {
            let from = rec.sdk.map(|(_, s)| s);
            rec.sdk = Some((at, status));
            if from != Some(status) {
                out.push(Change::Sdk { identity: identity.to_owned(), from, to: status, at });
            }
        }
        let routers = if status == SdkStatus::Offline && !rec.offline_at.contains(&at) {
            let pos = rec.offline_at.partition_point(|t| *t < at);
            rec.offline_at.insert(pos, at);
            if rec.offline_at.len() > cap {
                rec.offline_at.remove(0);
            }
            rec.routers.clone()
        } else {
            Vec::new()
        };
        let now_online = rec.online();
        self.flip(EntityType::Identity, was_online, now_online);
        for router in routers {
            let down = ConnChange {
                kind: ConnKind::EdgeToRouter,
                src: identity.to_owned(),
                dst: router,
                up: false,
                addr: None,
            };
            self.conn_event(at, &down, out);
        }
    }

    fn latency_event(&mut self, at: Timestamp, s: &LatencySample) {
        let key = match s.of {
            LatencyOf::Link => {
                if !self.links.contains_key(&s.target) {
                    self.links.insert(s.target.clone(), Link::default());
                }
                self.links.get_mut(&s.target).expect("inserted above").sample(at, s);
                return;
            }
            LatencyOf::Ctrl => ConnKey::new(ConnKind::RouterToCtrl, &s.target, &s.source),
            LatencyOf::Peer => ConnKey::new(ConnKind::CtrlToCtrl, &s.source, &s.target),
        };
        // A sample is a heartbeat. It records the connection if it is new
        // (with no up/down observation: the sample says nothing about
        // state), so the outcome is the same whichever arrives first.
        if !self.conns.contains_key(&key) {
            self.create(&key);
        }
        let conn = self.conns.get_mut(&key).expect("created above");
        conn.last_heartbeat = conn.last_heartbeat.max(Some(at));
        conn.latency.offer(at, s);
    }

    /// Registers an entity. Looks up before inserting: `entry` would
    /// allocate an owned key for every event on this hot path.
    fn see(&mut self, t: EntityType, id: &str) {
        if id.is_empty() {
            return;
        }
        match t {
            EntityType::Controller if !self.controllers.contains_key(id) => {
                self.controllers.insert(id.to_owned(), 0);
            }
            EntityType::Router if !self.routers.contains_key(id) => {
                self.routers.insert(id.to_owned(), 0);
            }
            EntityType::Identity if !self.identities.contains_key(id) => {
                self.identities.insert(id.to_owned(), IdentityRec::default());
            }
            _ => {}
        }
    }

    /// Moves the live counts of the entities a connection keeps online.
    fn count(&mut self, key: &ConnKey, was_up: bool, is_up: bool) {
        if was_up == is_up {
            return;
        }
        let delta: i32 = if is_up { 1 } else { -1 };
        match key.kind {
            ConnKind::RouterToCtrl => {
                self.bump(EntityType::Router, &key.src, delta);
                self.bump(EntityType::Controller, &key.dst, delta);
            }
            ConnKind::CtrlToCtrl => {
                self.bump(EntityType::Controller, &key.src, delta);
                self.bump(EntityType::Controller, &key.dst, delta);
            }
            // REST calls never announce their end: they mark the identity
            // as seen, never as online, and do not keep a controller online.
            ConnKind::EdgeToCtrl => {}
            ConnKind::EdgeToRouter => self.bump(EntityType::Identity, &key.src, delta),
        }
    }

    fn bump(&mut self, t: EntityType, id: &str, delta: i32) {
        let step = |n: &mut u32| -> (bool, bool) {
            let was = *n > 0;
            *n = n.saturating_add_signed(delta);
            (was, *n > 0)
        };
        let (was, now) = match t {
            EntityType::Router => step(self.routers.entry(id.to_owned()).or_default()),
            EntityType::Controller => step(self.controllers.entry(id.to_owned()).or_default()),
            EntityType::Identity => {
                let rec = self.identities.entry(id.to_owned()).or_default();
                let was = rec.online();
                rec.live = rec.live.saturating_add_signed(delta);
                (was, rec.online())
            }
        };
        self.flip(t, was, now);
    }

    fn flip(&mut self, t: EntityType, was: bool, now: bool) {
        let n = &mut self.online[t as usize];
        match (was, now) {
            (false, true) => *n += 1,
            (true, false) => *n -= 1,
            _ => {}
        }
    }

    /// Whether an entity is currently online (`false` when unknown).
    pub fn is_online(&self, t: EntityType, id: &str) -> bool {
        match t {
            EntityType::Router => self.routers.get(id).is_some_and(|n| *n > 0),
            EntityType::Controller => self.controllers.get(id).is_some_and(|n| *n > 0),
            EntityType::Identity => self.identities.get(id).is_some_and(IdentityRec::online),
        }
    }

    /// Whether a link is effectively up: its own events say up, and its
    /// source router is not known to be offline (a controller drops an
    /// offline router's links without an event). A router whose control
    /// connections were never reported is not known to be offline.
    pub fn link_up(&self, link: &str) -> bool {
        self.links
            .get(link)
            .is_some_and(|l| l.reported_up() && !l.src.get().is_some_and(|r| self.router_known_offline(r)))
    }

    /// Whether a router has had controller connections and holds none now.
    pub fn router_known_offline(&self, router: &str) -> bool {
        self.router_ctrl_conns.get(router).is_some_and(|n| *n > 0) && !self.is_online(EntityType::Router, router)
    }

    /// Whether the cluster has a leader that reaches a majority of members.
    pub fn quorum(&self) -> bool {
        let pairs = self
            .conns
            .iter()
            .filter(|(k, c)| k.kind == ConnKind::CtrlToCtrl && c.is_up())
            .map(|(k, _)| (k.src.as_str(), k.dst.as_str()));
        self.cluster.quorum(pairs)
    }

    /// The counts of online and known entities, and of links up.
    pub fn summary(&self) -> Summary {
        let tally = |t: EntityType, total: usize| Tally { online: self.online[t as usize], total };
        Summary {
            controllers: tally(EntityType::Controller, self.controllers.len()),
            routers: tally(EntityType::Router, self.routers.len()),
            identities: tally(EntityType::Identity, self.identities.len()),
            links: Tally { online: self.links.keys().filter(|l| self.link_up(l)).count(), total: self.links.len() },
        }
    }

    /// A connection's lifecycle at `now` (`None` when unknown).
    pub fn lifecycle(&self, key: &ConnKey, now: Timestamp) -> Option<Lifecycle> {
        let c = self.conns.get(key)?;
        let lc = &self.cfg.lifecycle;
        Some(lc.present(&c.life, c.last_heartbeat, lc.interval_ns(key.kind), now))
    }

    /// A link's lifecycle at `now`, by its own events and heartbeats.
    pub fn link_lifecycle(&self, id: &str, now: Timestamp) -> Option<Lifecycle> {
        let l = self.links.get(id)?;
        let lc = &self.cfg.lifecycle;
        Some(lc.present(&l.life, l.last_heartbeat(), lc.link_interval_ns(), now))
    }

    /// Re-evaluates time-driven states (stale, flapping) at `now` and
    /// reports every connection whose lifecycle moved since the last tick.
    /// Call it on a timer; `now` comes from the caller's clock.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Change> {
        let lc = &self.cfg.lifecycle;
        let mut out = Vec::new();
        for (key, c) in self.conns.iter_mut() {
            let to = lc.present(&c.life, c.last_heartbeat, lc.interval_ns(key.kind), now);
            let from = c.presented.replace(to);
            if from.is_some_and(|f| f != to) {
                out.push(Change::Lifecycle { key: key.clone(), from, to, at: now });
            }
        }
        out.sort_by(|a, b| match (a, b) {
            (Change::Lifecycle { key: x, .. }, Change::Lifecycle { key: y, .. }) => x.cmp(y),
            _ => std::cmp::Ordering::Equal,
        });
        out
    }

    /// One connection.
    pub fn get(&self, key: &ConnKey) -> Option<&Connection> {
        self.conns.get(key)
    }

    /// One link.
    pub fn link(&self, id: &str) -> Option<&Link> {
        self.links.get(id)
    }

    /// One identity's record.
    pub fn identity(&self, id: &str) -> Option<&IdentityRec> {
        self.identities.get(id)
    }

    /// The cluster facts.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// What `apply` did with its input so far.
    pub fn stats(&self) -> StoreStats {
        self.stats
    }

    /// The configuration in force.
    pub fn config(&self) -> &StoreConfig {
        &self.cfg
    }

    /// How many connections are known.
    pub fn len(&self) -> usize {
        self.conns.len()
    }

    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.conns.is_empty() && self.links.is_empty()
    }

    /// Every connection, in no particular order.
    pub fn connections(&self) -> impl Iterator<Item = (&ConnKey, &Connection)> {
        self.conns.iter()
    }

    /// Every link, in no particular order.
    pub fn links(&self) -> impl Iterator<Item = (&String, &Link)> {
        self.links.iter()
    }
}

#[cfg(test)]
mod tests;
