//! What calls into the worker's state: the page's commands, the stream's
//! words, the timers.
//!
//! The stream's rules are the ones the page followed when it held the
//! stream itself:
//! - EventSource retries by itself only on some errors and gives up for
//!   good on others (a non-200 reply, a wrong content type). So on any
//!   error the stream is closed and a new one opened on the core's
//!   [`Backoff`] schedule. A new EventSource sends no `Last-Event-ID`, so
//!   each reconnect names the last batch applied in `?since=`: inside the
//!   feed's replay ring it resumes with exactly the missed batches.
//! - Whether the stream is live, and whether the watchdog may replace a
//!   silent one, is the core's [`Liveness`]: a feed that never announced a
//!   heartbeat is live while its stream is open.
//!

use crate::early::Fetch;
use crate::send::{send_if_asked, send_when_due};
use crate::state::{now_ms, scope, set_timeout, with, Crossing, Listener, LISTENER};
use crate::stream::{Listen, Stream};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::MessageEvent;
use zitiscope_core::alerts::AlertConfig;
use zitiscope_core::client::{events_url, with_since, Liveness, Phase};
use zitiscope_core::sync::{Command, Engine, FeedStatus, Mark, HELLO};
use zitiscope_core::{wire, Backoff};

/// The watchdog's and the alert rules' tick, in ms.
const TICK_MS: i32 = 1_000;

/// Listens to the page, and tells it so.
pub fn listen() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        let Some(text) = e.data().as_string() else { return };
        match serde_json::from_str::<Command>(&text) {
            Ok(cmd) => command(cmd),
            Err(err) => web_sys::console::error_1(&format!("zitiscope-worker: unreadable command: {err}").into()),
        }
    });
    let scope = scope();
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(HELLO));
    // Started by the page's own first script (index.html), with its query:
    // connect now, while the page's wasm still loads.
    if let Some(url) = early_url() {
        start(url, AlertConfig::default().heartbeat_ms as f64, Engine::listening());
    }
}

/// The events URL when the page started the worker early (its name is
/// `listen` and the page's own query), as the page reads it.
fn early_url() -> Option<String> {
    let name = scope().name();
    let query = name.strip_prefix("listen")?;
    let params = web_sys::UrlSearchParams::new_with_str(query).ok()?;
    Some(events_url(params.get("feed").as_deref(), params.get("token").as_deref()))
}

fn command(cmd: Command) {
    let now = now_ms();
    match cmd {
        // Listening already (started early): the page's settings arm it. A
        // worker serves one feed for its life (its updates are numbered
        // from its start), so a page that wants another starts another.
        Command::Start { url, heartbeat_ms, alerts } => match with(|l| l.url == url) {
            Some(true) => {
                with(|l| {
                    l.heartbeat_ms = heartbeat_ms;
                    l.engine.arm(alerts);
                });
                send_if_asked();
            }
            Some(false) => web_sys::console::error_1(&"zitiscope-worker: already listening to another feed".into()),
            None => start(url, heartbeat_ms, Engine::new(alerts)),
        },
        Command::Ready { applied, send_at } => {
            with(|l| l.engine.command(Command::Ready { applied, send_at }, now));
            send_when_due();
        }
        Command::Settings { heartbeat_ms, alerts } => {
            with(|l| {
                l.heartbeat_ms = heartbeat_ms;
                l.engine.command(Command::Settings { heartbeat_ms, alerts }, now);
            });
            send_if_asked();
        }
        Command::Travel { at, exact } => {
            with(|l| l.engine.command(Command::Travel { at, exact }, now));
            crate::travel::follow();
            send_if_asked();
        }
        other => {
            with(|l| l.engine.command(other, now));
            send_if_asked();
        }
    }
}

fn start(url: String, heartbeat_ms: f64, engine: Engine) {
    let early = crate::early::take(&url);
    let fresh = LISTENER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let fresh = cell.is_none();
        *cell = Some(Listener {
            engine,
            url,
            heartbeat_ms,
            backoff: Backoff::default(),
            stream: None,
            generation: 0,
            liveness: Liveness::new(),
            status: FeedStatus::Connecting,
            held_timer: false,
            crossing: Crossing::default(),
            travelling: false,
        });
        fresh
    });
    if fresh {
        let tick = Closure::<dyn FnMut()>::new(tick);
        let _ = scope().set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), TICK_MS);
        tick.forget();
    }
    match early {
        Some(fetch) => start_from(fetch),
        None => connect(),
    }
}

