//! The map's own state between frames, one part per concern: where the
//! nodes are ([`Placement`]), the camera ([`Viewport`]), the pointer
//! ([`Pointer`]), the keyboard ([`Keyboard`]), the pulses ([`Pulses`]),
//! the groups ([`Groups`]: boxes, roll-ups, which are collapsed), and how
//! it is drawn (the palette, the find filter's matches, the frame
//! bookkeeping).

use super::groups::{title, Groups};
use super::keyboard::Keyboard;
use super::matches::Matches;
use super::placement::Placement;
use super::pointer::{Grab, Pointer};
use super::pulses::Pulses;
use std::collections::BTreeMap;
use zitiscope_core::alerts::attention::Attention;
use zitiscope_core::layout::hit::segment_distance;
use zitiscope_core::layout::viewport::Viewport;
use zitiscope_core::layout::{NodeId, Point};
use zitiscope_core::store::{Edge, EdgeKind, LinkLimits, Topology};
use zitiscope_core::Timestamp;

/// Everything the map keeps between frames.
#[derive(Default)]
pub struct MapState {
    pub placement: Placement,
    /// Map units to screen pixels.
    pub view: Viewport,
    /// Fit once the first nodes arrive.
    pub fitted: bool,
    pub pointer: Pointer,
    pub keyboard: Keyboard,
    pub pulses: Pulses,
    pub groups: Groups,
    /// With "only matches" on, the nodes the find filter passes.
    pub matches: Option<Matches>,
    /// What links are judged by (the alert thresholds, from the settings).
    pub limits: LinkLimits,
    /// The nodes that call for attention or are acked (the alert board's).
    pub attention: BTreeMap<NodeId, Attention>,
    /// The nodes in a maintenance window now (the feed's windows).
    pub maintenance: std::collections::BTreeSet<NodeId>,
    /// The feed's time now, or the moment shown.
    pub at: Timestamp,
    /// When the pending blink redraw is due (`performance.now()` ms).
    pub blink_due: f64,
    /// The map's text scale (`draw::Frame::ui`), read when the canvas is resized.
    pub ui: f64,
    /// How many times the map followed a problem (the newest pan-to's
    /// token: an older one's return to the whole network is void).
    pub follows: u64,
    /// The high-contrast palette.
    pub high_contrast: bool,
    /// A draw is requested for the next animation frame.
    pub frame_requested: bool,
    /// Whether the first full map was marked (`zitiscope:first-map`).
    pub first_marked: bool,
}

impl MapState {
    /// Takes in a new topology: starts a pulse on each node whose health
    /// changed, and places new nodes (nobody moves) only when the node set
    /// changed: most updates only change states and counts.
    pub fn sync(&mut self, t: &Topology, now_ms: f64) {
        let same_nodes = self.pulses.sync(t, now_ms);
        let placed = !same_nodes || self.placement.is_empty();
        if placed {
            self.placement.sync(t);
        }
        self.groups.sync(&self.placement.layout, t, placed);
    }

    /// The shown node within `reach_px` screen pixels of screen point
    /// `p`, if any: a hidden node cannot be hovered or clicked.
    pub fn node_at(&self, p: Point, reach_px: f64) -> Option<&NodeId> {
        let reach = reach_px / self.view.scale;
        let hit = self.placement.hit.hit(self.view.to_map(p), reach)?;
        let in_tile = matches!(hit, NodeId::Router(id) if self.groups.tile_of(id).is_some());
        (!in_tile && self.matches.as_ref().is_none_or(|m| m.has(hit))).then_some(hit)
    }

