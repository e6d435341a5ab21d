//! The map's own state between frames: positions (from the core's
//! layout), the hit index, the viewport, the pointer and keyboard focus,
//! and the pulses that mark a node whose health just changed.

use std::collections::{HashMap, HashSet};
use zitiscope_core::filter::Filter;
use zitiscope_core::layout::hit::HitIndex;
use zitiscope_core::layout::viewport::Viewport;
use zitiscope_core::layout::{Layout, LayoutConfig, NodeId, Point};
use zitiscope_core::store::{Health, SortBy, Topology};

/// How long a change pulses, in ms.
pub const PULSE_MS: f64 = 1_500.0;
/// At most this many pulses at once (a mass outage marks the first ones;
/// the nodes' colours and shapes show the rest).
const PULSE_CAP: usize = 512;

/// A node whose health changed at `start` (`performance.now()` ms).
pub struct Pulse {
    pub node: NodeId,
    pub health: Health,
    pub start: f64,
}

pub struct MapState {
    pub layout: Layout,
    pub positions: HashMap<NodeId, Point>,
    /// The same positions by id, per kind, for drawing.
    pub ctrl_pos: HashMap<String, Point>,
    pub router_pos: HashMap<String, Point>,
    pub order: Vec<NodeId>,
    pub hit: HitIndex,
    pub view: Viewport,
    /// Fit once the first nodes arrive.
    pub fitted: bool,
    pub hover: Option<NodeId>,
    /// The keyboard's node (arrows and Tab move it, Enter opens it).
    pub focus: Option<NodeId>,
    /// Whether the keyboard is moving between nodes: an arrow starts it,
    /// Escape ends it. Only then does Tab move between nodes; otherwise it
    /// moves on past the map as usual, so the map is never a keyboard trap.
    pub navigating: bool,
    /// Pointer down at (x, y); whether it moved enough to be a drag.
    pub press: Option<(f64, f64, bool)>,
    /// Pointers down now, by id (two make a pinch).
    pub pointers: Vec<(i32, Point)>,
    pub frame_requested: bool,
    /// Whether the first full map was marked (`zitiscope:first-map`).
    pub first_marked: bool,
    /// Each node's health at the last topology, sorted by node.
    health: Vec<(NodeId, Health)>,
    pub pulses: Vec<Pulse>,
    /// The high-contrast palette.
    pub high_contrast: bool,
    /// With "only matches" on, the nodes the find filter passes; the others
    /// are neither drawn nor hit.
    pub shown: Option<Shown>,
}

/// The nodes a filter passes, by kind (looked up by `&str` while drawing).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shown {
    pub controllers: HashSet<String>,
    pub routers: HashSet<String>,
}

impl Shown {
    /// The nodes of `t` that `f` passes.
    pub fn of(t: &Topology, f: &Filter) -> Shown {
        let mut s = Shown::default();
        for row in t.rows(f, SortBy::Name, true) {
            match row.node {
                NodeId::Controller(id) => s.controllers.insert(id),
                NodeId::Router(id) => s.routers.insert(id),
            };
        }
        s
    }

    /// Whether `n` is shown.
    pub fn has(&self, n: &NodeId) -> bool {
        match n {
            NodeId::Controller(id) => self.controllers.contains(id),
            NodeId::Router(id) => self.routers.contains(id),
        }
    }
}

impl Default for MapState {
    fn default() -> Self {
        MapState {
            layout: Layout::new(LayoutConfig::default()),
            positions: HashMap::new(),
            ctrl_pos: HashMap::new(),
            router_pos: HashMap::new(),
            order: Vec::new(),
            hit: HitIndex::default(),
            view: Viewport::default(),
            fitted: false,
            hover: None,
            focus: None,
            navigating: false,
            press: None,
            pointers: Vec::new(),
            frame_requested: false,
            first_marked: false,
            health: Vec::new(),
            pulses: Vec::new(),
            high_contrast: false,
            shown: None,
        }
    }
}

