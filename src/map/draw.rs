//! Drawing the map on a 2D canvas: the groups' boxes first, then edges
//! (one path per style, so thousands of edges cost a handful of strokes),
//! then nodes, their pips, and their names where there is room
//! (`labels.rs`). Every status is a colour *and* a
//! shape: a solid disc is ok, a half disc degraded, a ring unknown, a cross
//! down. Text drawn on a canvas is never parsed as HTML. A node whose
//! health just changed gets an expanding, fading ring in its new colour
//! (a still, thick ring under reduced motion); the keyboard's node a
//! dashed one.

use super::groups::Groups;
use super::matches::Matches;
use super::pulses::{Pulse, PULSE_MS};
use std::collections::{BTreeMap, HashMap};
use web_sys::CanvasRenderingContext2d as Ctx;
use zitiscope_core::alerts::attention::Attention;
use zitiscope_core::layout::viewport::Viewport;
use zitiscope_core::layout::{NodeId, Point};
use zitiscope_core::store::{Edge, EdgeKind, Health, LinkGrade, LinkLimits, Role, Topology};
use zitiscope_core::Timestamp;

/// The map's colours for one theme (the CSS tokens' values).
pub struct Palette {
    pub up: &'static str,
    pub down: &'static str,
    pub warn: &'static str,
    pub muted: &'static str,
    pub info: &'static str,
    pub text: &'static str,
    pub bg: &'static str,
    /// Healthy links zoomed in and far out, control channels up and down.
    pub link: &'static str,
    pub link_faint: &'static str,
    pub control: &'static str,
    pub control_down: &'static str,
}

/// The default dark theme.
pub const DARK: Palette = Palette {
    up: "#3fb950",
    down: "#f85149",
    warn: "#d29922",
    muted: "#8b949e",
    info: "#58a6ff",
    text: "#e6edf3",
    bg: "#0d1117",
    link: "rgba(63,185,80,0.7)",
    link_faint: "rgba(63,185,80,0.12)",
    control: "rgba(139,148,158,0.25)",
    control_down: "rgba(248,81,73,0.6)",
};

/// High contrast: black ground, white text, saturated status colours.
pub const HIGH_CONTRAST: Palette = Palette {
    up: "#00ff66",
    down: "#ff3b3b",
    warn: "#ffd000",
    muted: "#ffffff",
    info: "#00c8ff",
    text: "#ffffff",
    bg: "#000000",
    link: "rgba(0,255,102,0.9)",
    link_faint: "rgba(0,255,102,0.3)",
    control: "rgba(255,255,255,0.35)",
    control_down: "rgba(255,59,59,0.9)",
};

/// Router radius in map units; controllers are squares of twice it.
pub const RADIUS: f64 = 8.0;
/// How far from its centre (screen pixels) a badge still counts as clicked.
pub const BADGE_REACH: f64 = 30.0;

/// A node's radius on screen at zoom `scale` (a wall's fit zooms past a
/// desk's, and its nodes grow with it).
pub(super) fn radius(scale: f64) -> f64 {
    (RADIUS * scale).clamp(2.0, 24.0)
}

/// Layout cells are this wide, in map units (`LayoutConfig::cell_x`).
pub(super) const CELL: f64 = 96.0;

/// Whether every node's badge is drawn (and can be clicked): when nodes
/// are far enough apart for one (`482↑ 12↓ · 31 dropped`).
pub fn badges_shown(scale: f64) -> bool {
    CELL * scale >= 170.0
}

/// Half a node's box on screen (a controller's square is the larger).
pub(super) fn node_half(scale: f64) -> f64 {
    (radius(scale) * 1.4).max(9.0)
}

/// How far below its node's centre a badge is drawn, in screen pixels:
/// under the name's spot below the node (`labels.rs`).
pub fn badge_offset(scale: f64) -> f64 {
    node_half(scale) + 26.0
}

pub(super) fn health_colour(p: &Palette, h: Health) -> &'static str {
    match h {
        Health::Ok => p.up,
        Health::Degraded => p.warn,
        Health::Unknown => p.muted,
        Health::Down => p.down,
    }
}

