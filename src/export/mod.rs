//! Exports: the feed's history as CSV or JSON lines, the current snapshot
//! as JSON (all served by the feed, as downloads), and the map as PNG
//! (drawn here, from its canvas).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

pub use zitiscope_core::client::feed_api_url;

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
