//! `use_feed`: starts the worker that listens to the feed
//! (`crates/worker`, built by trunk beside the app) and applies its
//! updates to the page's [`LiveStore`].
//!
//! index.html's first script starts the worker before the app's own wasm
//! has loaded, so it connects to the feed meanwhile (it reads the page's
//! `?feed=` and `?token=` from its own URL, as the page does, and judges no
//! alert until the page gave it its settings); what it sends waits in
//! `window.zitiscopeEarly` until this hook takes it over.
//!
//! The protocol is `zitiscope_core::sync`: the worker says [`HELLO`] once
//! it listens, the page sends [`Command::Start`], and from then on the
//! worker sends an update only when the page asked for it. The page asks
//! ([`Command::Ready`]) at the start of the animation frame after it
//! applied one, for the update to leave just before the next frame
//! ([`FramePace`]): it takes at most one update a frame, applies it
//! before that frame begins, and while it is busy drawing the worker goes
//! on applying events and gathers them into the next. A hidden tab gets
//! no frames: it asks on a 250 ms timer instead, so that alerts still
//! fire their notifications in the background.
//!
//! The stream's reconnects, its watchdog and `?since=` resumes are the
//! worker's (`crates/worker/src/listener.rs`).

use crate::store::LiveStore;
use crate::web::{epoch_at, steady_ms};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};
use zitiscope_core::alerts::AlertConfig;
use zitiscope_core::client::Beats;
use zitiscope_core::sync::{self, Command, FramePace, HELLO};

pub mod write;

pub use write::{write, Write};
pub use zitiscope_core::client::with_param;
pub use zitiscope_core::sync::FeedStatus;

/// Where trunk puts the worker's loader (its names are never hashed).
pub const WORKER_URL: &str = "/zitiscope-worker_loader.js";

/// Options of [`use_feed`].
#[derive(Clone, Debug)]
pub struct UseFeedOptions {
    /// The SSE endpoint, e.g. `/events` or `https://feed.example/events`.
    pub url: String,
    /// The feed's heartbeat period at start (the watchdog and the stale
    /// rules; later settings come with `UseAlertsReturn::set_config`).
    pub heartbeat_ms: f64,
    /// The alert thresholds at start.
    pub alerts: AlertConfig,
    /// The worker's script.
    pub worker_url: String,
}

