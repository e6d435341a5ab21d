//! `GET /events`: the SSE stream (see `docs/feed-protocol.md`).
//!
//! `retry:` and a `snapshot` first (or `resume` and the missed batches, for
//! a client that names its last batch with `Last-Event-ID` or `?since=`),
//! then every `batch` with `id: <run>:<seq>`, `heartbeat`s in between
//! (with the sources' counters, so the app sees what the feed rejected), and
//! `reset` just before dropping a client that fell more than its queue
//! behind: a gap is never silent.
//!
//! The service is [`router`] over an [`SseState`]: the hub it streams, the
//! sources' counters it reports, and its timing.

use crate::hub::{now, Hub, Start};
use crate::metrics::Registry;
use axum::extract::{Query, State};
use axum::http::header::{HeaderName, HeaderValue};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, Sse};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use futures_util::Stream;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;
use zitiscope_core::wire::{self, EventId, Heartbeat, Reset, Resume};

/// How long a client whose resume point is ahead of this feed waits for
/// it before it gets a snapshot instead.
const AHEAD_WAIT: Duration = Duration::from_secs(2);

/// What the stream needs.
#[derive(Clone)]
pub struct SseState {
    pub hub: Arc<Hub>,
    /// The sources' counters, which each heartbeat carries.
    pub registry: Arc<Registry>,
    /// How often a heartbeat is sent.
    pub heartbeat: Duration,
    /// The reconnect delay suggested to clients (`retry:`), in ms.
    pub retry_ms: u64,
    /// Streams end when it turns `true`.
    pub shutdown: watch::Receiver<bool>,
    /// The shared alert state's `ops` messages (with the history).
    pub ops: Option<watch::Receiver<Arc<str>>>,
}

/// The `/events` route.
pub fn router(state: SseState) -> Router {
    Router::new().route("/events", get(events)).with_state(state)
}

/// The query string of `GET /events`.
#[derive(serde::Deserialize, Default)]
pub struct EventsQuery {
    /// Resume after this SSE id (`<run>:<seq>`).
    pub since: Option<String>,
}

/// The handler. EventSource's own reconnects send `Last-Event-ID`, which is
/// newer than a `?since=` left in the URL, so the header wins.
async fn events(State(sse): State<SseState>, headers: HeaderMap, Query(q): Query<EventsQuery>) -> impl IntoResponse {
    let header = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    let since = header.or(q.since.as_deref()).and_then(EventId::parse);
    let stream = stream(sse, since);
    (
        // nginx and similar proxies buffer responses unless told not to.
        [(HeaderName::from_static("x-accel-buffering"), HeaderValue::from_static("no"))],
        Sse::new(stream),
    )
}

