//! The topology map's layout: layered, deterministic and stable under churn.
//!
//! - Controllers form the top row; routers sit below, in groups side by
//!   side. The caller names each router's group (the topology's
//!   [`crate::store::Topology::groups`]: a role attribute when the network
//!   has them, else the name without a trailing number, [`group_of`]:
//!   `edge-eu-12` → `edge-eu`; names with no such pattern share one group).
//! - **Stable**: a node keeps its place for as long as it exists. Only new
//!   nodes are placed, into the lowest free slot of their group's grid (or
//!   their old slot, if they come back and it is still free). A group's
//!   width is fixed when the group is created (from how many nodes it and
//!   the groups created with it start with, aiming at a 1.6 : 1 picture),
//!   and groups are added to the right, so no growth anywhere moves
//!   anything else.
//! - **Deterministic**: new nodes are placed in sorted order, so the same
//!   sequence of node sets gives the same picture, and a fresh layout of a
//!   set always looks the same.
//! - [`hit`]: the spatial index that finds the node under a pointer;
//! - [`viewport`]: pan and zoom.

pub mod hit;
mod slots;
pub mod viewport;

use slots::Slots;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A node of the map.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum NodeId {
    Controller(String),
    Router(String),
}

impl NodeId {
    /// The entity id.
    pub fn id(&self) -> &str {
        match self {
            NodeId::Controller(id) | NodeId::Router(id) => id,
        }
    }

    /// `controller` or `router`.
    pub fn kind(&self) -> &'static str {
        match self {
            NodeId::Controller(_) => "controller",
            NodeId::Router(_) => "router",
        }
    }

    /// The URL form, `router:<id>` or `controller:<id>` (the map's `?node=`).
    pub fn to_param(&self) -> String {
        format!("{}:{}", self.kind(), self.id())
    }

    /// Reads [`NodeId::to_param`]'s form.
    pub fn from_param(s: &str) -> Option<NodeId> {
        let (kind, id) = s.split_once(':')?;
        if id.is_empty() {
            return None;
        }
        match kind {
            "router" => Some(NodeId::Router(id.to_owned())),
            "controller" => Some(NodeId::Controller(id.to_owned())),
            _ => None,
        }
    }
}

/// A position in map units (one unit ≈ one CSS pixel at zoom 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Spacing, in map units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayoutConfig {
    /// Between router columns and rows.
    pub cell: f64,
    /// Between controllers.
    pub controller_gap: f64,
    /// From the controller row to the first router row.
    pub tier_gap: f64,
    /// Between groups.
    pub group_gap: f64,
    /// The width:height a new group aims for.
    pub aspect: f64,
}

impl Default for LayoutConfig {
    fn default() -> Self {
        LayoutConfig { cell: 48.0, controller_gap: 160.0, tier_gap: 160.0, group_gap: 96.0, aspect: 1.6 }
    }
}

/// A group of routers and where it sits.
#[derive(Clone, Debug)]
struct Group {
    x0: f64,
    slots: Slots,
}

/// See the module docs.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    cfg: LayoutConfig,
    controllers: Option<Slots>,
    groups: BTreeMap<String, Group>,
    /// Where the next group starts.
    next_x: f64,
    /// Router id → its group's key.
    router_group: HashMap<String, String>,
}

/// A router's group key: its id without a trailing `-<digits>` or digits.
pub fn group_of(id: &str) -> &str {
    let trimmed = id.trim_end_matches(|c: char| c.is_ascii_digit());
    if trimmed.len() == id.len() || trimmed.is_empty() {
        return "";
    }
    trimmed.trim_end_matches(['-', '_', '.'])
}

impl Layout {
    /// An empty layout.
    pub fn new(cfg: LayoutConfig) -> Self {
        Layout { cfg, ..Default::default() }
    }

