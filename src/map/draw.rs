//! Drawing the map on a 2D canvas: edges first (one path per style, so
//! thousands of edges cost a handful of strokes), then nodes, then labels
//! when the zoom leaves room for them. Every status is a colour *and* a
//! shape: a solid disc is ok, a half disc degraded, a ring unknown, a cross
//! down. Text drawn on a canvas is never parsed as HTML.

use std::collections::HashMap;
use web_sys::CanvasRenderingContext2d as Ctx;
use zitiscope_core::layout::viewport::Viewport;
use zitiscope_core::layout::{NodeId, Point};
use zitiscope_core::store::{EdgeKind, Health, Role, Topology};

/// The palette (the CSS theme's colours).
const UP: &str = "#3fb950";
const DOWN: &str = "#f85149";
const WARN: &str = "#d29922";
const MUTED: &str = "#8b949e";
const INFO: &str = "#58a6ff";
const TEXT: &str = "#e6edf3";
const BG: &str = "#0d1117";

/// Router radius in map units; controllers are squares of twice it.
pub const RADIUS: f64 = 8.0;

fn health_colour(h: Health) -> &'static str {
    match h {
        Health::Ok => UP,
        Health::Degraded => WARN,
        Health::Unknown => MUTED,
        Health::Down => DOWN,
    }
}

/// What a frame needs.
pub struct Frame<'a> {
    pub ctx: &'a Ctx,
    pub width: f64,
    pub height: f64,
    pub view: Viewport,
    pub positions: &'a HashMap<NodeId, Point>,
    pub topology: &'a Topology,
    pub selected: Option<&'a NodeId>,
    pub hover: Option<&'a NodeId>,
}

/// Draws one frame.
pub fn frame(f: &Frame) {
    let ctx = f.ctx;
    ctx.set_fill_style_str(BG);
    ctx.fill_rect(0.0, 0.0, f.width, f.height);
    let at = |n: &NodeId| f.positions.get(n).map(|p| f.view.to_screen(*p));
    edges(f, &at);
    nodes(f, &at);
    labels(f, &at);
}

fn edges(f: &Frame, at: &dyn Fn(&NodeId) -> Option<Point>) {
    let ctx = f.ctx;
    // (kind, up) → one path each.
    // Zoomed out, healthy links fade so that nodes and failures stand out.
    let (link_up, link_width) =
        if f.view.scale >= 0.35 { ("rgba(63,185,80,0.7)", 1.5) } else { ("rgba(63,185,80,0.12)", 0.75) };
    let styles: [(EdgeKind, bool, &str, f64, bool); 6] = [
        (EdgeKind::Control, true, "rgba(139,148,158,0.25)", 1.0, false),
        (EdgeKind::Control, false, "rgba(248,81,73,0.6)", 1.0, true),
        (EdgeKind::Peer, true, INFO, 2.0, false),
        (EdgeKind::Peer, false, DOWN, 2.0, true),
        (EdgeKind::Link, true, link_up, link_width, false),
        (EdgeKind::Link, false, DOWN, 1.5, true),
    ];
    // Every router has a control channel to every controller: zoomed out,
    // that fan hides everything else, and node colours already say whether
    // a router reaches its controllers. So it is drawn only zoomed in, or
    // for the selected and hovered node.
    let fan = f.view.scale >= 0.35;
    let focused =
        |e: &zitiscope_core::store::Edge| [f.selected, f.hover].into_iter().flatten().any(|n| e.a == *n || e.b == *n);
    for (kind, up, colour, width, dashed) in styles {
        ctx.begin_path();
        let mut any = false;
        let shown = |e: &&zitiscope_core::store::Edge| {
            e.kind == kind && e.up == up && (kind != EdgeKind::Control || fan || focused(e))
        };
        for e in f.topology.edges.iter().filter(shown) {
            if let (Some(a), Some(b)) = (at(&e.a), at(&e.b)) {
                ctx.move_to(a.x, a.y);
                ctx.line_to(b.x, b.y);
                any = true;
            }
        }
        if any {
            ctx.set_stroke_style_str(colour);
            ctx.set_line_width(width);
            let dash = if dashed { vec![6.0, 4.0] } else { Vec::new() };
            let _ = ctx.set_line_dash(&dash_array(&dash));
            ctx.stroke();
        }
    }
    let _ = ctx.set_line_dash(&dash_array(&[]));
}

/// A JS array of numbers for `setLineDash`.
fn dash_array(values: &[f64]) -> wasm_bindgen::JsValue {
    let arr = js_sys::Array::new();
    for v in values {
        arr.push(&wasm_bindgen::JsValue::from_f64(*v));
    }
    arr.into()
}

