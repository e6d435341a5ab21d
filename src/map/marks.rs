//! What the map marks for an unattended wall, over the nodes: a blinking
//! ring on a node that calls for attention (a firing alert neither acked
//! nor silenced: the core's `alerts::attention`), a check mark on one whose
//! problems are all acked, and a small diamond on a router whose state
//! changed in the last half hour (`RouterNode::changed_lately`), and a
//! steady dashed ring on a node in a maintenance window (whose alerts call
//! nobody; the legend names it). A collapsed group's tile carries its members'
//! marks.

use super::draw::{node_half, on_screen, Frame};
use std::collections::BTreeMap;
use zitiscope_core::alerts::attention::Attention;
use zitiscope_core::layout::{NodeId, Point};

/// A blink's period, in ms: on for the first part, off for the rest.
pub const BLINK_MS: f64 = 1_000.0;

/// The marks of one place on the map (a node, or a tile for its members).
#[derive(Default, Clone, Copy)]
struct Marks {
    calls: bool,
    acked: bool,
    changed: bool,
    maintenance: bool,
}

/// Draws the marks at the nodes' places as `at` gives them (the frame's:
/// a hidden node has none, a collapsed group's router is at its tile);
/// returns whether something blinks (the map then redraws at the blink's pace).
pub(super) fn draw(f: &Frame, at: &dyn Fn(&NodeId) -> Option<Point>) -> bool {
    // One entry a place on screen: a tile gathers its members' marks.
    let mut places: BTreeMap<(i64, i64), (Point, Marks, bool)> = BTreeMap::new();
    let mut mark = |n: &NodeId, m: &dyn Fn(&mut Marks)| {
        let Some(p) = at(n) else { return };
        let tile = matches!(n, NodeId::Router(id) if f.groups.tile_of(id).is_some());
        let e = places.entry((p.x.round() as i64, p.y.round() as i64)).or_insert((p, Marks::default(), tile));
        m(&mut e.1);
    };
    for (node, a) in f.attention {
        mark(node, &|m| match a {
            Attention::Calls(_) => m.calls = true,
            Attention::Acked => m.acked = true,
        });
    }
    for n in f.maintenance {
        mark(n, &|m| m.maintenance = true);
    }
    for r in f.topology.routers.iter().filter(|r| r.changed_lately(f.at)) {
        mark(&NodeId::Router(r.id.clone()), &|m| m.changed = true);
    }
    let ctx = f.ctx;
    let half = node_half(f.view.scale);
    let on = f.still || (f.now % BLINK_MS) < BLINK_MS * 0.6;
    let mut blinking = false;
    for (s, m, tile) in places.values() {
        if !on_screen(f, *s, 60.0) {
            continue;
        }
        // A tile's marks sit at its centre, bigger.
        let k = if *tile { 2.0 } else { 1.0 };
        if m.calls {
            blinking = true;
            if on {
                ctx.begin_path();
                let _ = ctx.arc(s.x, s.y, (half + 7.0) * k, 0.0, std::f64::consts::TAU);
                ctx.set_stroke_style_str(f.palette.down);
                ctx.set_line_width(if f.still { 4.0 } else { 3.0 });
                ctx.stroke();
            }
        } else if m.acked {
            ctx.set_font(&format!("bold {:.0}px sans-serif", 12.0 * k * f.ui));
            ctx.set_fill_style_str(f.palette.info);
            let _ = ctx.fill_text("✓", s.x - half * k - 10.0 * k, s.y - half * k);
        }
        if m.maintenance {
            // Dashed and steady: planned, not an emergency.
            ctx.begin_path();
            let _ = ctx.arc(s.x, s.y, (half + 4.0) * k, 0.0, std::f64::consts::TAU);
            let dash = js_sys::Array::of2(&4.0.into(), &3.0.into());
            let _ = ctx.set_line_dash(&dash);
            ctx.set_stroke_style_str(f.palette.info);
            ctx.set_line_width(2.0);
            ctx.stroke();
            let _ = ctx.set_line_dash(&js_sys::Array::new());
        }
        if m.changed {
            let (x, y, d) = (s.x + half * k + 2.0, s.y - half * k - 2.0, 4.0 * k);
            ctx.begin_path();
            ctx.move_to(x, y - d);
            ctx.line_to(x + d, y);
            ctx.line_to(x, y + d);
            ctx.line_to(x - d, y);
            ctx.close_path();
            ctx.set_fill_style_str(f.palette.info);
            ctx.fill();
        }
    }
    blinking && !f.still
}
