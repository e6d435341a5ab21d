//! Names on the map: which nodes get their name drawn, and where, is the
//! core's label placement (`zitiscope_core::layout::labels`): the nodes in
//! focus first, then the troubled, then the big; no two names overlap, and
//! a node without room goes unnamed (its name is in its tooltip). Identity
//! badges are drawn under the names when zoomed in far enough.

use super::draw::{badge, badge_offset, badges_shown, radius, Frame};
use zitiscope_core::layout::labels::{place, short, LabelOptions, Want};
use zitiscope_core::layout::{NodeId, Point, Rect};
use zitiscope_core::store::Health;

/// The names' font size (times the frame's text scale): monospace, so a
/// name's width is its length times one character's advance (0.6 em in
/// the common monospace fonts; a little over, so that names never touch).
const FONT_PX: f64 = 12.0;
const CHAR_EM: f64 = 0.62;
const HEIGHT_EM: f64 = 1.17;

/// A node's rank for a name: focus, then trouble, then controllers, then size.
fn rank(f: &Frame, node: &NodeId, health: Health, identities: u32) -> u64 {
    let focused = [f.selected, f.hover, f.focus].into_iter().flatten().any(|n| n == node);
    let trouble = match health {
        Health::Down => 3,
        Health::Degraded => 2,
        Health::Unknown => 1,
        Health::Ok => 0,
    };
    let ctrl = matches!(node, NodeId::Controller(_)) as u64;
    (focused as u64) << 40 | trouble << 36 | ctrl << 32 | u64::from(identities)
}

/// Places and draws the names; returns the names drawn, with their nodes'
/// places on screen, when `report` is set (the app's test hook), else nothing.
pub(super) fn draw(f: &Frame, report: bool) -> Vec<(String, Point)> {
    let ctx = f.ctx;
    let px = FONT_PX * f.ui;
    ctx.set_font(&format!("{px:.1}px ui-monospace, Menlo, Consolas, monospace"));
    let r = radius(f.view.scale);
    let mut nodes: Vec<(NodeId, Point, std::borrow::Cow<str>, u64)> = Vec::new();
    for c in f.topology.controllers.iter().filter(|c| f.shows_controller(&c.id)) {
        let Some(p) = f.controllers.get(&c.id).map(|p| f.view.to_screen(*p)) else { continue };
        let node = NodeId::Controller(c.id.clone());
        let rank = rank(f, &node, c.health, c.rest_only);
        nodes.push((node, p, short(&c.name), rank));
    }
    // Far out (a thousand routers on a screen), a healthy router's name
    // has no room anyway: only the troubled and the focused are tried, so
    // a frame does not place ten thousand names to draw none (the healthy
    // dots are then no obstacle: a name may cover dots, never a name).
    let crowded = super::draw::CELL * f.view.scale < 40.0;
    for rt in f.topology.routers.iter().filter(|rt| f.shows_router(&rt.id)) {
        if crowded
            && rt.health == Health::Ok
            && ![f.selected, f.hover, f.focus].into_iter().flatten().any(|n| n.id() == rt.id)
        {
            continue;
        }
        let Some(p) = f.routers.get(&rt.id).map(|p| f.view.to_screen(*p)) else { continue };
        if !super::draw::on_screen(f, p, 0.0) {
            continue;
        }
        let node = NodeId::Router(rt.id.clone());
        let size = rt.identities.online + rt.identities.offline;
        let rank = rank(f, &node, rt.health, size);
        nodes.push((node, p, short(&rt.name), rank));
    }
    let wants: Vec<Want> = nodes
        .iter()
        .map(|(_, p, name, rank)| Want { at: *p, width: name.chars().count() as f64 * CHAR_EM * px, rank: *rank })
        .collect();
    // A router's box: its disc (a controller's square is larger), and the
    // pips above it.
    let half = (r * 1.4).max(9.0);
    let opts = LabelOptions {
        height: HEIGHT_EM * px,
        gap: 2.0,
        node: Rect { x: -half, y: -half - 7.0, w: 2.0 * half, h: 2.0 * half + 7.0 },
        bounds: Rect { x: 0.0, y: 0.0, w: f.width, h: f.height },
    };
    let placed = place(&wants, &opts);
    ctx.set_text_align("center");
    ctx.set_text_baseline("middle");
    ctx.set_fill_style_str(f.palette.text);
    let mut drawn = Vec::new();
    for ((_, p, name, _), spot) in nodes.iter().zip(&placed) {
        if let Some(at) = spot {
            let _ = ctx.fill_text(name, at.x + at.w / 2.0, at.y + at.h / 2.0);
            if report {
                drawn.push((name.to_string(), *p));
            }
        }
    }
    ctx.set_text_baseline("alphabetic");
    badges(f, &nodes.iter().map(|(n, p, _, _)| (n, *p)).collect::<Vec<_>>());
    ctx.set_text_align("start");
    drawn
}

/// Identity badges under the nodes: every node's when zoomed in far enough
/// (there is room under its name then), else the nodes in focus only.
fn badges(f: &Frame, nodes: &[(&NodeId, Point)]) {
    let ctx = f.ctx;
    ctx.set_fill_style_str(f.palette.muted);
    let y = badge_offset(f.view.scale) + 4.0;
    let one = |node: &NodeId, p: Point| {
        if let Some(b) = badge(f.topology, node) {
            let _ = ctx.fill_text(&b, p.x, p.y + y);
        }
    };
    // Every badge only at a desk's text size: badges are for clicking,
    // and a wall's larger names leave them no room.
    if badges_shown(f.view.scale) && f.ui <= 1.0 {
        nodes.iter().for_each(|(n, p)| one(n, *p));
    } else {
        for n in [f.selected, f.hover, f.focus].into_iter().flatten() {
            if let Some((_, p)) = nodes.iter().find(|(m, _)| *m == n) {
                one(n, *p);
            }
        }
    }
}
