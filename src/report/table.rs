//! The report's table: one row a subject, in the core's order (worst
//! first: lowest share, then most down time; the unobserved last), each
//! with its outages below it, shown on a click (and always on paper).
//! Every name and id is a text node.

use super::words::{duration_or_dash, grade, kind_and_id, maintenance_note, outage_flags, outage_length, percent_text};
use crate::web::format_utc;
use leptos::prelude::*;
use zitiscope_core::report::spans::Outage;
use zitiscope_core::report::Row;
use zitiscope_core::timestamp::human_duration;
use zitiscope_core::Timestamp;

/// The table of every subject, worst first.
#[component]
pub fn ReportTable(
    /// The report's rows, in the core's order.
    rows: Vec<Row>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="report-empty">"No node or link was seen in this range."</p> }.into_any();
    }
    view! {
        <table class="report-table" data-testid="report-table">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Availability"</th>
                    <th scope="col">"Observed"</th>
                    <th scope="col">"Maintenance"</th>
                    <th scope="col">"Outages"</th>
                    <th scope="col">"Down"</th>
                    <th scope="col" title="Mean time to repair: the mean counted length of an outage">"MTTR"</th>
                    <th scope="col" title="Mean time between failures: observed up time per outage">"MTBF"</th>
                </tr>
            </thead>
            // One body a subject: its row, then its outages.
            {rows.into_iter().enumerate().map(|(i, row)| view! { <SubjectRows row=row index=i /> }).collect_view()}
        </table>
    }
    .into_any()
}

/// A subject's row and, below it, its outages (hidden until its count is
/// clicked).
#[component]
fn SubjectRows(
    /// The subject's figures.
    row: Row,
    /// Its place in the table (for the outage list's element id).
    index: usize,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let (kind, id) = kind_and_id(&row.subject);
    let id = id.to_owned();
    let a = row.availability;
    let share = a.percent.map_or_else(|| "—".to_string(), percent_text);
    let share_title = a.percent.map_or("nothing observed: the whole range was maintenance", |_| "");
    let count = a.outages.len();
    let list_id = format!("report-outages-{index}");
    let outages = a.outages;
    // The id beside a name, when the name is not the id.
    let shown_id = (row.name != id).then(|| id.clone());
    view! {
        <tbody class="report-subject">
            <tr data-testid="report-row" data-subject=id data-kind=kind class=format!("report-grade-{}", grade(a.percent))>
                <th scope="row" class="report-name">
                    <span class="node-label">{row.name}</span>
                    {shown_id.map(|i| view! { " " <span class="node-id">{i}</span> })}
                </th>
                <td class="report-kind">{kind}</td>
                <td class="report-share" data-testid="report-availability" title=share_title>{share}</td>
                <td>{human_duration(a.observed_ns)}</td>
                <td>
                    {match maintenance_note(a.maintenance_ns) {
                        Some(note) => view! { <span data-testid="report-maintenance-note">{note}</span> }.into_any(),
                        None => view! { <span class="report-quiet">"—"</span> }.into_any(),
                    }}
                </td>
                <td>
                    {if count == 0 {
                        view! { <span>"0"</span> }.into_any()
                    } else {
                        let controls = list_id.clone();
                        view! {
                            <button
                                type="button"
                                class="report-expand"
                                data-testid="report-outages-toggle"
                                aria-expanded=move || open.get().to_string()
                                aria-controls=controls
                                on:click=move |_| open.update(|o| *o = !*o)
                            >
                                {count}
                                {move || if open.get() { " ▾" } else { " ▸" }}
                            </button>
                        }
                            .into_any()
                    }}
                </td>
                <td>{if a.down_ns > 0 { human_duration(a.down_ns) } else { "—".into() }}</td>
                <td>{duration_or_dash(a.mttr_ns)}</td>
                <td>{duration_or_dash(a.mtbf_ns)}</td>
            </tr>
            {(count > 0).then(|| view! {
                // Always in the page, hidden on screen until asked for: a
                // printed report lists every outage.
                <tr class="report-outages" id=list_id hidden=move || !open.get()>
                    <td colspan="9"><OutageList outages=outages /></td>
                </tr>
            })}
        </tbody>
    }
}

/// A subject's outages, oldest first, in UTC.
#[component]
fn OutageList(
    /// The outages that count.
    outages: Vec<Outage>,
) -> impl IntoView {
    view! {
        <table class="report-outage-table" data-testid="report-outages">
            <thead>
                <tr>
                    <th scope="col">"Start (UTC)"</th>
                    <th scope="col">"End (UTC)"</th>
                    <th scope="col">"Duration"</th>
                    <th scope="col">"Note"</th>
                </tr>
            </thead>
            <tbody>
                {outages
                    .into_iter()
                    .map(|o| {
                        view! {
                            <tr data-testid="report-outage" class:report-cut=o.from_before || o.ongoing>
                                <td>{format_utc(Timestamp(o.span.from), true)}</td>
                                <td>{format_utc(Timestamp(o.span.to), true)}</td>
                                <td>{outage_length(&o)}</td>
                                <td>{outage_flags(&o)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