/// Starts from the snapshot the loader fetched (see `early.rs`), then
/// connects after it; without it when the fetch gave nothing. Until the
/// feed answers, the fetch counts as a stream being opened: the watchdog
/// gives up on it as on a silent stream and connects, and a fetch that
/// answers after that is dropped (the first connection has taken the
/// generation past 0). Once it has answered, there is no stream for the
/// watchdog to judge while its body arrives.
fn start_from(fetch: Fetch) {
    with(|l| l.liveness.connecting(now_ms()));
    wasm_bindgen_futures::spawn_local(async move {
        if crate::early::answered(&fetch).await {
            with(|l| {
                if l.generation == 0 {
                    l.liveness = Liveness::new();
                }
            });
        }
        let text = crate::early::text(fetch).await;
        let first = with(|l| {
            if let (0, Some(text)) = (l.generation, &text) {
                apply(l, wire::SNAPSHOT, "", text);
            }
            l.generation == 0
        });
        if first == Some(true) {
            connect();
        }
    });
}

/// The watchdog (a silent stream of a feed that sends heartbeats, or one
/// that never opened, is replaced) and the engine's tick.
fn tick() {
    let now = now_ms();
    let dead = with(|l| {
        let dead = l.liveness.check(now, l.heartbeat_ms);
        follow(l, now);
        l.engine.tick(now);
        dead
    });
    if dead == Some(true) {
        connect();
    }
    send_if_asked();
}

/// Shows what the core's liveness rule says now.
fn follow(l: &mut Listener, now: f64) {
    let status = match l.liveness.phase() {
        Phase::Connecting => FeedStatus::Connecting,
        Phase::Live => FeedStatus::Live,
        Phase::Failed => l.status,
    };
    l.status = status;
    l.engine.connection(status, l.liveness.beats(), now);
}

/// Opens a new stream, replacing any previous one.
fn connect() {
    let now = now_ms();
    let Some((url, generation)) = with(|l| {
        l.generation += 1;
        l.stream = None; // drops (and closes) the old one first
        l.liveness.connecting(now);
        l.status = FeedStatus::Connecting;
        l.engine.connection(l.status, l.liveness.beats(), now);
        (with_since(&l.url, l.engine.resume_point().as_deref()), l.generation)
    }) else {
        return;
    };
    match Stream::open(&url, Bound { generation }) {
        Ok(stream) => {
            with(|l| l.stream = Some(stream));
        }
        // A malformed URL: keep trying on the schedule, visibly.
        Err(_) => Bound { generation }.error(),
    }
    send_if_asked();
}

/// Applies one message; whether the feed asked for a fresh connection.
fn apply(l: &mut Listener, event: &str, id: &str, data: &str) -> bool {
    // The benchmarks time the snapshot's arrival and its parsing here.
    let snapshot = event == wire::SNAPSHOT;
    let t0 = now_ms();
    if snapshot {
        l.engine.mark(Mark::SnapshotReceived, t0);
    }
    l.engine.message(event, id, data, t0);
    if snapshot {
        l.engine.mark(Mark::SnapshotApplied, now_ms());
    }
    l.engine.take_reconnect()
}

/// A stream's callbacks, bound to the generation that opened it.
struct Bound {
    generation: u64,
}

impl Listen for Bound {
    fn word(&self, event: Option<&str>) {
        let now = now_ms();
        with(|l| {
            if l.generation != self.generation {
                return;
            }
            match event {
                None => l.liveness.opened(now),
                Some(event) => {
                    l.liveness.heard(event, now);
                    // The stream works: a later failure starts the schedule over.
                    l.backoff.reset();
                }
            }
            follow(l, now);
        });
    }

    fn message(&self, event: &str, id: &str, data: &str) {
        let reconnect = with(|l| {
            if l.generation != self.generation {
                return false;
            }
            apply(l, event, id, data)
        });
        // The server's `reset` asks for an immediate, fresh connection.
        if reconnect == Some(true) {
            connect();
        }
        send_if_asked();
    }

    fn error(&self) {
        let now = now_ms();
        let scheduled = with(|l| {
            if l.generation != self.generation {
                return None;
            }
            l.stream = None;
            l.liveness.failed();
            l.generation += 1;
            let delay = l.backoff.next_delay_ms(js_sys::Math::random());
            l.status = FeedStatus::Reconnecting { at_ms: now + delay, attempt: l.backoff.attempts() };
            l.engine.connection(l.status, l.liveness.beats(), now);
            Some((l.generation, delay))
        });
        let Some(Some((scheduled, delay))) = scheduled else { return };
        // Only if nothing reconnected meanwhile: a server closing after its
        // `reset` raises this error too, and the reset has reconnected by
        // the time the backoff is over (a second stream would replace it).
        set_timeout(delay, move || {
            if with(|l| l.generation == scheduled) == Some(true) {
                connect();
            }
        });
        send_if_asked();
    }
}
