//! The HTTP surface: each service's own router, merged into one app; the
//! feed's small reads of the hub (`/snapshot`, `/nodes`, `/healthz`) and
//! `/config.json`; the protection layers over all of it; and the static app.
//!
//! Who answers what:
//! - `/events`: [`crate::sse::router`];
//! - `/history`, `/changes`, `/state`, `/aggregate`: [`crate::history::router`],
//!   or on a feed with `--no-history` [`crate::history::absent`], which
//!   answers each with a 404 that says why;
//! - `/metrics`: [`crate::metrics::router`];
//! - `/edge/management/v1/edge-routers` and `/identities`: [`crate::mgmt::router`],
//!   only when simulating (the simulator serves the management-API subset
//!   a real controller would);
//! - `/snapshot`, `/nodes`, `/healthz` (with each source's state), `/config.json`: here;
//! - anything else: the static app (`--static`), or a 404 that says how to
//!   get one.
//!
//! The token check ([`security::guard`]) wraps the merged app, so it covers
//! every service's routes the same way. The history's exports name
//! entities through the hub's store: the namer is built here, so the
//! history never imports the hub.

use crate::history::History;
use crate::hub::Hub;
use crate::metrics::{MetricsState, Registry};
use crate::security::{self, Auth, Authorized};
use crate::sse::SseState;
use axum::extract::{Extension, State};
use axum::http::header::{
    HeaderName, CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use axum::Router;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};
use zitiscope_core::alerts::AppConfig;

/// What the services are built from.
pub struct Services {
    pub hub: Arc<Hub>,
    /// The sources' and hooks' counters.
    pub registry: Arc<Registry>,
    /// The durable history, unless `--no-history`.
    pub history: Option<Arc<History>>,
    /// The SSE heartbeat period.
    pub heartbeat: Duration,
    /// The reconnect delay suggested to SSE clients, in ms.
    pub retry_ms: u64,
    /// Streams end when it turns `true`.
    pub shutdown: watch::Receiver<bool>,
    /// What `/config.json` says: the alert thresholds, with this feed's
    /// heartbeat period.
    pub app_config: Arc<AppConfig>,
    /// The management-API subset, when the feed simulates.
    pub mgmt: Option<crate::mgmt::MgmtState>,
    /// With `--replica`: its role and how far behind the log it is.
    pub replica: Option<Arc<crate::replica::Status>>,
    /// The shared alert state (with the history).
    pub ops: Option<crate::ops::Shared>,
}