impl MapState {
    /// Takes in a new topology: places new nodes (nobody moves) and
    /// re-indexes when the node set changed, and starts a pulse on each
    /// node whose health changed (not on the first topology: nothing
    /// "changed" then).
    pub fn sync(&mut self, t: &Topology, now_ms: f64) {
        let nodes = t
            .controllers
            .iter()
            .map(|c| (NodeId::Controller(c.id.clone()), c.health))
            .chain(t.routers.iter().map(|r| (NodeId::Router(r.id.clone()), r.health)));
        let mut health: Vec<(NodeId, Health)> = nodes.collect();
        health.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if !self.health.is_empty() {
            for (node, h) in &health {
                let before = self.health.binary_search_by(|(n, _)| n.cmp(node)).ok().map(|i| self.health[i].1);
                if before.is_some_and(|b| b != *h) && self.pulses.len() < PULSE_CAP {
                    self.pulses.retain(|p| p.node != *node);
                    self.pulses.push(Pulse { node: node.clone(), health: *h, start: now_ms });
                }
            }
        }
        let same_nodes = health.len() == self.health.len() && health.iter().zip(&self.health).all(|(a, b)| a.0 == b.0);
        self.health = health;
        // Most updates only change states and counts: the layout and the
        // hit index stay as they are.
        if same_nodes && !self.positions.is_empty() {
            return;
        }
        self.layout.sync(t.controllers.iter().map(|c| c.id.as_str()), t.routers.iter().map(|r| r.id.as_str()));
        let nodes = self.layout.nodes();
        self.order = nodes.iter().map(|(n, _)| n.clone()).collect();
        self.positions = nodes.iter().cloned().collect();
        self.ctrl_pos.clear();
        self.router_pos.clear();
        for (n, p) in &nodes {
            match n {
                NodeId::Controller(id) => self.ctrl_pos.insert(id.clone(), *p),
                NodeId::Router(id) => self.router_pos.insert(id.clone(), *p),
            };
        }
        self.hit = HitIndex::build(nodes, 48.0);
    }

    /// Drops finished pulses; whether any is left.
    pub fn pulsing(&mut self, now_ms: f64) -> bool {
        self.pulses.retain(|p| now_ms - p.start < PULSE_MS);
        !self.pulses.is_empty()
    }

    /// The node after (`delta` 1) or before (-1) the keyboard's, in the
    /// layout's order; from none, the first (forwards) or the last. `None` at either
    /// end, when `wrap` is off (Tab leaves the map there).
    pub fn step(&self, delta: isize, wrap: bool) -> Option<NodeId> {
        if self.order.is_empty() {
            return None;
        }
        let current = self.focus.as_ref().and_then(|n| self.order.iter().position(|m| m == n));
        let next = match current {
            None if delta > 0 => 0,
            // Backwards from nowhere: the last node, for an arrow.
            None if wrap => self.order.len() - 1,
            None => return None,
            Some(i) => {
                let j = i as isize + delta;
                if !wrap && (j < 0 || j >= self.order.len() as isize) {
                    return None;
                }
                j.rem_euclid(self.order.len() as isize) as usize
            }
        };
        Some(self.order[next].clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zitiscope_core::{ConnKind, Event, Store, Timestamp};

    fn topology(down: &[&str]) -> Topology {
        let mut s = Store::new();
        for r in ["r1", "r2", "r3"] {
            s.apply(&Event::conn(Timestamp(1), ConnKind::RouterToCtrl, r, "c1", true));
        }
        for r in down {
            s.apply(&Event::conn(Timestamp(2), ConnKind::RouterToCtrl, *r, "c1", false));
        }
        s.topology(Timestamp(3))
    }

    #[test]
    fn a_health_change_pulses_that_node_only_and_ends() {
        let mut m = MapState::default();
        m.sync(&topology(&[]), 0.0);
        assert!(m.pulses.is_empty(), "the first picture changes nothing");
        m.sync(&topology(&["r2"]), 100.0);
        let pulsed: Vec<(&str, Health)> = m.pulses.iter().map(|p| (p.node.id(), p.health)).collect();
        assert_eq!(pulsed, [("r2", Health::Down)]);
        m.sync(&topology(&["r2"]), 200.0);
        assert_eq!(m.pulses.len(), 1, "no change, no new pulse");
        assert!(m.pulsing(100.0 + PULSE_MS - 1.0));
        assert!(!m.pulsing(100.0 + PULSE_MS), "it ends");
    }

    #[test]
    fn keyboard_steps_wrap_for_arrows_and_stop_at_the_ends_for_tab() {
        let mut m = MapState::default();
        m.sync(&topology(&[]), 0.0);
        let ids = |n: Option<NodeId>| n.map(|n| n.id().to_owned());
        assert_eq!(ids(m.step(1, false)), Some("c1".into()), "the first node");
        assert_eq!(m.step(-1, false), None, "Shift+Tab with nothing focused leaves");
        assert_eq!(ids(m.step(-1, true)), Some("r3".into()), "an arrow back from nowhere: the last");
        m.focus = Some(NodeId::Router("r3".into()));
        assert_eq!(m.step(1, false), None, "Tab past the last node leaves the map");
        assert_eq!(ids(m.step(1, true)), Some("c1".into()), "an arrow wraps");
        assert_eq!(ids(m.step(-1, false)), Some("r2".into()));
    }
}
