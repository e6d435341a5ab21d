//! `EventLog`: the audit trail itself. The feed's stored events, newest
//! first, filtered by the filter language (the event fields; `&events=` in
//! the URL), ending at the time-travel moment when there is one, a page at
//! a time (`GET /history?order=desc`). Its export links download exactly
//! the events it lists, as CSV or JSON lines. Read only while the panel is
//! shown (a view of the stage). Every value is rendered as text. The name columns read the names
//! the worker sends for the rows shown (the names a person reads now), as
//! the feed's export does.

use crate::export::feed_api_url;
use crate::filter::FilterInput;
use crate::history::{use_pages, use_selection};
use crate::shown::use_shown;
use crate::store::LiveStore;
use crate::web::{use_url_text, Param};
use leptos::prelude::*;
use zitiscope_core::export::{column, column_named, CSV_COLUMNS, NAME_COLUMNS};
use zitiscope_core::filter::{Filter, EVENT_SCHEMA};
use zitiscope_core::Event;

/// Events one page holds.
pub const PAGE: usize = 50;

/// One row of `GET /history`.
#[derive(serde::Deserialize)]
struct Row {
    id: i64,
    event: Event,
}

/// The panel: the history beside the feed's events URL, ending at the
/// time-travel moment if there is one.
#[component]
pub fn EventLog() -> impl IntoView {
    let shown = use_shown();
    let (events_url, at) = (shown.events_url, shown.at);
    let text = use_url_text(Param::Events);
    let filter = RwSignal::new(Filter::default());
    // What the log and its exports select.
    let selection = use_selection(text, filter, at);
    let query = Memo::new(move |_| {
        Some(feed_api_url(&events_url.get(), &format!("/history?order=desc&limit={PAGE}&{}", selection.get())))
    });
    let pages = use_pages::<Row>(query.into());
    let export = move |format: &'static str| {
        // In the log's order, so that the file is the list, row for row.
        move || feed_api_url(&events_url.get(), &format!("/history?format={format}&order=desc&{}", selection.get()))
    };
    // The CSV's columns after `id` (the table says them the same way).
    let columns = &CSV_COLUMNS[1..];
    // Names from the live store, where the page has one (a log mounted
    // alone reads every entity as its id). The worker sends the names of
    // the rows shown when asked; the rows are drawn again when those
    // arrive or change, not on every other name's change (on a busy
    // network the store's names move at the map's rate).
    let store = use_context::<LiveStore>();
    let entities = move || {
        pages.rows.with(|all| {
            all.iter()
                .flat_map(|r| r.event.entities().into_iter().flatten())
                .map(|(t, id)| (t, id.to_owned()))
                .collect::<Vec<_>>()
        })
    };
    if let Some(s) = store {
        Effect::new(move |_| s.want_names(entities()));
    }
    let names =
        Memo::new(move |_| store.map(|s| entities().into_iter().map(|(t, id)| s.name(t, &id)).collect::<Vec<_>>()));
    let rows = move || {
        names.track();
        pages.rows.with(|all| {
            all.iter()
                .map(|r| {
                    view! {
                        <tr data-id=r.id>
                            {columns
                                .iter()
                                .map(|c| {
                                    let v = match store {
                                        Some(s) if NAME_COLUMNS.contains(c) => {
                                            untrack(|| column_named(&r.event, c, &|t, id| s.name(t, id)))
                                        }
                                        _ => column(&r.event, c),
                                    };
                                    let title = v.clone();
                                    view! { <td title=title>{v}</td> }
                                })
                                .collect_view()}
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="panel event-log" data-testid="event-log">
            <h2>{move || if at.with(Option::is_some) { "Event log: up to the moment shown" } else { "Event log" }}</h2>
            <div class="event-log-tools">
                <FilterInput
                    schema=&EVENT_SCHEMA
                    text=text
                    filter=filter
                    class="network-filter"
                    placeholder="filter: type=conn AND kind=edge-to-router AND !up…"
                    label="Filter events (the filter language)"
                    testid="event-filter"
                    presets="zitiscope.filters.events"
                />
                <a href=export("csv") download="zitiscope-events.csv" data-testid="event-log-csv">"CSV"</a>
                <a href=export("jsonl") download="zitiscope-events.jsonl" data-testid="event-log-jsonl">"JSON lines"</a>
            </div>
            <p class="travel-error" role="status" data-testid="event-log-error">{move || pages.error.get()}</p>
            <div class="event-log-scroll">
                <table class="analysis-table" data-testid="event-log-rows">
                    <thead>
                        <tr>{columns.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}</tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {move || {
                pages
                    .has_more()
                    .then(|| {
                        view! {
                            <button type="button" class="topbar-toggle" data-testid="event-log-older" on:click=move |_| pages.more()>
                                "Older"
                            </button>
                        }
                    })
            }}
        </section>
    }
}
