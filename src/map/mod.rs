//! The topology map: a canvas that draws every controller and router and
//! the edges between them, with pan (drag, or two fingers), zoom (wheel,
//! trackpad or touch pinch), fit (`f` or the button), hover tooltips,
//! click to select, a click on a badge for its identities, and keyboard
//! navigation (arrows move between nodes, and then Tab too; Enter opens
//! one, Escape lets go, `/` goes to search). A node whose health changes pulses
//! briefly; with reduced motion it is ringed instead, without movement.
//!
//! Layout, hit-testing and the viewport maths are the core's
//! (`zitiscope_core::layout`); this module holds the canvas and its events,
//! and redraws at most once per animation frame, only when something
//! changed. What it shows (the topology, the selection) comes from the
//! shown state ([`crate::shown`]).
//!
//! - `state`: what the map keeps between frames, by concern: `placement`,
//!   `pointer`, `keyboard`, `pulses`, `matches`;
//! - `frame` schedules a draw and `draw` paints it;
//! - `drawer`: the selected node's details, with `identities`.

mod attend;
mod camera;
mod describe;
mod draw;
mod drawer;
mod frame;
mod groups;
mod identities;
mod keyboard;
mod labels;
mod layout_menu;
mod marks;
mod matches;
mod pins;
mod pips;
mod placement;
mod pointer;
mod pulses;
mod state;

pub use draw::badge_offset;
pub use drawer::NodeDrawer;
pub use identities::IdentityList;

use crate::filter::FilterInput;
use crate::shown::use_shown;
use crate::wall::Theme;
use crate::web::{steady_ms, use_url_flag, use_url_text, Param};
use camera::{centre_on, keep_in_view, use_follow, zoom_centre};
pub use describe::describe;
use describe::describe_link;
use frame::request_draw;
use leptos::html::Canvas;
use leptos::prelude::*;
use matches::Matches;
use pointer::{Moved, Release};
use state::MapState;
use std::cell::RefCell;
use zitiscope_core::filter::{Filter, NODE_SCHEMA};
use zitiscope_core::layout::{NodeId, Point};
use zitiscope_core::store::LinkLimits;

/// How the map is used, in its toolbar (cut short where the toolbar is
/// narrow: the whole of it is its tooltip).
const HINT: &str = "drag the map to pan, a node or a group's name to pin it · wheel or pinch to zoom · arrows (then Tab) move, Enter opens, c collapses a group, Esc lets go · f fits";

/// Pointer reach for hover and click, in screen pixels.
const REACH: f64 = 14.0;
/// How near a link the pointer must be to show its figures, in screen pixels.
const LINK_REACH: f64 = 5.0;

type State = StoredValue<RefCell<MapState>, LocalStorage>;

