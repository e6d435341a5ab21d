//! `use_feed`: subscribes the store to the feed over a browser EventSource
//! and keeps it subscribed.
//!
//! EventSource retries by itself only on some errors and gives up for good
//! on others (a non-200 reply, a wrong content type). So on any error this
//! hook closes it and opens a new one on the core's [`Backoff`] schedule,
//! showing a countdown meanwhile. gloo-net's wrapper hides readyState and
//! errors, hence web-sys directly. A new EventSource sends no
//! `Last-Event-ID`, so each reconnect names the last batch applied in
//! `?since=`: inside the feed's replay ring it resumes with exactly the
//! missed batches instead of a full snapshot.

mod connection;

use crate::store::LiveStore;
use connection::Connection;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use zitiscope_core::Backoff;

/// Where the feed connection stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FeedStatus {
    /// Opening a connection; nothing received on it yet.
    Connecting,
    /// A snapshot (or a resume) arrived on the current connection.
    Live,
    /// The connection failed; the next attempt starts at this browser time (ms).
    Reconnecting { at_ms: f64, attempt: u32 },
}

/// Options of [`use_feed`].
#[derive(Clone, Debug)]
pub struct UseFeedOptions {
    /// The SSE endpoint, e.g. `/events` or `https://feed.example/events`.
    pub url: String,
    /// The reconnect schedule.
    pub backoff: Backoff,
    /// A live stream silent (not even a heartbeat) for this long, or a new
    /// one still without its snapshot, is taken for dead and replaced: a
    /// laptop back from sleep, or a proxy that dropped the connection
    /// without a word, leaves one open but empty.
    pub stale_after_ms: Signal<f64>,
}

impl Default for UseFeedOptions {
    fn default() -> Self {
        UseFeedOptions { url: "/events".into(), backoff: Backoff::default(), stale_after_ms: Signal::stored(15_000.0) }
    }
}

/// What [`use_feed`] gives back.
#[derive(Clone, Copy)]
pub struct UseFeedReturn {
    /// The connection status, for the status badge.
    pub status: Signal<FeedStatus>,
    /// The URL in use.
    pub url: Signal<String>,
}

struct Shared {
    url: String,
    backoff: Backoff,
    conn: Option<Connection>,
    /// Bumped on every (re)connect, so callbacks of a replaced connection
    /// can tell they are stale and do nothing.
    generation: u64,
    /// When the current connection was opened (`Date.now()` ms).
    opened_at: f64,
}

/// Connects `store` to the feed at `options.url` and keeps it connected.
pub fn use_feed(options: UseFeedOptions, store: LiveStore) -> UseFeedReturn {
    let status = RwSignal::new(FeedStatus::Connecting);
    let url = options.url.clone();
    let stale_after = options.stale_after_ms;
    let shared = Rc::new(RefCell::new(Shared {
        url: options.url,
        backoff: options.backoff,
        conn: None,
        generation: 0,
        opened_at: 0.0,
    }));
    connect(shared.clone(), store, status);

    // The server's `reset` asks for an immediate, fresh connection.
    let on_reset = shared.clone();
    Effect::new(move |_| {
        if store.reconnect_requested.get() {
            store.reconnect_requested.set(false);
            connect(on_reset.clone(), store, status);
        }
    });

    // The watchdog (see `stale_after_ms`).
    let watched = shared.clone();
    if let Ok(handle) = set_interval_with_handle(
        move || {
            // Quiet since the latest update, and since this connection opened.
            let now = js_sys::Date::now();
            let since = store.last_update.get_untracked().unwrap_or(0.0).max(watched.borrow().opened_at);
            // A connection still waiting for its snapshot that long is as
            // dead: a half-open socket, a proxy that holds the request.
            let waiting = matches!(status.try_get_untracked(), Some(FeedStatus::Live | FeedStatus::Connecting));
            if waiting && now - since > stale_after.get_untracked() {
                connect(watched.clone(), store, status);
            }
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }

    let holder = StoredValue::new_local(shared);
    on_cleanup(move || {
        holder.with_value(|s| {
            let mut s = s.borrow_mut();
            s.generation += 1;
            s.conn = None;
        })
    });
    UseFeedReturn { status: status.into(), url: Signal::derive(move || url.clone()) }
}

/// Opens a new EventSource, replacing any previous one.
fn connect(shared: Rc<RefCell<Shared>>, store: LiveStore, status: RwSignal<FeedStatus>) {
    let generation = {
        let mut s = shared.borrow_mut();
        s.generation += 1;
        s.conn = None; // drops (and closes) the old one first
        s.opened_at = js_sys::Date::now();
        s.generation
    };
    status.set(FeedStatus::Connecting);
    // Apply what the old connection delivered first, so the resume point
    // is the last batch received.
    store.flush();
    let url = with_since(&shared.borrow().url, store.resume_point().as_deref());
    let on_live = {
        let shared = shared.clone();
        move || {
            if shared.borrow().generation == generation {
                shared.borrow_mut().backoff.reset();
                status.set(FeedStatus::Live);
            }
        }
    };
    let on_error = {
        let shared = shared.clone();
        move || {
            if shared.borrow().generation != generation {
                return;
            }
            let (delay, attempt, scheduled) = {
                let mut s = shared.borrow_mut();
                s.conn = None;
                s.generation += 1;
                let delay = s.backoff.next_delay_ms(js_sys::Math::random());
                (delay, s.backoff.attempts(), s.generation)
            };
            status.set(FeedStatus::Reconnecting { at_ms: js_sys::Date::now() + delay, attempt });
            let shared = shared.clone();
            // Only if nothing reconnected meanwhile: a server closing after its
            // `reset` raises this error too, and the reset has reconnected by
            // the time the backoff is over (a second stream would replace it).
            let retry = move || {
                if shared.borrow().generation == scheduled {
                    connect(shared, store, status);
                }
            };
            set_timeout(retry, Duration::from_millis(delay as u64));
        }
    };
    match Connection::open(&url, store, on_live, on_error.clone()) {
        Ok(conn) => shared.borrow_mut().conn = Some(conn),
        // A malformed URL: keep trying on the schedule, visibly.
        Err(_) => on_error(),
    }
}

/// `url` with `name=<value>` added to its query (the value URL-encoded).
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{name}={}", String::from(js_sys::encode_uri_component(value)))
}

/// `url` with `since=<id>` added, when there is a point to resume.
pub fn with_since(url: &str, since: Option<&str>) -> String {
    match since {
        None => url.to_string(),
        Some(id) => with_param(url, "since", id),
    }
}
