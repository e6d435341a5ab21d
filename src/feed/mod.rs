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
//!
//! Whether the stream is live, and whether the watchdog may replace a
//! silent one, is the core's [`Liveness`]: a feed that never announced a
//! heartbeat (a plain third-party producer) is live while its stream is
//! open, and its silence is never taken for death.

mod connection;

use crate::store::LiveStore;
use connection::Connection;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use zitiscope_core::client::{Beats, Liveness, Phase};
use zitiscope_core::Backoff;

/// Where the feed connection stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FeedStatus {
    /// Opening a connection; nothing received on it yet.
    Connecting,
    /// Its snapshot (or resume) arrived on the current stream; or, for a
    /// feed that sends no heartbeat, the stream is open (see [`Liveness`]).
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
    /// The feed's heartbeat period. A stream of a feed that sends
    /// heartbeats, silent (not even a heartbeat) for [`DEAD_BEATS`] of
    /// them, or one still without its snapshot, is taken for dead and
    /// replaced: a laptop back from sleep, or a proxy that dropped the
    /// connection without a word, leaves one open but empty. So is a stream
    /// that did not even open in that time, whatever the feed.
    ///
    /// [`DEAD_BEATS`]: zitiscope_core::alerts::config::DEAD_BEATS
    pub heartbeat_ms: Signal<f64>,
}

impl Default for UseFeedOptions {
    fn default() -> Self {
        UseFeedOptions { url: "/events".into(), backoff: Backoff::default(), heartbeat_ms: Signal::stored(5_000.0) }
    }
}

/// What [`use_feed`] gives back.
#[derive(Clone, Copy)]
pub struct UseFeedReturn {
    /// The connection status, for the status badge.
    pub status: Signal<FeedStatus>,
    /// The URL in use.
    pub url: Signal<String>,
    /// What the feed has shown of its heartbeat: whether its silence can
    /// be judged (the stale banner), and what the footer says.
    pub beats: Signal<Beats>,
}

struct Shared {
    url: String,
    backoff: Backoff,
    conn: Option<Connection>,
    /// Bumped on every (re)connect, so callbacks of a replaced connection
    /// can tell they are stale and do nothing.
    generation: u64,
    /// Whether the stream is live, on `Date.now()` ms.
    liveness: Liveness,
}

/// The signals the hook drives.
#[derive(Clone, Copy)]
struct Signals {
    status: RwSignal<FeedStatus>,
    beats: RwSignal<Beats>,
}

impl Signals {
    /// Shows what the core's rule says now. A reconnect countdown is the
    /// hook's own, set where it is scheduled. Unchanged values wake nothing
    /// (going live fetches the settings again).
    fn follow(&self, liveness: &Liveness) {
        let status = match liveness.phase() {
            Phase::Connecting => FeedStatus::Connecting,
            Phase::Live => FeedStatus::Live,
            Phase::Failed => return,
        };
        if self.status.get_untracked() != status {
            self.status.set(status);
        }
        if self.beats.get_untracked() != liveness.beats() {
            self.beats.set(liveness.beats());
        }
    }
}

/// Connects `store` to the feed at `options.url` and keeps it connected.
pub fn use_feed(options: UseFeedOptions, store: LiveStore) -> UseFeedReturn {
    let status = RwSignal::new(FeedStatus::Connecting);
    let signals = Signals { status, beats: RwSignal::new(Beats::Unknown) };
    let url = options.url.clone();
    let heartbeat_ms = options.heartbeat_ms;
    let shared = Rc::new(RefCell::new(Shared {
        url: options.url,
        backoff: options.backoff,
        conn: None,
        generation: 0,
        liveness: Liveness::new(),
    }));
    connect(shared.clone(), store, signals);

    // The server's `reset` asks for an immediate, fresh connection.
    let on_reset = shared.clone();
    Effect::new(move |_| {
        if store.reconnect_requested.get() {
            store.reconnect_requested.set(false);
            connect(on_reset.clone(), store, signals);
        }
    });

    // The watchdog (see `heartbeat_ms`); the core says when.
    let watched = shared.clone();
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let Some(beat) = heartbeat_ms.try_get_untracked() else { return };
            let (dead, liveness) = {
                let mut s = watched.borrow_mut();
                (s.liveness.check(js_sys::Date::now(), beat), s.liveness.clone())
            };
            // A silent open stream may just have shown it sends no heartbeat.
            signals.follow(&liveness);
            if dead {
                connect(watched.clone(), store, signals);
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
    UseFeedReturn { status: status.into(), url: Signal::derive(move || url.clone()), beats: signals.beats.into() }
}

/// Opens a new EventSource, replacing any previous one.
fn connect(shared: Rc<RefCell<Shared>>, store: LiveStore, signals: Signals) {
    let generation = {
        let mut s = shared.borrow_mut();
        s.generation += 1;
        s.conn = None; // drops (and closes) the old one first
        s.liveness.connecting(js_sys::Date::now());
        s.generation
    };
    signals.status.set(FeedStatus::Connecting);
    // Apply what the old connection delivered first, so the resume point
    // is the last batch received.
    store.flush();
    let url = with_since(&shared.borrow().url, store.resume_point().as_deref());
    // `open`, and every message: the core's rule decides what they show.
    let on_word = {
        let shared = shared.clone();
        move |event: Option<&str>| {
            let liveness = {
                let mut s = shared.borrow_mut();
                if s.generation != generation {
                    return;
                }
                let now = js_sys::Date::now();
                match event {
                    None => s.liveness.opened(now),
                    Some(event) => {
                        s.liveness.heard(event, now);
                        // The stream works: a later failure starts the schedule over.
                        s.backoff.reset();
                    }
                }
                s.liveness.clone()
            };
            signals.follow(&liveness);
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
                s.liveness.failed();
                s.generation += 1;
                let delay = s.backoff.next_delay_ms(js_sys::Math::random());
                (delay, s.backoff.attempts(), s.generation)
            };
            signals.status.set(FeedStatus::Reconnecting { at_ms: js_sys::Date::now() + delay, attempt });
            let shared = shared.clone();
            // Only if nothing reconnected meanwhile: a server closing after its
            // `reset` raises this error too, and the reset has reconnected by
            // the time the backoff is over (a second stream would replace it).
            let retry = move || {
                if shared.borrow().generation == scheduled {
                    connect(shared, store, signals);
                }
            };
            set_timeout(retry, Duration::from_millis(delay as u64));
        }
    };
    match Connection::open(&url, store, on_word, on_error.clone()) {
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
