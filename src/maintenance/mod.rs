//! `MaintenancePanel`: the maintenance windows the feed leaves out of its
//! availability reports (issue 21), listed and made in the app. Each
//! window shows its name, what it covers and when it holds in words, its
//! next span (or "in force"), and a Delete button when it was made through
//! the feed (the config file's are fixed there, and said so). Below, a
//! form makes a new one. Read when the panel is shown (a view of the
//! stage); every name and expression is text.
//!
//! - [`api`]: the feed's `/maintenance` (read, make, delete);
//! - [`form`]: the form;
//! - [`draft`]: the form's fields as a window (pure, tested natively);
//! - [`words`]: a window in words (pure, tested natively).

pub mod api;
pub mod draft;
mod form;
pub mod words;

pub use api::{use_windows, Listed, UseWindows};
pub use form::WindowForm;

use crate::shown::use_shown;
use crate::web::use_now;
use leptos::prelude::*;
use std::time::Duration;
use words::{in_force, next_words, scope_words, when_words};
use zitiscope_core::Timestamp;

/// How often "in force" is judged again (a window that starts or ends).
const TICK: Duration = Duration::from_secs(5);

/// The panel: the windows, then the form.
#[component]
pub fn MaintenancePanel() -> impl IntoView {
    let windows = use_windows(use_shown().events_url);
    let tick = use_now(TICK);
    let now = Signal::derive(move || Timestamp::from_millis(tick.get()).0);
    let list = move || {
        let all = windows.windows.get();
        if all.is_empty() {
            return view! { <p class="maintenance-none">"No maintenance window."</p> }.into_any();
        }
        view! {
            <ul class="maintenance-list" data-testid="maintenance-list">
                {all.into_iter().map(|w| view! { <WindowItem listed=w now=now windows=windows /> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="panel maintenance" data-testid="maintenance" aria-labelledby="maintenance-title">
            <h2 id="maintenance-title">"Maintenance windows"</h2>
            <p class="filter-doc">
                "Time inside a window is left out of the availability report for what it covers, and said so there."
            </p>
            <p class="travel-error" data-testid="maintenance-list-error" role="status">{move || windows.list_error.get()}</p>
            {list}
            <WindowForm windows=windows />
        </section>
    }
}

/// One listed window.
#[component]
fn WindowItem(
    /// The window, its id and its spans.
    listed: Listed,
    /// Now, in ns (ticking).
    now: Signal<i64>,
    /// The feed's windows (for Delete).
    windows: UseWindows,
) -> impl IntoView {
    let Listed { id, window, spans } = listed;
    let holds = {
        let spans = spans.clone();
        Memo::new(move |_| in_force(&spans, now.get()))
    };
    let next = move || next_words(&spans, now.get());
    let action = match id {
        Some(id) => view! {
            <button type="button" class="report-button" data-testid="maintenance-delete"
                prop:disabled=move || windows.busy.get()
                aria-label=format!("Delete the window {}", window.name)
                on:click=move |_| windows.delete(id)>
                "Delete"
            </button>
        }
        .into_any(),
        None => view! { <span class="maintenance-fixed">"from the config file"</span> }.into_any(),
    };
    view! {
        <li class="maintenance-window" class:in-force=move || holds.get() data-testid="maintenance-window"
            data-name=window.name.clone() data-id=id>
            <span class="maintenance-name">{window.name.clone()}</span>
            {move || holds.get().then(|| view! { <span class="maintenance-badge" data-testid="maintenance-in-force">"in force"</span> })}
            <span class="maintenance-scope">{scope_words(&window.scope)}</span>
            <span class="maintenance-when-words">{when_words(&window.when)}</span>
            <span class="maintenance-next">{next}</span>
            {action}
        </li>
    }
}
