//! Attention on the map: which nodes call for attention or are acked (the
//! core's `alerts::attention`, over the alert board or the past moment's
//! alerts), kept in the map's state for drawing (`marks.rs`); when the map
//! follows problems, the newest call is shown up close (`camera.rs`).

use super::camera::{follow_to, Follow};
use super::State;
use crate::store::LiveStore;
use leptos::html::Canvas;
use leptos::prelude::*;
use zitiscope_core::alerts::attention::{attention, newest_call};
use zitiscope_core::alerts::Alert;
use zitiscope_core::layout::NodeId;
use zitiscope_core::Timestamp;

/// Keeps the map's attention marks and its moment up to date, and
/// follows the newest call when `follow` is on. Without the app's store
/// (a map mounted alone), only the moment.
pub(super) fn use_attention(
    state: State,
    canvas: NodeRef<Canvas>,
    past: Signal<Option<Vec<Alert>>>,
    now: Signal<Timestamp>,
    follow: Follow,
    redraw: impl Fn() + Copy + 'static,
) {
    // What calls for attention (the alert board's, or the past moment's):
    // marked on the map, and, when following, shown.
    if let Some(store) = use_context::<LiveStore>() {
        let marks = Memo::new(move |_| match past.get() {
            Some(board) => attention(&board, |k| store.is_silenced(k)),
            None => store.board.with(|b| attention(b, |k| store.is_silenced(k))),
        });
        Effect::new(move |last: Option<Option<(NodeId, Timestamp)>>| {
            let m = marks.get();
            let newest = newest_call(&m).map(|(n, t)| (n.clone(), t));
            state.with_value(|s| s.borrow_mut().attention = m);
            if follow.on.get_untracked() && newest.is_some() && last.is_some_and(|l| l != newest) {
                if let Some((n, _)) = &newest {
                    follow_to(state, canvas, n, redraw);
                }
            }
            redraw();
            newest
        });
    }
    // The nodes in maintenance, marked while live (a past moment's
    // maintenance is on the time bar).
    if let Some(store) = use_context::<LiveStore>() {
        Effect::new(move |_| {
            let nodes = match past.get() {
                Some(_) => Default::default(),
                None => store.maintenance.with(|m| m.iter().cloned().collect()),
            };
            state.with_value(|s| s.borrow_mut().maintenance = nodes);
            redraw();
        });
    }
    // The moment shown, for what changed lately (read at the next draw).
    Effect::new(move |_| {
        let at = now.get();
        state.with_value(|s| s.borrow_mut().at = at);
    });
}
