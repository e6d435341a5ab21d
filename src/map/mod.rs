//! The topology map: a canvas that draws every controller and router and
//! the edges between them, with pan (drag), zoom (wheel), fit (`f` or the
//! button), hover tooltips, click to select, and keyboard navigation
//! (arrows move the selection, Escape clears it, `/` goes to search).
//!
//! Layout, hit-testing and the viewport maths are the core's
//! (`zitiscope_core::layout`); this module holds the canvas and its events,
//! and redraws at most once per animation frame, only when something
//! changed.

mod draw;
mod drawer;

pub use drawer::NodeDrawer;

use leptos::html::Canvas;
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::JsCast;
use zitiscope_core::layout::hit::HitIndex;
use zitiscope_core::layout::viewport::Viewport;
use zitiscope_core::layout::{Layout, LayoutConfig, NodeId, Point};
use zitiscope_core::store::Topology;

/// Pointer reach for hover and click, in screen pixels.
const REACH: f64 = 14.0;

struct MapState {
    layout: Layout,
    positions: HashMap<NodeId, Point>,
    /// The same positions by id, per kind, for drawing.
    ctrl_pos: HashMap<String, Point>,
    router_pos: HashMap<String, Point>,
    order: Vec<NodeId>,
    hit: HitIndex,
    view: Viewport,
    /// Fit once the first nodes arrive.
    fitted: bool,
    hover: Option<NodeId>,
    /// Pointer down at (x, y); whether it moved enough to be a drag.
    press: Option<(f64, f64, bool)>,
    frame_requested: bool,
    /// Whether the first full map was marked (`zitiscope:first-map`).
    first_marked: bool,
}

