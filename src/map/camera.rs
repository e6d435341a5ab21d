//! Moving the camera for the map's commands: zoom about the centre (the
//! keyboard's + and -), centre on a node (find), and keep the keyboard's
//! node in view.

use super::State;
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