/// What the reads here need: the hub, and for `/healthz` the counters
/// and the history's.
#[derive(Clone)]
struct Status {
    hub: Arc<Hub>,
    registry: Arc<Registry>,
    history: Option<Arc<History>>,
    replica: Option<Arc<crate::replica::Status>>,
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

/// All routes (see the module docs). With `static_dir`, everything that is
/// not an API route is served from it (unknown paths get `index.html`, for
/// deep links).
pub fn router(services: Services, static_dir: Option<&Path>, protection: Protection) -> Router {
    let Protection { allow_origins, auth, connect_src } = protection;
    let Services { hub, registry, history, heartbeat, retry_ms, shutdown, app_config, mgmt, replica, ops } = services;
    let sse = crate::sse::router(SseState {
        hub: hub.clone(),
        registry: registry.clone(),
        heartbeat,
        retry_ms,
        shutdown,
        ops: ops.as_ref().map(crate::ops::Shared::subscribe),
    });
    let metrics = crate::metrics::router(MetricsState {
        hub: hub.clone(),
        registry: registry.clone(),
        history: history.as_ref().map(|h| h.stats.clone()),
        replica: replica.clone(),
    });
    let history_routes = match &history {
        Some(h) => {
            let names = hub.clone();
            let namer: crate::history::http::Namer = Arc::new(move |ids| names.display_names(ids));
            let routes = crate::history::router(h.clone(), namer);
            // Windows made in the app name nodes the live network has.
            let live = hub.clone();
            let knows: crate::history::maintenance::Knows =
                Arc::new(move |n| live.nodes().iter().any(|r| r.node.id() == n || r.name == n));
            let poke = ops.clone();
            let changed: crate::history::maintenance::Changed = Arc::new(move || {
                if let Some(ops) = &poke {
                    ops.poke();
                }
            });
            let routes = routes.merge(crate::history::maintenance::router(h.clone(), knows, changed));
            match &ops {
                Some(ops) => routes.merge(crate::ops::router(ops.clone())),
                None => routes,
            }
        }
        None => crate::history::absent(),
    };
    let status = Router::new()
        // The app's worker starts from it (crates/worker/src/early.rs): a
        // 20,000-identity network's is ~6 MB of JSON, built per request, which
        // the server's default (brotli 4) took ~200 ms to compress, and zstd's
        // fastest level ~20 ms (to about a fifth of its size).
        .route("/snapshot", get(snapshot).layer(CompressionLayer::new().quality(CompressionLevel::Fastest)))
        .route("/healthz", get(healthz))
        .route("/nodes", get(nodes))
        .with_state(Status { hub, registry, history, replica });
    // Ahead of any config.json among the static files: the feed knows its
    // own heartbeat, and its config file's [alerts].
    let config = Router::new().route("/config.json", get(config_json)).with_state(app_config);
    let mut api = Router::new().merge(sse).merge(history_routes).merge(metrics).merge(status).merge(config);
    if let Some(state) = mgmt {
        api = api.merge(crate::mgmt::router(state));
    }
    if !allow_origins.is_empty() {
        // Only the listed origins: reads (browsers send no preflight for
        // EventSource), and the shared alert state's writes, which carry
        // their JSON and the token as a header.
        let cors = CorsLayer::new()
            .allow_origin(AllowOrigin::list(allow_origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([axum::http::header::CONTENT_TYPE, axum::http::header::AUTHORIZATION]);
        api = api.layer(cors);
    }
    let app = match static_dir {
        Some(dir) => {
            if !dir.join("index.html").is_file() {
                tracing::warn!("{} has no index.html: build the app first (make build)", dir.display());
            }
            let files = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
            // Revalidated on every load (a 304 when unchanged): index.html and
            // the worker's files keep their names across builds, and a page
            // of one build with a worker of another would not understand it.
            let files = SetResponseHeader::if_not_present(files, CACHE_CONTROL, HeaderValue::from_static("no-cache"));
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
        // zstd only where the history asks for it (fast, for answers built
        // per request): brotli makes the app's files smaller.
        .layer(CompressionLayer::new().no_zstd())
        .layer(header(CONTENT_SECURITY_POLICY, &csp))
        .layer(header(X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // A token may sit in the page's URL: never pass it on.
        .layer(header(REFERRER_POLICY, "no-referrer"))
        .layer(header(X_FRAME_OPTIONS, "DENY"))
}

async fn healthz(State(app): State<Status>, Extension(auth): Extension<Authorized>) -> impl IntoResponse {
    // Liveness for anyone (load balancers, probes); numbers only with the token.
    if !auth.0 {
        return Json(serde_json::json!({ "status": "ok" }));
    }
    let mut body = serde_json::to_value(app.hub.status()).expect("the hub's status serialises");
    // Each source's counters and state, with `up` spelled out and the pid
    // of the command it runs (for operators and tests; not in heartbeats).
    let mut down = Vec::new();
    let mut sources = serde_json::Map::new();
    for (name, stats) in app.registry.sources() {
        let state = stats.state();
        let mut s = serde_json::to_value(stats.counters()).expect("counters serialise");
        s["up"] = state.down_since.is_none().into();
        if let Some(pid) = state.pid {
            s["pid"] = pid.into();
        }
        if state.down_since.is_some() {
            down.push(name.clone());
        }
        sources.insert(name, s);
    }
    // Still 200: the feed serves; a source being down is what it reports.
    body["status"] = if down.is_empty() { "ok" } else { "degraded" }.into();
    body["sources"] = sources.into();
    body["sources_down"] = down.into();
    if let Some(h) = &app.history {
        body["history"] = h.health();
    }
    if let Some(r) = &app.replica {
        body["replica"] = r.health(&app.hub);
    }
    Json(body)
}

/// The full current state: the same [`zitiscope_core::wire::Snapshot`] an
/// SSE client starts from, for scripts and for checking a client's state.
async fn snapshot(State(app): State<Status>) -> impl IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], app.hub.snapshot())
}

/// Every node as the list view shows it: `[{node, name, attributes, health,
/// identities_online, identities_offline}]` (`node` as in the app's URLs,
/// e.g. `router:Kx7pWq2mRa`; `name` the name a person reads, the id while
/// there is none), for scripts and for checking a client against the feed
/// node by node.
async fn nodes(State(app): State<Status>) -> impl IntoResponse {
    let rows: Vec<serde_json::Value> = app
        .hub
        .nodes()
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "node": r.node.to_param(),
                "name": r.name,
                "attributes": r.attributes,
                "health": r.health.as_str(),
                "identities_online": r.identities.online,
                "identities_offline": r.identities.offline,
            })
        })
        .collect();
    Json(rows)
}

async fn config_json(State(config): State<Arc<AppConfig>>) -> impl IntoResponse {
    Json(config.as_ref().clone())
}

async fn no_app() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        "zitiscope-feed: no app is served here (start with --static dist); the feed is at /events\n",
    )
}
