//! Where names go: every node gets its name beside it when there is room,
//! and no two names (or a name and another node) ever overlap.
//!
//! The invariant: the rectangles [`place`] returns overlap neither each
//! other nor any other node's box, and lie inside the bounds. The rules:
//! - nodes are served in rank order (highest first: the caller ranks the
//!   troubled and the big above the rest, and the node in focus above all),
//!   ties in the order given, so the same input gives the same picture;
//! - each tries below, above, right, then left of its node, and takes the
//!   first spot that is free; a node with no free spot goes unnamed (its
//!   name is in the tooltip and the drawer), rather than covering another;
//! - a uniform grid over what is placed makes each test read a few cells,
//!   so thousands of nodes cost a few milliseconds, not a quadratic scan.
//!
//! Everything here is in screen pixels: labels keep their size as the map zooms.

use super::{Point, Rect};
use std::borrow::Cow;
use std::collections::HashMap;

/// A node that wants its name drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Want {
    /// The node's centre on screen.
    pub at: Point,
    /// The name's width in pixels.
    pub width: f64,
    /// Higher goes first.
    pub rank: u64,
}

/// The sizes [`place`] works with, in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelOptions {
    /// A name's height.
    pub height: f64,
    /// Between a node's box and its name.
    pub gap: f64,
    /// A node's box, relative to its centre (a router's pips above it included).
    pub node: Rect,
    /// Names stay inside this (the canvas).
    pub bounds: Rect,
}

/// The longest name drawn, in characters: a hostile or generated name of
/// thousands of characters must not cover the map.
pub const MAX_CHARS: usize = 24;

/// A name as drawn: at most [`MAX_CHARS`] characters, else cut with `…`.
pub fn short(name: &str) -> Cow<'_, str> {
    match name.char_indices().nth(MAX_CHARS) {
        None => Cow::Borrowed(name),
        Some(_) => {
            let cut: String = name.chars().take(MAX_CHARS - 1).collect();
            Cow::Owned(cut + "…")
        }
    }
}

/// Where each want's name goes (`None`: no room), in the wants' order.
pub fn place(wants: &[Want], o: &LabelOptions) -> Vec<Option<Rect>> {
    let mut grid = Grid::new((o.height * 2.0).max(24.0));
    let sane = |w: &Want| w.at.x.is_finite() && w.at.y.is_finite() && w.width.is_finite() && w.width >= 0.0;
    for (i, w) in wants.iter().enumerate().filter(|(_, w)| sane(w)) {
        grid.insert(offset(o.node, w.at), Some(i));
    }
    let mut order: Vec<usize> = (0..wants.len()).filter(|&i| sane(&wants[i])).collect();
    order.sort_by(|&a, &b| wants[b].rank.cmp(&wants[a].rank).then(a.cmp(&b)));
    let mut out = vec![None; wants.len()];
    for i in order {
        let w = wants[i];
        let spot = candidates(w, o).into_iter().find(|r| inside(r, &o.bounds) && grid.free(r, i));
        if let Some(r) = spot {
            grid.insert(r, None);
            out[i] = Some(r);
        }
    }
    out
}

/// Below, above, right, left: the spots a name may take, best first.
fn candidates(w: Want, o: &LabelOptions) -> [Rect; 4] {
    let (h, g, n) = (o.height, o.gap, o.node);
    let (x, y) = (w.at.x, w.at.y);
    [
        Rect { x: x - w.width / 2.0, y: y + n.y + n.h + g, w: w.width, h },
        Rect { x: x - w.width / 2.0, y: y + n.y - g - h, w: w.width, h },
        Rect { x: x + n.x + n.w + g, y: y - h / 2.0, w: w.width, h },
        Rect { x: x + n.x - g - w.width, y: y - h / 2.0, w: w.width, h },
    ]
}

fn offset(r: Rect, by: Point) -> Rect {
    Rect { x: r.x + by.x, y: r.y + by.y, ..r }
}

fn inside(r: &Rect, b: &Rect) -> bool {
    r.x >= b.x && r.y >= b.y && r.x + r.w <= b.x + b.w && r.y + r.h <= b.y + b.h
}

/// What is placed so far, bucketed by cell.
struct Grid {
    cell: f64,
    /// Each rectangle, with the node it is the box of (`None`: a name).
    items: Vec<(Rect, Option<usize>)>,
    buckets: HashMap<(i32, i32), Vec<u32>>,
}

impl Grid {
    fn new(cell: f64) -> Self {
        Grid { cell, items: Vec::new(), buckets: HashMap::new() }
    }

    /// The cells a rectangle covers (only finite rectangles inside the
    /// bounds, and nodes' small boxes, get here).
    fn cells(&self, r: &Rect) -> impl Iterator<Item = (i32, i32)> {
        let k = |v: f64| (v / self.cell).floor().clamp(-1e6, 1e6) as i32;
        let (x0, y0, x1, y1) = (k(r.x), k(r.y), k(r.x + r.w), k(r.y + r.h));
        (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
    }

    fn insert(&mut self, r: Rect, owner: Option<usize>) {
        let id = self.items.len() as u32;
        self.items.push((r, owner));
        for c in self.cells(&r).collect::<Vec<_>>() {
            self.buckets.entry(c).or_default().push(id);
        }
    }

    /// Whether `r` overlaps nothing but the box of node `me`.
    fn free(&self, r: &Rect, me: usize) -> bool {
        self.cells(r).all(|c| {
            self.buckets.get(&c).is_none_or(|ids| {
                ids.iter().all(|&id| {
                    let (other, owner) = &self.items[id as usize];
                    *owner == Some(me) || !other.overlaps(r)
                })
            })
        })
    }
}

#[cfg(test)]
mod tests;