/// What a frame needs.
pub struct Frame<'a> {
    pub ctx: &'a Ctx,
    pub width: f64,
    pub height: f64,
    pub view: Viewport,
    /// Map positions by id, for controllers and routers (looked up by
    /// `&str`: no id is cloned while drawing).
    pub controllers: &'a HashMap<String, Point>,
    pub routers: &'a HashMap<String, Point>,
    pub topology: &'a Topology,
    pub selected: Option<&'a NodeId>,
    pub hover: Option<&'a NodeId>,
    /// The keyboard's node.
    pub focus: Option<&'a NodeId>,
    /// Running pulses, and the time (`performance.now()` ms) to draw them at.
    pub pulses: &'a [Pulse],
    pub now: f64,
    /// Reduced motion: pulses are still rings.
    pub still: bool,
    pub palette: &'a Palette,
    /// Only these nodes are drawn ("only matches"); `None`: all.
    pub matches: Option<&'a Matches>,
    /// The groups' boxes, and which are collapsed.
    pub groups: &'a Groups,
    /// Return the names drawn (the app's test hook).
    pub report: bool,
    /// What links are judged by (the alert thresholds).
    pub limits: LinkLimits,
    /// The nodes that call for attention or are acked (`marks.rs`).
    pub attention: &'a BTreeMap<NodeId, Attention>,
    /// The nodes in maintenance now (`marks.rs`).
    pub maintenance: &'a std::collections::BTreeSet<NodeId>,
    /// The feed's time now, or the moment shown (what "lately" counts to).
    pub at: Timestamp,
    /// Text on the map is this many times its desk size: the page's root
    /// font over 16 px (the wall sizes its root font from the screen's
    /// height, so names are as readable from across a room as the rest).
    pub ui: f64,
}

impl Frame<'_> {
    /// Whether a router is drawn as itself: it passes the find filter and
    /// its group is not collapsed into a tile.
    pub(super) fn shows_router(&self, id: &str) -> bool {
        self.matches.is_none_or(|m| m.routers.contains(id)) && self.groups.tile_of(id).is_none()
    }

    pub(super) fn shows_controller(&self, id: &str) -> bool {
        self.matches.is_none_or(|m| m.controllers.contains(id))
    }
}

/// What a frame drew that its caller acts on.
pub struct Drawn {
    /// The names drawn, with their nodes' places on screen (only when
    /// `Frame::report` is set).
    pub names: Vec<(String, Point)>,
    /// Something blinks: draw again within a blink.
    pub blinking: bool,
}

/// Draws one frame.
pub fn frame(f: &Frame) -> Drawn {
    let ctx = f.ctx;
    ctx.set_fill_style_str(f.palette.bg);
    ctx.fill_rect(0.0, 0.0, f.width, f.height);
    // A hidden node has no place: its edges, pulses and rings go with it.
    // A collapsed group's router is at its group's tile.
    let at = |n: &NodeId| {
        let (table, shown) = match n {
            NodeId::Controller(id) => (f.controllers, f.shows_controller(id)),
            NodeId::Router(id) => match f.groups.tile_of(id) {
                Some(tile) => return f.matches.is_none_or(|m| m.routers.contains(id)).then(|| f.view.to_screen(tile)),
                None => (f.routers, f.shows_router(id)),
            },
        };
        shown.then(|| table.get(n.id()).map(|p| f.view.to_screen(*p))).flatten()
    };
    super::groups::draw(f);
    edges(f, &at);
    pulses(f, &at);
    nodes(f, &at);
    super::pips::control_pips(f);
    let blinking = super::marks::draw(f, &at);
    Drawn { names: super::labels::draw(f, f.report), blinking }
}

