//! One node's story, for the map's details drawer, and the identities
//! behind its badge. These are read on demand for the selected node only,
//! so they may look at each of that node's connections; the map's
//! per-frame view is [`super::Topology`].
//!
//! - A router's own connections are its control channels; a controller's
//!   are its routers' control channels and its cluster peers.
//! - A router's identities are those with a connection to it; a
//!   controller's are those that called its REST API and never connected
//!   to any router ("REST-only": a management script, or an SDK that
//!   never dialled a service).

use super::entities::Key;
use super::lifecycle::Lifecycle;
use super::{Connection, Folded, Health, Store};
use crate::layout::NodeId;
use crate::{ConnKind, Timestamp};

/// How long a dropped identity connection counts as "recently dropped".
pub const RECENT_DROP_NS: i64 = 5 * 60 * 1_000_000_000;

/// The drawer shows at most this many history entries.
pub const HISTORY_CAP: usize = 32;

/// See the module docs.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NodeDetails {
    /// Its health ([`Store::node_health`]: the map's, the alerts', the list's).
    pub health: Health,
    /// Online now (`None`: none of its connections was observed), from
    /// [`Self::health`]: `Ok` and `Degraded` are up, `Down` is down.
    pub up: Option<bool>,
    /// Since when it has been in that state. Online: the earliest `since`
    /// of its connections that are up (that one has held it online all
    /// along). Offline: when its last connection went down.
    pub since: Option<Timestamp>,
    /// The newest state change of any of its connections.
    pub last_change: Option<Timestamp>,
    /// State changes of its connections, in all.
    pub transitions: u32,
    /// Its connections that are flapping at `now`.
    pub flapping: u32,
    /// Its connections that are up but whose heartbeats stopped, at `now`.
    pub stale: u32,
    /// The retained up/down observations of its connections, newest first
    /// (at most [`HISTORY_CAP`]).
    pub history: Vec<HistoryItem>,
    /// Its identities (see the module docs).
    pub identities: IdentityCounts,
}

/// One up/down observation of one of a node's connections.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HistoryItem {
    pub at: Timestamp,
    pub up: bool,
    /// `RouterToCtrl` or `CtrlToCtrl`.
    pub kind: ConnKind,
    /// The node at the connection's other end.
    pub peer: String,
}

/// How many identities a node has, by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdentityCounts {
    pub online: u32,
    pub offline: u32,
    /// Offline, having dropped within [`RECENT_DROP_NS`] before `now`.
    pub recent: u32,
}

/// One identity in a node's identity list.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdentityRow {
    pub id: String,
    /// At a router: its connection there is up. At a controller: the
    /// identity is online (by its SDK status).
    pub up: bool,
    /// When that connection last changed state (at a controller: its
    /// latest REST call).
    pub since: Timestamp,
    /// State changes of that connection.
    pub transitions: u32,
    /// The connection's lifecycle at `now` (stale, flapping, …).
    pub lifecycle: Lifecycle,
}

/// The earliest drop time that still counts as recent at `now`.
pub(super) fn recent_cutoff(now: Timestamp) -> Timestamp {
    Timestamp(now.0.saturating_sub(RECENT_DROP_NS))
}

/// Whether a connection is down, having dropped at or after `after`.
pub(super) fn dropped_after(f: &Folded, after: Timestamp) -> bool {
    f.up == Some(false) && f.since >= after
}

/// The positions of the rows whose id contains `query` (case-insensitive;
/// empty: every row), for the drawer's identity filter.
pub fn matching(rows: &[IdentityRow], query: &str) -> Vec<usize> {
    let q = query.trim().to_lowercase();
    (0..rows.len()).filter(|&i| q.is_empty() || rows[i].id.to_lowercase().contains(&q)).collect()
}

