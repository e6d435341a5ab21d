//! The change log: state changes, newest first, filtered by the filter
//! language (`docs/filter.md`, the change fields). Live, it shows the
//! recent changes the app has seen. From the history (the "History"
//! toggle, and always while time travel shows a past moment) it asks the
//! feed (`GET /changes?order=desc&filter=`), so it reaches back as far as
//! the audit trail does, a page at a time. Every name is rendered as text,
//! never as HTML.

use crate::export::feed_api_url;
use crate::filter::FilterInput;
use crate::history::{use_pages, use_selection};
use crate::shown::use_shown;
use crate::store::LiveStore;
use crate::web::{format_clock, use_url_text, Param};
use leptos::prelude::*;
use std::collections::HashMap;
use zitiscope_core::filter::{Filter, Named, CHANGE_SCHEMA};
use zitiscope_core::store::ChangeLabel;
use zitiscope_core::Change;

/// How many live changes are shown.
pub const SHOWN: usize = 15;

/// How many changes one page from the history holds.
pub const PAGE: usize = 25;

/// One row of `GET /changes` (its id and words are not needed here).
#[derive(serde::Deserialize)]
struct Row {
    change: Change,
}

/// The log.
#[component]
pub fn ChangeList(
    /// Recent changes, newest first.
    #[prop(into)]
    changes: Signal<Vec<Change>>,
) -> impl IntoView {
    // The feed's history is beside its events URL; at a time-travel
    // moment, the log ends there.
    let shown = use_shown();
    let (events_url, at) = (shown.events_url, shown.at);
    // The filter is in the URL (`&changes=`), like the list's and the map's.
    let text = use_url_text(Param::Changes);
    let filter = RwSignal::new(Filter::default());
    let history_on = RwSignal::new(false);
    let from_history = Memo::new(move |_| history_on.get() || at.with(Option::is_some));
    // From the history: the feed filters, newest first, up to the moment.
    let selection = use_selection(text, filter, at);
    let query = Memo::new(move |_| {
        from_history
            .get()
            .then(|| feed_api_url(&events_url.get(), &format!("/changes?order=desc&limit={PAGE}&{}", selection.get())))
    });
    let past = use_pages::<Row>(query.into());
    // Routers and identities by name: the live store knows them (a view
    // mounted alone, without one, shows the ids).
    let store = use_context::<LiveStore>();
    let words = move |c: &Change| store.map_or_else(|| c.label(), |s| s.label(c));
    // The live list's subjects come named; the history's are asked for.
    if let Some(s) = store {
        Effect::new(move |_| {
            let of = past.rows.with(|all| {
                all.iter()
                    .flat_map(|r| r.change.entities().into_iter().flatten())
                    .map(|(t, id)| (t, id.to_owned()))
                    .collect::<Vec<_>>()
            });
            s.want_names(of);
        });
    }
    // Keyed by what a row shows, so a new change inserts one row and the
    // oldest leaves: rows unkeyed would each be rewritten on every update
    // (15 rows' text and attributes, about 30 times a second at 1k
    // events/s, each a style and layout pass on the main thread).
    let live_rows = move || {
        filter.with(|f| {
            // `name` and bare words match the names shown (and the ids).
            let shown = |c: &&Change| f.matches(&Named { change: c, label: &words });
            changes.with(|all| keyed(all.iter().filter(shown).take(SHOWN).map(words)))
        })
    };
    let past_rows = move || past.rows.with(|all| all.iter().map(|r| row(words(&r.change))).collect_view());
    view! {
        <section class="changes">
            <div class="changes-head">
                <h2>{move || if from_history.get() { "Changes in the history" } else { "Latest changes" }}</h2>
                <button
                    type="button"
                    class="topbar-toggle"
                    data-testid="change-history"
                    aria-pressed=move || from_history.get().to_string()
                    disabled=move || at.with(Option::is_some)
                    title="Search the feed's history (always on while showing a past moment)"
                    on:click=move |_| history_on.update(|h| *h = !*h)
                >
                    "History"
                </button>
            </div>
            <FilterInput
                schema=&CHANGE_SCHEMA
                text=text
                filter=filter
                class="network-filter"
                placeholder="filter: laptop, kind=edge-to-router AND !good…"
                label="Filter changes (the filter language)"
                testid="change-filter"
                presets="zitiscope.filters.changes"
            />
            <p class="travel-error" role="status" data-testid="changes-error">{move || past.error.get()}</p>
            <ol class="change-list" data-testid="changes">
                {move || {
                    if from_history.get() {
                        past_rows().into_any()
                    } else {
                        view! { <For each=live_rows key=|k| k.clone() children=|(l, _)| row(l) /> }.into_any()
                    }
                }}
            </ol>
            {move || {
                (from_history.get() && past.has_more())
                    .then(|| {
                        view! {
                            <button type="button" class="topbar-toggle" data-testid="changes-older" on:click=move |_| past.more()>
                                "Older"
                            </button>
                        }
                    })
            }}
        </section>
    }
}

/// Rows with their keys: the row's words, and which of the rows with the
/// same words it is (two alike stay two rows).
fn keyed(labels: impl Iterator<Item = ChangeLabel>) -> Vec<(ChangeLabel, usize)> {
    let mut alike: HashMap<ChangeLabel, usize> = HashMap::new();
    labels
        .map(|l| {
            let n = alike.entry(l.clone()).or_default();
            *n += 1;
            (l, *n)
        })
        .collect()
}

/// One change in words: when, its state (icon and word), what and who.
fn row(l: ChangeLabel) -> impl IntoView {
    let (class, icon) = match l.good {
        Some(true) => ("change change-up", "▲ "),
        Some(false) => ("change change-down", "▼ "),
        None => ("change", "● "),
    };
    view! {
        <li class=class>
            <time title=l.at.to_rfc3339()>{format_clock(l.at)}</time>
            <span class="change-state">{icon}{l.state}</span>
            <span class="change-kind">{l.what}</span>
            <span class="change-who">{l.subject}</span>
        </li>
    }
}