/// The map and its toolbar.
#[component]
pub fn TopologyMap(
    /// The map's nodes and edges.
    #[prop(into)]
    topology: Signal<Topology>,
    /// The selected node (shared with the drawer and the URL).
    selected: RwSignal<Option<NodeId>>,
) -> impl IntoView {
    let canvas: NodeRef<Canvas> = NodeRef::new();
    let search: NodeRef<leptos::html::Input> = NodeRef::new();
    let tooltip = RwSignal::new(None::<(f64, f64, String)>);
    let state = StoredValue::new_local(RefCell::new(MapState {
        layout: Layout::new(LayoutConfig::default()),
        positions: HashMap::new(),
        ctrl_pos: HashMap::new(),
        router_pos: HashMap::new(),
        order: Vec::new(),
        hit: HitIndex::default(),
        view: Viewport::default(),
        fitted: false,
        hover: None,
        press: None,
        frame_requested: false,
        first_marked: false,
    }));

    let redraw = move || request_draw(state, canvas, topology, selected);

    // A new topology: place new nodes (nobody moves), re-index, redraw.
    // Most updates only change states and counts: the node set, and so the
    // layout and the hit index, stay as they are.
    Effect::new(move |_| {
        topology.with(|t| {
            state.with_value(|s| {
                let mut s = s.borrow_mut();
                // Both sides in NodeId order: controllers, then routers, by id.
                let mut placed: Vec<(u8, &str)> = s.positions.keys().map(node_key).collect();
                placed.sort_unstable();
                let ids = t
                    .controllers
                    .iter()
                    .map(|c| (0u8, c.id.as_str()))
                    .chain(t.routers.iter().map(|r| (1u8, r.id.as_str())));
                if placed.len() == t.controllers.len() + t.routers.len() && ids.eq(placed) {
                    return;
                }
                s.layout.sync(t.controllers.iter().map(|c| c.id.as_str()), t.routers.iter().map(|r| r.id.as_str()));
                let nodes = s.layout.nodes();
                s.order = nodes.iter().map(|(n, _)| n.clone()).collect();
                s.positions = nodes.iter().cloned().collect();
                s.ctrl_pos.clear();
                s.router_pos.clear();
                for (n, p) in &nodes {
                    match n {
                        NodeId::Controller(id) => s.ctrl_pos.insert(id.clone(), *p),
                        NodeId::Router(id) => s.router_pos.insert(id.clone(), *p),
                    };
                }
                s.hit = HitIndex::build(nodes, 48.0);
            })
        });
        redraw();
    });
    Effect::new(move |_| {
        selected.track();
        redraw();
    });

    let fit = move || {
        state.with_value(|s| {
            let mut s = s.borrow_mut();
            if let (Some(b), Some(c)) = (s.layout.bounds(), canvas.get_untracked()) {
                let r = c.get_bounding_client_rect();
                s.view = Viewport::fit(b, r.width(), r.height(), 40.0);
            }
        });
        redraw();
    };
    let local = move |x: i32, y: i32| -> Point {
        let r = canvas.get_untracked().map(|c| c.get_bounding_client_rect());
        r.map_or(Point { x: 0.0, y: 0.0 }, |r| Point { x: x as f64 - r.left(), y: y as f64 - r.top() })
    };
    let hit_at = move |p: Point| -> Option<NodeId> {
        state.with_value(|s| {
            let s = s.borrow();
            let reach = REACH / s.view.scale;
            s.hit.hit(s.view.to_map(p), reach).cloned()
        })
    };

    let on_pointer_down = move |ev: web_sys::PointerEvent| {
        let p = local(ev.client_x(), ev.client_y());
        state.with_value(|s| s.borrow_mut().press = Some((p.x, p.y, false)));
    };
    let on_pointer_move = move |ev: web_sys::PointerEvent| {
        let p = local(ev.client_x(), ev.client_y());
        let dragged = state.with_value(|s| {
            let mut s = s.borrow_mut();
            match s.press {
                Some((x, y, moved)) if moved || (p.x - x).hypot(p.y - y) > 4.0 => {
                    s.view.pan(p.x - x, p.y - y);
                    s.press = Some((p.x, p.y, true));
                    true
                }
                _ => false,
            }
        });
        if dragged {
            tooltip.set(None);
            redraw();
            return;
        }
        let hover = hit_at(p);
        let changed = state.with_value(|s| {
            let mut s = s.borrow_mut();
            let changed = s.hover != hover;
            s.hover = hover.clone();
            changed
        });
        tooltip.set(hover.map(|n| (p.x, p.y, describe(&topology.get_untracked(), &n))));
        if changed {
            redraw();
        }
    };
    let on_pointer_up = move |ev: web_sys::PointerEvent| {
        let p = local(ev.client_x(), ev.client_y());
        let press = state.with_value(|s| s.borrow_mut().press.take());
        if let Some((_, _, false)) = press {
            selected.set(hit_at(p));
        }
    };
    let on_pointer_leave = move |_| {
        state.with_value(|s| {
            let mut s = s.borrow_mut();
            s.press = None;
            s.hover = None;
        });
        tooltip.set(None);
        redraw();
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let p = local(ev.client_x(), ev.client_y());
        let factor = (-ev.delta_y() * 0.0015).exp();
        state.with_value(|s| s.borrow_mut().view.zoom_at(p, factor));
        redraw();
    };
    let step = move |delta: isize| {
        let order = state.with_value(|s| s.borrow().order.clone());
        if order.is_empty() {
            return;
        }
        let current = selected.get_untracked().and_then(|n| order.iter().position(|m| *m == n));
        let next = match current {
            Some(i) => (i as isize + delta).rem_euclid(order.len() as isize) as usize,
            None => 0,
        };
        selected.set(Some(order[next].clone()));
    };
    let on_key = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "f" | "F" => {
            ev.prevent_default();
            fit();
        }
        "ArrowRight" | "ArrowDown" => {
            ev.prevent_default();
            step(1);
        }
        "ArrowLeft" | "ArrowUp" => {
            ev.prevent_default();
            step(-1);
        }
        "Escape" => selected.set(None),
        "/" => {
            ev.prevent_default();
            if let Some(i) = search.get_untracked() {
                let _ = i.focus();
            }
        }
        "+" | "=" => zoom_centre(state, canvas, 1.25, redraw),
        "-" => zoom_centre(state, canvas, 0.8, redraw),
        _ => {}
    };
    let on_search = move |ev: web_sys::KeyboardEvent| {
        if ev.key() != "Enter" {
            return;
        }
        let q = event_target_value(&ev).trim().to_lowercase();
        if q.is_empty() {
            return;
        }
        // An exact id first, else the first id that contains the text.
        let found = state.with_value(|s| {
            let s = s.borrow();
            let exact = s.order.iter().find(|n| n.id().to_lowercase() == q);
            exact.or_else(|| s.order.iter().find(|n| n.id().to_lowercase().contains(&q))).cloned()
        });
        if let Some(n) = found {
            centre_on(state, canvas, &n);
            selected.set(Some(n));
        }
    };

    view! {
        <section class="map" aria-label="Topology map">
            <div class="map-tools">
                <button type="button" on:click=move |_| fit() title="Fit the whole network (f)">"Fit"</button>
                <input
                    node_ref=search
                    type="search"
                    class="map-search"
                    placeholder="find a node (/), Enter"
                    aria-label="Find a node"
                    data-testid="map-search"
                    on:keydown=on_search
                />
                <span class="map-hint">"drag to pan · wheel to zoom · arrows to move · f to fit"</span>
            </div>
            <div class="map-stage">
                <canvas
                    node_ref=canvas
                    class="map-canvas"
                    data-testid="map-canvas"
                    tabindex="0"
                    role="img"
                    aria-label="Topology map; use the Network list for the same nodes as a table"
                    on:pointerdown=on_pointer_down
                    on:pointermove=on_pointer_move
                    on:pointerup=on_pointer_up
                    on:pointerleave=on_pointer_leave
                    on:wheel=on_wheel
                    on:keydown=on_key
                ></canvas>
                {move || {
                    tooltip
                        .get()
                        .map(|(x, y, text)| {
                            view! {
                                <div class="map-tooltip" role="tooltip" style:left=format!("{}px", x as i32 + 14) style:top=format!("{}px", y as i32 + 14)>
                                    {text}
                                </div>
                            }
                        })
                }}
            </div>
        </section>
    }
}

