//! The HTTP surface: routes, shared state and the static app.

use crate::hub::Hub;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use axum::Router;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tower_http::services::{ServeDir, ServeFile};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub hub: Arc<Hub>,
    pub heartbeat: Duration,
    pub retry_ms: u64,
    pub shutdown: watch::Receiver<bool>,
}

/// All routes. With `static_dir`, everything that is not an API route is
/// served from it (unknown paths get `index.html`, for deep links).
pub fn router(state: AppState, static_dir: Option<&Path>) -> Router {
    let api = Router::new().route("/events", get(crate::sse::events)).route("/healthz", get(healthz)).with_state(state);
    match static_dir {
        Some(dir) => {
            if !dir.join("index.html").is_file() {
                tracing::warn!("{} has no index.html: build the app first (make build)", dir.display());
            }
            let files = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
            api.fallback_service(files)
        }
        None => api.fallback(no_app),
    }
}

async fn healthz(State(app): State<AppState>) -> impl IntoResponse {
    let mut body = serde_json::to_value(app.hub.health()).expect("health serialises");
    body["status"] = "ok".into();
    Json(body)
}

async fn no_app() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        "zitiscope-feed: no app is served here (start with --static dist); the feed is at /events\n",
    )
}
