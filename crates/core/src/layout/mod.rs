//! The topology map's layout: layered, deterministic and stable under churn.
//!
//! - Controllers form the top row, centred over the routers; routers sit
//!   below, each group in a box of its own (a labelled region on the map).
//!   The caller names each router's group (the topology's
//!   [`crate::store::Topology::groups`]: a role attribute when the network
//!   has them, else the name without a trailing number, [`group_of`]:
//!   `edge-eu-12` → `edge-eu`; names with no such pattern share one group).
//! - Boxes are packed left to right in shelves as wide as a 1.6 : 1 picture
//!   of the first routers needs (`shelves.rs`), so a thousand routers make a
//!   block that fills a screen, not a strip.
//! - **Stable**: a node keeps its place for as long as it exists. Only new
//!   nodes are placed, into the lowest free slot of their group (or their
//!   old slot, if they come back and it is still free). A box's size is
//!   fixed when it is made; a group that outgrows its boxes gets another
//!   box after the last one, and so no growth anywhere moves anything else.
//! - **Deterministic**: new nodes are placed in sorted order, so the same
//!   sequence of node sets gives the same picture, and a fresh layout of a
//!   set always looks the same.
//! - [`hit`]: the spatial index that finds the node under a pointer;
//! - **Pinned**: a node pinned by hand is where its pin says, and a group
//!   moved by hand has its boxes moved by that much ([`pins`]); churn
//!   never moves either.
//! - [`labels`]: where names go without overlapping;
//! - [`viewport`]: pan and zoom.

pub mod hit;
pub mod labels;
pub mod pins;
mod rect;
mod shelves;
mod slots;
pub mod viewport;

use pins::{Pinned, Pins};
pub use rect::Rect;
use shelves::Shelves;
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
    /// A router's cell: wide enough for a name under it (`edge-eu-12`), tall
    /// enough for the name and the pips above the next row.
    pub cell_x: f64,
    pub cell_y: f64,
    /// Between controllers.
    pub controller_gap: f64,
    /// From the controller row to the first box.
    pub tier_gap: f64,
    /// Between boxes.
    pub group_gap: f64,
    /// A box's header strip, above its first row: the group's name and counts.
    pub header: f64,
    /// The width:height the whole picture aims for.
    pub aspect: f64,
}

impl Default for LayoutConfig {
    fn default() -> Self {
        LayoutConfig {
            cell_x: 96.0,
            cell_y: 64.0,
            controller_gap: 160.0,
            tier_gap: 96.0,
            group_gap: 48.0,
            header: 28.0,
            aspect: 1.6,
        }
    }
}

/// One box of a group: `cols` × `rows` cells holding the group's slots
/// from `first` on.
#[derive(Clone, Debug)]
struct GroupBox {
    rect: Rect,
    cols: usize,
    first: usize,
    cap: usize,
}

/// A group of routers and its boxes.
#[derive(Clone, Debug)]
struct Group {
    cols: usize,
    slots: Slots,
    boxes: Vec<GroupBox>,
}

impl Group {
    fn capacity(&self) -> usize {
        self.boxes.iter().map(|b| b.cap).sum()
    }

    /// The box holding `slot`, and the slot's cell in it.
    fn cell(&self, slot: usize) -> Option<(&GroupBox, usize, usize)> {
        let b = self.boxes.iter().find(|b| slot >= b.first && slot < b.first + b.cap)?;
        let i = slot - b.first;
        Some((b, i % b.cols, i / b.cols))
    }
}

/// A group's box on the map, for drawing its region and hit-testing it.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    /// The group's key (`""`: the routers with no group).
    pub group: String,
    /// The box, header strip included, in map units.
    pub rect: Rect,
    /// Its header strip (where the name is drawn and a click collapses it).
    pub header: Rect,
    /// The group's first box (later ones hold the routers it grew by).
    pub first: bool,
}

