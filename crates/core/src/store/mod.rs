//! The connection-state store: every connection, link and cluster fact,
//! the entity roll-up, and `apply`, which reports only real changes.
//!
//! - `apply` (private): each event kind and the fusion rules; `entities`
//!   (private): the roll-up counts and connection keys over `names`
//!   (private): interned ids, so a key is three integers;
//! - [`lifeline`]: one connection's ordered, bounded history and the state
//!   that follows from it (exact under any arrival order); [`latest`]: single
//!   values with order-free tie-breaks; [`lifecycle`]: stale and flapping;
//! - [`dedupe`]: HA copies and replays are one event;
//! - [`links`] and [`cluster`]: what only `link` and `cluster` events say;
//! - [`change`]: what `apply` reports; [`state`]: snapshots;
//!   [`inventory`]: names, role attributes and deletions;
//!   [`health`]: when a node is down (the one rule every view asks);
//!   [`topology`]: the map's nodes and edges; [`details`]: one node's
//!   story and identities, for the drawer.
//!
//! Fusion rules (what the real controller makes necessary):
//! - `connect` only ever says "made"; loss arrives as `router-offline`,
//!   `sdk-offline`, `peer.disconnected` and link `fault`s;
//! - ctrl↔ctrl is one connection per pair, whichever side reports it;
//! - `sdk-offline` takes down every router connection the identity had;
//!   a `router-offline` that names no controller (before v1.3), every
//!   controller connection the router has;
//! - a router is online while it holds ≥1 controller connection; an
//!   identity while it holds ≥1 router connection or its newest SDK status
//!   is online (REST activity alone marks it seen, not online); a
//!   controller while it holds ≥1 router or peer connection.

pub mod alerting;
mod apply;
pub mod change;
pub mod cluster;
pub mod dedupe;
pub mod details;
mod entities;
pub mod grade;
pub mod health;
pub mod inventory;
pub mod latest;
pub mod lifecycle;
pub mod lifeline;
pub mod links;
mod names;
pub mod rollup;
pub mod state;
mod summary;
pub mod topology;

pub use change::{Change, ChangeLabel};
pub use cluster::Cluster;
pub use details::{HistoryItem, IdentityCounts, IdentityRow, NodeDetails};
pub use grade::{LinkGrade, LinkLimits};
pub use health::Health;
pub use inventory::{Info, Inventory, Listing};
pub use latest::Latest;
pub use lifecycle::{LatencyReading, Lifecycle, LifecycleConfig};
pub use lifeline::{Folded, Lifeline, Observe};
pub use links::Link;
pub use rollup::Rollup;
pub use state::{StateRef, StoreState};
pub use summary::{Summary, Tally};
pub use topology::{
    ControlMarks, ControllerNode, Edge, EdgeKind, IdentityBadge, NodeRow, Role, RouterNode, SortBy, Topology,
};

use crate::event::{LatencySample, SdkStatus};
use crate::{ConnKind, EntityType, Timestamp};
use dedupe::Dedupe;
use entities::{Entities, Key};
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
    /// The newest latency sample on it (router→ctrl and ctrl↔ctrl). Boxed:
    /// few connections have one, and every connection's size is what the
    /// hot lookup table pays for.
    #[serde(default, skip_serializing_if = "Latest::is_none")]
    pub latency: Latest<Box<LatencySample>>,
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
    /// Routers it has (had) connections to, by index (derived; not serialised).
    #[serde(skip)]
    routers: Vec<u32>,
}

impl IdentityRec {
    fn online(&self) -> bool {
        self.live > 0 || matches!(self.sdk, Some((_, SdkStatus::Online)))
    }
}

/// See the module docs.
#[derive(Clone, Default)]
pub struct Store {
    cfg: StoreConfig,
    conns: HashMap<Key, Connection>,
    /// Router↔controller and controller↔controller keys: the few the map
    /// and quorum need, without scanning every identity's connection.
    control: std::collections::BTreeSet<Key>,
    ents: Entities,
    links: HashMap<String, Link>,
    cluster: Cluster,
    /// Names, attributes and deletions (`inventory.rs`).
    inventory: Inventory,
    /// `entityChange` halves waiting for their other half (derived from
    /// the stream; not in snapshots: a pair is milliseconds apart).
    commits: crate::parse::Commits,
    dedupe: Dedupe,
    stats: StoreStats,
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

    /// Whether the cluster has a leader that reaches a majority of members.
    pub fn quorum(&self) -> bool {
        let pairs = self
            .control
            .iter()
            .filter(|k| k.kind == ConnKind::CtrlToCtrl && self.conns.get(k).is_some_and(Connection::is_up))
            .map(|k| self.ents.ends(*k));
        self.cluster.quorum(pairs)
    }

