//! The worker's state, in one `RefCell`, and the helpers every part uses
//! (the worker's scope, its clock, its timers).
//!
//! Callbacks borrow the state only for their own work and never call into
//! JavaScript that could call back meanwhile (a new EventSource, `close`
//! and `postMessage` fire nothing synchronously).

use crate::stream::Stream;
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::DedicatedWorkerGlobalScope;
use zitiscope_core::client::Liveness;
use zitiscope_core::sync::{Engine, FeedStatus};
use zitiscope_core::Backoff;

/// The worker's state (see the module docs).
pub(crate) struct Listener {
    pub(crate) engine: Engine,
    pub(crate) url: String,
    pub(crate) heartbeat_ms: f64,
    pub(crate) backoff: Backoff,
    pub(crate) stream: Option<Stream>,
    /// Bumped on every (re)connect, so callbacks of a replaced stream can
    /// tell they are stale and do nothing.
    pub(crate) generation: u64,
    pub(crate) liveness: Liveness,
    /// The last status shown (a reconnect countdown is the listener's own).
    pub(crate) status: FeedStatus,
    /// A timer comes back for a held-back map rebuild.
    pub(crate) held_timer: bool,
    /// What the updates cost this side (see `send::expose`).
    pub(crate) crossing: Crossing,
    /// A time-travel task is fetching (see `travel.rs`).
    pub(crate) travelling: bool,
}

/// The updates sent, their JSON's bytes, and the time spent encoding them.
#[derive(Clone, Copy, Default)]
pub(crate) struct Crossing {
    pub(crate) updates: u64,
    pub(crate) bytes: f64,
    pub(crate) encode_ms: f64,
}

thread_local! {
    pub(crate) static LISTENER: RefCell<Option<Listener>> = const { RefCell::new(None) };
}

/// Runs `f` on the state, once the page started it.
pub(crate) fn with<R>(f: impl FnOnce(&mut Listener) -> R) -> Option<R> {
    LISTENER.with(|cell| cell.borrow_mut().as_mut().map(f))
}

pub(crate) fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// `performance.timeOrigin + performance.now()`: the epoch clock the page
/// shares (`sync::ClockAnchor`), steady unlike `Date.now()`.
pub(crate) fn now_ms() -> f64 {
    scope().performance().map_or_else(js_sys::Date::now, |p| p.time_origin() + p.now())
}

pub(crate) fn set_timeout(ms: f64, f: impl FnOnce() + 'static) {
    let f = Closure::once_into_js(f);
    let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), ms.max(0.0).ceil() as i32);
}
