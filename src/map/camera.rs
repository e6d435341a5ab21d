//! Moving the camera for the map's commands: zoom about the centre (the
//! keyboard's + and -), centre on a node (find), keep the keyboard's node
//! in view, and follow problems (the wall pans to the node that called
//! for attention last, then back to the whole network).

use super::State;
use crate::wall::WallMode;
use crate::web::{set_url_params, url_param, Param};
use leptos::html::Canvas;
use leptos::prelude::*;
use zitiscope_core::layout::{NodeId, Point};

pub(super) fn zoom_centre(state: State, canvas: NodeRef<Canvas>, factor: f64, redraw: impl Fn()) {
    if let Some(c) = canvas.get_untracked() {
        let r = c.get_bounding_client_rect();
        let centre = Point { x: r.width() / 2.0, y: r.height() / 2.0 };
        state.with_value(|s| s.borrow_mut().view.zoom_at(centre, factor));
        redraw();
    }
}

pub(super) fn centre_on(state: State, canvas: NodeRef<Canvas>, n: &NodeId) {
    let Some(c) = canvas.get_untracked() else { return };
    let r = c.get_bounding_client_rect();
    state.with_value(|s| {
        let mut s = s.borrow_mut();
        if let Some(p) = s.placement.positions.get(n).copied() {
            let at = s.view.to_screen(p);
            s.view.pan(r.width() / 2.0 - at.x, r.height() / 2.0 - at.y);
        }
    });
}

/// Centres on a node only if it is off screen (the keyboard's moves).
pub(super) fn keep_in_view(state: State, canvas: NodeRef<Canvas>, n: &NodeId) {
    let Some(c) = canvas.get_untracked() else { return };
    let r = c.get_bounding_client_rect();
    let visible = state.with_value(|s| {
        let s = s.borrow();
        s.placement.positions.get(n).is_some_and(|p| s.view.visible(*p, r.width(), r.height(), -20.0))
    });
    if !visible {
        centre_on(state, canvas, n);
    }
}

/// How long the wall stays on a problem before it shows the whole network again.
const FOLLOW_MS: u64 = 30_000;

/// Whether the map follows problems, and the operator's choice.
#[derive(Clone, Copy)]
pub(super) struct Follow {
    /// Following now: the choice, else on on the wall and off at a desk.
    pub on: Signal<bool>,
    /// `?follow=on|off`, if the operator chose.
    pub choice: RwSignal<Option<bool>>,
}

/// See [`Follow`]; the choice is kept in the URL.
pub(super) fn use_follow() -> Follow {
    let choice = RwSignal::new(url_param(Param::Follow).map(|v| v != "off" && v != "0"));
    Effect::new(move |_| {
        let v = choice.get().map(|on| if on { "on" } else { "off" }.to_owned());
        set_url_params(&[(Param::Follow, v)]);
    });
    let wall = use_context::<WallMode>().map(|w| w.0);
    Follow { on: Signal::derive(move || choice.get().unwrap_or_else(|| wall.is_some_and(|w| w.get()))), choice }
}

/// Shows `n` up close, then, [`FOLLOW_MS`] later (if nothing newer came),
/// the whole network again.
pub(super) fn follow_to(state: State, canvas: NodeRef<Canvas>, n: &NodeId, redraw: impl Fn() + Copy + 'static) {
    let Some(c) = canvas.get_untracked() else { return };
    let r = c.get_bounding_client_rect();
    let token = state.with_value(|s| {
        let mut s = s.borrow_mut();
        s.show(n, r.width(), r.height());
        s.follows += 1;
        s.follows
    });
    set_timeout(
        move || {
            let Some(c) = canvas.get_untracked() else { return };
            let r = c.get_bounding_client_rect();
            let back = state.try_with_value(|s| {
                let mut s = s.borrow_mut();
                let ours = s.follows == token;
                if ours {
                    s.fit(r.width(), r.height());
                }
                ours
            });
            if back == Some(true) {
                redraw();
            }
        },
        std::time::Duration::from_millis(FOLLOW_MS),
    );
}
