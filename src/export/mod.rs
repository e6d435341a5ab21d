//! Exports: the feed's history as CSV or JSON lines, the current snapshot
//! as JSON (all served by the feed, as downloads), and the map as PNG
//! (drawn here, from its canvas).

use crate::web::Param;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A feed URL beside `events` (the app's events URL, with any `?token=`):
/// `path` (which may carry its own query) on the same feed, the token kept.
pub fn feed_api_url(events: &str, path: &str) -> String {
    let (base, query) = events.split_once('?').unwrap_or((events, ""));
    let root = base.strip_suffix("/events").unwrap_or(base);
    let mut url = format!("{root}{path}");
    let token = format!("{}=", Param::Token.name());
    for pair in query.split('&').filter(|p| p.starts_with(&token)) {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(pair);
    }
    url
}

/// The export menu: links the browser downloads from the feed.
#[component]
pub fn ExportMenu(
    /// The feed's events URL (see [`crate::app::feed_url_from_location`]).
    #[prop(into)]
    events_url: Signal<String>,
) -> impl IntoView {
    let link = move |path: &'static str| move || feed_api_url(&events_url.get(), path);
    view! {
        <details class="export" data-testid="export">
            <summary class="topbar-toggle">"Export"</summary>
            <ul class="export-menu">
                <li><a href=link("/history?format=csv") download="zitiscope-events.csv" data-testid="export-csv">"Events (CSV)"</a></li>
                <li><a href=link("/history?format=jsonl") download="zitiscope-events.jsonl" data-testid="export-jsonl">"Events (JSON lines)"</a></li>
                <li><a href=link("/snapshot") download="zitiscope-snapshot.json" data-testid="export-snapshot">"Snapshot (JSON)"</a></li>
            </ul>
        </details>
    }
}

/// Downloads the canvas's current picture as `zitiscope-map.png`.
pub fn download_png(canvas: &web_sys::HtmlCanvasElement) {
    let Ok(data) = canvas.to_data_url_with_type("image/png") else { return };
    let Ok(a) = document().create_element("a") else { return };
    let a: web_sys::HtmlAnchorElement = a.unchecked_into();
    a.set_href(&data);
    a.set_download("zitiscope-map.png");
    a.click();
}
