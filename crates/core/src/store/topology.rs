//! What the topology map and its list view draw, derived from the store:
//! controllers (with their cluster role), routers (with an identity
//! badge), and the edges between them (control channels, cluster peers,
//! fabric links with latency). Identities are not nodes: at 20k they would
//! bury the map, so each router carries counts instead.
//!
//! A node's health is not decided here: it is [`Store::router_health`] /
//! [`Store::controller_health`] (`health.rs`), read from the same counts.
//!
//! Cheap enough to rebuild on every change: it reads the control index
//! (router↔controller and controller↔controller connections only, never
//! the identities' connections), the entity tables and the links.

pub use super::health::Health;
use super::health::{of_controller, of_router};
use super::Store;
use crate::layout::NodeId;
use crate::{ConnKind, EntityType, Timestamp};

/// A controller's cluster role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Role {
    Leader,
    Follower,
    /// No leader is known (or no cluster events were seen).
    Unknown,
}

/// A controller on the map.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ControllerNode {
    pub id: String,
    /// What a person reads: its name, else its id (controllers are not
    /// named by the inventory, so this is the id).
    pub name: String,
    pub health: Health,
    pub role: Role,
    /// Routers connected to it now.
    pub routers_up: u32,
    /// Identities seen only through its REST API (never at a router).
    pub rest_only: u32,
}

/// Identities at a router.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct IdentityBadge {
    /// Connected now.
    pub online: u32,
    /// Were connected here, and are not now.
    pub offline: u32,
    /// Of those offline, the ones that dropped within
    /// [`super::details::RECENT_DROP_NS`] of the topology's `now`.
    pub recent: u32,
}

/// A router on the map.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RouterNode {
    pub id: String,
    /// What a person reads: its name from the inventory, else its id.
    pub name: String,
    /// Its role attributes, from the inventory.
    pub attributes: Vec<String>,
    pub health: Health,
    /// Controllers it is connected to now, of those it was ever seen with.
    pub controllers_up: u32,
    pub controllers_known: u32,
    pub identities: IdentityBadge,
    /// The newest up/down change of any of its control channels: when its
    /// state last moved (the map marks what changed lately).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change: Option<Timestamp>,
}

/// How far back a change counts as recent on the map: half an hour.
pub const RECENT_CHANGE_NS: i64 = 30 * 60 * 1_000_000_000;

/// A router's control channels as the map marks them (one pip each, in
/// place of a line to every controller): up, down, and never seen, of the
/// cluster's `controllers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControlMarks {
    pub up: u32,
    pub down: u32,
    pub unseen: u32,
}

impl RouterNode {
    /// Whether its state changed within [`RECENT_CHANGE_NS`] before `now`.
    pub fn changed_lately(&self, now: Timestamp) -> bool {
        self.last_change.is_some_and(|t| t.0 > now.0.saturating_sub(RECENT_CHANGE_NS))
    }

    /// Its [`ControlMarks`] in a cluster of `controllers`. A router seen
    /// with more controllers than the cluster lists now (one was removed)
    /// shows what it was seen with.
    pub fn control_marks(&self, controllers: usize) -> ControlMarks {
        let up = self.controllers_up.min(self.controllers_known);
        let known = self.controllers_known;
        let all = (controllers as u32).max(known);
        ControlMarks { up, down: known - up, unseen: all - known }
    }
}

/// What an edge is.
// Ord in this order: the topology sorts edges by kind first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum EdgeKind {
    /// A router's control channel to a controller.
    Control,
    /// A controller cluster peer connection.
    Peer,
    /// A router↔router fabric link.
    Link,
}

/// An edge on the map.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Edge {
    pub kind: EdgeKind,
    pub a: NodeId,
    pub b: NodeId,
    pub up: bool,
    /// The link id, for links.
    pub link: Option<String>,
    /// The newest latency sample's mean (links, and control channels
    /// with `ctrl.latency`), in ms.
    pub latency_ms: Option<f64>,
    /// That sample's standard deviation (its jitter), in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter_ms: Option<f64>,
    /// That sample is too old to stand for the edge now: twice its kind's
    /// interval (a link's times the cluster's size) without a new one.
    pub latency_stale: bool,
}

/// See the module docs.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Topology {
    pub controllers: Vec<ControllerNode>,
    pub routers: Vec<RouterNode>,
    pub edges: Vec<Edge>,
}

impl Edge {
    /// The order of the topology's edges: by kind, then ends, then link id
    /// (unique: a link id tells apart links between the same routers).
    pub fn order(&self, other: &Edge) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }

    /// What identifies it, in the topology's order.
    pub fn key(&self) -> (EdgeKind, &NodeId, &NodeId, &Option<String>) {
        (self.kind, &self.a, &self.b, &self.link)
    }
}

impl Topology {
    /// A controller on the map, by id (the list is sorted by id).
    pub fn controller(&self, id: &str) -> Option<&ControllerNode> {
        let i = self.controllers.binary_search_by(|c| c.id.as_str().cmp(id)).ok()?;
        Some(&self.controllers[i])
    }