    /// The counts of online and known entities, and of links up. An
    /// entity the inventory deleted is not counted.
    pub fn summary(&self) -> Summary {
        let tally = |t: EntityType, total: usize| {
            let mut tally = Tally { online: self.ents.online[t as usize], total };
            let gone = match t {
                EntityType::Router => &self.inventory.routers,
                EntityType::Identity => &self.inventory.identities,
                EntityType::Controller => return tally,
            };
            // Deletions are few: look at each, never at every entity.
            for id in gone.iter().filter(|(_, l)| l.get() == Some(&Listing::Deleted)).map(|(id, _)| id) {
                if self.ents.find(t, id).is_some() {
                    tally.total -= 1;
                    tally.online -= usize::from(self.ents.is_online(t, id));
                }
            }
            tally
        };
        Summary {
            controllers: tally(EntityType::Controller, self.ents.controllers.len()),
            routers: tally(EntityType::Router, self.ents.routers.len()),
            identities: tally(EntityType::Identity, self.ents.identities.len()),
            links: Tally { online: self.links.keys().filter(|l| self.link_up(l)).count(), total: self.links.len() },
        }
    }

    /// A connection's lifecycle at `now` (`None` when unknown).
    pub fn lifecycle(&self, key: &ConnKey, now: Timestamp) -> Option<Lifecycle> {
        let c = self.get(key)?;
        let lc = &self.cfg.lifecycle;
        Some(lc.present(&c.life, c.last_heartbeat, lc.interval_ns(key.kind), now))
    }

    /// A link's lifecycle at `now`, by its own events only: it is never
    /// stale (its latency reading may be: [`Self::link_latency`]).
    pub fn link_lifecycle(&self, id: &str, now: Timestamp) -> Option<Lifecycle> {
        let l = self.links.get(id)?;
        Some(self.cfg.lifecycle.present(&l.life, None, None, now))
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
                out.push(Change::Lifecycle { key: self.ents.conn_key(*key), from, to, at: now });
            }
        }
        out.sort_by(|a, b| match (a, b) {
            (Change::Lifecycle { key: x, .. }, Change::Lifecycle { key: y, .. }) => x.cmp(y),
            _ => std::cmp::Ordering::Equal,
        });
        out
    }

    /// Whether an entity is currently online (`false` when unknown).
    pub fn is_online(&self, t: EntityType, id: &str) -> bool {
        self.ents.is_online(t, id)
    }

    /// Whether a link is effectively up: its own events say up, and its
    /// source router is not down (a controller drops an offline router's
    /// links without an event). A router whose control connections were
    /// never reported is `Unknown`, not down.
    pub fn link_up(&self, link: &str) -> bool {
        self.links.get(link).is_some_and(|l| self.link_effectively_up(l))
    }

    /// [`Self::link_up`] for a link in hand.
    pub(super) fn link_effectively_up(&self, l: &Link) -> bool {
        l.reported_up() && l.src.get().is_none_or(|r| self.router_health(r) != Health::Down)
    }

    /// One connection.
    pub fn get(&self, key: &ConnKey) -> Option<&Connection> {
        self.conns.get(&self.ents.find_key(key)?)
    }

    /// One link.
    pub fn link(&self, id: &str) -> Option<&Link> {
        self.links.get(id)
    }

    /// One identity's record.
    pub fn identity(&self, id: &str) -> Option<&IdentityRec> {
        self.ents.identities.get(id)
    }

    /// The cluster facts.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// What `apply` did with its input so far.
    pub fn stats(&self) -> StoreStats {
        self.stats
    }

    /// Counts from zero again, keeping the state: a store that continues
    /// another's (a feed restarted from its history) reports only what it
    /// applied itself, as a process's counters do (a monitor reads a
    /// counter that starts high as events that never came).
    pub fn restart_stats(&mut self) {
        self.stats = StoreStats::default();
    }

    /// What came of the `entityChange` events: committed, rolled back,
    /// commits with no change.
    pub fn commit_stats(&self) -> crate::parse::CommitStats {
        self.commits.stats()
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
    pub fn connections(&self) -> impl Iterator<Item = (ConnKey, &Connection)> {
        self.conns.iter().map(|(k, c)| (self.ents.conn_key(*k), c))
    }

    /// Every link, in no particular order.
    pub fn links(&self) -> impl Iterator<Item = (&String, &Link)> {
        self.links.iter()
    }
}

#[cfg(test)]
mod tests;
