//! Where the nodes are: the core's layout (stable under churn), each
//! node's position (by node, and by id per kind for drawing), the
//! layout's order (the keyboard's), and the hit index.

use std::collections::HashMap;
use zitiscope_core::layout::hit::HitIndex;
use zitiscope_core::layout::{Layout, LayoutConfig, NodeId, Point};
use zitiscope_core::store::Topology;

/// The hit index's cell size, in map units (a layout slot).
const HIT_CELL: f64 = 48.0;

/// The nodes' places, in map units.
pub struct Placement {
    pub layout: Layout,
    pub positions: HashMap<NodeId, Point>,
    /// The same positions by id, per kind, for drawing (looked up by
    /// `&str`: no id is cloned while drawing).
    pub ctrl_pos: HashMap<String, Point>,
    pub router_pos: HashMap<String, Point>,
    /// The nodes in the layout's order.
    pub order: Vec<NodeId>,
    pub hit: HitIndex,
}

impl Default for Placement {
    fn default() -> Self {
        Placement {
            layout: Layout::new(LayoutConfig::default()),
            positions: HashMap::new(),
            ctrl_pos: HashMap::new(),
            router_pos: HashMap::new(),
            order: Vec::new(),
            hit: HitIndex::default(),
        }
    }
}

impl Placement {
    /// Whether no node is placed yet.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Places the nodes of `t`: new ones get a slot, gone ones leave
    /// theirs, nobody else moves; and re-indexes them.
    pub fn sync(&mut self, t: &Topology) {
        self.layout.sync(t.controllers.iter().map(|c| c.id.as_str()), t.groups());
        self.reindex();
    }

    /// Reads every node's position from the layout again (after a pin or
    /// a group's move) and re-indexes them.
    pub fn reindex(&mut self) {
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
        self.hit = HitIndex::build(nodes, HIT_CELL);
    }
}
