//! What the alert rules (`crate::alerts`) ask of the store, beyond the
//! topology: when a router went down and which identity connections went
//! with it, drops at a router since a time, and flapping connections.
//! Each reads only what it needs: a router's own identity index, or one
//! pass over the connections that allocates only for what it finds.

use super::entities::{Key, RouterRec};
use super::Store;
use crate::layout::NodeId;
use crate::{ConnKey, ConnKind, Timestamp};

impl Store {
    /// A router's control channels (its router→controller connections),
    /// from the control index: a range, never a scan.
    pub(super) fn router_channels(&self, r: u32) -> impl Iterator<Item = (Key, &super::Connection)> {
        let from = Key { kind: ConnKind::RouterToCtrl, src: r, dst: 0 };
        let to = Key { kind: ConnKind::RouterToCtrl, src: r, dst: u32::MAX };
        self.control.range(from..=to).filter_map(|k| Some((*k, self.conns.get(k)?)))
    }

    /// When a router that holds no controller connection now lost its
    /// last one (`None` when it is up, or was never seen with one).
    pub fn router_down_since(&self, router: &str) -> Option<Timestamp> {
        if self.router_health(router) != super::Health::Down {
            return None;
        }
        self.channel_since(router, false).max()
    }

    /// Since when a router that holds a controller connection has held one
    /// (the earliest start among its connections that are up: that one has
    /// held it online all along); `None` when it holds none.
    pub fn router_up_since(&self, router: &str) -> Option<Timestamp> {
        self.channel_since(router, true).min()
    }

    /// When each of a router's control channels that is `up` (or down)
    /// took that state.
    fn channel_since(&self, router: &str, up: bool) -> impl Iterator<Item = Timestamp> + '_ {
        let r = self.ents.routers.find(router);
        r.into_iter()
            .flat_map(move |r| self.router_channels(r))
            .filter(move |(_, c)| c.life.up() == Some(up))
            .map(|(_, c)| c.life.folded().since)
    }

    /// How many of a router's identity connections are down, having
    /// dropped at or after `after`.
    pub fn drops_at(&self, router: &str, after: Timestamp) -> u32 {
        let Some(r) = self.ents.routers.find(router) else { return 0 };
        self.drops_after(r, self.ents.routers.rec(r).expect("found above"), after)
    }

    /// [`Self::drops_at`] for an interned router. One with none offline
    /// costs nothing; one with some has each identity connection looked up
    /// (no allocation).
    pub(super) fn drops_after(&self, r: u32, rec: &RouterRec, after: Timestamp) -> u32 {
        if rec.edge_known == rec.edge_up {
            return 0;
        }
        let dropped = |&src: &u32| {
            let key = Key { kind: ConnKind::EdgeToRouter, src, dst: r };
            self.conns.get(&key).is_some_and(|c| super::details::dropped_after(&c.life.folded(), after))
        };
        rec.identities.iter().filter(|i| dropped(i)).count() as u32
    }

    /// Every identity→router and router→controller connection that changed
    /// state at least `threshold` times at or after `after`.
    pub fn flapping(&self, after: Timestamp, threshold: u32) -> Vec<ConnKey> {
        let mut out: Vec<ConnKey> = (self.conns.iter())
            .filter(|(k, _)| matches!(k.kind, ConnKind::EdgeToRouter | ConnKind::RouterToCtrl))
            // The fold counts every change ever: a cheap first cut.
            .filter(|(_, c)| c.life.folded().transitions >= threshold)
            .filter(|(_, c)| c.life.transitions_since(after) >= threshold)
            .map(|(k, _)| self.ents.conn_key(*k))
            .collect();
        out.sort();
        out
    }
}

/// The map node an alert about a connection points at: its router.
pub fn router_of(key: &ConnKey) -> Option<NodeId> {
    match key.kind {
        ConnKind::EdgeToRouter => Some(NodeId::Router(key.dst.clone())),
        ConnKind::RouterToCtrl => Some(NodeId::Router(key.src.clone())),
        _ => None,
    }
}
