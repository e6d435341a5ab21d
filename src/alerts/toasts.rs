//! A toast for each alert that starts firing, so nobody has to watch the
//! board. Rate-limited: a burst makes one toast that counts the rest
//! ("+12 more"), at most [`MAX_SHOWN`] are on screen, and each leaves by
//! itself after [`SHOWN_MS`] (or at a click on its close button).

use crate::shown::use_shown;
use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::alerts::{Alert, Severity};
use zitiscope_core::layout::NodeId;

thread_local! {
    static NEXT_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Toasts on screen at once.
pub const MAX_SHOWN: usize = 3;
/// How long one stays.
pub const SHOWN_MS: u64 = 8_000;
/// Within this long after a toast, new alerts join it instead.
pub const JOIN_MS: f64 = 2_000.0;

/// One toast.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub severity: Severity,
    pub message: String,
    pub node: Option<NodeId>,
    /// Alerts that fired with it and have no toast of their own.
    pub more: usize,
    /// When it appeared (`Date.now()` ms).
    pub shown_at: f64,
}

/// Adds toasts for alerts that just fired.
pub(super) fn push(toasts: RwSignal<Vec<Toast>>, fired: &[Alert]) {
    let now = js_sys::Date::now();
    let Some((first, rest)) = fired.split_first() else { return };
    let joined = toasts.try_update(|ts| match ts.last_mut() {
        Some(last) if now - last.shown_at < JOIN_MS => {
            last.more += fired.len();
            true
        }
        _ => false,
    });
    if joined == Some(true) {
        return;
    }
    // Ids only ever go up: a dismissed toast's timer must never find a new one.
    let id = NEXT_ID.with(|n| n.replace(n.get() + 1));
    toasts.update(|ts| {
        ts.push(Toast {
            id,
            severity: first.severity,
            message: first.message.clone(),
            node: first.node.clone(),
            more: rest.len(),
            shown_at: now,
        });
        let excess = ts.len().saturating_sub(MAX_SHOWN);
        ts.drain(..excess);
    });
    set_timeout(move || dismiss(toasts, id), Duration::from_millis(SHOWN_MS));
}

fn dismiss(toasts: RwSignal<Vec<Toast>>, id: u64) {
    // `try_`: the page may have moved on.
    toasts.try_update(|ts| ts.retain(|t| t.id != id));
}

/// The toasts, top right. A click on one selects its node.
#[component]
pub fn Toasts(
    /// The toasts to show.
    toasts: RwSignal<Vec<Toast>>,
) -> impl IntoView {
    let selected = use_shown().selected;
    view! {
        <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
            <For each=move || toasts.get() key=|t: &Toast| (t.id, t.more) let:t>
                {
                    let id = t.id;
                    let node = t.node.clone();
                    let severity = t.severity.as_str();
                    let more = (t.more > 0).then(|| format!(" +{} more", t.more));
                    view! {
                        <div class=format!("toast sev-{severity}")>
                            <button type="button" class="toast-body" on:click=move |_| selected.set(node.clone())>
                                <span class="sev-word">{severity}</span>
                                " "
                                {t.message.clone()}
                                {more}
                            </button>
                            <button type="button" class="toast-close" aria-label="Dismiss" on:click=move |_| dismiss(toasts, id)>
                                "✕"
                            </button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
