//! `AnalysisPanel`: the feed's aggregation of the last hour (or of the hour
//! before the time-travel moment), from `GET /aggregate`: events per minute
//! as a sparkline, the routers and identities that dropped most, and each
//! link's latency. Fetched when the panel is shown (a view of the stage),
//! and again every 30 s while it is. Every name is rendered as text.

use crate::export::feed_api_url;
use crate::history::get_json;
use crate::shown::use_shown;
use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::aggregate::{KindCounts, LatencyPoint, Report};

/// How often a shown panel refreshes.
const REFRESH: Duration = Duration::from_secs(30);
/// Links charted at most (the slowest first).
const LINKS_SHOWN: usize = 6;

/// `points` as an SVG polyline's `points` in a `w`×`h` box: x spread
/// evenly, y scaled so the largest value touches the top (all zero: flat
/// along the bottom).
pub fn polyline(values: &[f64], w: f64, h: f64) -> String {
    polyline_on(values, values.iter().copied().fold(0.0_f64, f64::max), w, h)
}

/// The same on a given scale: `max` touches the top (several lines that
/// share one chart share one scale).
pub fn polyline_on(values: &[f64], max: f64, w: f64, h: f64) -> String {
    let step = if values.len() > 1 { w / (values.len() - 1) as f64 } else { 0.0 };
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let y = if max > 0.0 { h - (v / max) * h } else { h };
            format!("{:.1},{:.1}", i as f64 * step, y)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The panel: the feed's aggregation of the last hour, or of the hour
/// before the time-travel moment if there is one.
#[component]
pub fn AnalysisPanel() -> impl IntoView {
    let shown = use_shown();
    let (events_url, at) = (shown.events_url, shown.at);
    let report = RwSignal::new(None::<Report>);
    let error = RwSignal::new(None::<String>);
    let refresh = RwSignal::new(0u32);
    Effect::new(move |_| {
        refresh.track();
        let to = at.get().map_or(String::new(), |t| format!("&to={t}"));
        let url = feed_api_url(&events_url.get_untracked(), &format!("/aggregate?top=8{to}"));
        leptos::task::spawn_local(async move {
            match get_json::<Report>(&url).await {
                Ok(r) => {
                    report.set(Some(r));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    if let Ok(handle) = set_interval_with_handle(move || refresh.update(|n| *n += 1), REFRESH) {
        on_cleanup(move || handle.clear());
    }
    let body = move || {
        report.get().map(|r| {
            let per_minute: Vec<f64> = r.per_minute.iter().map(|(_, c)| f64::from(c.total())).collect();
            let peak = per_minute.iter().copied().fold(0.0, f64::max);
            // One line per event type, on the same scale (the busiest minute of any).
            let top = r.per_minute.iter().flat_map(|(_, c)| c.each()).max().unwrap_or(0);
            let lines: Vec<(&str, String)> = KindCounts::TYPES
                .iter()
                .enumerate()
                .filter(|(i, _)| r.per_minute.iter().any(|(_, c)| c.each()[*i] > 0))
                .map(|(i, name)| {
                    let values: Vec<f64> = r.per_minute.iter().map(|(_, c)| f64::from(c.each()[i])).collect();
                    (*name, polyline_on(&values, f64::from(top), 300.0, 38.0))
                })
                .collect();
            // The core lists the slowest first.
            let links: Vec<_> = r.links.iter().take(LINKS_SHOWN).cloned().collect();
            let worst = |p: &[LatencyPoint]| p.iter().map(|x| x.mean_ms).fold(0.0, f64::max);
            view! {
                <p class="analysis-events">
                    {format!("{} events", r.events)}
                    " · peak "
                    {format!("{peak:.0}/min")}
                </p>
                <svg class="sparkline" data-testid="analysis-sparkline" viewBox="0 0 300 40" width="300" height="40" role="img"
                    aria-label="Events per minute, by type">
                    {lines.iter().map(|(name, points)| view! {
                        <polyline class=format!("spark-{name}") points=points.clone() fill="none" stroke-width="1.5" />
                    }).collect_view()}
                </svg>
                <p class="spark-legend">
                    {lines.iter().map(|(name, _)| view! { <span class=format!("spark-key spark-{name}")>{*name}</span> }).collect_view()}
                </p>
                <h3>"Routers that dropped most"</h3>
                <table class="analysis-table" data-testid="analysis-routers">
                    <thead><tr><th scope="col">"Router"</th><th scope="col">"Flaps"</th><th scope="col">"Disconnects"</th><th scope="col">"per hour"</th><th scope="col">"Online now"</th></tr></thead>
                    <tbody>
                        {r.top_routers.into_iter().map(|x| view! {
                            <tr><th scope="row">{x.router}</th><td>{x.flaps}</td><td>{x.disconnects}</td>
                                <td>{format!("{:.1}", x.disconnects_per_hour)}</td><td>{x.identities_online}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <h3>"Identities that dropped most"</h3>
                <ol class="analysis-identities" data-testid="analysis-identities">
                    {r.top_identities.into_iter().map(|(id, n)| view! { <li>{id}" · "{n}</li> }).collect_view()}
                </ol>
                <h3>"Link latency (mean, solid; jitter, dotted; each on its own scale)"</h3>
                <ul class="analysis-links" data-testid="analysis-links">
                    {links.into_iter().map(|(link, points)| {
                        let means: Vec<f64> = points.iter().map(|p| p.mean_ms).collect();
                        // No jitter line when the controller's metric filter dropped it.
                        let jitters: Vec<f64> = points.iter().filter_map(|p| p.jitter_ms).collect();
                        let label = match jitters.iter().copied().reduce(f64::max) {
                            Some(jitter) => format!("max {:.0} ms, jitter up to {jitter:.0} ms", worst(&points)),
                            None => format!("max {:.0} ms, no jitter reported", worst(&points)),
                        };
                        view! {
                            <li>
                                <span class="analysis-link">{link}</span>
                                <svg viewBox="0 0 120 24" width="120" height="24" role="img" aria-label=label.clone()>
                                    <polyline points=polyline(&means, 120.0, 22.0) fill="none" stroke="currentColor" stroke-width="1" />
                                    <polyline class="spark-jitter" points=polyline(&jitters, 120.0, 22.0) fill="none" stroke-width="1" stroke-dasharray="2 2" />
                                </svg>
                                <span class="filter-doc">{label}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    };
    view! {
        <section class="panel analysis" data-testid="analysis">
            <h2>{move || if at.with(Option::is_some) { "Analysis: the hour before the moment shown" } else { "Analysis: the last hour" }}</h2>
            <p class="travel-error" role="status">{move || error.get()}</p>
            {body}
        </section>
    }
}