    /// The fabric link within `reach_px` screen pixels of screen point `p`
    /// (the nearest), where it is drawn: to a collapsed group's tile, and
    /// not at all if an end is hidden by "only matches".
    pub fn link_at<'t>(&self, p: Point, t: &'t Topology, reach_px: f64) -> Option<&'t Edge> {
        let end = |n: &NodeId| {
            let id = n.id();
            let shown = self.matches.as_ref().is_none_or(|m| m.has(n));
            let at = self.groups.tile_of(id).or_else(|| self.placement.router_pos.get(id).copied());
            at.filter(|_| shown).map(|at| self.view.to_screen(at))
        };
        t.edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Link)
            .filter_map(|e| {
                let (a, b) = (end(&e.a)?, end(&e.b)?);
                let d = segment_distance(p, a, b);
                (a != b && d <= reach_px).then_some((d, e))
            })
            .min_by(|x, y| x.0.total_cmp(&y.0))
            .map(|(_, e)| e)
    }

    /// What a press at screen point `p` takes hold of: a node (not one in
    /// a collapsed group), else a group by its header or tile, else the map.
    pub fn grab_at(&self, p: Point, reach_px: f64) -> Grab {
        if let Some(n) = self.node_at(p, reach_px) {
            return Grab::Node(n.clone());
        }
        match self.groups.toggle_at(self.view.to_map(p)) {
            Some(g) => Grab::Group(g.to_owned()),
            None => Grab::Map,
        }
    }

    /// Moves what a drag holds by `by` screen pixels: a node is pinned
    /// where it is dropped, a group's boxes move with their routers.
    pub fn drag(&mut self, grab: &Grab, by: Point, t: &Topology) {
        let d = Point { x: by.x / self.view.scale, y: by.y / self.view.scale };
        let layout = &mut self.placement.layout;
        match grab {
            Grab::Map => return,
            Grab::Node(n) => {
                let Some(at) = layout.position(n) else { return };
                layout.pin(n, Point { x: at.x + d.x, y: at.y + d.y });
            }
            Grab::Group(g) => layout.move_group(g, d),
        }
        self.placement.reindex();
        self.groups.sync(&self.placement.layout, t, true);
    }

    /// Shows the whole network in a `width` × `height` map, as large as the
    /// map's text scale allows (a wall's map grows with its text).
    pub fn fit(&mut self, width: f64, height: f64) {
        if let Some(b) = self.placement.layout.bounds() {
            let ui = if self.ui > 0.0 { self.ui } else { 1.0 };
            self.view = Viewport::fit_within(b, width, height, 40.0, 1.5 * ui);
            self.fitted = true;
        }
    }

    /// Shows `node` (its group's tile, if collapsed) in the middle of a
    /// `width` × `height` map, close enough to read: the wall's pan-to.
    pub fn show(&mut self, node: &NodeId, width: f64, height: f64) {
        let tile = self.groups.tile_of(node.id()).filter(|_| matches!(node, NodeId::Router(_)));
        let Some(p) = tile.or_else(|| self.placement.positions.get(node).copied()) else { return };
        let ui = if self.ui > 0.0 { self.ui } else { 1.0 };
        let scale = self.view.scale.clamp(ui, 1.5 * ui);
        self.view = Viewport { scale, x: width / 2.0 - p.x * scale, y: height / 2.0 - p.y * scale };
        // A wall that just opened shows the problem, not the first fit.
        self.fitted = true;
    }

    /// Collapses or expands the group whose header or tile is under
    /// screen point `p`; returns whether there was one.
    pub fn toggle_group_at(&mut self, p: Point) -> bool {
        let Some(group) = self.groups.toggle_at(self.view.to_map(p)).map(str::to_owned) else { return false };
        self.groups.toggle(&group, &self.placement.layout);
        true
    }

    /// The keyboard's next node in the layout's order (see [`Keyboard::step`]).
    /// A collapsed group is one stop, its tile (at its first router).
    pub fn step(&self, delta: isize, wrap: bool) -> Option<NodeId> {
        if self.groups.collapsed.is_empty() {
            return self.keyboard.step(&self.placement.order, delta, wrap);
        }
        let stops: Vec<NodeId> = self
            .placement
            .order
            .iter()
            .filter(|n| match n {
                NodeId::Router(id) => self.groups.tile_of(id).is_none() || self.groups.tile_for(id).is_some(),
                NodeId::Controller(_) => true,
            })
            .cloned()
            .collect();
        self.keyboard.step(&stops, delta, wrap)
    }

    /// Collapses or opens a router's group (a collapsed group's stop:
    /// the tile's); what to announce.
    pub fn toggle_group_of(&mut self, n: &NodeId) -> Option<String> {
        let NodeId::Router(id) = n else { return None };
        let group = self.placement.layout.group(id)?.to_owned();
        self.groups.toggle(&group, &self.placement.layout);
        let shut = self.groups.collapsed.contains(&group);
        Some(format!("group {} {}", title(&group), if shut { "collapsed" } else { "opened" }))
    }

    /// What the keyboard's stop on a collapsed group's tile announces.
    pub fn describe_tile(&self, n: &NodeId) -> Option<String> {
        let group = self.groups.tile_for(n.id())?;
        let v = self.groups.views.iter().find(|v| v.region.group == group)?;
        Some(format!("group {}, collapsed: {}; Enter opens it", title(group), v.rollup.text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zitiscope_core::{ConnKind, Event, Store, Timestamp};

    fn topology(routers: &[&str]) -> Topology {
        let mut s = Store::new();
        for r in routers {
            s.apply(&Event::conn(Timestamp(1), ConnKind::RouterToCtrl, *r, "c1", true));
        }
        s.topology(Timestamp(3))
    }

    #[test]
    fn nodes_are_placed_in_the_layout_s_order_and_a_new_one_moves_nobody() {
        let mut m = MapState::default();
        m.sync(&topology(&["r1", "r2"]), 0.0);
        let ids: Vec<&str> = m.placement.order.iter().map(NodeId::id).collect();
        assert_eq!(ids, ["c1", "r1", "r2"]);
        let r1 = NodeId::Router("r1".into());
        let before = m.placement.positions[&r1];
        m.sync(&topology(&["r1", "r2", "r3"]), 10.0);
        assert_eq!(m.placement.order.len(), 4, "the new router is placed");
        assert_eq!(m.placement.positions[&r1], before, "and nobody moved");
        assert_eq!(m.step(-1, true).map(|n| n.id().to_owned()).as_deref(), Some("r3"));
    }

    #[test]
    fn a_collapsed_group_is_one_keyboard_stop_and_c_opens_it() {
        let mut m = MapState::default();
        m.sync(&topology(&["edge-1", "edge-2", "edge-3", "core-1"]), 0.0);
        let edge = NodeId::Router("edge-2".into());
        assert_eq!(m.toggle_group_of(&edge).as_deref(), Some("group edge collapsed"));
        let mut seen = Vec::new();
        m.keyboard.focus = None;
        while let Some(n) = m.step(1, false) {
            seen.push(n.id().to_owned());
            m.keyboard.focus = Some(n);
        }
        assert_eq!(seen, ["c1", "core-1", "edge-1"], "one stop for the collapsed group, at its first router");
        assert!(m
            .describe_tile(&NodeId::Router("edge-1".into()))
            .is_some_and(|d| d.contains("group edge, collapsed: 3")));
        assert_eq!(m.toggle_group_of(&edge).as_deref(), Some("group edge opened"));
    }

    #[test]
    fn a_link_is_found_under_the_pointer_where_it_is_drawn() {
        let mut t = topology(&["r1", "r2", "x1"]);
        t.edges.push(Edge {
            kind: EdgeKind::Link,
            a: NodeId::Router("r1".into()),
            b: NodeId::Router("r2".into()),
            up: true,
            link: Some("L1".into()),
            latency_ms: Some(12.0),
            jitter_ms: None,
            latency_stale: false,
        });
        let mut m = MapState::default();
        m.sync(&t, 0.0);
        let screen = |m: &MapState, id: &str| m.view.to_screen(m.placement.router_pos[id]);
        let (a, b) = (screen(&m, "r1"), screen(&m, "r2"));
        let mid = Point { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 + 3.0 };
        assert_eq!(m.link_at(mid, &t, 5.0).and_then(|e| e.link.as_deref()), Some("L1"));
        assert!(m.link_at(Point { x: mid.x, y: mid.y + 30.0 }, &t, 5.0).is_none(), "not near it");
        // Its group collapsed, both ends are at the tile: no line, nothing to hover.
        let group = m.placement.layout.group("r1").unwrap().to_owned();
        m.groups.toggle(&group, &m.placement.layout);
        assert!(m.link_at(mid, &t, 5.0).is_none());
        assert!(m.node_at(a, 14.0).is_none(), "a collapsed group's router cannot be clicked");
    }
}
