//! The management-API subset, served by the feed while it simulates:
//! `GET /edge/management/v1/edge-routers` and `GET
//! /edge/management/v1/identities`, a page at a time (`limit`, `offset`),
//! in the real API's envelopes (`zitiscope_core::mgmt`, which cites the
//! spec). So `make run` exercises what a real network offers: opaque ids in
//! the events, and the names beside them from the controller's inventory.
//!
//! What it does not do: log in (the feed's own token guards it, as every
//! route), `filter`, `sort`, `roleFilter`, or any single-entity path. Its
//! router is its own, over a [`Directory`] (the simulator's model); the
//! server merges it only when the source is the simulator.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use zitiscope_core::mgmt::{self, Directory, Paging};

/// The two lists' routes, over `directory`.
pub fn router(directory: Arc<dyn Directory>) -> Router {
    Router::new()
        .route(mgmt::EDGE_ROUTERS_PATH, get(edge_routers))
        .route(mgmt::IDENTITIES_PATH, get(identities))
        .with_state(directory)
}

async fn edge_routers(State(d): State<Arc<dyn Directory>>, RawQuery(q): RawQuery) -> Response {
    answer(q.as_deref(), |p| d.edge_routers(p), &mgmt::EDGE_ROUTER_FIELDS)
}

async fn identities(State(d): State<Arc<dyn Directory>>, RawQuery(q): RawQuery) -> Response {
    answer(q.as_deref(), |p| d.identities(p), &mgmt::IDENTITY_FIELDS)
}

/// The page the query asks for from `list`, in its envelope, or the API's
/// 400 answer. As go-swagger binds them, the last of a repeated parameter
/// counts; a query that does not decode reads as no parameters.
fn answer<T: serde::Serialize>(
    query: Option<&str>,
    list: impl FnOnce(Paging) -> (Vec<T>, usize),
    fields: &[&str],
) -> Response {
    let pairs: Vec<(String, String)> = query.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
    let last = |name: &str| pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    match Paging::from_query(last("limit"), last("offset")) {
        Ok(p) => {
            let (data, total) = list(p);
            Json(p.envelope(data, total, fields)).into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, Json((*e).envelope(&request_id()))).into_response(),
    }
}

/// A request id in the UUID shape the controller gives its own.
fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("00000000-0000-4000-8000-{n:012x}")
}

#[cfg(test)]
mod tests;