    /// Brings the layout to exactly these nodes, routers given as (id,
    /// group): the ones that left are removed, new ones are placed in their
    /// group; nobody else moves (a router keeps its group while it exists).
    pub fn sync<'a>(
        &mut self,
        controllers: impl IntoIterator<Item = &'a str>,
        routers: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) {
        let ctrls: BTreeSet<&str> = controllers.into_iter().collect();
        let routers: BTreeMap<&str, &str> = routers.into_iter().collect();

        let cs = self.controllers.get_or_insert_with(|| Slots::new(usize::MAX));
        let gone: Vec<String> = cs.ids().filter(|c| !ctrls.contains(c)).map(str::to_owned).collect();
        for c in &gone {
            cs.remove(c);
        }
        for c in &ctrls {
            cs.place(c);
        }

        let gone: Vec<String> =
            self.router_group.keys().filter(|r| !routers.contains_key(r.as_str())).cloned().collect();
        for r in gone {
            if let Some(key) = self.router_group.remove(&r) {
                if let Some(g) = self.groups.get_mut(&key) {
                    g.slots.remove(&r);
                }
            }
        }
        // New routers by group, in sorted order (BTreeMap iteration).
        let mut new_by_group: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (r, group) in routers.iter().filter(|(r, _)| !self.router_group.contains_key(**r)) {
            new_by_group.entry(group).or_default().push(r);
        }
        // Groups born together share the picture: k groups side by side,
        // each c columns wide and n/c rows tall, make a k·c : n/c picture,
        // so c = √(aspect · n / k) gives the whole the target aspect.
        let born = new_by_group.keys().filter(|k| !self.groups.contains_key(**k)).count().max(1) as f64;
        for (key, members) in new_by_group {
            if !self.groups.contains_key(key) {
                let cols = ((members.len() as f64 * self.cfg.aspect / born).sqrt().ceil() as usize).max(4);
                let group = Group { x0: self.next_x, slots: Slots::new(cols) };
                self.next_x += cols as f64 * self.cfg.cell + self.cfg.group_gap;
                self.groups.insert(key.to_owned(), group);
            }
            let group = self.groups.get_mut(key).expect("created above");
            for r in members {
                group.slots.place(r);
                self.router_group.insert(r.to_owned(), key.to_owned());
            }
        }
    }

    /// Where a node is.
    pub fn position(&self, node: &NodeId) -> Option<Point> {
        match node {
            NodeId::Controller(id) => {
                let slot = self.controllers.as_ref()?.slot(id)?;
                Some(Point { x: slot as f64 * self.cfg.controller_gap, y: 0.0 })
            }
            NodeId::Router(id) => {
                let group = self.groups.get(self.router_group.get(id)?)?;
                let (col, row) = group.slots.cell(group.slots.slot(id)?);
                Some(Point {
                    x: group.x0 + col as f64 * self.cfg.cell,
                    y: self.cfg.tier_gap + row as f64 * self.cfg.cell,
                })
            }
        }
    }

    /// Every node and its position, controllers first, then routers by
    /// group and slot (a stable order, for drawing and keyboard focus).
    pub fn nodes(&self) -> Vec<(NodeId, Point)> {
        let mut out = Vec::with_capacity(self.router_group.len() + 8);
        if let Some(cs) = &self.controllers {
            let mut ids: Vec<(usize, &str)> = cs.ids().map(|c| (cs.slot(c).unwrap_or(0), c)).collect();
            ids.sort();
            for (_, c) in ids {
                let node = NodeId::Controller(c.to_owned());
                let p = self.position(&node).expect("placed");
                out.push((node, p));
            }
        }
        for group in self.groups.values() {
            let mut ids: Vec<(usize, &str)> =
                group.slots.ids().map(|r| (group.slots.slot(r).unwrap_or(0), r)).collect();
            ids.sort();
            for (_, r) in ids {
                let node = NodeId::Router(r.to_owned());
                let p = self.position(&node).expect("placed");
                out.push((node, p));
            }
        }
        out
    }

    /// How many nodes are placed.
    pub fn len(&self) -> usize {
        self.controllers.as_ref().map_or(0, Slots::len) + self.router_group.len()
    }

    /// Whether nothing is placed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The smallest rectangle holding every node: `(min, max)`.
    pub fn bounds(&self) -> Option<(Point, Point)> {
        let nodes = self.nodes();
        let first = nodes.first()?.1;
        Some(nodes.iter().fold((first, first), |(lo, hi), (_, p)| {
            (Point { x: lo.x.min(p.x), y: lo.y.min(p.y) }, Point { x: hi.x.max(p.x), y: hi.y.max(p.y) })
        }))
    }
}

#[cfg(test)]
mod tests;