/// A node as (kind, id), ordered as [`NodeId`] is.
fn node_key(n: &NodeId) -> (u8, &str) {
    match n {
        NodeId::Controller(id) => (0, id.as_str()),
        NodeId::Router(id) => (1, id.as_str()),
    }
}

/// One line about a node, for the tooltip.
pub fn describe(t: &Topology, n: &NodeId) -> String {
    match t.row(n) {
        Some(r) => format!("{} {} — {} — {}", n.kind(), n.id(), r.health.as_str(), r.detail),
        None => format!("{} {}", n.kind(), n.id()),
    }
}

fn zoom_centre(
    state: StoredValue<RefCell<MapState>, LocalStorage>,
    canvas: NodeRef<Canvas>,
    factor: f64,
    redraw: impl Fn(),
) {
    if let Some(c) = canvas.get_untracked() {
        let r = c.get_bounding_client_rect();
        let centre = Point { x: r.width() / 2.0, y: r.height() / 2.0 };
        state.with_value(|s| s.borrow_mut().view.zoom_at(centre, factor));
        redraw();
    }
}

fn centre_on(state: StoredValue<RefCell<MapState>, LocalStorage>, canvas: NodeRef<Canvas>, n: &NodeId) {
    let Some(c) = canvas.get_untracked() else { return };
    let r = c.get_bounding_client_rect();
    state.with_value(|s| {
        let mut s = s.borrow_mut();
        if let Some(p) = s.positions.get(n).copied() {
            let at = s.view.to_screen(p);
            s.view.pan(r.width() / 2.0 - at.x, r.height() / 2.0 - at.y);
        }
    });
}

/// Schedules one draw on the next animation frame (several requests in a
/// frame make one draw; nothing changes, nothing is drawn).
fn request_draw(
    state: StoredValue<RefCell<MapState>, LocalStorage>,
    canvas: NodeRef<Canvas>,
    topology: Signal<Topology>,
    selected: RwSignal<Option<NodeId>>,
) {
    let first = state.with_value(|s| !std::mem::replace(&mut s.borrow_mut().frame_requested, true));
    if first {
        request_animation_frame(move || {
            state.with_value(|s| s.borrow_mut().frame_requested = false);
            draw_now(state, canvas, topology, selected);
        });
    }
}

/// Draws the map now (tests call it directly).
fn draw_now(
    state: StoredValue<RefCell<MapState>, LocalStorage>,
    canvas: NodeRef<Canvas>,
    topology: Signal<Topology>,
    selected: RwSignal<Option<NodeId>>,
) {
    let Some(c) = canvas.get_untracked() else { return };
    let rect = c.get_bounding_client_rect();
    let (w, h) = (rect.width().max(1.0), rect.height().max(1.0));
    // Sharp on high-DPI screens: the bitmap is CSS size × devicePixelRatio.
    let dpr = window().device_pixel_ratio().max(1.0);
    let (bw, bh) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
    if c.width() != bw || c.height() != bh {
        c.set_width(bw);
        c.set_height(bh);
    }
    let Ok(Some(ctx)) = c.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    // Benchmarks (bench/map.mjs) set `window.zitiscopeTrace` to have each
    // draw recorded as a performance measure; off, nothing accumulates.
    let perf = window().performance();
    let trace = js_sys::Reflect::get(&window(), &"zitiscopeTrace".into()).is_ok_and(|v| v.is_truthy());
    if let (true, Some(p)) = (trace, &perf) {
        let _ = p.mark("zitiscope:draw-start");
    }
    state.with_value(|s| {
        let mut s = s.borrow_mut();
        if !s.fitted {
            if let Some(b) = s.layout.bounds() {
                s.view = Viewport::fit(b, w, h, 40.0);
                s.fitted = true;
            }
        }
        let selected = selected.get_untracked();
        topology.with_untracked(|t| {
            draw::frame(&draw::Frame {
                ctx: &ctx,
                width: w,
                height: h,
                view: s.view,
                controllers: &s.ctrl_pos,
                routers: &s.router_pos,
                topology: t,
                selected: selected.as_ref(),
                hover: s.hover.as_ref(),
            })
        });
        // The first draw of a populated map: what "time to first map" measures.
        if !s.first_marked && !s.positions.is_empty() {
            s.first_marked = true;
            if let Some(p) = &perf {
                let _ = p.mark("zitiscope:first-map");
            }
        }
    });
    if let (true, Some(p)) = (trace, &perf) {
        let _ = p.measure_with_start_mark("zitiscope:draw", "zitiscope:draw-start");
        p.clear_marks_with_mark_name("zitiscope:draw-start");
    }
}