    /// A router on the map, by id (the list is sorted by id).
    pub fn router(&self, id: &str) -> Option<&RouterNode> {
        let i = self.routers.binary_search_by(|r| r.id.as_str().cmp(id)).ok()?;
        Some(&self.routers[i])
    }

    /// What a person reads for a node: its name (its id while it has
    /// none), if it is on the map.
    pub fn name(&self, node: &NodeId) -> Option<&str> {
        match node {
            NodeId::Controller(id) => self.controller(id).map(|c| c.name.as_str()),
            NodeId::Router(id) => self.router(id).map(|r| r.name.as_str()),
        }
    }

    /// Each router's layout group, as (id, group): its first role
    /// attribute when any router on the map has attributes (an operator's
    /// own grouping, `#eu`), else its name without a trailing number
    /// ([`crate::layout::group_of`]). A router with no attribute in a
    /// network that has them shares the group `""`.
    pub fn groups(&self) -> impl Iterator<Item = (&str, &str)> {
        let by_attribute = self.routers.iter().any(|r| !r.attributes.is_empty());
        self.routers.iter().map(move |r| {
            let group = match by_attribute {
                true => r.attributes.first().map_or("", String::as_str),
                false => crate::layout::group_of(&r.name),
            };
            (r.id.as_str(), group)
        })
    }

    /// The health of a node, if it is on the map.
    pub fn health(&self, node: &NodeId) -> Option<Health> {
        match node {
            NodeId::Controller(id) => self.controller(id).map(|c| c.health),
            NodeId::Router(id) => self.router(id).map(|r| r.health),
        }
    }
}

/// One row of the map's list view: a node with its status and counts.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRow {
    pub node: NodeId,
    /// Its name, else its id (see [`RouterNode::name`]).
    pub name: String,
    /// Its role attributes.
    pub attributes: Vec<String>,
    pub health: Health,
    /// The role (controllers) or `up/known controllers` (routers).
    pub detail: String,
    pub identities: IdentityBadge,
    /// Controllers: identities seen only through its REST API.
    pub rest_only: u32,
}

/// What the list view sorts by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Controllers first, then by name (then id).
    #[default]
    Name,
    /// Worst first.
    Health,
    /// Most identities online first.
    Identities,
}

impl Topology {
    /// One node's row (the tooltip's and the drawer's): found by id, not
    /// by filtering every row.
    pub fn row(&self, node: &NodeId) -> Option<NodeRow> {
        match node {
            NodeId::Controller(id) => self.controller(id).map(controller_row),
            NodeId::Router(id) => self.router(id).map(router_row),
        }
    }

    /// The list view's rows: every node `keep` passes, sorted by `by`
    /// (ties by id), reversed when `!ascending`. (`rows`, in the filter
    /// module, keeps what a filter-language expression passes.)
    pub fn rows_where(&self, keep: impl Fn(&NodeRow) -> bool, by: SortBy, ascending: bool) -> Vec<NodeRow> {
        let mut rows: Vec<NodeRow> = (self.controllers.iter().map(controller_row))
            .chain(self.routers.iter().map(router_row))
            .filter(|row| keep(row))
            .collect();
        rows.sort_by(|a, b| {
            let primary = match by {
                // What the Node column shows: controllers first, then the
                // name a person reads (opaque ids would sort at random).
                SortBy::Name => matches!(a.node, NodeId::Router(_))
                    .cmp(&matches!(b.node, NodeId::Router(_)))
                    .then_with(|| a.name.cmp(&b.name)),
                SortBy::Health => b.health.cmp(&a.health),
                SortBy::Identities => b.identities.online.cmp(&a.identities.online),
            };
            primary.then_with(|| a.node.cmp(&b.node))
        });
        if !ascending {
            rows.reverse();
        }
        rows
    }
}

fn controller_row(c: &ControllerNode) -> NodeRow {
    NodeRow {
        node: NodeId::Controller(c.id.clone()),
        name: c.name.clone(),
        attributes: Vec::new(),
        health: c.health,
        detail: match c.role {
            Role::Leader => "leader".into(),
            Role::Follower => "follower".into(),
            Role::Unknown => "role unknown".into(),
        },
        identities: IdentityBadge::default(),
        rest_only: c.rest_only,
    }
}

fn router_row(r: &RouterNode) -> NodeRow {
    NodeRow {
        node: NodeId::Router(r.id.clone()),
        name: r.name.clone(),
        attributes: r.attributes.clone(),
        health: r.health,
        detail: router_detail(r),
        identities: r.identities,
        rest_only: 0,
    }
}

/// A router row's second line. With no control channel observed its health
/// is what the management API listed (see `health::of_router`), so the row
/// says where the word comes from instead of "0/0 controllers".
fn router_detail(r: &RouterNode) -> String {
    match (r.controllers_known, r.health) {
        (0, Health::Ok) => "online, as the controller API lists it".into(),
        (0, Health::Down) => "offline, as the controller API lists it".into(),
        (0, _) => "no control channel seen".into(),
        (known, _) => format!("{}/{known} controllers", r.controllers_up),
    }
}

