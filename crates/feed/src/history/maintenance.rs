//! Maintenance windows as operators share them: the config file's
//! (`[[maintenance]]`, fixed) and those made through `/maintenance`, kept
//! as records in the history's store (so they survive restarts and every
//! replica has them), and left out of `/report`.
//!
//! - `GET /maintenance?from=&to=`: every window, with its spans in the
//!   range (default: now to a week on);
//! - `POST /maintenance` (a window as JSON): checked, including that each
//!   node it names exists, then kept; `201` with its id;
//! - `DELETE /maintenance/{id}`: `204`, or `404` for none (the config
//!   file's cannot be deleted here).

use super::http::{bad, blocking, failed, time};
use super::{History, QueryError, Window};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use std::sync::Arc;
use zitiscope_core::report::windows::Scope;
use zitiscope_core::report::Span;

/// The records' kind.
const KIND: &str = "maintenance";

impl History {
    /// The windows: the config file's, then the shared ones, with their ids.
    pub fn windows_with_ids(&self) -> Result<Vec<(Option<i64>, Window)>, QueryError> {
        // A read: the readers' pool, not a writable connection of its own
        // (whose opening makes the schema and reads the writer's state).
        let shared = self.read(|db| Ok(db.records(KIND)?))?;
        let fixed = self.config.maintenance.iter().cloned().map(|w| (None, w));
        // A record that no longer reads as a window (a later format) is passed over.
        let kept = shared.into_iter().filter_map(|(id, body)| Some((Some(id), serde_json::from_str(&body).ok()?)));
        Ok(fixed.chain(kept).collect())
    }

    /// Every window (see [`Self::windows_with_ids`]).
    pub fn windows(&self) -> Result<Vec<Window>, QueryError> {
        Ok(self.windows_with_ids()?.into_iter().map(|(_, w)| w).collect())
    }

    /// Keeps a window (checked by the caller); returns its id.
    pub fn add_window(&self, w: &Window) -> Result<i64, QueryError> {
        let body = serde_json::to_string(w).expect("windows serialise");
        self.with_records(|db| Ok(db.put_record(KIND, &body)?))
    }

    /// Drops a kept window; `false` when there was none.
    pub fn delete_window(&self, id: i64) -> Result<bool, QueryError> {
        self.with_records(|db| Ok(db.delete_record(KIND, id)?))
    }

    /// Runs `f` on a writable connection of its own (the readers are
    /// read-only), opened and closed here: records change rarely (a window
    /// made or deleted), and a blocking PostgreSQL client must not be
    /// dropped in an async task.
    pub(super) fn with_records<R>(
        &self,
        f: impl FnOnce(&mut dyn super::HistoryStore) -> Result<R, QueryError>,
    ) -> Result<R, QueryError> {
        f(self.config.at.open()?.as_mut())
    }
}

/// Whether the live network has a node of this id or name.
pub type Knows = Arc<dyn Fn(&str) -> bool + Send + Sync>;
/// Called after a window was made or deleted (the shared state is read
/// again and pushed to the screens).
pub type Changed = Arc<dyn Fn() + Send + Sync>;

#[derive(Clone)]
struct Service {
    history: Arc<History>,
    knows: Knows,
    changed: Changed,
}

/// The `/maintenance` routes.
pub fn router(history: Arc<History>, knows: Knows, changed: Changed) -> Router {
    Router::new().route(PATH, get(list).post(add)).route("/maintenance/{id}", delete(remove)).with_state(Service {
        history,
        knows,
        changed,
    })
}

/// The path (the token guards it and what is below it).
pub const PATH: &str = "/maintenance";

#[derive(serde::Deserialize)]
struct ListQuery {
    from: Option<String>,
    to: Option<String>,
}

/// One window as `GET /maintenance` lists it.
#[derive(serde::Serialize)]
struct Listed {
    /// `None` for the config file's.
    id: Option<i64>,
    window: Window,
    /// Where it holds inside the range asked for.
    spans: Vec<Span>,
}

async fn list(State(s): State<Service>, Query(q): Query<ListQuery>) -> Response {
    let now = crate::hub::now().0;
    let from = match time("from", q.from.as_deref(), now) {
        Ok(t) => t,
        Err(m) => return bad(m),
    };
    let to = match time("to", q.to.as_deref(), from.saturating_add(7 * 86_400_000_000_000)) {
        Ok(t) if t > from => t,
        Ok(_) => return bad("from: must be before to".into()),
        Err(m) => return bad(m),
    };
    let range = Span::new(from, to);
    let read = move |h: &History| h.windows_with_ids();
    match blocking(s.history, read).await {
        Ok(all) => {
            let listed: Vec<Listed> = all
                .into_iter()
                .map(|(id, window)| Listed { id, spans: window.when.spans(range).unwrap_or_default(), window })
                .collect();
            Json(serde_json::json!({ "windows": listed })).into_response()
        }
        Err(e) => failed(e),
    }
}

async fn add(State(s): State<Service>, body: String) -> Response {
    let window: Window = match serde_json::from_str(&body) {
        Ok(w) => w,
        Err(e) => return bad(format!("not a window: {e}")),
    };
    if let Err(e) = window.check() {
        return bad(e);
    }
    if let Scope::Nodes(names) = &window.scope {
        if let Some(unknown) = names.iter().find(|n| !(s.knows)(n)) {
            return bad(format!("scope: no node is named {unknown:?}"));
        }
    }
    if window.name.trim().is_empty() || window.name.len() > 200 {
        return bad("name: from 1 to 200 characters".into());
    }
    // The same window twice is a mistake: refused, with the one it repeats.
    let now = crate::hub::now().0;
    let existing = match blocking(s.history.clone(), |h| h.windows_with_ids()).await {
        Ok(all) => all,
        Err(e) => return failed(e),
    };
    if let Some((id, other, at)) =
        existing.into_iter().find_map(|(id, w)| window.overlap(&w, now).map(|at| (id, w, at)))
    {
        let which = id.map_or("from the config file".to_string(), |id| format!("id {id}"));
        let when = zitiscope_core::Timestamp(at.from).to_rfc3339();
        return bad(format!(
            "overlaps the window {:?} ({which}) over the same scope from {when}: change that one instead",
            other.name
        ));
    }
    match blocking(s.history, move |h| h.add_window(&window)).await {
        Ok(id) => {
            (s.changed)();
            (StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response()
        }
        Err(e) => failed(e),
    }
}

async fn remove(State(s): State<Service>, Path(id): Path<i64>) -> Response {
    match blocking(s.history, move |h| h.delete_window(id)).await {
        Ok(true) => {
            (s.changed)();
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => (StatusCode::NOT_FOUND, Json(serde_json::json!({ "error": "no such window" }))).into_response(),
        Err(e) => failed(e),
    }
}