impl Default for UseFeedOptions {
    fn default() -> Self {
        UseFeedOptions {
            url: "/events".into(),
            heartbeat_ms: AlertConfig::default().heartbeat_ms as f64,
            alerts: AlertConfig::default(),
            worker_url: WORKER_URL.into(),
        }
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
    /// Why the worker could not run, if it could not.
    pub error: Signal<Option<String>>,
}

/// Starts the worker on `options.url` and applies its updates to `store`.
pub fn use_feed(options: UseFeedOptions, store: LiveStore) -> UseFeedReturn {
    let error = RwSignal::new(None::<String>);
    let url = options.url.clone();
    match spawn(options, store, error) {
        Ok(worker) => {
            let worker = StoredValue::new_local(worker);
            on_cleanup(move || worker.with_value(|w| w.terminate()));
        }
        Err(e) => error.set(Some(e)),
    }
    UseFeedReturn {
        status: store.status.into(),
        url: Signal::derive(move || url.clone()),
        beats: store.beats.into(),
        error: error.into(),
    }
}

fn spawn(options: UseFeedOptions, store: LiveStore, error: RwSignal<Option<String>>) -> Result<Worker, String> {
    // The worker index.html started early, with what it sent so far, or a
    // new one (another worker script, or a page without that script).
    let Early { worker, messages: early, errors } = match (options.worker_url == WORKER_URL).then(take_early).flatten()
    {
        Some(taken) => taken,
        None => {
            let opts = WorkerOptions::new();
            opts.set_type(WorkerType::Module);
            let worker = Worker::new_with_options(&options.worker_url, &opts).map_err(|e| format!("worker: {e:?}"))?;
            Early { worker, messages: js_sys::Array::new(), errors: js_sys::Array::new() }
        }
    };
    // Commands before the worker listens would be lost: they wait for its
    // hello, behind `Start`.
    let waiting = Rc::new(RefCell::new(Some(Vec::<String>::new())));
    let post = {
        let (worker, waiting) = (worker.clone(), waiting.clone());
        move |cmd: &Command| {
            let Ok(json) = serde_json::to_string(cmd) else { return };
            match waiting.borrow_mut().as_mut() {
                Some(queue) => queue.push(json),
                None => {
                    let _ = worker.post_message(&JsValue::from_str(&json));
                }
            }
        }
    };
    store.connect(post);
    let start = Command::Start { url: options.url, heartbeat_ms: options.heartbeat_ms, alerts: options.alerts };
    let hello = {
        let worker = worker.clone();
        move || {
            let queued = waiting.borrow_mut().take().unwrap_or_default();
            let start = serde_json::to_string(&start).unwrap_or_default();
            for json in std::iter::once(start).chain(queued) {
                let _ = worker.post_message(&JsValue::from_str(&json));
            }
        }
    };
    let crossing = StoredValue::new_local(Crossing::default());
    let pace = StoredValue::new_local(FramePace::default());
    let on_text = Rc::new(move |text: String| {
        if text == HELLO {
            hello();
            return;
        }
        let t0 = steady_ms();
        let update = serde_json::from_str::<sync::Update>(&text);
        let t1 = steady_ms();
        match update.map_err(|e| e.to_string()).and_then(|u| store.apply(u).map_err(|e| e.to_string())) {
            Ok(()) => {
                crossing.update_value(|c| c.took(text.len(), t1 - t0, steady_ms() - t1));
                ask_when_ready(store, pace);
            }
            Err(e) => error.set(Some(format!("worker update: {e}"))),
        }
    });
    let on_message = {
        let on_text = on_text.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(text) = e.data().as_string() {
                on_text(text);
            }
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    for text in early.iter().filter_map(|m| m.as_string()) {
        on_text(text);
    }
    // A module worker that cannot load fires a plain `Event`, one that
    // throws an `ErrorEvent` with its message.
    let failed = move |message: Option<String>| {
        let why = message.filter(|m| !m.is_empty()).unwrap_or_else(|| "its script or wasm could not load".into());
        error.set(Some(format!("the worker that listens stopped: {why}")));
    };
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        failed(e.dyn_ref::<web_sys::ErrorEvent>().map(web_sys::ErrorEvent::message));
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    if let Some(first) = errors.iter().next() {
        failed(first.as_string());
    }
    Ok(worker)
}

/// The worker index.html started, what it sent so far, and why it could
/// not start, if it could not.
struct Early {
    worker: Worker,
    messages: js_sys::Array,
    errors: js_sys::Array,
}

/// The worker index.html started (`window.zitiscopeEarly`), taken once.
fn take_early() -> Option<Early> {
    let key = JsValue::from_str("zitiscopeEarly");
    let early = js_sys::Reflect::get(&window(), &key).ok().filter(JsValue::is_object)?;
    let _ = js_sys::Reflect::delete_property(&window().unchecked_into::<js_sys::Object>(), &key);
    let get = |name: &str| js_sys::Reflect::get(&early, &JsValue::from_str(name)).ok();
    let worker = get("worker")?.dyn_into::<Worker>().ok()?;
    let messages = get("messages")?.dyn_into::<js_sys::Array>().ok()?;
    let errors = get("errors")?.dyn_into::<js_sys::Array>().ok()?;
    Some(Early { worker, messages, errors })
}

/// What the updates cost the page: their JSON's bytes, the time spent
/// decoding them and applying them (signals set, not the redraws that
/// follow), published as `window.zitiscopePage` for the benchmarks.
#[derive(Default)]
struct Crossing {
    updates: f64,
    bytes: f64,
    decode_ms: f64,
    apply_ms: f64,
}

impl Crossing {
    fn took(&mut self, bytes: usize, decode_ms: f64, apply_ms: f64) {
        self.updates += 1.0;
        self.bytes += bytes as f64;
        self.decode_ms += decode_ms;
        self.apply_ms += apply_ms;
        let o = js_sys::Object::new();
        for (k, v) in
            [("updates", self.updates), ("bytes", self.bytes), ("decodeMs", self.decode_ms), ("applyMs", self.apply_ms)]
        {
            let _ = js_sys::Reflect::set(&o, &k.into(), &v.into());
        }
        let _ = js_sys::Reflect::set(&window(), &"zitiscopePage".into(), &o);
    }
}

/// Asks at the start of the next frame for the next update, to leave in
/// time for the frame after ([`FramePace`]); or, to leave at once, after
/// 250 ms if no frame came first (a tab hidden meanwhile gets none: see
/// the module docs). Whichever comes second finds the update applied and
/// asks nothing.
fn ask_when_ready(store: LiveStore, pace: StoredValue<FramePace, LocalStorage>) {
    let n = store.applied();
    let ask = move |send_at: Option<f64>| {
        if store.applied() == n {
            store.send(Command::Ready { applied: n, send_at });
        }
    };
    set_timeout(move || ask(None), Duration::from_millis(250));
    if !document().hidden() {
        // The frame's own time (its start), not the time this callback
        // runs: other callbacks of the frame may have run before it.
        let on_frame = Closure::once_into_js(move |frame_ms: f64| {
            ask(pace.try_update_value(|p| p.frame(epoch_at(frame_ms))));
        });
        let _ = window().request_animation_frame(on_frame.unchecked_ref());
    }
}
