//! `WindowForm`: makes a maintenance window. A name; what it covers
//! (nodes by name or id, the nodes a filter passes, checked as typed by
//! the core's parser, or links by id); when (once, two moments in the
//! browser's local time, sent as UTC; or weekly: days, a start on the
//! zone's wall clock, a length and the zone, the browser's by default).
//! What the app can check it checks first ([`super::draft`]); the feed
//! checks again, and its reason is shown as text.

use super::api::UseWindows;
use super::draft::{body, filter_error, Draft, ScopeKind, WhenKind};
use super::words::{day_word, DAYS};
use crate::web::{epoch_ms, local_input_value, parse_local_input};
use leptos::prelude::*;
use zitiscope_core::report::windows::Day;
use zitiscope_core::Timestamp;

/// An hour in ns (a new once window's default length).
const HOUR_NS: i64 = 3_600_000_000_000;

/// The browser's IANA time zone (`Intl.DateTimeFormat().resolvedOptions()
/// .timeZone`), or `UTC` when it names none.
pub fn browser_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .filter(|z| !z.is_empty())
        .unwrap_or_else(|| "UTC".into())
}

/// The form; a window it makes goes to the feed through `windows`.
#[component]
pub fn WindowForm(
    /// The feed's windows (the list is read again after a save).
    windows: UseWindows,
) -> impl IntoView {
    let now = Timestamp::from_millis(epoch_ms()).0;
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(ScopeKind::Nodes);
    let targets = RwSignal::new(String::new());
    let when = RwSignal::new(WhenKind::Once);
    // From this minute (the inputs hold minutes) to an hour on.
    let from = RwSignal::new(local_input_value(now, false));
    let to = RwSignal::new(local_input_value(now + HOUR_NS, false));
    let days = RwSignal::new(Vec::<Day>::new());
    let start = RwSignal::new("01:00".to_string());
    let minutes = RwSignal::new("60".to_string());
    let zone = RwSignal::new(browser_zone());
    // The filter as typed, checked live (only while the scope is a filter).
    let targets_error = move || {
        (scope.get() == ScopeKind::Filter && !targets.with(String::is_empty))
            .then(|| targets.with(|t| filter_error(t)))
            .flatten()
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = Draft {
            name: name.get_untracked(),
            scope: scope.get_untracked(),
            targets: targets.get_untracked(),
            when: when.get_untracked(),
            from: parse_local_input(&from.get_untracked()),
            to: parse_local_input(&to.get_untracked()),
            days: days.get_untracked(),
            start: start.get_untracked(),
            minutes: minutes.get_untracked(),
            zone: zone.get_untracked(),
        };
        match draft.window() {
            Ok(w) => windows.save(body(&w), move || name.set(String::new())),
            Err(e) => windows.error.set(Some(e)),
        }
    };
    let scope_radio = move |kind: ScopeKind, testid: &'static str, label: &'static str| {
        view! {
            <label>
                <input type="radio" name="maintenance-scope" data-testid=testid
                    prop:checked=move || scope.get() == kind on:change=move |_| scope.set(kind) />
                {label}
            </label>
        }
    };
    let when_radio = move |kind: WhenKind, testid: &'static str, label: &'static str| {
        view! {
            <label>
                <input type="radio" name="maintenance-when" data-testid=testid
                    prop:checked=move || when.get() == kind on:change=move |_| when.set(kind) />
                {label}
            </label>
        }
    };
    let placeholder = move || match scope.get() {
        ScopeKind::Nodes => "node names or ids, commas between them: edge-eu-1, edge-eu-2",
        ScopeKind::Filter => "an expression: attr=eu AND type=router",
        ScopeKind::Links => "link ids, commas between them",
    };
    let text_input = |signal: RwSignal<String>| move |ev: leptos::ev::Event| signal.set(event_target_value(&ev));
    let day_box = move |d: Day| {
        view! {
            <label>
                <input type="checkbox" data-testid=format!("maintenance-day-{}", day_word(d).to_lowercase())
                    prop:checked=move || days.with(|v| v.contains(&d))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        days.update(|v| {
                            v.retain(|x| *x != d);
                            if on {
                                v.push(d);
                                v.sort();
                            }
                        });
                    } />
                {day_word(d)}
            </label>
        }
    };
    view! {
        <form class="maintenance-form" data-testid="maintenance-form" on:submit=save aria-labelledby="maintenance-new">
            <h3 id="maintenance-new">"New window"</h3>
            <label class="maintenance-field">
                "Name "
                <input type="text" data-testid="maintenance-name" maxlength="200" prop:value=move || name.get()
                    on:input=text_input(name) placeholder="e.g. core upgrade" />
            </label>
            <fieldset class="maintenance-choice">
                <legend>"Covers"</legend>
                {scope_radio(ScopeKind::Nodes, "maintenance-scope-nodes", " nodes")}
                {scope_radio(ScopeKind::Filter, "maintenance-scope-filter", " nodes a filter passes")}
                {scope_radio(ScopeKind::Links, "maintenance-scope-links", " links")}
                <input type="text" class="maintenance-targets" data-testid="maintenance-targets"
                    aria-label="What the window covers" placeholder=placeholder
                    aria-invalid=move || targets_error().is_some().to_string()
                    prop:value=move || targets.get() on:input=text_input(targets) />
                <span class="filter-error" data-testid="maintenance-targets-error" role="status">{targets_error}</span>
            </fieldset>
            <fieldset class="maintenance-choice">
                <legend>"When"</legend>
                {when_radio(WhenKind::Once, "maintenance-once", " once")}
                {when_radio(WhenKind::Weekly, "maintenance-weekly", " weekly")}
                {move || match when.get() {
                    WhenKind::Once => view! {
                        <span class="maintenance-when">
                            <label>"from " <input type="datetime-local" data-testid="maintenance-from"
                                aria-label="From (local time)" prop:value=move || from.get() on:input=text_input(from) /></label>
                            <label>" to " <input type="datetime-local" data-testid="maintenance-to"
                                aria-label="To (local time)" prop:value=move || to.get() on:input=text_input(to) /></label>
                            <span class="filter-doc">" local time, sent as UTC"</span>
                        </span>
                    }.into_any(),
                    WhenKind::Weekly => view! {
                        <span class="maintenance-when">
                            <span class="maintenance-days" role="group" aria-label="Days">{DAYS.map(day_box)}</span>
                            <label>"at " <input type="time" data-testid="maintenance-start" prop:value=move || start.get()
                                on:input=text_input(start) /></label>
                            <label>" for " <input type="number" min="1" max="10080" class="maintenance-minutes"
                                data-testid="maintenance-minutes" prop:value=move || minutes.get() on:input=text_input(minutes) />
                                " min"</label>
                            <label>" in " <input type="text" data-testid="maintenance-zone" aria-label="IANA time zone"
                                prop:value=move || zone.get() on:input=text_input(zone) /></label>
                        </span>
                    }.into_any(),
                }}
            </fieldset>
            <button type="submit" class="report-button" data-testid="maintenance-save" prop:disabled=move || windows.busy.get()>
                "Save window"
            </button>
            <p class="travel-error" data-testid="maintenance-error" role="alert">{move || windows.error.get()}</p>
        </form>
    }
}