fn stream(sse: SseState, since: Option<EventId>) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    let SseState { hub, registry, heartbeat, retry_ms, shutdown, mut ops } = sse;
    async_stream::stream! {
        // A point of this run that this feed has not reached yet: a replica
        // a moment behind the one the client left (see `crate::replica`).
        if let Some(id) = since.as_ref().filter(|id| id.run == hub.run_id) {
            hub.reached(id.seq, AHEAD_WAIT).await;
        }
        let guard = hub.client_guard();
        let joined = hub.subscribe(since.as_ref());
        let mut rx = joined.rx;
        let mut last = joined.seq;
        guard.sent(last);
        let retry = Duration::from_millis(retry_ms);
        match joined.start {
            Start::Snapshot(snapshot) => {
                yield Ok(SseEvent::default().retry(retry).event(wire::SNAPSHOT).id(hub.event_id(joined.seq)).data(snapshot));
            }
            Start::Resume { after, missed } => {
                let resume = Resume { run: hub.run_id.clone(), seq: after };
                yield Ok(SseEvent::default().retry(retry).event(wire::RESUME).data(json(&resume)));
                for frame in missed {
                    yield Ok(SseEvent::default().event(wire::BATCH).id(hub.event_id(frame.seq)).data(frame.data.as_str()));
                }
            }
        }
        // The shared alert state as it is now, then each change.
        if let Some(rx) = ops.as_mut() {
            let now = rx.borrow_and_update().clone();
            if !now.is_empty() {
                yield Ok(SseEvent::default().event(wire::OPS).data(&*now));
            }
        }
        let stop = crate::stopped(shutdown);
        tokio::pin!(stop);
        let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
        loop {
            tokio::select! {
                frame = rx.recv() => match frame {
                    Ok(frame) => {
                        // The snapshot already holds everything up to its seq.
                        if frame.seq <= last { continue; }
                        last = frame.seq;
                        guard.sent(last);
                        yield Ok(SseEvent::default().event(wire::BATCH).id(hub.event_id(frame.seq)).data(frame.data.as_str()));
                    }
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "client fell behind; sending reset");
                        hub.counters.resets.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        hub.counters.dropped_batches.fetch_add(missed, std::sync::atomic::Ordering::Relaxed);
                        let reset = Reset { reason: format!("client fell {missed} batches behind") };
                        yield Ok(SseEvent::default().event(wire::RESET).data(json(&reset)));
                        break;
                    }
                    Err(RecvError::Closed) => break,
                },
                _ = beat.tick() => {
                    let hb = Heartbeat { now: now(), seq: last, sources: registry.source_counters() };
                    yield Ok(SseEvent::default().event(wire::HEARTBEAT).data(json(&hb)));
                }
                changed = ops_changed(&mut ops) => {
                    if changed.is_err() {
                        ops = None;
                        continue;
                    }
                    let now = ops.as_mut().map(|rx| rx.borrow_and_update().clone()).unwrap_or_default();
                    if !now.is_empty() {
                        yield Ok(SseEvent::default().event(wire::OPS).data(&*now));
                    }
                }
                _ = &mut stop => break,
            }
        }
    }
}

/// The next change of the shared state; never, without one.
async fn ops_changed(ops: &mut Option<watch::Receiver<Arc<str>>>) -> Result<(), watch::error::RecvError> {
    match ops {
        Some(rx) => rx.changed().await,
        None => std::future::pending().await,
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("protocol payloads always serialise")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use http_body_util::BodyExt;
    use zitiscope_core::{ConnKind, Event, Timestamp};

    async fn next_text(body: &mut Body) -> String {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame()).await.expect("a frame in time");
        let frame = frame.expect("the stream is open").expect("no body error");
        String::from_utf8(frame.into_data().expect("a data frame").to_vec()).unwrap()
    }

    /// A client that falls further behind than its queue gets `reset`, and
    /// then its stream ends: the gap is never silent.
    #[tokio::test]
    async fn a_lagging_client_gets_reset_and_is_dropped() {
        let hub = Arc::new(Hub::new(2, 0));
        let (_stop_tx, stop) = watch::channel(false);
        let state = SseState {
            hub: hub.clone(),
            registry: Arc::new(Registry::new()),
            heartbeat: Duration::from_secs(60),
            retry_ms: 1000,
            shutdown: stop,
            ops: None,
        };
        let sse = Sse::new(stream(state, None));
        let mut body = sse.into_response().into_body();
        assert!(next_text(&mut body).await.contains("event: snapshot"));
        for i in 0..5 {
            hub.publish(vec![Event::conn(Timestamp(i), ConnKind::RouterToCtrl, format!("r{i}"), "c1", true)]);
        }
        let mut rest = String::new();
        while let Some(frame) = tokio::time::timeout(Duration::from_secs(5), body.frame()).await.expect("in time") {
            rest.push_str(std::str::from_utf8(&frame.unwrap().into_data().unwrap()).unwrap());
        }
        assert!(rest.contains("event: reset"), "{rest}");
        assert!(rest.contains("batches behind"), "{rest}");
        assert!(!rest.contains("event: batch"), "nothing after a gap is sent as if whole: {rest}");
        assert_eq!(hub.status().clients, 0, "the client is gone");
    }
}
