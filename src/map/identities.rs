//! The identities behind a node's badge, as a virtualised list: however
//! many there are (20k at a busy router), only the rows in view (plus a
//! few either side) are in the DOM. Each row says its state in an icon
//! and a word, and is rendered as text. `aria-setsize`/`aria-posinset`
//! tell a screen reader where a row sits in the whole list.

use leptos::prelude::*;
use zitiscope_core::store::details::matching;
use zitiscope_core::store::{IdentityRow, Lifecycle};
use zitiscope_core::timestamp::human_duration;
use zitiscope_core::Timestamp;

/// Row height and visible height, in CSS pixels (the CSS uses the same).
const ROW: f64 = 24.0;
const HEIGHT: f64 = 288.0;
/// Rows rendered beyond each edge of the view, so a fast scroll shows no gap.
const OVERSCAN: usize = 6;

/// The list, with a filter by id.
#[component]
pub fn IdentityList(
    /// The identities, in the order to show them.
    #[prop(into)]
    rows: Signal<Vec<IdentityRow>>,
    /// The feed's time now, for "dropped 4m ago".
    #[prop(into)]
    now: Signal<Timestamp>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let scroll = RwSignal::new(0.0f64);
    let scroller: NodeRef<leptos::html::Div> = NodeRef::new();
    let shown = Memo::new(move |_| rows.with(|r| matching(r, &query.get())));
    let window = move || {
        let total = shown.with(Vec::len);
        let span = (HEIGHT / ROW) as usize + 2 * OVERSCAN;
        // Never past the end, even while the scroll position is stale (the
        // list just got shorter).
        let first = ((scroll.get() / ROW) as usize).saturating_sub(OVERSCAN).min(total.saturating_sub(span));
        (first, (first + span).min(total), total)
    };
    // A new filter starts at the top.
    let on_query = move |ev| {
        query.set(event_target_value(&ev));
        scroll.set(0.0);
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
        }
    };
    view! {
        <div class="identities" data-testid="identity-list">
            <input
                type="search"
                class="identity-filter"
                placeholder="filter identities"
                aria-label="Filter identities"
                on:input=on_query
            />
            <p class="identity-count" aria-live="polite">
                {move || format!("{} of {}", shown.with(Vec::len), rows.with(Vec::len))}
            </p>
            <div node_ref=scroller class="identity-scroll" on:scroll=move |ev| scroll.set(event_target::<web_sys::Element>(&ev).scroll_top() as f64)>
                <ul role="list" aria-label="Identities" style:height=move || format!("{}px", window().2 as f64 * ROW)>
                    {move || {
                        let (first, last, total) = window();
                        let now = now.get();
                        rows.with(|r| {
                            shown.with(|idx| {
                                (first..last).map(|pos| row(&r[idx[pos]], pos, total, now)).collect_view()
                            })
                        })
                    }}
                </ul>
            </div>
        </div>
    }
}

fn row(r: &IdentityRow, pos: usize, total: usize, now: Timestamp) -> impl IntoView {
    let (icon, mut word, class) = if r.up { ("▲", "online", "edge-up") } else { ("▼", "offline", "edge-down") };
    // Stale and flapping say more than up or down.
    if matches!(r.lifecycle, Lifecycle::Stale | Lifecycle::Flapping) {
        word = r.lifecycle.as_str();
    }
    let age = human_duration(now.0.saturating_sub(r.since.0));
    let transitions = format!("{} state changes", r.transitions);
    view! {
        <li
            role="listitem"
            class=format!("identity-row {class}")
            aria-setsize=total.to_string()
            aria-posinset=(pos + 1).to_string()
            style:top=format!("{}px", pos as f64 * ROW)
        >
            <span aria-hidden="true">{icon}</span>
            <span class="identity-state">{word}</span>
            <span class="identity-id" title=r.id.clone()>{r.id.clone()}</span>
            <span class="identity-age" title=transitions>{format!("for {age}")}</span>
        </li>
    }
}
