//! The NOC's shared alert state over HTTP (see [`zitiscope_core::ops`]):
//! acks and silences made through token-guarded endpoints, kept in the
//! history's store, and pushed to every open screen as the stream's `ops`
//! message.
//!
//! - `POST /acks` (`AckRequest` as JSON): `201` with the ack as kept (its
//!   id, and its time on the feed's clock);
//! - `POST /silences` (`SilenceRequest`): `201` with the silence;
//! - `DELETE /silences/{id}`: ends it now (`204`; `404` for none in force).
//!
//! Each is checked before anything is kept (the core's checks: a subject
//! the network has, plain text of a sane length): a `400` with the reason
//! otherwise. [`Shared`] reads the whole state again at once after a
//! change here or to a window, and every [`REFRESH`] anyway (another
//! replica's changes, silences and windows that begin or end), and
//! publishes it when it differs from the last.

use crate::history::http::{bad, blocking, failed};
use crate::history::History;
use crate::hub::{now, Hub};
use crate::metrics::Registry;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use zitiscope_core::ops::{subject_known, AckRequest, SharedAck, SharedSilence, SilenceRequest};

/// How often the state is read again with nothing changed here.
pub const REFRESH: Duration = Duration::from_secs(1);
/// How often old acks and silences are dropped.
const PRUNE: Duration = Duration::from_secs(3_600);

/// The shared state's service: its store, what it checks requests
/// against, and the newest state as the stream sends it.
#[derive(Clone)]
pub struct Shared(Arc<Inner>);

struct Inner {
    history: Arc<History>,
    hub: Arc<Hub>,
    registry: Arc<Registry>,
    /// The newest `ops` message (empty until first read).
    tx: watch::Sender<Arc<str>>,
    changed: Notify,
}

impl Shared {
    pub fn new(history: Arc<History>, hub: Arc<Hub>, registry: Arc<Registry>) -> Self {
        let (tx, _) = watch::channel(Arc::from(""));
        Shared(Arc::new(Inner { history, hub, registry, tx, changed: Notify::new() }))
    }

    /// The `ops` messages, newest first (an empty one: none read yet).
    pub fn subscribe(&self) -> watch::Receiver<Arc<str>> {
        self.0.tx.subscribe()
    }

    /// Something changed here: read the state again now.
    pub fn poke(&self) {
        self.0.changed.notify_one();
    }

    /// Reads the state now, again after every poke and every [`REFRESH`],
    /// until `shutdown`; prunes old records every hour.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut pruned = tokio::time::Instant::now();
        loop {
            self.refresh().await;
            if pruned.elapsed() >= PRUNE {
                pruned = tokio::time::Instant::now();
                match blocking(self.0.history.clone(), |h| h.prune_shared(now().0)).await {
                    Ok(n) if n > 0 => tracing::info!(n, "dropped old acks and silences"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!("pruning acks and silences: {e:?}"),
                }
            }
            tokio::select! {
                _ = self.0.changed.notified() => {}
                _ = tokio::time::sleep(REFRESH) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    async fn refresh(&self) {
        match blocking(self.0.history.clone(), |h| h.ops(now().0)).await {
            Ok(ops) => {
                let text: Arc<str> = serde_json::to_string(&ops).expect("ops serialise").into();
                self.0.tx.send_if_modified(|last| {
                    let new = **last != *text;
                    if new {
                        *last = text;
                    }
                    new
                });
            }
            // The last state stays: screens keep what they had.
            Err(e) => tracing::warn!("reading the shared alert state: {e:?}"),
        }
    }

    /// Whether an alert about `key` can exist on the live network.
    fn knows(&self, key: &zitiscope_core::alerts::AlertKey) -> bool {
        let sources: Vec<String> = self.0.registry.sources().into_iter().map(|(name, _)| name).collect();
        self.0.hub.with_store(|store| subject_known(key, store, now(), &sources))
    }
}

/// The routes (see the module docs).
pub fn router(shared: Shared) -> Router {
    Router::new()
        .route(ACKS, post(ack))
        .route(SILENCES, post(silence))
        .route("/silences/{id}", delete(unsilence))
        .with_state(shared)
}

/// The paths (the token guards them and what is below them).
pub const ACKS: &str = "/acks";
pub const SILENCES: &str = "/silences";

async fn ack(State(s): State<Shared>, body: String) -> Response {
    let req: AckRequest = match serde_json::from_str(&body) {
        Ok(r) => r,
        Err(e) => return bad(format!("not an ack: {e}")),
    };
    if let Err(e) = req.check(s.knows(&req.key())) {
        return bad(e);
    }
    let ack = SharedAck { id: 0, key: req.key(), by: req.by.trim().to_owned(), comment: req.comment, at: now() };
    keep(&s, ack, History::add_ack, |a, id| SharedAck { id, ..a }).await
}

async fn silence(State(s): State<Shared>, body: String) -> Response {
    let req: SilenceRequest = match serde_json::from_str(&body) {
        Ok(r) => r,
        Err(e) => return bad(format!("not a silence: {e}")),
    };
    if let Err(e) = req.check(|k| s.knows(k)) {
        return bad(e);
    }
    let at = now();
    let silence =
        SharedSilence { id: 0, silence: req.silence(at), by: req.by.trim().to_owned(), comment: req.comment, at };
    keep(&s, silence, History::add_silence, |s, id| SharedSilence { id, ..s }).await
}

/// Keeps a checked `item` with `add`, reads the state again, and answers
/// `201` with the item as kept (its id set by `with_id`).
async fn keep<T: Clone + serde::Serialize + Send + Sync + 'static>(
    s: &Shared,
    item: T,
    add: fn(&History, &T) -> Result<i64, crate::history::QueryError>,
    with_id: fn(T, i64) -> T,
) -> Response {
    let kept = item.clone();
    match blocking(s.0.history.clone(), move |h| add(h, &kept)).await {
        Ok(id) => {
            s.poke();
            (StatusCode::CREATED, Json(with_id(item, id))).into_response()
        }
        Err(e) => failed(e),
    }
}

async fn unsilence(State(s): State<Shared>, Path(id): Path<i64>) -> Response {
    match blocking(s.0.history.clone(), move |h| h.end_silence(id, now().0)).await {
        Ok(Some(_)) => {
            s.poke();
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(None) => {
            (StatusCode::NOT_FOUND, Json(serde_json::json!({ "error": "no such silence in force" }))).into_response()
        }
        Err(e) => failed(e),
    }
}
