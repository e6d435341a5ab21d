//! The HTTP surface: routes, shared state and the static app.

use crate::hub::Hub;
use crate::security::{self, Auth, Authorized};
use axum::extract::{Extension, State};
use axum::http::header::{
    HeaderName, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use axum::Router;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use zitiscope_core::alerts::AppConfig;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub hub: Arc<Hub>,
    pub heartbeat: Duration,
    pub retry_ms: u64,
    pub shutdown: watch::Receiver<bool>,
    /// What `/config.json` says: the alert thresholds, with this feed's
    /// heartbeat period.
    pub app_config: Arc<AppConfig>,
    /// The durable history (`/history`, `/state`), unless `--no-history`.
    pub history: Option<Arc<crate::history::History>>,
}

/// How the HTTP surface is protected.
pub struct Protection {
    /// Origins that may read the API cross-origin (CORS).
    pub allow_origins: Vec<HeaderValue>,
    /// The token check.
    pub auth: Arc<Auth>,
    /// Other feeds the served app may connect to (CSP `connect-src`).
    pub connect_src: Vec<String>,
}

/// All routes. With `static_dir`, everything that is not an API route is
/// served from it (unknown paths get `index.html`, for deep links).
pub fn router(state: AppState, static_dir: Option<&Path>, protection: Protection) -> Router {
    let Protection { allow_origins, auth, connect_src } = protection;
    let mut api = Router::new()
        .route("/events", get(crate::sse::events))
        .route("/snapshot", get(snapshot))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/nodes", get(nodes))
        .route("/history", get(crate::history::http::history))
        .route("/state", get(crate::history::http::state))
        .route("/aggregate", get(crate::history::http::aggregate))
        .route("/changes", get(crate::history::http::changes))
        // Ahead of any config.json among the static files: the feed knows
        // its own heartbeat, and its config file's [alerts].
        .route("/config.json", get(app_config))
        .with_state(state);
    if !allow_origins.is_empty() {
        // Only the listed origins, only reads: browsers send no preflight
        // for EventSource, so GET is all that is needed.
        let cors = CorsLayer::new()
            .allow_origin(AllowOrigin::list(allow_origins.iter().cloned()))
            .allow_methods([Method::GET]);
        api = api.layer(cors);
    }
    let app = match static_dir {
        Some(dir) => {
            if !dir.join("index.html").is_file() {
                tracing::warn!("{} has no index.html: build the app first (make build)", dir.display());
            }
            let files = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
            api.fallback_service(files)
        }
        None => api.fallback(no_app),
    };
    let csp = security::content_security_policy(static_dir, &connect_src);
    let header = |name: HeaderName, value: &str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_str(value).expect("a valid header value"))
    };
    app.layer(axum::middleware::from_fn_with_state(auth, security::guard))
        // The default predicate leaves `text/event-stream` alone: a
        // compressed stream would be buffered, not streamed.
        .layer(CompressionLayer::new())
        .layer(header(CONTENT_SECURITY_POLICY, &csp))
        .layer(header(X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // A token may sit in the page's URL: never pass it on.
        .layer(header(REFERRER_POLICY, "no-referrer"))
        .layer(header(X_FRAME_OPTIONS, "DENY"))
}

async fn healthz(State(app): State<AppState>, Extension(auth): Extension<Authorized>) -> impl IntoResponse {
    // Liveness for anyone (load balancers, probes); numbers only with the token.
    if !auth.0 {
        return Json(serde_json::json!({ "status": "ok" }));
    }
    let mut body = serde_json::to_value(app.hub.health()).expect("health serialises");
    body["status"] = "ok".into();
    body["sources"] = serde_json::to_value(app.hub.source_counters()).expect("counters serialise");
    if let Some(h) = &app.history {
        body["history"] = h.health();
    }
    Json(body)
}

async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        crate::metrics::render(&app.hub, app.history.as_ref().map(|h| h.stats.as_ref())),
    )
}

/// The full current state: the same [`zitiscope_core::wire::Snapshot`] an
/// SSE client starts from, for scripts and for checking a client's state.
async fn snapshot(State(app): State<AppState>) -> impl IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], app.hub.snapshot())
}

/// Every node as the list view shows it: `[{node, health, identities_online,
/// identities_offline}]` (`node` as in the app's URLs, e.g. `router:edge-eu-1`),
/// for scripts and for checking a client against the feed node by node.
async fn nodes(State(app): State<AppState>) -> impl IntoResponse {
    let rows: Vec<serde_json::Value> = app
        .hub
        .nodes()
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "node": r.node.to_param(),
                "health": r.health.as_str(),
                "identities_online": r.identities.online,
                "identities_offline": r.identities.offline,
            })
        })
        .collect();
    Json(rows)
}

async fn app_config(State(app): State<AppState>) -> impl IntoResponse {
    Json(app.app_config.as_ref().clone())
}

async fn no_app() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        "zitiscope-feed: no app is served here (start with --static dist); the feed is at /events\n",
    )
}
