//! One frame of the map: requested at most once per animation frame, and
//! drawn from the map's state, the topology and the selection (the
//! palette, pulses and the first-map mark included).

use super::{draw, marks, pulses, State};
use crate::web::steady_ms;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use zitiscope_core::layout::viewport::Viewport;
use zitiscope_core::layout::NodeId;
use zitiscope_core::store::Topology;

/// The page's root font size in px (16 when it cannot be read).
fn root_font_px() -> f64 {
    let root = document().document_element();
    let style = root.and_then(|r| window().get_computed_style(&r).ok().flatten());
    let size = style.and_then(|s| s.get_property_value("font-size").ok());
    size.and_then(|v| v.trim_end_matches("px").parse::<f64>().ok()).filter(|v| *v > 0.0).unwrap_or(16.0)
}

fn reduced_motion() -> bool {
    window().match_media("(prefers-reduced-motion: reduce)").ok().flatten().is_some_and(|m| m.matches())
}

/// Schedules one draw on the next animation frame (several requests in a
/// frame make one draw; nothing changes, nothing is drawn).
pub(super) fn request_draw(
    state: State,
    canvas: NodeRef<Canvas>,
    topology: Signal<Topology>,
    selected: RwSignal<Option<NodeId>>,
) {
    // `try_`: a frame or a pulse's timer may come after the map is gone.
    let first = state.try_with_value(|s| !std::mem::replace(&mut s.borrow_mut().frame_requested, true));
    if first == Some(true) {
        request_animation_frame(move || {
            if state.try_with_value(|s| s.borrow_mut().frame_requested = false).is_some() {
                draw_now(state, canvas, topology, selected);
            }
        });
    }
}

/// `window.zitiscopeMap = { labels: [name…], at: { name: {x, y, mx, my} },
/// groups: [{ group, collapsed, counts, header: {x, y, w, h}, tile: {…} }],
/// calls: [node…], acked: [node…], maintenance: [node…], changed: [node…], scale }`:
/// each named node's place in CSS pixels of the canvas (`x`, `y`) and in
/// map units (`mx`, `my`: what a pin holds), and each group's first box
/// (its header strip, and the whole) in CSS pixels.
fn publish_report(
    names: &[(String, zitiscope_core::layout::Point)],
    groups: &super::groups::Groups,
    view: &Viewport,
    (attention, maintenance): (
        &std::collections::BTreeMap<NodeId, zitiscope_core::alerts::attention::Attention>,
        &std::collections::BTreeSet<NodeId>,
    ),
    changed: &[String],
) {
    let rect = |r: &zitiscope_core::layout::Rect| {
        let a = view.to_screen(zitiscope_core::layout::Point { x: r.x, y: r.y });
        let o = js_sys::Object::new();
        for (k, v) in [("x", a.x), ("y", a.y), ("w", r.w * view.scale), ("h", r.h * view.scale)] {
            let _ = js_sys::Reflect::set(&o, &k.into(), &v.into());
        }
        o
    };
    let labels: js_sys::Array = names.iter().map(|(n, _)| wasm_bindgen::JsValue::from_str(n)).collect();
    let at = js_sys::Object::new();
    for (n, p) in names {
        let m = view.to_map(*p);
        let o = js_sys::Object::new();
        for (k, v) in [("x", p.x), ("y", p.y), ("mx", m.x), ("my", m.y)] {
            let _ = js_sys::Reflect::set(&o, &k.into(), &v.into());
        }
        let _ = js_sys::Reflect::set(&at, &n.as_str().into(), &o);
    }
    let list = js_sys::Array::new();
    for v in groups.views.iter().filter(|v| v.region.first) {
        let o = js_sys::Object::new();
        let set = |k: &str, val: wasm_bindgen::JsValue| js_sys::Reflect::set(&o, &k.into(), &val);
        let _ = set("group", v.region.group.as_str().into());
        let _ = set("collapsed", groups.collapsed.contains(&v.region.group).into());
        let _ = set("counts", v.rollup.text().into());
        let _ = set("header", rect(&v.region.header).into());
        let _ = set("tile", rect(&v.region.rect).into());
        list.push(&o);
    }
    let map = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&map, &"labels".into(), &labels);
    let _ = js_sys::Reflect::set(&map, &"at".into(), &at);
    // The nodes that call for attention and those acked, by `kind:id`.
    let (calls, acked) = (js_sys::Array::new(), js_sys::Array::new());
    for (n, a) in attention {
        let list = if matches!(a, zitiscope_core::alerts::attention::Attention::Acked) { &acked } else { &calls };
        list.push(&n.to_param().into());
    }
    let _ = js_sys::Reflect::set(&map, &"calls".into(), &calls);
    let _ = js_sys::Reflect::set(&map, &"acked".into(), &acked);
    let maintenance: js_sys::Array =
        maintenance.iter().map(|n| wasm_bindgen::JsValue::from_str(&n.to_param())).collect();
    let _ = js_sys::Reflect::set(&map, &"maintenance".into(), &maintenance);
    let _ = js_sys::Reflect::set(&map, &"scale".into(), &view.scale.into());
    let changed: js_sys::Array = changed.iter().map(|c| wasm_bindgen::JsValue::from_str(c)).collect();
    let _ = js_sys::Reflect::set(&map, &"changed".into(), &changed);
    let _ = js_sys::Reflect::set(&map, &"groups".into(), &list);
    let _ = js_sys::Reflect::set(&window(), &"zitiscopeMap".into(), &map);
}