impl Store {
    /// The details of a node at `now` (`None` when it is unknown).
    pub fn node_details(&self, node: &NodeId, now: Timestamp) -> Option<NodeDetails> {
        let keys = self.own_connections(node)?;
        let lc = &self.cfg.lifecycle;
        let mut d = NodeDetails::default();
        let mut history = Vec::new();
        let (mut up_since, mut down_since) = (None::<Timestamp>, None::<Timestamp>);
        for key in keys {
            let Some(conn) = self.conns.get(&key) else { continue };
            let f = conn.life.folded();
            let Some(up) = f.up else { continue };
            if up {
                up_since = Some(up_since.map_or(f.since, |t| t.min(f.since)));
            } else {
                down_since = Some(down_since.map_or(f.since, |t| t.max(f.since)));
            }
            d.last_change = d.last_change.max(Some(f.since));
            d.transitions = d.transitions.saturating_add(f.transitions);
            match lc.present(&conn.life, conn.last_heartbeat, lc.interval_ns(key.kind), now) {
                Lifecycle::Flapping => d.flapping += 1,
                Lifecycle::Stale => d.stale += 1,
                _ => {}
            }
            let (src, dst) = self.ents.ends(key);
            let peer = match node.id() {
                id if id == src => dst,
                _ => src,
            };
            history.extend(conn.life.observations().iter().map(|&(at, up)| (at, up, key.kind, peer)));
        }
        // The state is the one rule's (`health.rs`); the times are this
        // node's connections' that hold it there.
        d.health = self.node_health(node);
        d.up = (d.health != Health::Unknown).then_some(d.health.is_up());
        d.since = if d.up == Some(true) { up_since } else { down_since };
        // Newest first; at an equal time, down first (down wins a tie); then
        // by connection, so equal stores list equal histories.
        history.sort_unstable_by(|a, b| (b.0, a.1, a.2, a.3).cmp(&(a.0, b.1, b.2, b.3)));
        history.truncate(HISTORY_CAP);
        d.history = history
            .into_iter()
            .map(|(at, up, kind, peer)| HistoryItem { at, up, kind, peer: peer.to_owned() })
            .collect();
        // Counted without building a row (a busy router has 20k identities).
        let after = recent_cutoff(now);
        for (_, _, conn, up) in self.identity_conns(node) {
            if up {
                d.identities.online += 1;
            } else {
                d.identities.offline += 1;
                // A REST-only identity has no drop to date.
                let router = matches!(node, NodeId::Router(_));
                d.identities.recent += u32::from(router && dropped_after(&conn.life.folded(), after));
            }
        }
        Some(d)
    }

    /// The identities behind a node's badge (see the module docs), offline
    /// ones first (the newest drop first), then online ones by id.
    pub fn identities_at(&self, node: &NodeId, now: Timestamp) -> Vec<IdentityRow> {
        let lc = &self.cfg.lifecycle;
        let mut rows: Vec<IdentityRow> = self
            .identity_conns(node)
            .into_iter()
            .map(|(ident, key, conn, up)| {
                let f = conn.life.folded();
                IdentityRow {
                    id: self.ents.identities.name(ident).to_owned(),
                    up,
                    // At a controller, the latest REST call.
                    since: match key.kind {
                        ConnKind::EdgeToCtrl => conn.last_heartbeat.unwrap_or(f.since),
                        _ => f.since,
                    },
                    transitions: f.transitions,
                    lifecycle: lc.present(&conn.life, conn.last_heartbeat, lc.interval_ns(key.kind), now),
                }
            })
            .collect();
        rows.sort_unstable_by(|a, b| {
            a.up.cmp(&b.up)
                .then_with(|| if a.up { a.id.cmp(&b.id) } else { b.since.cmp(&a.since).then(a.id.cmp(&b.id)) })
        });
        rows
    }

    /// A node's identities (see the module docs), each with the index of
    /// the identity, the key and record of the connection that ties it to
    /// the node, and whether it counts as up there.
    fn identity_conns(&self, node: &NodeId) -> Vec<(u32, Key, &Connection, bool)> {
        match node {
            NodeId::Router(id) => {
                let Some(r) = self.ents.routers.find(id) else { return Vec::new() };
                let rec = self.ents.routers.rec(r).expect("found above");
                (rec.identities.iter())
                    .filter_map(|&i| {
                        let key = Key { kind: ConnKind::EdgeToRouter, src: i, dst: r };
                        let conn = self.conns.get(&key)?;
                        Some((i, key, conn, conn.life.up()?))
                    })
                    .collect()
            }
            NodeId::Controller(id) => {
                let Some(c) = self.ents.controllers.find(id) else { return Vec::new() };
                let rec = self.ents.controllers.rec(c).expect("found above");
                (rec.rest.iter())
                    .filter(|&&i| self.rest_only(i))
                    .filter_map(|&i| {
                        let key = Key { kind: ConnKind::EdgeToCtrl, src: i, dst: c };
                        let online = self.ents.identities.rec(i)?.online();
                        Some((i, key, self.conns.get(&key)?, online))
                    })
                    .collect()
            }
        }
    }

    /// Whether an identity has never had a router connection.
    pub(super) fn rest_only(&self, identity: u32) -> bool {
        self.ents.identities.rec(identity).is_some_and(|rec| rec.routers.is_empty())
    }

    /// The keys of a node's own connections (see the module docs); `None`
    /// when the node is unknown.
    fn own_connections(&self, node: &NodeId) -> Option<Vec<Key>> {
        Some(match node {
            NodeId::Router(id) => self.router_channels(self.ents.routers.find(id)?).map(|(k, _)| k).collect(),
            NodeId::Controller(id) => {
                let c = self.ents.controllers.find(id)?;
                self.control
                    .iter()
                    .filter(|k| match k.kind {
                        ConnKind::RouterToCtrl => k.dst == c,
                        _ => k.src == c || k.dst == c,
                    })
                    .copied()
                    .collect()
            }
        })
    }
}

#[cfg(test)]
mod tests;
