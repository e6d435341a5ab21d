//! The management-API subset, served by the feed while it simulates:
//! `GET /edge/management/v1/edge-routers` and `GET
//! /edge/management/v1/identities`, a page at a time (`limit`, `offset`),
//! in the real API's envelopes (`zitiscope_core::mgmt`, which cites the
//! spec), and, when the simulator is given a login (`--api-login`), `POST
//! /edge/management/v1/authenticate?method=password` and the `zt-session`
//! check a real controller makes. So `make run` exercises what a real
//! network offers, and the inventory client (`crate::inventory`) is tested
//! against it: paging, a login, a 401.
//!
//! What it does not do: `filter`, `sort`, `roleFilter`, certificate or
//! OIDC logins, or any single-entity path. Its router is its own, over a
//! [`Directory`] (the simulator's model); the server merges it only when the
//! source is the simulator.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use zitiscope_core::mgmt::{self, ApiError, ApiSession, Credentials, DataEnvelope, Directory, Paging};

/// The served API's state: the lists, and the login it asks for.
#[derive(Clone)]
pub struct MgmtState {
    directory: Arc<dyn Directory>,
    login: Option<Credentials>,
    sessions: Arc<Mutex<HashSet<String>>>,
}

impl MgmtState {
    /// The lists of `directory`; with a `login`, only to a session that
    /// logged in with it.
    pub fn new(directory: Arc<dyn Directory>, login: Option<Credentials>) -> Self {
        MgmtState { directory, login, sessions: Arc::default() }
    }

    /// Ends every session, as a controller restart does: the next request
    /// of each is a 401.
    pub fn revoke_sessions(&self) {
        lock(&self.sessions).clear();
    }

    /// Whether `headers` carry a session that may read (always, without a
    /// login): `zt-session`, or `Authorization: Bearer` as newer
    /// controllers also take.
    fn admits(&self, headers: &HeaderMap) -> bool {
        if self.login.is_none() {
            return true;
        }
        let session = headers.get(mgmt::SESSION_HEADER).and_then(|v| v.to_str().ok());
        let bearer = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        session.or(bearer).is_some_and(|t| lock(&self.sessions).contains(t))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The routes, over `state`.
pub fn router(state: MgmtState) -> Router {
    Router::new()
        .route(mgmt::AUTHENTICATE_PATH, post(authenticate))
        .route(mgmt::EDGE_ROUTERS_PATH, get(edge_routers))
        .route(mgmt::IDENTITIES_PATH, get(identities))
        .with_state(state)
}

async fn authenticate(State(s): State<MgmtState>, RawQuery(q): RawQuery, body: axum::body::Bytes) -> Response {
    let method_ok = q.as_deref().is_some_and(|q| q.split('&').any(|p| p == "method=password"));
    let given: Option<Credentials> = serde_json::from_slice(&body).ok();
    match (&s.login, given) {
        (Some(want), Some(got)) if method_ok && *want == got => {
            let token = session_token();
            lock(&s.sessions).insert(token.clone());
            let data = ApiSession { id: request_id(), token: token.clone(), ..ApiSession::default() };
            let mut r = Json(DataEnvelope { data, meta: mgmt::Meta::default() }).into_response();
            if let Ok(v) = token.parse() {
                r.headers_mut().insert(mgmt::SESSION_HEADER, v);
            }
            r
        }
        _ => refuse(mgmt::invalid_auth()),
    }
}

async fn edge_routers(State(s): State<MgmtState>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    if !s.admits(&headers) {
        return refuse(mgmt::unauthorized());
    }
    answer(q.as_deref(), |p| s.directory.edge_routers(p), &mgmt::EDGE_ROUTER_FIELDS)
}

async fn identities(State(s): State<MgmtState>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    if !s.admits(&headers) {
        return refuse(mgmt::unauthorized());
    }
    answer(q.as_deref(), |p| s.directory.identities(p), &mgmt::IDENTITY_FIELDS)
}

/// A 401 in the API's error envelope.
fn refuse(e: ApiError) -> Response {
    (StatusCode::UNAUTHORIZED, Json(e.envelope(&request_id()))).into_response()
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

/// A session token in the UUID shape the controller uses, from std's
/// per-process random hash keys and a counter: unique, and hard enough to
/// guess for a simulator (a real controller guards real data).
fn session_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let half = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n ^ salt);
        h.finish()
    };
    let h = format!("{:016x}{:016x}", half(0), half(u64::MAX));
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

#[cfg(test)]
mod tests;