/// Draws the map now (tests call it directly). While a pulse is running
/// the next frame is requested too; with reduced motion, only the frame
/// that ends the pulses.
pub(super) fn draw_now(
    state: State,
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
        // A new size may be a new root font (the wall's follows the
        // screen): read it again now, not on every draw.
        let ui = root_font_px() / 16.0;
        state.with_value(|s| s.borrow_mut().ui = ui);
    }
    let Ok(Some(ctx)) = c.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    // Benchmarks (bench/map.mjs) set `window.zitiscopeTrace` to have each
    // draw recorded as a performance measure; off, nothing accumulates.
    let perf = window().performance();
    let flag = |name: &str| js_sys::Reflect::get(&window(), &name.into()).is_ok_and(|v| v.is_truthy());
    let trace = flag("zitiscopeTrace");
    // Tests set `window.zitiscopeReport` to read what the map drew
    // (`window.zitiscopeMap`): the names placed and the groups.
    let report = flag("zitiscopeReport");
    if let (true, Some(p)) = (trace, &perf) {
        let _ = p.mark("zitiscope:draw-start");
    }
    let now = steady_ms();
    let still = reduced_motion();
    let pulsing = state.with_value(|s| {
        let mut s = s.borrow_mut();
        if !s.fitted {
            s.fit(w, h);
        }
        let pulsing = s.pulses.pulsing(now);
        let chosen = selected.get_untracked();
        let drawn = topology.with_untracked(|t| {
            draw::frame(&draw::Frame {
                ctx: &ctx,
                width: w,
                height: h,
                view: s.view,
                controllers: &s.placement.ctrl_pos,
                routers: &s.placement.router_pos,
                topology: t,
                selected: chosen.as_ref(),
                hover: s.pointer.hover.as_ref(),
                focus: s.keyboard.focus.as_ref(),
                pulses: &s.pulses.running,
                now,
                still,
                palette: if s.high_contrast { &draw::HIGH_CONTRAST } else { &draw::DARK },
                matches: s.matches.as_ref(),
                groups: &s.groups,
                report,
                limits: s.limits,
                attention: &s.attention,
                maintenance: &s.maintenance,
                at: s.at,
                ui: if s.ui > 0.0 { s.ui } else { 1.0 },
            })
        });
        if report {
            let changed: Vec<String> = topology.with_untracked(|t| {
                t.routers.iter().filter(|r| r.changed_lately(s.at)).map(|r| format!("router:{}", r.id)).collect()
            });
            publish_report(&drawn.names, &s.groups, &s.view, (&s.attention, &s.maintenance), &changed);
        }
        // The first draw of a populated map: what "time to first map" measures.
        if !s.first_marked && !s.placement.is_empty() {
            s.first_marked = true;
            if let Some(p) = &perf {
                let _ = p.mark("zitiscope:first-map");
            }
        }
        // Something blinks: one more draw at the blink's next turn (one
        // timer at a time, however often the map draws meanwhile).
        if drawn.blinking && s.blink_due <= now {
            let phase = now % marks::BLINK_MS;
            let on = marks::BLINK_MS * 0.6;
            let wait = if phase < on { on - phase } else { marks::BLINK_MS - phase } + 1.0;
            s.blink_due = now + wait;
            set_timeout(
                move || request_draw(state, canvas, topology, selected),
                std::time::Duration::from_millis(wait as u64),
            );
        }
        pulsing.then(|| s.pulses.oldest()).flatten()
    });
    if let (true, Some(p)) = (trace, &perf) {
        let _ = p.measure_with_start_mark("zitiscope:draw", "zitiscope:draw-start");
        p.clear_marks_with_mark_name("zitiscope:draw-start");
    }
    if let Some(oldest) = pulsing {
        if still {
            // No movement: one more draw, when the oldest ring is due to go.
            let wait = (oldest + pulses::PULSE_MS - now).max(16.0);
            set_timeout(
                move || request_draw(state, canvas, topology, selected),
                std::time::Duration::from_millis(wait as u64),
            );
        } else {
            request_draw(state, canvas, topology, selected);
        }
    }
}