impl Store {
    /// The map's view of the store at `now` (see the module docs; `now`
    /// decides which drops are recent). Nodes are sorted by id, edges by
    /// kind and ends, so equal stores give equal values.
    pub fn topology(&self, now: Timestamp) -> Topology {
        let leader = self.cluster().leader_id();
        let mut controllers: Vec<ControllerNode> = self
            .ents
            .controllers
            .iter()
            .map(|(id, rec)| ControllerNode {
                id: id.to_owned(),
                name: id.to_owned(),
                health: of_controller(rec),
                role: match leader {
                    Some(l) if l == id => Role::Leader,
                    Some(_) => Role::Follower,
                    None => Role::Unknown,
                },
                routers_up: 0,
                rest_only: rec.rest.iter().filter(|&&i| self.rest_only(i)).count() as u32,
            })
            .collect();
        controllers.sort_by(|a, b| a.id.cmp(&b.id));

        let mut routers: Vec<RouterNode> = self
            .ents
            .routers
            .iter()
            .enumerate()
            // A router the inventory deleted is gone from the map.
            .filter(|(_, (id, _))| !self.deleted(EntityType::Router, id))
            .map(|(i, (id, r))| RouterNode {
                id: id.to_owned(),
                name: self.display_name(EntityType::Router, id).to_owned(),
                attributes: self.info(EntityType::Router, id).map(|i| i.attributes.clone()).unwrap_or_default(),
                health: of_router(r),
                controllers_up: r.live,
                controllers_known: r.ctrl_conns,
                identities: IdentityBadge {
                    online: r.edge_up,
                    offline: r.edge_known.saturating_sub(r.edge_up),
                    recent: self.drops_after(i as u32, r, super::details::recent_cutoff(now)),
                },
                last_change: None,
            })
            .collect();
        routers.sort_by(|a, b| a.id.cmp(&b.id));

        let mut edges = Vec::new();
        let ctrl_index = |id: &str| controllers.binary_search_by(|c| c.id.as_str().cmp(id)).ok();
        let mut routers_up = vec![0u32; controllers.len()];
        for key in &self.control {
            let Some(conn) = self.conns.get(key) else { continue };
            let Some(up) = conn.life.up() else { continue };
            let (src, dst) = self.ents.ends(*key);
            let (kind, a, b) = if key.kind == ConnKind::RouterToCtrl {
                if self.deleted(EntityType::Router, src) {
                    continue;
                }
                if let Some(i) = ctrl_index(dst) {
                    routers_up[i] += u32::from(up);
                }
                // A channel first seen up and never since is how a router
                // starts, not a change: a feed's start marks nothing.
                let obs = conn.life.observations();
                let changed = obs.first().is_some_and(|o| !o.1) || obs.windows(2).any(|w| w[0].1 != w[1].1);
                if let (true, Ok(i)) = (changed, routers.binary_search_by(|r| r.id.as_str().cmp(src))) {
                    let since = conn.life.folded().since;
                    routers[i].last_change = routers[i].last_change.max(Some(since));
                }
                (EdgeKind::Control, NodeId::Router(src.to_owned()), NodeId::Controller(dst.to_owned()))
            } else {
                (EdgeKind::Peer, NodeId::Controller(src.to_owned()), NodeId::Controller(dst.to_owned()))
            };
            let latency_ms = conn.latency.get().map(|s| s.mean_ns as f64 / 1e6);
            let jitter_ms = conn.latency.get().and_then(|s| s.std_dev_ns).map(|ns| ns as f64 / 1e6);
            let latency_stale = conn
                .latency
                .at()
                .is_some_and(|at| self.cfg.lifecycle.reading_stale(at, self.cfg.lifecycle.interval_ns(key.kind), now));
            edges.push(Edge { kind, a, b, up, link: None, latency_ms, jitter_ms, latency_stale });
        }
        for (c, up) in controllers.iter_mut().zip(routers_up) {
            c.routers_up = up;
        }
        for (id, link) in &self.links {
            let (Some(src), Some(dst)) = (link.src.get(), link.dst.get()) else { continue };
            if link.life.up().is_none() || [src, dst].iter().any(|r| self.deleted(EntityType::Router, r)) {
                continue;
            }
            let reading = self.link_latency(id, now);
            edges.push(Edge {
                kind: EdgeKind::Link,
                a: NodeId::Router(src.clone()),
                b: NodeId::Router(dst.clone()),
                up: self.link_effectively_up(link),
                link: Some(id.clone()),
                latency_ms: reading.map(|r| r.sample.mean_ns as f64 / 1e6),
                jitter_ms: reading.and_then(|r| r.sample.std_dev_ns).map(|ns| ns as f64 / 1e6),
                latency_stale: reading.is_some_and(|r| r.stale),
            });
        }
        // Unique keys (a link id tells apart links between the same routers),
        // so an unstable sort gives the same order, without a buffer.
        edges.sort_unstable_by(|x, y| x.order(y));
        Topology { controllers, routers, edges }
    }
}

#[cfg(test)]
mod tests;
