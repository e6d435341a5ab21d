//! The history's HTTP face: `GET /history`, `/changes`, `/state?at=`,
//! `/aggregate` and `/report`, one router over the running [`History`]
//! ([`router`]). All
//! are reads, so all are idempotent; the database work runs off the async
//! threads.
//!
//! A feed started with `--no-history` has no [`History`] and so none of
//! these handlers: [`absent`] answers the same paths with one 404 that
//! gives the reason (which the app shows), rather than leaving them to the
//! static app's fallback, which would answer `index.html`.
//!
//! Exports name the entities in their events (`display_name`, `src_name`,
//! `dst_name`; `names` in JSON lines) through a [`Namer`] the server hands
//! in: the history knows ids only, the live store knows the names, and this
//! service imports neither the hub nor the server.

use super::{Ask, History, Order, QueryError};
use axum::extract::{FromRef, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashMap;
use std::sync::Arc;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use zitiscope_core::timestamp::Timestamp;
use zitiscope_core::EntityType;

/// The paths this service answers.
pub const PATHS: [&str; 5] = ["/history", "/changes", "/state", "/aggregate", "/report"];

/// The names a person reads for some entities, now, in the order asked
/// (an entity with no name reads as its id). Called once per page of an
/// export, so that it can take its lock once.
pub type Namer = Arc<dyn Fn(&[(EntityType, &str)]) -> Vec<String> + Send + Sync>;

/// A namer that knows no names (every entity reads as its id).
pub fn by_id() -> Namer {
    Arc::new(|ids: &[(EntityType, &str)]| ids.iter().map(|(_, id)| (*id).to_owned()).collect())
}

/// One entity's name through `namer`, for filters, which look up only the
/// rows they test, and only when a term asks for a name.
fn one(namer: &Namer) -> impl Fn(EntityType, &str) -> String + Sync + '_ {
    move |t, id| namer(&[(t, id)]).pop().unwrap_or_else(|| id.to_owned())
}

/// What the handlers read: the history, and the namer (for exports, and
/// for filters that name an entity).
#[derive(Clone)]
struct Service {
    history: Arc<History>,
    namer: Namer,
}

impl FromRef<Service> for Arc<History> {
    fn from_ref(s: &Service) -> Self {
        s.history.clone()
    }
}

/// The history's routes, over the running history; exports name entities
/// through `namer`.
pub fn router(history: Arc<History>, namer: Namer) -> Router {
    Router::new()
        .route(PATHS[0], get(events))
        .route(PATHS[1], get(changes))
        .route(PATHS[2], get(state))
        .route(PATHS[3], get(aggregate))
        .route(PATHS[4], get(report))
        .with_state(Service { history, namer })
        // Built per request, and a state is 10–25 MB of JSON on a network
        // of 20,000 identities: the server's default quality (brotli 4)
        // took 270 ms of a 420 ms `/state` at 8.5 MB, the fastest takes
        // about a tenth of that for a somewhat larger answer. (The
        // server's own layer leaves an answer already compressed alone.)
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
}

/// The same paths on a feed that keeps no history: each says so.
pub fn absent() -> Router {
    let shared = ["/maintenance", "/acks", "/silences"];
    let routes =
        PATHS.iter().chain(&shared).fold(Router::new(), |r, path| r.route(path, get(unavailable).post(unavailable)));
    routes
        .route("/silences/{id}", axum::routing::delete(unavailable))
        .route("/maintenance/{id}", axum::routing::delete(unavailable))
}

async fn unavailable() -> Response {
    (StatusCode::NOT_FOUND, Json(serde_json::json!({ "error": "this feed keeps no history (--no-history)" })))
        .into_response()
}

/// The most events one page returns.
pub const LIMIT_MAX: usize = 10_000;

/// `GET /history` and `GET /changes` parameters. Times are integer ns
/// since the epoch or RFC 3339 (`2026-12-01T03:12:00Z`).
#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    from: Option<String>,
    to: Option<String>,
    #[serde(default)]
    filter: String,
    /// `asc` (oldest first, the default) or `desc` (newest first).
    order: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
    /// `json` (pages, the default), or an export: `jsonl` or `csv`
    /// (`/history` only).
    format: Option<String>,
}

/// An export holds at most this many events; past it, the
/// `X-Zitiscope-Next` header is the cursor to go on from.
pub const EXPORT_MAX: usize = 200_000;

/// `GET /state` parameters.
#[derive(serde::Deserialize)]
pub struct StateQuery {
    at: Option<String>,
}

/// A time parameter, or the message saying why it is not one.
pub(super) fn time(param: &str, raw: Option<&str>, default: i64) -> Result<i64, String> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else { return Ok(default) };
    if let Ok(ns) = raw.parse::<i64>() {
        return Ok(ns);
    }
    Timestamp::parse_rfc3339(raw)
        .map(|t| t.0)
        .map_err(|_| format!("{param}: `{}` is neither ns since the epoch nor RFC 3339", shorten(raw)))
}

fn shorten(s: &str) -> String {
    s.chars().take(64).filter(|c| !c.is_control()).collect()
}

