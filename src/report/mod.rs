//! `ReportPanel`: availability over a range (issue 21), from the feed's
//! `GET /report` (`zitiscope_core::report::Report`; the core decides
//! every figure, this only renders): each node's and link's share of
//! observed time, its outages, MTTR and MTBF, worst first, with the
//! maintenance left out said in words. The range is the last 24 hours,
//! 7 or 30 days (each ending when clicked) or any two moments; the filter
//! is the node list's language. The same question downloads as CSV, and
//! the page prints as the report alone (`@media print` in
//! `style/main.css`). Read when the panel is shown (a view of the stage),
//! and again when the range or the filter changes. Every name is text.
//!
//! - [`state`]: the question and the answer ([`use_report`]);
//! - [`table`]: the rows and their outages;
//! - [`words`]: the figures in words (pure, tested natively).

mod state;
mod table;
pub mod words;

pub use state::{use_report, Asked, Preset, UseReport};
pub use table::ReportTable;

use crate::filter::FilterInput;
use crate::web::{format_utc, local_input_value, parse_local_input};
use leptos::prelude::*;
use zitiscope_core::filter::NODE_SCHEMA;
use zitiscope_core::Timestamp;

/// The panel: the range, the filter, the table, the CSV and Print.
#[component]
pub fn ReportPanel() -> impl IntoView {
    let state = use_report();
    let UseReport { asked, report, error, loading, .. } = state;
    // The range of the report shown (`data-from`, `data-to`: ms since the
    // epoch), which the tests compare with the one asked for.
    let range = move || report.with(|r| r.as_ref().map(|r| r.range));
    let heading = move || match asked.get().preset {
        Some(p) => format!("Availability over {}", p.words()),
        None => "Availability over a chosen range".to_string(),
    };
    let range_line = move || {
        report.with(|r| {
            r.as_ref().map(|r| {
                let (from, to) = (format_utc(Timestamp(r.range.from), false), format_utc(Timestamp(r.range.to), false));
                format!("{from} → {to} UTC · {} events read", r.events)
            })
        })
    };
    let incomplete = move || {
        report.with(|r| r.as_ref().is_some_and(|r| !r.complete)).then(|| {
            view! {
                <p class="report-warning" role="status">
                    "The range held more events than one report reads: the figures cover its start only. Ask for a shorter range."
                </p>
            }
        })
    };
    let body = move || report.get().map(|r| view! { <ReportTable rows=r.rows /> });
    let ms = |ns: i64| ns.div_euclid(1_000_000).to_string();
    view! {
        <section
            class="panel report"
            data-testid="report"
            aria-labelledby="report-title"
            data-range=move || asked.get().name()
            data-from=move || range().map(|r| ms(r.from))
            data-to=move || range().map(|r| ms(r.to))
            aria-busy=move || loading.get().to_string()
        >
            <div class="report-head">
                <h2 id="report-title">{heading}</h2>
                <RangePicker state=state />
                <FilterInput
                    schema=&NODE_SCHEMA
                    text=state.text
                    filter=state.filter
                    class="network-filter"
                    placeholder="filter: edge-eu, type=router, attr=eu…"
                    label="Only the nodes this filter passes (the list's filter language; a filter leaves links out)"
                    testid="report-filter"
                    presets="zitiscope.filters.nodes"
                />
                <span class="report-actions">
                    <a class="report-button" href=move || state.csv_url() download="zitiscope-availability.csv" data-testid="report-csv">
                        "Download CSV"
                    </a>
                    <button type="button" class="report-button" data-testid="report-print" on:click=move |_| {
                        let _ = window().print();
                    }>
                        "Print"
                    </button>
                </span>
            </div>
            <p class="report-range" data-testid="report-range">
                {range_line}
                {move || loading.get().then_some(" · reading…")}
            </p>
            // On paper the filter's input is gone: the line says what it held.
            {move || {
                let text = state.filter.with(|_| state.text.get_untracked()).trim().to_owned();
                (!text.is_empty()).then(|| view! { <p class="report-range print-only">"filter: " {text}</p> })
            }}
            <p class="travel-error report-error" data-testid="report-error" role="status">{move || error.get()}</p>
            {incomplete}
            <div class="report-scroll">{body}</div>
        </section>
    }
}

/// The range: a button per preset, and two moments in the browser's local
/// time (they show the range asked for; changing one asks for that range).
#[component]
fn RangePicker(
    /// The report's state.
    state: UseReport,
) -> impl IntoView {
    let asked = state.asked;
    let wrong = RwSignal::new(None::<&'static str>);
    let set_end = move |from_end: bool| {
        move |ev: leptos::ev::Event| {
            let Some(t) = parse_local_input(&event_target_value(&ev)) else {
                wrong.set(Some("not a time"));
                return;
            };
            let a = asked.get_untracked();
            let (from, to) = if from_end { (t, a.to) } else { (a.from, t) };
            if from >= to {
                wrong.set(Some("from must be before to"));
                return;
            }
            wrong.set(None);
            asked.set(Asked { preset: None, from, to });
        }
    };
    view! {
        <span class="report-range-picker" role="group" aria-label="Report range">
            {Preset::ALL
                .into_iter()
                .map(|p| {
                    view! {
                        <button
                            type="button"
                            class="report-button"
                            data-testid=format!("report-range-{}", p.name())
                            aria-pressed=move || (asked.get().preset == Some(p)).to_string()
                            on:click=move |_| {
                                wrong.set(None);
                                state.pick(p);
                            }
                        >
                            {p.label()}
                        </button>
                    }
                })
                .collect_view()}
            <label class="report-moment">
                "from "
                <input type="datetime-local" data-testid="report-from" aria-label="From (local time)"
                    prop:value=move || local_input_value(asked.get().from, false) on:change=set_end(true) />
            </label>
            <label class="report-moment">
                "to "
                <input type="datetime-local" data-testid="report-to" aria-label="To (local time)"
                    prop:value=move || local_input_value(asked.get().to, false) on:change=set_end(false) />
            </label>
            <span class="filter-error" role="status">{move || wrong.get()}</span>
        </span>
    }
}