fn nodes(f: &Frame, at: &dyn Fn(&NodeId) -> Option<Point>) {
    let ctx = f.ctx;
    let r = (RADIUS * f.view.scale).clamp(2.0, 14.0);
    for c in &f.topology.controllers {
        let node = NodeId::Controller(c.id.clone());
        let Some(p) = at(&node) else { continue };
        if !on_screen(f, p, r * 2.0) {
            continue;
        }
        shape(ctx, p, r * 1.4, c.health, true);
        if c.role == Role::Leader {
            ctx.set_fill_style_str(TEXT);
            ctx.set_font(&format!("{}px sans-serif", (r * 1.6).max(9.0) as i32));
            let _ = ctx.fill_text("★", p.x + r * 1.5, p.y - r * 1.2);
        }
        ring(f, &node, p, r * 1.8);
    }
    for rt in &f.topology.routers {
        let node = NodeId::Router(rt.id.clone());
        let Some(p) = at(&node) else { continue };
        if !on_screen(f, p, r) {
            continue;
        }
        shape(ctx, p, r, rt.health, false);
        ring(f, &node, p, r + 4.0);
    }
}

/// Highlights the selected and hovered node.
fn ring(f: &Frame, node: &NodeId, p: Point, radius: f64) {
    let selected = f.selected == Some(node);
    if !selected && f.hover != Some(node) {
        return;
    }
    f.ctx.begin_path();
    let _ = f.ctx.arc(p.x, p.y, radius, 0.0, std::f64::consts::TAU);
    f.ctx.set_stroke_style_str(if selected { TEXT } else { INFO });
    f.ctx.set_line_width(if selected { 3.0 } else { 2.0 });
    f.ctx.stroke();
}

/// A node's shape for its health: disc, half disc, ring or cross; a
/// square for controllers.
fn shape(ctx: &Ctx, p: Point, r: f64, h: Health, square: bool) {
    let colour = health_colour(h);
    ctx.set_fill_style_str(colour);
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(2.0);
    ctx.begin_path();
    if square {
        ctx.rect(p.x - r, p.y - r, 2.0 * r, 2.0 * r);
    } else {
        let _ = ctx.arc(p.x, p.y, r, 0.0, std::f64::consts::TAU);
    }
    match h {
        Health::Ok => ctx.fill(),
        Health::Unknown => ctx.stroke(),
        Health::Degraded => {
            ctx.stroke();
            ctx.begin_path();
            if square {
                ctx.rect(p.x - r, p.y - r, r, 2.0 * r);
            } else {
                let _ = ctx.arc(p.x, p.y, r, std::f64::consts::FRAC_PI_2, 3.0 * std::f64::consts::FRAC_PI_2);
            }
            ctx.fill();
        }
        Health::Down => {
            ctx.stroke();
            ctx.begin_path();
            let k = r * 0.7;
            ctx.move_to(p.x - k, p.y - k);
            ctx.line_to(p.x + k, p.y + k);
            ctx.move_to(p.x + k, p.y - k);
            ctx.line_to(p.x - k, p.y + k);
            ctx.stroke();
        }
    }
}

/// Names (and identity badges) only when nodes are far enough apart to
/// read them; always for the selected and hovered node.
fn labels(f: &Frame, at: &dyn Fn(&NodeId) -> Option<Point>) {
    let ctx = f.ctx;
    let spacing = 48.0 * f.view.scale;
    let all = spacing >= 40.0;
    ctx.set_font("12px ui-monospace, Menlo, Consolas, monospace");
    ctx.set_text_align("center");
    ctx.set_fill_style_str(TEXT);
    let r = (RADIUS * f.view.scale).clamp(2.0, 14.0);
    let label = |node: NodeId, extra: Option<String>| {
        let focused = f.selected == Some(&node) || f.hover == Some(&node);
        if !all && !focused {
            return;
        }
        let Some(p) = at(&node) else { return };
        if !on_screen(f, p, 40.0) {
            return;
        }
        let _ = ctx.fill_text(node.id(), p.x, p.y + r + 14.0);
        if let Some(extra) = extra {
            ctx.set_fill_style_str(MUTED);
            let _ = ctx.fill_text(&extra, p.x, p.y + r + 27.0);
            ctx.set_fill_style_str(TEXT);
        }
    };
    for c in &f.topology.controllers {
        label(NodeId::Controller(c.id.clone()), None);
    }
    for rt in &f.topology.routers {
        let badge = (rt.identities.online + rt.identities.offline > 0)
            .then(|| format!("{}↑ {}↓", rt.identities.online, rt.identities.offline));
        label(NodeId::Router(rt.id.clone()), badge);
    }
    ctx.set_text_align("start");
}

fn on_screen(f: &Frame, p: Point, slack: f64) -> bool {
    p.x >= -slack && p.y >= -slack && p.x <= f.width + slack && p.y <= f.height + slack
}
