//! One frame of the map: requested at most once per animation frame, and
//! drawn from the map's state, the topology and the selection (the
//! palette, pulses and the first-map mark included).

use super::{draw, pulses, State};
use crate::web::steady_ms;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use zitiscope_core::layout::viewport::Viewport;
use zitiscope_core::layout::NodeId;
use zitiscope_core::store::Topology;

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
    let now = steady_ms();
    let still = reduced_motion();
    let pulsing = state.with_value(|s| {
        let mut s = s.borrow_mut();
        if !s.fitted {
            if let Some(b) = s.placement.layout.bounds() {
                s.view = Viewport::fit(b, w, h, 40.0);
                s.fitted = true;
            }
        }
        let pulsing = s.pulses.pulsing(now);
        let selected = selected.get_untracked();
        topology.with_untracked(|t| {
            draw::frame(&draw::Frame {
                ctx: &ctx,
                width: w,
                height: h,
                view: s.view,
                controllers: &s.placement.ctrl_pos,
                routers: &s.placement.router_pos,
                topology: t,
                selected: selected.as_ref(),
                hover: s.pointer.hover.as_ref(),
                focus: s.keyboard.focus.as_ref(),
                pulses: &s.pulses.running,
                now,
                still,
                palette: if s.high_contrast { &draw::HIGH_CONTRAST } else { &draw::DARK },
                matches: s.matches.as_ref(),
            })
        });
        // The first draw of a populated map: what "time to first map" measures.
        if !s.first_marked && !s.placement.is_empty() {
            s.first_marked = true;
            if let Some(p) = &perf {
                let _ = p.mark("zitiscope:first-map");
            }
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
