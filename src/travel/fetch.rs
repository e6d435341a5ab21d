//! Time travel's two reads from the feed's history: the network at a
//! moment (`GET /state?at=`) and a page of events (`GET /history`).

use crate::history::{get_json, Page};
use zitiscope_core::store::StoreState;
use zitiscope_core::{Event, Store, StoreConfig};

#[derive(serde::Deserialize)]
struct StateAt {
    state: StoreState,
}

/// One stored event (its id is not needed here).
#[derive(serde::Deserialize)]
pub struct Row {
    pub event: Event,
}

/// `GET /state?at=` as a store.
pub async fn state(url: &str) -> Result<Store, String> {
    let body: StateAt = get_json(url).await?;
    Ok(Store::from_state(body.state, StoreConfig::default()))
}

/// One page of `GET /history`.
pub async fn page(url: &str) -> Result<Page<Row>, String> {
    get_json(url).await
}