/// Rings around nodes whose health just changed: one path per health.
fn pulses(f: &Frame, at: &dyn Fn(&NodeId) -> Option<Point>) {
    if f.pulses.is_empty() {
        return;
    }
    let ctx = f.ctx;
    let r = radius(f.view.scale);
    for health in [Health::Ok, Health::Degraded, Health::Unknown, Health::Down] {
        ctx.begin_path();
        let mut alpha: f64 = 0.0;
        for p in f.pulses.iter().filter(|p| p.health == health) {
            let Some(s) = at(&p.node).filter(|s| on_screen(f, *s, 40.0)) else { continue };
            let t = ((f.now - p.start) / PULSE_MS).clamp(0.0, 1.0);
            // Still: a fixed ring. Moving: it grows and fades (the newest
            // pulse of this health, the least faded, sets the whole path's).
            let grow = if f.still { 6.0 } else { 4.0 + 18.0 * t };
            alpha = if f.still { 1.0 } else { alpha.max(1.0 - t) };
            ctx.move_to(s.x + r + grow, s.y);
            let _ = ctx.arc(s.x, s.y, r + grow, 0.0, std::f64::consts::TAU);
        }
        ctx.set_global_alpha(alpha.max(0.05));
        ctx.set_stroke_style_str(health_colour(f.palette, health));
        ctx.set_line_width(3.0);
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
}

fn edges(f: &Frame, at: &dyn Fn(&NodeId) -> Option<Point>) {
    // Every router has a control channel to every controller: drawn, that
    // fan of N×C lines hides the fabric. Each router shows its channels as
    // pips instead (`pips.rs`); the lines are drawn only for the
    // selected and hovered node.
    let focused = |e: &Edge| [f.selected, f.hover].into_iter().flatten().any(|n| e.a == *n || e.b == *n);
    let p = f.palette;
    let plain: [(EdgeKind, bool, &str, f64, &[f64]); 4] = [
        (EdgeKind::Control, true, p.control, 1.0, &[]),
        (EdgeKind::Control, false, p.control_down, 1.0, &[6.0, 4.0]),
        (EdgeKind::Peer, true, p.info, 2.0, &[]),
        (EdgeKind::Peer, false, p.down, 2.0, &[6.0, 4.0]),
    ];
    for (kind, up, colour, width, dash) in plain {
        let shown = |e: &&Edge| e.kind == kind && e.up == up && (kind != EdgeKind::Control || focused(e));
        stroke(f, at, f.topology.edges.iter().filter(shown), colour, width, dash);
    }
    // Links by grade (`store::grade`, the alert rule's): one path each.
    // Far out, links are hairlines under the nodes and are left out, but
    // for those in trouble (what alerts, and what is down): thousands of
    // fair or stale lines would only grey the picture.
    let mut by_grade: [Vec<&Edge>; 7] = Default::default();
    for e in f.topology.edges.iter().filter(|e| e.kind == EdgeKind::Link) {
        let grade = e.grade(&f.limits);
        let trouble = grade.alerts() || grade == LinkGrade::Down;
        if trouble || f.view.scale >= 0.2 || focused(e) {
            by_grade[grade as usize].push(e);
        }
    }
    for grade in LinkGrade::ALL {
        let (colour, width, dash) = link_style(f, grade);
        stroke(f, at, by_grade[grade as usize].iter().copied(), colour, width, dash);
    }
    let _ = f.ctx.set_line_dash(&dash_array(&[]));
}

/// A link grade's look: colour, width and dash. Weight says how bad (a
/// slow link is thick), the dash says what kind of bad (dotted: jittery
/// or stale, dashed: down), so it reads without colour too.
fn link_style(f: &Frame, grade: LinkGrade) -> (&'static str, f64, &'static [f64]) {
    let p = f.palette;
    // Zoomed out, healthy links fade so that nodes and failures stand out.
    let (good, good_width) = if f.view.scale >= 0.35 { (p.link, 1.5) } else { (p.link_faint, 0.75) };
    match grade {
        LinkGrade::Good | LinkGrade::Unmeasured => (good, good_width, &[]),
        LinkGrade::Fair => (p.warn, 1.5, &[]),
        LinkGrade::Jittery => (p.warn, 2.5, &[2.0, 3.0]),
        LinkGrade::Slow => (p.warn, 4.0, &[]),
        LinkGrade::Stale => (p.muted, 1.5, &[1.0, 4.0]),
        LinkGrade::Down => (p.down, 2.0, &[6.0, 4.0]),
    }
}

/// Strokes these edges as one path in one style.
fn stroke<'e>(
    f: &Frame,
    at: &dyn Fn(&NodeId) -> Option<Point>,
    edges: impl Iterator<Item = &'e Edge>,
    colour: &str,
    width: f64,
    dash: &[f64],
) {
    let ctx = f.ctx;
    ctx.begin_path();
    let mut any = false;
    for e in edges {
        if let (Some(a), Some(b)) = (at(&e.a), at(&e.b)) {
            // Both ends in one collapsed group: nothing to draw.
            if a == b {
                continue;
            }
            ctx.move_to(a.x, a.y);
            ctx.line_to(b.x, b.y);
            any = true;
        }
    }
    if any {
        ctx.set_stroke_style_str(colour);
        ctx.set_line_width(width);
        let _ = ctx.set_line_dash(&dash_array(dash));
        ctx.stroke();
    }
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
    let r = radius(f.view.scale);
    let screen = |table: &HashMap<String, Point>, id: &str| table.get(id).map(|p| f.view.to_screen(*p));
    // One path per health and shape, not per node: with 2,000 routers,
    // per-node style changes and strokes are most of a frame.
    for health in [Health::Ok, Health::Degraded, Health::Unknown, Health::Down] {
        let routers = f.topology.routers.iter().filter(|rt| rt.health == health && f.shows_router(&rt.id));
        let points: Vec<Point> =
            routers.filter_map(|rt| screen(f.routers, &rt.id)).filter(|p| on_screen(f, *p, r)).collect();
        shapes(ctx, f.palette, &points, r, health, false);
        let ctrls = f.topology.controllers.iter().filter(|c| c.health == health && f.shows_controller(&c.id));
        let points: Vec<Point> = ctrls.filter_map(|c| screen(f.controllers, &c.id)).collect();
        shapes(ctx, f.palette, &points, r * 1.4, health, true);
    }
    for c in f.topology.controllers.iter().filter(|c| c.role == Role::Leader && f.shows_controller(&c.id)) {
        if let Some(p) = screen(f.controllers, &c.id) {
            ctx.set_fill_style_str(f.palette.text);
            ctx.set_font(&format!("{}px sans-serif", (r * 1.6).max(9.0) as i32));
            let _ = ctx.fill_text("★", p.x + r * 1.5, p.y - r * 1.2);
        }
    }
    for node in [f.selected, f.hover].into_iter().flatten() {
        if let Some(p) = at(node) {
            let radius = if matches!(node, NodeId::Controller(_)) { r * 1.8 } else { r + 4.0 };
            ring(f, node, p, radius);
        }
    }
    if let Some(p) = f.focus.and_then(at) {
        ctx.begin_path();
        let _ = ctx.arc(p.x, p.y, r + 8.0, 0.0, std::f64::consts::TAU);
        let _ = ctx.set_line_dash(&dash_array(&[4.0, 3.0]));
        ctx.set_stroke_style_str(f.palette.info);
        ctx.set_line_width(2.0);
        ctx.stroke();
        let _ = ctx.set_line_dash(&dash_array(&[]));
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
    f.ctx.set_stroke_style_str(if selected { f.palette.text } else { f.palette.info });
    f.ctx.set_line_width(if selected { 3.0 } else { 2.0 });
    f.ctx.stroke();
}

/// Nodes of one health, as one path each for their fill and their strokes:
/// a disc (ok), a half disc (degraded), a ring (unknown) or a ring with a
/// cross (down); squares for controllers. Tiny nodes are squares too:
/// cheaper than arcs, and the same at that size.
fn shapes(ctx: &Ctx, palette: &Palette, points: &[Point], r: f64, h: Health, square: bool) {
    if points.is_empty() {
        return;
    }
    let square = square || r < 3.5;
    let colour = health_colour(palette, h);
    ctx.set_fill_style_str(colour);
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(if r < 3.5 { 1.0 } else { 2.0 });
    let outline = |p: &Point| {
        if square {
            ctx.rect(p.x - r, p.y - r, 2.0 * r, 2.0 * r);
        } else {
            ctx.move_to(p.x + r, p.y);
            let _ = ctx.arc(p.x, p.y, r, 0.0, std::f64::consts::TAU);
        }
    };
    ctx.begin_path();
    points.iter().for_each(outline);
    if h == Health::Ok {
        ctx.fill();
        return;
    }
    ctx.stroke();
    ctx.begin_path();
    match h {
        Health::Degraded => {
            for p in points {
                if square {
                    ctx.rect(p.x - r, p.y - r, r, 2.0 * r);
                } else {
                    ctx.move_to(p.x, p.y - r);
                    let _ = ctx.arc(p.x, p.y, r, 3.0 * std::f64::consts::FRAC_PI_2, std::f64::consts::FRAC_PI_2);
                    ctx.close_path();
                }
            }
            ctx.fill();
        }
        Health::Down => {
            let k = r * 0.7;
            for p in points {
                ctx.move_to(p.x - k, p.y - k);
                ctx.line_to(p.x + k, p.y + k);
                ctx.move_to(p.x + k, p.y - k);
                ctx.line_to(p.x - k, p.y + k);
            }
            ctx.stroke();
        }
        Health::Ok | Health::Unknown => {}
    }
}

/// A node's identity badge: a router's identities online, offline and
/// recently dropped; a controller's REST-only identities.
pub fn badge(t: &Topology, node: &NodeId) -> Option<String> {
    match node {
        NodeId::Router(id) => router_badge(t, id),
        NodeId::Controller(id) => {
            let c = t.controller(id)?;
            (c.rest_only > 0).then(|| format!("{} REST-only", c.rest_only))
        }
    }
}

fn router_badge(t: &Topology, id: &str) -> Option<String> {
    let b = t.router(id)?.identities;
    (b.online + b.offline > 0).then(|| match b.recent {
        0 => format!("{}↑ {}↓", b.online, b.offline),
        n => format!("{}↑ {}↓ · {n} dropped", b.online, b.offline),
    })
}

pub(super) fn on_screen(f: &Frame, p: Point, slack: f64) -> bool {
    p.x >= -slack && p.y >= -slack && p.x <= f.width + slack && p.y <= f.height + slack
}