/// The `from`, `to` (both optional: all of time) and `order` (`asc`, the
/// default, or `desc`) of a page, or the message saying what is wrong.
fn span(from: Option<&str>, to: Option<&str>, order: Option<&str>) -> Result<(i64, i64, Order), String> {
    let order = match order {
        None | Some("asc") => Order::Oldest,
        Some("desc") => Order::Newest,
        Some(other) => return Err(format!("order: `{}` is not asc or desc", shorten(other))),
    };
    Ok((time("from", from, i64::MIN)?, time("to", to, i64::MAX)?, order))
}

pub(crate) fn bad(msg: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": msg }))).into_response()
}

pub(crate) fn failed(e: QueryError) -> Response {
    match e {
        QueryError::Bad(m) => bad(m),
        QueryError::Db(m) => {
            tracing::error!(target: "zitiscope::history", "query: {m}");
            (StatusCode::INTERNAL_SERVER_ERROR, Json(serde_json::json!({ "error": "the history could not be read" })))
                .into_response()
        }
    }
}

pub(crate) async fn blocking<R: Send + 'static>(
    history: Arc<History>,
    f: impl FnOnce(&History) -> Result<R, QueryError> + Send + 'static,
) -> Result<R, QueryError> {
    tokio::task::spawn_blocking(move || f(&history)).await.unwrap_or_else(|e| Err(QueryError::Db(e.to_string())))
}

/// `GET /history`: a page of stored events, `{events: [{id, event}], next,
/// scanned}`, or an export of them.
async fn events(State(Service { history: h, namer }): State<Service>, Query(q): Query<PageQuery>) -> Response {
    let (from, to, order) = match span(q.from.as_deref(), q.to.as_deref(), q.order.as_deref()) {
        Ok(w) => w,
        Err(m) => return bad(m),
    };
    let (filter, cursor) = (q.filter, q.cursor);
    match q.format.as_deref() {
        None | Some("json") => {
            let limit = q.limit.unwrap_or(1_000).clamp(1, LIMIT_MAX);
            let page = move |h: &History| {
                h.page(&Ask { from, to, order, limit, cursor: cursor.as_deref(), filter: &filter }, &one(&namer))
            };
            match blocking(h, page).await {
                Ok(page) => Json(page).into_response(),
                Err(e) => failed(e),
            }
        }
        Some(f @ ("jsonl" | "csv")) => {
            let csv = f == "csv";
            let limit = q.limit.unwrap_or(EXPORT_MAX).clamp(1, EXPORT_MAX);
            let ask = move |h: &History| {
                export(h, Ask { from, to, order, limit, cursor: cursor.as_deref(), filter: &filter }, csv, &namer)
            };
            match blocking(h, ask).await {
                Ok((body, next)) => {
                    let (kind, name) = if csv {
                        ("text/csv; charset=utf-8", "zitiscope-events.csv")
                    } else {
                        ("application/x-ndjson", "zitiscope-events.jsonl")
                    };
                    let mut r = (
                        [
                            (header::CONTENT_TYPE, kind.to_string()),
                            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                        ],
                        body,
                    )
                        .into_response();
                    if let Some(next) = next.and_then(|n| header::HeaderValue::from_str(&n).ok()) {
                        r.headers_mut().insert("x-zitiscope-next", next);
                    }
                    r
                }
                Err(e) => failed(e),
            }
        }
        Some(other) => bad(format!("format: `{}` is not json, jsonl or csv", shorten(other))),
    }
}

/// Every event `ask` selects (up to its `limit`) as JSON lines or CSV, its
/// entities named by `namer`, and the cursor to go on from if there are more.
fn export(h: &History, ask: Ask<'_>, csv: bool, namer: &Namer) -> Result<(String, Option<String>), QueryError> {
    use zitiscope_core::export::{csv_header, csv_row_named, jsonl_line};
    let mut body = if csv { csv_header() } else { String::new() };
    let (mut n, mut cursor) = (0, ask.cursor.map(str::to_owned));
    loop {
        let page =
            h.page(&Ask { limit: (ask.limit - n).min(LIMIT_MAX), cursor: cursor.as_deref(), ..ask }, &one(namer))?;
        // The page's entities, each named once.
        let mut ids: Vec<(EntityType, &str)> =
            page.events.iter().flat_map(|row| row.event.entities()).flatten().collect();
        ids.sort_unstable();
        ids.dedup();
        let names: HashMap<(EntityType, &str), String> = ids.iter().copied().zip(namer(&ids)).collect();
        let name = |t: EntityType, id: &str| names.get(&(t, id)).cloned().unwrap_or_else(|| id.to_owned());
        for row in &page.events {
            if csv {
                body.push_str(&csv_row_named(row.id, &row.event, &name));
            } else {
                body.push_str(&jsonl_line(&row.event, &name));
            }
        }
        n += page.events.len();
        cursor = page.next;
        if cursor.is_none() || n >= ask.limit {
            return Ok((body, cursor));
        }
    }
}

/// `GET /state`'s answer.
#[derive(serde::Serialize)]
struct At<'a> {
    at: i64,
    summary: zitiscope_core::store::Summary,
    state: zitiscope_core::store::StateRef<'a>,
}

