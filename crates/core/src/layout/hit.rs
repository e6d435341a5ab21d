//! Which node is under the pointer: a uniform grid over node positions, so
//! a lookup reads a few cells instead of every node (2,000 routers).

use super::{NodeId, Point};
use std::collections::HashMap;

/// See the module docs.
#[derive(Clone, Debug, Default)]
pub struct HitIndex {
    cell: f64,
    buckets: HashMap<(i64, i64), Vec<usize>>,
    nodes: Vec<(NodeId, Point)>,
}

impl HitIndex {
    /// Indexes `nodes` in square cells of `cell` map units (> 0).
    pub fn build(nodes: Vec<(NodeId, Point)>, cell: f64) -> Self {
        let cell = if cell > 0.0 { cell } else { 1.0 };
        let mut buckets: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        for (i, (_, p)) in nodes.iter().enumerate() {
            buckets.entry(key(*p, cell)).or_default().push(i);
        }
        HitIndex { cell, buckets, nodes }
    }

    /// The node nearest to `at` within `radius` (ties: the first indexed).
    pub fn hit(&self, at: Point, radius: f64) -> Option<&NodeId> {
        let (cx, cy) = key(at, self.cell);
        let reach = (radius / self.cell).ceil() as i64;
        let mut best: Option<(f64, usize)> = None;
        for dx in -reach..=reach {
            for dy in -reach..=reach {
                for &i in self.buckets.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                    let p = self.nodes[i].1;
                    let d2 = (p.x - at.x).powi(2) + (p.y - at.y).powi(2);
                    if d2 <= radius * radius && best.is_none_or(|(b, j)| (d2, i) < (b, j)) {
                        best = Some((d2, i));
                    }
                }
            }
        }
        best.map(|(_, i)| &self.nodes[i].0)
    }

    /// The indexed nodes, in the order given.
    pub fn nodes(&self) -> &[(NodeId, Point)] {
        &self.nodes
    }
}

/// How far `p` is from the segment `a`–`b` (a line under the pointer:
/// a link is hovered within a few pixels of it).
pub fn segment_distance(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    // Where along the segment the nearest point is, held to its ends.
    let t = if len2 > 0.0 { (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (p.x - (a.x + t * dx)).hypot(p.y - (a.y + t * dy))
}

fn key(p: Point, cell: f64) -> (i64, i64) {
    ((p.x / cell).floor() as i64, (p.y / cell).floor() as i64)
}
