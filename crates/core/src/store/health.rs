//! When is a node down? The one answer, for every view, alert and endpoint.
//!
//! The invariant: a node's [`Health`] is a function of the store alone, and
//! [`Store::router_health`] / [`Store::controller_health`] are that function.
//! The topology (map, list, tooltip, `/nodes`), the details drawer, the
//! alert rules, a link's effective state and the filter language all ask it;
//! nothing else decides. A property test (`tests/properties.rs`) checks that
//! every place reporting a node's health agrees, over arbitrary event logs.
//!
//! The rules:
//! - a **router** is `Ok` while it holds every controller connection it was
//!   ever seen with, `Degraded` while it holds some but not all, `Down` while
//!   it holds none of them; before any of its control channels was observed
//!   up or down, it is what the controller's management API last listed
//!   (`isOnline`: `Ok` or `Down`), else `Unknown` (a router named only by an
//!   identity's connection, a link or a latency sample says nothing about
//!   its state). So the first paint after a feed start knows every router's
//!   state, and the first observed channel takes over for good;
//! - a **controller** is `Ok` while it holds ≥1 router or cluster-peer
//!   connection, `Down` when it held some and holds none now, and `Unknown`
//!   before any was observed. (A controller is never `Degraded`: a router
//!   that lost it is that router's problem, a lost peer is its own alert.)
//!
//! Both read counts the store keeps as connections change (`entities.rs`),
//! so asking costs one lookup, never a scan.

use super::entities::{CtrlRec, RouterRec};
use super::Store;
use crate::layout::NodeId;

/// A node's health, ordered from best to worst: a group takes its worst.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Health {
    /// Everything it should hold is up.
    Ok,
    /// Up, but some of what it should hold is down.
    Degraded,
    /// Nothing observed yet.
    #[default]
    Unknown,
    /// Down.
    Down,
}

impl Health {
    /// Every health, best first.
    pub const ALL: [Health; 4] = [Health::Ok, Health::Degraded, Health::Unknown, Health::Down];

    /// Its word: what the map, the list and the drawer show beside its
    /// colour and shape (never colour alone), and what the filter language's
    /// `state` field takes. One vocabulary, so a word read on screen can be
    /// typed into a filter.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Degraded => "degraded",
            Health::Unknown => "unknown",
            Health::Down => "down",
        }
    }

    /// Every word, best first (the filter language's `state` values).
    pub const WORDS: [&'static str; 4] = ["ok", "degraded", "unknown", "down"];

    /// Whether it holds at least one of its connections (`Ok` or `Degraded`).
    pub fn is_up(self) -> bool {
        matches!(self, Health::Ok | Health::Degraded)
    }
}

/// A router's health from its counts (see the module docs).
pub(super) fn of_router(r: &RouterRec) -> Health {
    match (r.live, r.ctrl_conns) {
        (_, 0) => match r.listed {
            Some(true) => Health::Ok,
            Some(false) => Health::Down,
            None => Health::Unknown,
        },
        (0, _) => Health::Down,
        (up, known) if up < known => Health::Degraded,
        _ => Health::Ok,
    }
}

/// A controller's health from its counts (see the module docs).
pub(super) fn of_controller(c: &CtrlRec) -> Health {
    match (c.live, c.conns) {
        (0, 0) => Health::Unknown,
        (0, _) => Health::Down,
        _ => Health::Ok,
    }
}

impl Store {
    /// A router's health (`Unknown` for a router the store never saw).
    pub fn router_health(&self, id: &str) -> Health {
        self.ents.routers.get(id).map_or(Health::Unknown, of_router)
    }

    /// A controller's health (`Unknown` for one the store never saw).
    pub fn controller_health(&self, id: &str) -> Health {
        self.ents.controllers.get(id).map_or(Health::Unknown, of_controller)
    }

    /// A map node's health: [`Self::router_health`] or
    /// [`Self::controller_health`].
    pub fn node_health(&self, node: &NodeId) -> Health {
        match node {
            NodeId::Router(id) => self.router_health(id),
            NodeId::Controller(id) => self.controller_health(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConnKind, Event, Timestamp};

    fn conn(at: i64, kind: ConnKind, src: &str, dst: &str, up: bool) -> Event {
        Event::conn(Timestamp(at), kind, src, dst, up).via("c1")
    }

    #[test]
    fn a_router_by_its_controller_connections() {
        let mut s = Store::new();
        assert_eq!(s.router_health("r1"), Health::Unknown, "never seen");
        s.apply(&conn(1, ConnKind::EdgeToRouter, "id1", "r1", true));
        assert_eq!(s.router_health("r1"), Health::Unknown, "an identity's connection says nothing of it");
        s.apply(&conn(2, ConnKind::RouterToCtrl, "r1", "c1", true));
        s.apply(&conn(2, ConnKind::RouterToCtrl, "r1", "c2", true));
        assert_eq!(s.router_health("r1"), Health::Ok);
        s.apply(&conn(3, ConnKind::RouterToCtrl, "r1", "c2", false));
        assert_eq!(s.router_health("r1"), Health::Degraded, "one of two");
        s.apply(&conn(4, ConnKind::RouterToCtrl, "r1", "c1", false));
        assert_eq!(s.router_health("r1"), Health::Down);
        assert!(!s.router_health("r1").is_up());
    }

    #[test]
    fn a_controller_by_its_router_and_peer_connections() {
        let mut s = Store::new();
        s.apply(&conn(1, ConnKind::EdgeToCtrl, "id1", "c1", true));
        assert_eq!(s.controller_health("c1"), Health::Unknown, "REST calls keep no controller online");
        s.apply(&conn(2, ConnKind::CtrlToCtrl, "c2", "c1", true));
        assert_eq!((s.controller_health("c1"), s.controller_health("c2")), (Health::Ok, Health::Ok));
        s.apply(&conn(3, ConnKind::RouterToCtrl, "r1", "c1", true));
        s.apply(&conn(4, ConnKind::CtrlToCtrl, "c1", "c2", false));
        assert_eq!(s.controller_health("c1"), Health::Ok, "it still holds r1");
        assert_eq!(s.controller_health("c2"), Health::Down, "it held a peer and holds nothing now");
        let restored = Store::from_state(s.state(), s.config().clone());
        assert_eq!(restored.controller_health("c2"), Health::Down, "the counts are rebuilt on restore");
    }

    #[test]
    fn words_are_the_healths_in_order() {
        assert_eq!(Health::ALL.map(Health::as_str), Health::WORDS);
        let mut sorted = Health::ALL;
        sorted.sort();
        assert_eq!(sorted, Health::ALL, "best first");
    }
}
