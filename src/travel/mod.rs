//! Time travel: the network as the feed's history says it was at a moment,
//! shown in place of the live one by the map, the list, the counters, the
//! alert board (read only) and the details drawer. The live stream keeps
//! being applied underneath, so "Live" returns with no gap. The moment is
//! in the URL (`?at=2026-12-01T03:12:00Z`, and `&play=10` while playing),
//! so a link opens the network as it was then.
//!
//! The worker holds the past (`zitiscope_core::sync::Travel`): the page
//! tells it the moment and whether playback is paused, and the worker
//! fetches the state at the moment (`GET /state?at=`) or, playing, the
//! events since the moment held (`GET /history`), and sends the network
//! of the moment held beside the live one.
//!
//! `use_time_travel` owns the moment, the playback and the URL; [`TimeBar`]
//! is its control.

mod bar;

pub use bar::TimeBar;

use crate::store::LiveStore;
use crate::web::{set_url_params, url_param, Param};
use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::sync::Command;
use zitiscope_core::Timestamp;

/// How far back the scrubber reaches, in seconds.
pub const SCRUB_SECONDS: i64 = 24 * 3600;

/// The playback speeds (× real time).
pub const SPEEDS: [u32; 3] = [1, 10, 60];

/// How often playback moves the moment on.
const PLAY_TICK: Duration = Duration::from_millis(250);

/// While playing, the URL and [`UseTimeTravel::settled`] move this often.
const SETTLE_MS: f64 = 1_000.0;

/// What [`use_time_travel`] returns.
#[derive(Clone, Copy)]
pub struct UseTimeTravel {
    /// The moment asked for (ns), or `None` for live.
    pub at: RwSignal<Option<i64>>,
    /// Playback speed (× real time); 0 is paused.
    pub speed: RwSignal<u32>,
    /// Why the moment could not be shown.
    pub error: Signal<Option<String>>,
    /// The moment for views that read the history themselves (the logs,
    /// the analysis): `at`, but while playing at most once a second.
    pub settled: RwSignal<Option<i64>>,
}

pub(crate) fn now_ns() -> i64 {
    Timestamp::from_millis(js_sys::Date::now()).0
}

/// Time travel, held by the worker behind `store`.
pub fn use_time_travel(store: LiveStore) -> UseTimeTravel {
    let start = url_param(Param::At).and_then(|a| Timestamp::parse_rfc3339(&a).ok()).map(|t| t.0);
    // Playing is in the URL too (`&play=10`), so a link can start a replay.
    let play = url_param(Param::Play).and_then(|p| p.parse().ok()).filter(|p| SPEEDS.contains(p) && start.is_some());
    let at = RwSignal::new(start);
    let tt = UseTimeTravel {
        at,
        speed: RwSignal::new(play.unwrap_or(0)),
        // An error of a moment left behind says nothing now.
        error: Signal::derive(move || store.travel_error.get().filter(|_| at.with(Option::is_some))),
        settled: RwSignal::new(start),
    };
    // The URL and the settled moment follow the moment at most once a
    // second while playing (browsers limit `replaceState`; Safari to 100
    // per 30 s), and at once otherwise or when the speed changes.
    let last = StoredValue::new((f64::NEG_INFINITY, 0u32));
    Effect::new(move |_| {
        let (at, speed) = (tt.at.get(), tt.speed.get());
        let now = js_sys::Date::now();
        let (then, was) = last.get_value();
        if speed == 0 || speed != was || now - then >= SETTLE_MS {
            last.set_value((now, speed));
            set_url_params(&[
                (Param::At, at.map(|t| Timestamp(t).to_rfc3339())),
                (Param::Play, (speed > 0).then(|| speed.to_string())),
            ]);
            tt.settled.set(at);
        }
    });
    // The worker heads for the moment; paused, only the exact state at it
    // will do (see `zitiscope_core::replay`).
    Effect::new(move |_| {
        let (at, exact) = (tt.at.get(), tt.speed.get() == 0);
        store.send(Command::Travel { at, exact });
    });
    // Playback: the moment moves on by `speed` × the tick; it becomes live
    // again when it catches up with now.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let speed = tt.speed.get_untracked();
            if speed == 0 {
                return;
            }
            if let Some(at) = tt.at.get_untracked() {
                let next = at + i64::from(speed) * PLAY_TICK.as_nanos() as i64;
                if next >= now_ns() {
                    tt.speed.set(0);
                    tt.at.set(None);
                } else {
                    tt.at.set(Some(next));
                }
            }
        },
        PLAY_TICK,
    ) {
        on_cleanup(move || handle.clear());
    }
    tt
}