/// The map of the network shown, and its toolbar. A click on a node
/// selects it; a click on its badge opens its identity list too.
#[component]
pub fn TopologyMap() -> impl IntoView {
    let shown = use_shown();
    let (topology, selected, identities_open) = (shown.topology, shown.selected, shown.identities_open);
    let canvas: NodeRef<Canvas> = NodeRef::new();
    let search: NodeRef<leptos::html::Input> = NodeRef::new();
    let tooltip = RwSignal::new(None::<(f64, f64, String)>);
    // What a screen reader hears as the keyboard moves between nodes.
    let announce = RwSignal::new(String::new());
    let state: State = StoredValue::new_local(RefCell::new(MapState::default()));
    // The layout this browser kept: pinned nodes and moved groups.
    state.with_value(|s| s.borrow_mut().placement.layout.set_pins(&pins::load()));

    let redraw = move || request_draw(state, canvas, topology, selected);
    // The theme, where the app provides one (tests mount the map alone).
    let theme = use_context::<RwSignal<Theme>>();
    if let Some(theme) = theme {
        Effect::new(move |_| {
            let hc = theme.get() == Theme::HighContrast;
            state.with_value(|s| s.borrow_mut().high_contrast = hc);
            redraw();
        });
    }

    // Links are judged by the alert thresholds, where the app provides them.
    if let Some(limits) = use_context::<RwSignal<LinkLimits>>() {
        Effect::new(move |_| {
            let l = limits.get();
            state.with_value(|s| s.borrow_mut().limits = l);
            redraw();
        });
    }

    let follow = use_follow();
    attend::use_attention(state, canvas, shown.past_alerts, shown.now, follow, redraw);

    // The map takes the free space: a new window size is a new bitmap
    // size, drawn at once (a paused past would otherwise stay stretched).
    let resize = window_event_listener(leptos::ev::resize, move |_| redraw());
    on_cleanup(move || resize.remove());

    // A new topology: place new nodes (nobody moves), pulse what changed, redraw.
    Effect::new(move |_| {
        topology.with(|t| state.with_value(|s| s.borrow_mut().sync(t, steady_ms())));
        redraw();
    });
    Effect::new(move |_| {
        selected.track();
        redraw();
    });

    let fit = move || {
        state.with_value(|s| {
            if let Some(c) = canvas.get_untracked() {
                let r = c.get_bounding_client_rect();
                s.borrow_mut().fit(r.width(), r.height());
            }
        });
        redraw();
    };
    let all_groups = move |collapsed: bool| {
        state.with_value(|s| {
            let s = &mut *s.borrow_mut();
            s.groups.set_all(collapsed, &s.placement.layout);
        });
        redraw();
    };
    let local = move |x: i32, y: i32| -> Point {
        let r = canvas.get_untracked().map(|c| c.get_bounding_client_rect());
        r.map_or(Point { x: 0.0, y: 0.0 }, |r| Point { x: x as f64 - r.left(), y: y as f64 - r.top() })
    };
    let hit_at = move |p: Point| -> Option<NodeId> { state.with_value(|s| s.borrow().node_at(p, REACH).cloned()) };
    // The node whose badge (the line under its label, drawn only when
    // labels are) is under the pointer.
    let badge_at = move |p: Point| -> Option<NodeId> {
        state.with_value(|s| {
            let s = s.borrow();
            let above = Point { x: p.x, y: p.y - draw::badge_offset(s.view.scale) };
            let node = s.placement.hit.hit(s.view.to_map(above), draw::BADGE_REACH / s.view.scale)?;
            // Zoomed out, only the nodes in focus show their badge.
            let chosen = selected.get_untracked();
            let focused = [&s.pointer.hover, &s.keyboard.focus, &chosen].into_iter().any(|n| n.as_ref() == Some(node));
            if !draw::badges_shown(s.view.scale) && !focused {
                return None;
            }
            // Only a badge that is drawn can be clicked.
            topology.with_untracked(|t| draw::badge(t, node).is_some()).then(|| node.clone())
        })
    };

    let on_pointer_down = move |ev: web_sys::PointerEvent| {
        let p = local(ev.client_x(), ev.client_y());
        state.with_value(|s| {
            let s = &mut *s.borrow_mut();
            let grab = s.grab_at(p, REACH);
            s.pointer.down(ev.pointer_id(), p, grab);
        });
    };
    let on_pointer_move = move |ev: web_sys::PointerEvent| {
        let p = local(ev.client_x(), ev.client_y());
        let moved = state.with_value(|s| {
            let s = &mut *s.borrow_mut();
            s.pointer.moved(ev.pointer_id(), p, &mut s.view)
        });
        match moved {
            Moved::Hover => {}
            Moved::View => {
                tooltip.set(None);
                redraw();
                return;
            }
            // A node or a group dragged: it goes where the pointer goes.
            Moved::Drag(grab, by) => {
                topology.with_untracked(|t| state.with_value(|s| s.borrow_mut().drag(&grab, by, t)));
                tooltip.set(None);
                redraw();
                return;
            }
        }
        // Moving from a node down to its badge keeps it hovered, so that
        // its badge (drawn for the hovered node) stays to be clicked.
        let hover = hit_at(p)
            .or_else(|| badge_at(p).filter(|n| state.with_value(|s| s.borrow().pointer.hover.as_ref() == Some(n))));
        let changed = state.with_value(|s| s.borrow_mut().pointer.set_hover(hover.clone()));
        let text = topology.with_untracked(|t| match &hover {
            Some(n) => Some(describe(t, n)),
            // Off the nodes, a link under the pointer shows its figures.
            None => state.with_value(|s| {
                let s = s.borrow();
                s.link_at(p, t, LINK_REACH).map(|e| describe_link(t, e, &s.limits))
            }),
        });
        tooltip.set(text.map(|text| (p.x, p.y, text)));
        if changed {
            redraw();
        }
    };
    let on_pointer_up = move |ev: web_sys::PointerEvent| {
        let p = local(ev.client_x(), ev.client_y());
        let release = state.with_value(|s| s.borrow_mut().pointer.up(ev.pointer_id()));
        if let Release::Drop(_) = release {
            // Dropped: the pin (or the group's move) is kept in this browser.
            state.with_value(|s| pins::save(&s.borrow().placement.layout.pins()));
        }
        if release == Release::Click {
            match (hit_at(p), badge_at(p)) {
                (Some(n), _) => selected.set(Some(n)),
                (None, Some(n)) => {
                    selected.set(Some(n));
                    identities_open.set(true);
                }
                (None, None) => {
                    // A group's header (or a collapsed group's tile) toggles it.
                    if state.with_value(|s| s.borrow_mut().toggle_group_at(p)) {
                        redraw();
                    } else {
                        selected.set(None);
                    }
                }
            }
        }
    };
    let on_pointer_leave = move |_| {
        // A drag that leaves the map ends there: keep what it moved.
        state.with_value(|s| {
            let s = &mut *s.borrow_mut();
            if s.pointer.leave() {
                pins::save(&s.placement.layout.pins());
            }
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
    // Moves the keyboard's node; `false` when there is nowhere to go
    // (then Tab leaves the map as usual).
    let step = move |delta: isize, wrap: bool| -> bool {
        let Some(next) = state.with_value(|s| s.borrow().step(delta, wrap)) else { return false };
        state.with_value(|s| s.borrow_mut().keyboard.focus = Some(next.clone()));
        // A collapsed group's stop is its tile: say the group, not the router.
        let tile = state.with_value(|s| s.borrow().describe_tile(&next));
        announce.set(tile.unwrap_or_else(|| topology.with_untracked(|t| describe(t, &next))));
        keep_in_view(state, canvas, &next);
        redraw();
        true
    };
    let toggle_group = move |n: NodeId| {
        if let Some(said) = state.with_value(|s| s.borrow_mut().toggle_group_of(&n)) {
            announce.set(said);
        }
        redraw();
    };
    let on_key = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "f" | "F" => {
            ev.prevent_default();
            fit();
        }
        "ArrowRight" | "ArrowDown" | "ArrowLeft" | "ArrowUp" => {
            ev.prevent_default();
            state.with_value(|s| s.borrow_mut().keyboard.navigating = true);
            step(if matches!(ev.key().as_str(), "ArrowRight" | "ArrowDown") { 1 } else { -1 }, true);
        }
        "Tab" => {
            let navigating = state.with_value(|s| s.borrow().keyboard.navigating);
            if navigating && step(if ev.shift_key() { -1 } else { 1 }, false) {
                ev.prevent_default();
            } else {
                // Past either end (or not moving between nodes): Tab leaves.
                state.with_value(|s| s.borrow_mut().keyboard.let_go());
                redraw();
            }
        }
        "Enter" | " " => {
            if let Some(n) = state.with_value(|s| s.borrow().keyboard.focus.clone()) {
                ev.prevent_default();
                // On a collapsed group's tile, Enter opens the group.
                let tile = state.with_value(|s| s.borrow().groups.tile_for(n.id()).map(str::to_owned));
                match tile {
                    Some(_) => toggle_group(n),
                    None => selected.set(Some(n)),
                }
            }
        }
        // `c`: collapses the keyboard's (or the selected) router's group, or opens it.
        "c" | "C" => {
            let n = state.with_value(|s| s.borrow().keyboard.focus.clone()).or_else(|| selected.get_untracked());
            if let Some(n) = n {
                ev.prevent_default();
                toggle_group(n);
            }
        }
        "Escape" => {
            state.with_value(|s| s.borrow_mut().keyboard.let_go());
            selected.set(None);
            redraw();
        }
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
    // Find: the filter language over the nodes. Enter goes to the first
    // node it passes; "only matches" hides the rest. Both are in the URL.
    let find_text = use_url_text(Param::Find);
    let find = RwSignal::new(Filter::default());
    let only = use_url_flag(Param::Only);
    Effect::new(move |_| {
        let matches = find.with(|f| (only.get() && !f.is_all()).then(|| topology.with(|t| Matches::of(t, f))));
        state.with_value(|s| s.borrow_mut().matches = matches);
        redraw();
    });
    let go_to_match = Callback::new(move |()| {
        let text = find_text.get_untracked().trim().to_lowercase();
        let found = find.with_untracked(|f| {
            topology.with_untracked(|t| {
                state.with_value(|s| {
                    // An exact id first, else the first node the filter passes.
                    let s = s.borrow();
                    let order = &s.placement.order;
                    let exact = order.iter().find(|n| !text.is_empty() && n.id().to_lowercase() == text);
                    exact
                        .or_else(|| order.iter().find(|n| !f.is_all() && t.row(n).is_some_and(|r| f.matches(&r))))
                        .cloned()
                })
            })
        });
        if let Some(n) = found {
            centre_on(state, canvas, &n);
            state.with_value(|s| s.borrow_mut().keyboard.focus = Some(n.clone()));
            selected.set(Some(n));
        }
    });

    view! {
        <section class="map" aria-label="Topology map">
            <div class="map-tools">
                <button type="button" on:click=move |_| fit() title="Fit the whole network (f)">"Fit"</button>
                <button type="button" data-testid="map-collapse-all" on:click=move |_| all_groups(true)
                    title="Draw each group as one tile with its worst state and counts (a click on a group's name or tile toggles it)">
                    "Groups"
                </button>
                <button type="button" data-testid="map-expand-all" on:click=move |_| all_groups(false)
                    title="Open every group: draw each router">
                    "Routers"
                </button>
                <layout_menu::LayoutMenu state=state topology=topology redraw=Callback::new(move |()| redraw()) />
                <button
                    type="button"
                    data-testid="export-png"
                    title="Download the map as it is drawn now (PNG)"
                    on:click=move |_| {
                        if let Some(c) = canvas.get_untracked() {
                            crate::export::download_png(&c);
                        }
                    }
                >
                    "PNG"
                </button>
                <FilterInput
                    schema=&NODE_SCHEMA
                    text=find_text
                    filter=find
                    class="map-search"
                    placeholder="find (/): edge-eu, type=router AND !healthy; Enter"
                    label="Find nodes (the filter language); Enter goes to the first"
                    testid="map-search"
                    on_enter=go_to_match
                    node_ref=search
                />
                <label class="map-only">
                    <input type="checkbox" data-testid="map-only-matches" prop:checked=move || only.get()
                        on:change=move |ev| only.set(event_target_checked(&ev)) />
                    " only matches"
                </label>
                <label class="map-only" title="Pan to a node that calls for attention, then back to the whole network after 30 s (on by default on the wall; ?follow=on|off)">
                    <input type="checkbox" data-testid="map-follow" prop:checked=move || follow.on.get()
                        on:change=move |ev| follow.choice.set(Some(event_target_checked(&ev))) />
                    " follow problems"
                </label>
                <span class="map-hint" title=HINT>{HINT}</span>
            </div>
            <p class="map-legend" data-testid="map-legend">
                <span class="pip pip-up"></span>" controller up "
                <span class="pip pip-down"></span>" down "
                <span class="pip pip-unseen"></span>" not seen · "
                <span class="swatch swatch-up"></span>" link good "
                <span class="swatch swatch-fair"></span>" fair "
                <span class="swatch swatch-slow"></span>" slow "
                <span class="swatch swatch-jittery"></span>" jittery "
                <span class="swatch swatch-stale"></span>" stale "
                <span class="swatch swatch-down"></span>" down · "<span class="ring-maintenance"></span>" in maintenance"
            </p>
            <div class="map-stage">
                <canvas
                    node_ref=canvas
                    class="map-canvas"
                    data-testid="map-canvas"
                    tabindex="0"
                    role="application"
                    aria-roledescription="topology map"
                    aria-label="Topology map: arrows move between nodes, then Tab and Shift+Tab too; Enter opens one (or a collapsed group), c collapses or opens a node's group, Escape lets go; the Network list has the same nodes as a table"
                    on:pointerdown=on_pointer_down
                    on:pointermove=on_pointer_move
                    on:pointerup=on_pointer_up
                    on:pointercancel=on_pointer_up
                    on:pointerleave=on_pointer_leave
                    on:wheel=on_wheel
                    on:keydown=on_key
                ></canvas>
                <p class="sr-only" aria-live="polite" data-testid="map-announce">{move || announce.get()}</p>
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