/// The network at `at`: `{at, state, summary}` (`state` as in a snapshot).
async fn state(State(h): State<Arc<History>>, Query(q): Query<StateQuery>) -> Response {
    let at = match time("at", q.at.as_deref(), i64::MAX) {
        Ok(t) => t,
        Err(m) => return bad(m),
    };
    match blocking(h, move |h| h.state_at(at)).await {
        // Written straight from the store: through `json!` the state would
        // be copied twice (a `Value` tree of every field), for 10–25 MB on
        // a 20k-identity network.
        Ok(Some(store)) => {
            let answer = Json(At { at, summary: store.summary(), state: store.state_ref() }).into_response();
            // Freeing a large store takes 5–10 ms: not before the answer leaves.
            tokio::task::spawn_blocking(move || drop(store));
            answer
        }
        Ok(None) => (StatusCode::NOT_FOUND, Json(serde_json::json!({ "error": "that is before the history starts" })))
            .into_response(),
        Err(e) => failed(e),
    }
}

/// `GET /aggregate` parameters: the window (default: the last hour) and
/// how many of the worst routers and identities to list (default 10).
#[derive(serde::Deserialize)]
pub struct AggregateQuery {
    from: Option<String>,
    to: Option<String>,
    top: Option<usize>,
}

/// The window's aggregation (`zitiscope_core::aggregate::Report`).
async fn aggregate(State(h): State<Arc<History>>, Query(q): Query<AggregateQuery>) -> Response {
    let (from, to) = match window(q.from.as_deref(), q.to.as_deref(), 3_600_000_000_000) {
        Ok(w) => w,
        Err(m) => return bad(m),
    };
    let top = q.top.unwrap_or(10).clamp(1, 1_000);
    match blocking(h, move |h| h.aggregate(from, to, top)).await {
        Ok(report) => Json(report).into_response(),
        Err(e) => failed(e),
    }
}

/// `GET /report` parameters: the range (default: the last 24 hours), a
/// filter, and `format=csv` for a download.
#[derive(serde::Deserialize)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
    /// Only the nodes it passes (the list's fields: `attr=eu`, `name=edge-*`).
    filter: Option<String>,
}

/// Availability over the range (`zitiscope_core::report::Report`), its
/// subjects named by the live store; or, with `format=csv`, its rows.
async fn report(State(Service { history: h, namer }): State<Service>, Query(q): Query<ReportQuery>) -> Response {
    let (from, to) = match window(q.from.as_deref(), q.to.as_deref(), 86_400_000_000_000) {
        Ok(w) => w,
        Err(m) => return bad(m),
    };
    if to.saturating_sub(from) > zitiscope_core::report::MAX_RANGE_NS {
        return bad("to: a report covers at most 400 days".into());
    }
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => return bad(format!("format: {other:?} is not json or csv")),
    };
    let filter = q.filter.unwrap_or_default();
    let mut report = match blocking(h, move |h| h.report(from, to, &filter)).await {
        Ok(report) => report,
        Err(e) => return failed(e),
    };
    // Routers by the names the live store knows (one call for them all).
    let routers: Vec<usize> = (0..report.rows.len())
        .filter(|&i| matches!(report.rows[i].subject, zitiscope_core::report::Subject::Router(_)))
        .collect();
    let ids: Vec<(EntityType, &str)> =
        routers.iter().map(|&i| (EntityType::Router, report.rows[i].name.as_str())).collect();
    let names = namer(&ids);
    for (&i, name) in routers.iter().zip(names) {
        report.rows[i].name = name;
    }
    if csv {
        let headers = [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"zitiscope-availability.csv\""),
        ];
        return (headers, zitiscope_core::report::csv(&report.rows)).into_response();
    }
    Json(report).into_response()
}

/// A window's `from` and `to` (ns): `to` defaults to now and `from` to
/// `len` before it; `from` must come first.
fn window(from: Option<&str>, to: Option<&str>, len: i64) -> Result<(i64, i64), String> {
    let to = time("to", to, Timestamp::from_millis(wall_ms()).0)?;
    let from = time("from", from, to.saturating_sub(len))?;
    if from >= to {
        return Err("from: must be before to".into());
    }
    Ok((from, to))
}

/// The wall clock in ms.
fn wall_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

/// A page of stored state changes: `{changes: [{id, change, label}], next}`,
/// oldest first or (`order=desc`) newest first.
async fn changes(State(Service { history: h, namer }): State<Service>, Query(q): Query<PageQuery>) -> Response {
    let (from, to, order) = match span(q.from.as_deref(), q.to.as_deref(), q.order.as_deref()) {
        Ok(w) => w,
        Err(m) => return bad(m),
    };
    let limit = q.limit.unwrap_or(1_000).clamp(1, LIMIT_MAX);
    let (filter, cursor) = (q.filter, q.cursor);
    let page = move |h: &History| {
        h.changes(&Ask { from, to, order, limit, cursor: cursor.as_deref(), filter: &filter }, &one(&namer))
    };
    match blocking(h, page).await {
        Ok(page) => Json(page).into_response(),
        Err(e) => failed(e),
    }
}
