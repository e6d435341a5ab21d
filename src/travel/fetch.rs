//! Time travel's two reads from the feed's history: the network at a
//! moment (`GET /state?at=`) and a page of events (`GET /history`).

use zitiscope_core::store::StoreState;
use zitiscope_core::{Event, Store, StoreConfig};

#[derive(serde::Deserialize)]
struct StateAt {
    state: StoreState,
}

/// One page of `GET /history`.
#[derive(serde::Deserialize)]
pub struct Page {
    pub events: Vec<Row>,
    /// The cursor of the next page, if there may be more.
    pub next: Option<String>,
}

/// One stored event (its id is not needed here).
#[derive(serde::Deserialize)]
pub struct Row {
    pub event: Event,
}

async fn get(url: &str) -> Result<String, String> {
    let reply = gloo_net::http::Request::get(url).send().await.map_err(|e| format!("history: {e}"))?;
    match reply.status() {
        200 => {}
        404 => return Err("that moment is before the feed's history".into()),
        s => return Err(format!("history: HTTP {s}")),
    }
    reply.text().await.map_err(|e| format!("history: {e}"))
}

/// `GET /state?at=` as a store.
pub async fn state(url: &str) -> Result<Store, String> {
    let body: StateAt = serde_json::from_str(&get(url).await?).map_err(|e| format!("history: {e}"))?;
    Ok(Store::from_state(body.state, StoreConfig::default()))
}

/// One page of `GET /history`.
pub async fn page(url: &str) -> Result<Page, String> {
    serde_json::from_str(&get(url).await?).map_err(|e| format!("history: {e}"))
}