/// See the module docs.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    cfg: LayoutConfig,
    controllers: Option<Slots>,
    /// Where the controller row starts (fixed at the first sync with routers).
    ctrl_x0: Option<f64>,
    groups: BTreeMap<String, Group>,
    shelves: Shelves,
    /// Router id → its group's key.
    router_group: HashMap<String, String>,
    pinned: Pinned,
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

        let cs = self.controllers.get_or_insert_with(Slots::new);
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
        if self.shelves.width.is_none() && !new_by_group.is_empty() {
            self.fix_width(&new_by_group, ctrls.len());
        }
        // Controllers before any router: they start at the left, and stay.
        if self.ctrl_x0.is_none() && !ctrls.is_empty() {
            self.ctrl_x0 = Some(0.0);
        }
        let cfg = self.cfg;
        for (key, members) in new_by_group {
            let group = self.groups.entry(key.to_owned()).or_insert_with(|| Group {
                cols: box_cols(members.len(), &cfg),
                slots: Slots::new(),
                boxes: Vec::new(),
            });
            for r in members {
                group.slots.place(r);
                self.router_group.insert(r.to_owned(), key.to_owned());
            }
            // Outgrown (or new): one more box after the last one, sized for
            // what does not fit, and a quarter more so that slow growth does
            // not make a box a router.
            let (used, cap) = (group.slots.span(), group.capacity());
            if used > cap {
                let want = (used - cap).max(cap / 4);
                let rows = want.div_ceil(group.cols);
                let rect = self.shelves.place(
                    group.cols as f64 * cfg.cell_x,
                    cfg.header + rows as f64 * cfg.cell_y,
                    cfg.group_gap,
                );
                let rect = Rect { y: rect.y + cfg.tier_gap, ..rect };
                group.boxes.push(GroupBox { rect, cols: group.cols, first: cap, cap: rows * group.cols });
            }
        }
    }

    /// Fixes the shelves' width from the first routers: of the widths that
    /// end a shelf after the first k boxes, the one whose packed picture
    /// is nearest the aspect the config aims at (never narrower than the
    /// controller row); and centres the controllers over it.
    fn fix_width(&mut self, groups: &BTreeMap<&str, Vec<&str>>, controllers: usize) {
        let c = self.cfg;
        let boxes: Vec<(f64, f64)> = groups
            .values()
            .map(|m| {
                let cols = box_cols(m.len(), &c);
                (cols as f64 * c.cell_x, c.header + m.len().div_ceil(cols) as f64 * c.cell_y)
            })
            .collect();
        let row = controllers.saturating_sub(1) as f64 * c.controller_gap;
        let width = Shelves::fit_width(&boxes, c.group_gap, c.aspect, c.tier_gap).max(row);
        self.shelves.width = Some(width);
        self.ctrl_x0.get_or_insert((width - row) / 2.0);
    }

    /// Where a node is: its pin, else its slot (in its group's box, moved
    /// with its group).
    pub fn position(&self, node: &NodeId) -> Option<Point> {
        let slot = self.slot_position(node)?;
        Some(self.pinned.nodes.get(node).copied().unwrap_or(slot))
    }

    /// Where a node's slot is (its group's move included, its own pin not).
    fn slot_position(&self, node: &NodeId) -> Option<Point> {
        match node {
            NodeId::Controller(id) => {
                let slot = self.controllers.as_ref()?.slot(id)?;
                Some(Point { x: self.ctrl_x0.unwrap_or(0.0) + slot as f64 * self.cfg.controller_gap, y: 0.0 })
            }
            NodeId::Router(id) => {
                let group = self.groups.get(self.router_group.get(id)?)?;
                let (b, col, row) = group.cell(group.slots.slot(id)?)?;
                let by = self.group_move(self.router_group.get(id)?);
                Some(Point {
                    x: b.rect.x + by.x + (col as f64 + 0.5) * self.cfg.cell_x,
                    y: b.rect.y + by.y + self.cfg.header + (row as f64 + 0.5) * self.cfg.cell_y,
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
            for (_, r) in sorted_members(group) {
                let node = NodeId::Router(r.to_owned());
                let p = self.position(&node).expect("placed");
                out.push((node, p));
            }
        }
        out
    }

    /// Every group's boxes, groups in key order.
    pub fn regions(&self) -> Vec<Region> {
        let h = self.cfg.header;
        let mut out = Vec::with_capacity(self.groups.len());
        for (key, g) in self.groups.iter().filter(|(_, g)| g.slots.len() > 0) {
            let by = self.group_move(key);
            for (i, b) in g.boxes.iter().enumerate() {
                let rect = Rect { x: b.rect.x + by.x, y: b.rect.y + by.y, ..b.rect };
                let header = Rect { h, ..rect };
                out.push(Region { group: key.clone(), rect, header, first: i == 0 });
            }
        }
        out
    }

    /// How far a group was moved by hand.
    fn group_move(&self, group: &str) -> Point {
        self.pinned.groups.get(group).copied().unwrap_or(Point { x: 0.0, y: 0.0 })
    }

    /// Pins `node` at `at` (map units).
    pub fn pin(&mut self, node: &NodeId, at: Point) {
        self.pinned.nodes.insert(node.clone(), at);
    }

    /// Moves `group`'s boxes, and its routers that are not pinned, by `by`.
    pub fn move_group(&mut self, group: &str, by: Point) {
        let m = self.pinned.groups.entry(group.to_owned()).or_insert(Point { x: 0.0, y: 0.0 });
        m.x += by.x;
        m.y += by.y;
    }

    /// The pins and moves, as a layout file holds them.
    pub fn pins(&self) -> Pins {
        self.pinned.to_pins()
    }

    /// Replaces the pins and moves (an import, a reload; empty: the reset).
    pub fn set_pins(&mut self, pins: &Pins) {
        self.pinned = Pinned::of(pins);
    }

    /// The group a router is placed in.
    pub fn group(&self, router: &str) -> Option<&str> {
        self.router_group.get(router).map(String::as_str)
    }

    /// A group's routers, in no particular order (cheaper than [`Self::members`]).
    pub fn members_any_order(&self, group: &str) -> impl Iterator<Item = &str> {
        self.groups.get(group).into_iter().flat_map(|g| g.slots.ids())
    }

    /// A group's routers, in slot order.
    pub fn members(&self, group: &str) -> Vec<&str> {
        self.groups.get(group).map(|g| sorted_members(g).into_iter().map(|(_, r)| r).collect()).unwrap_or_default()
    }

    /// How many nodes are placed.
    pub fn len(&self) -> usize {
        self.controllers.as_ref().map_or(0, Slots::len) + self.router_group.len()
    }

    /// Whether nothing is placed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The smallest rectangle holding every node and every group's box:
    /// `(min, max)`.
    pub fn bounds(&self) -> Option<(Point, Point)> {
        let nodes = self.nodes();
        let first = nodes.first()?.1;
        let corners = self.regions().into_iter().flat_map(|r| {
            [Point { x: r.rect.x, y: r.rect.y }, Point { x: r.rect.x + r.rect.w, y: r.rect.y + r.rect.h }]
        });
        Some(nodes.iter().map(|(_, p)| *p).chain(corners).fold((first, first), |(lo, hi), p| {
            (Point { x: lo.x.min(p.x), y: lo.y.min(p.y) }, Point { x: hi.x.max(p.x), y: hi.y.max(p.y) })
        }))
    }
}

/// How many columns a group born with `n` routers gets: a box a little
/// wider than tall (names are wider than they are tall).
fn box_cols(n: usize, c: &LayoutConfig) -> usize {
    ((n.max(1) as f64 * 1.2 * c.cell_y / c.cell_x).sqrt().ceil() as usize).max(1)
}

/// A group's routers with their slots, in slot order.
fn sorted_members(g: &Group) -> Vec<(usize, &str)> {
    let mut ids: Vec<(usize, &str)> = g.slots.ids().map(|r| (g.slots.slot(r).unwrap_or(0), r)).collect();
    ids.sort();
    ids
}

#[cfg(test)]
mod tests;
