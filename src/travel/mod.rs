//! Time travel: the network as the feed's history says it was at a moment,
//! shown in place of the live one by the map, the list, the counters, the
//! alert board (read only) and the details drawer. The live stream keeps
//! being applied underneath, so "Live" returns with no gap. The moment is
//! in the URL (`?at=2026-12-01T03:12:00Z`, and `&play=10` while playing),
//! so a link opens the network as it was then.
//!
//! A jump fetches the state at the moment (`GET /state?at=`). Playing at
//! 1×, 10× or 60× then replays: each step reads the events since the
//! moment held (`GET /history`, in time order) and applies them to the
//! store held ([`zitiscope_core::replay`] decides which of the two a step
//! takes).
//!
//! `use_time_travel` owns the state and the fetching; [`TimeBar`] is its
//! control.

mod bar;
mod fetch;

pub use bar::TimeBar;

use crate::export::feed_api_url;
use crate::web::{set_url_params, url_param, Param};
use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::alerts::{alerts_at, Alert, AlertConfig};
use zitiscope_core::replay::{Replay, Step, READ_MAX_EVENTS};
use zitiscope_core::store::{Summary, Topology};
use zitiscope_core::{Event, Store, Timestamp};

/// How far back the scrubber reaches, in seconds.
pub const SCRUB_SECONDS: i64 = 24 * 3600;

/// The playback speeds (× real time).
pub const SPEEDS: [u32; 3] = [1, 10, 60];

/// How often playback moves the moment on.
const PLAY_TICK: Duration = Duration::from_millis(250);

/// While playing, the URL and [`UseTimeTravel::settled`] move this often.
const SETTLE_MS: f64 = 1_000.0;

/// Events asked for per `GET /history` page (the feed's most).
const PAGE: usize = 10_000;

/// What [`use_time_travel`] returns.
#[derive(Clone, Copy)]
pub struct UseTimeTravel {
    /// The moment asked for (ns), or `None` for live.
    pub at: RwSignal<Option<i64>>,
    /// Playback speed (× real time); 0 is paused.
    pub speed: RwSignal<u32>,
    /// The network at the moment held, once fetched.
    pub topology: RwSignal<Option<Topology>>,
    pub summary: RwSignal<Option<Summary>>,
    /// The alerts whose conditions held at that moment.
    pub alerts: RwSignal<Option<Vec<Alert>>>,
    /// Why the moment could not be shown.
    pub error: RwSignal<Option<String>>,
    /// The moment for views that read the history themselves (the logs,
    /// the analysis): `at`, but while playing at most once a second.
    pub settled: RwSignal<Option<i64>>,
    /// The store at the moment held.
    held: StoredValue<Option<Replay>, LocalStorage>,
    /// Whether a task is fetching towards `at` (there is only ever one).
    busy: StoredValue<bool>,
}

impl UseTimeTravel {
    /// `f` of the store at the moment held and that moment, or `None` while
    /// live. `Some(None)` while the moment is still being fetched. Tracks
    /// each new moment.
    pub fn moment<R>(&self, f: impl FnOnce(&Store, Timestamp) -> R) -> Option<Option<R>> {
        self.topology.track();
        self.at.with(Option::is_some).then(|| self.held.with_value(|h| h.as_ref().map(|r| f(r.store(), r.now()))))
    }
}

pub(crate) fn now_ns() -> i64 {
    Timestamp::from_millis(js_sys::Date::now()).0
}

/// Time travel over the feed at `events_url`; past alerts are judged by
/// the thresholds `alert_config` gives.
pub fn use_time_travel(events_url: Signal<String>, alert_config: Signal<AlertConfig>) -> UseTimeTravel {
    let start = url_param(Param::At).and_then(|a| Timestamp::parse_rfc3339(&a).ok()).map(|t| t.0);
    // Playing is in the URL too (`&play=10`), so a link can start a replay.
    let play = url_param(Param::Play).and_then(|p| p.parse().ok()).filter(|p| SPEEDS.contains(p) && start.is_some());
    let tt = UseTimeTravel {
        at: RwSignal::new(start),
        speed: RwSignal::new(play.unwrap_or(0)),
        topology: RwSignal::new(None),
        summary: RwSignal::new(None),
        alerts: RwSignal::new(None),
        error: RwSignal::new(None),
        settled: RwSignal::new(start),
        held: StoredValue::new_local(None),
        busy: StoredValue::new(false),
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
    // Paused, the moment shown is the exact one: a replay that moved asks
    // for the state again (see `zitiscope_core::replay`).
    Effect::new(move |_| {
        if tt.speed.get() == 0 && tt.at.get_untracked().is_some() {
            follow(tt, events_url, alert_config);
        }
    });
    Effect::new(move |_| {
        let at = tt.at.get();
        if at.is_some() {
            follow(tt, events_url, alert_config);
        } else {
            tt.held.set_value(None);
            tt.topology.set(None);
            tt.summary.set(None);
            tt.alerts.set(None);
            tt.error.set(None);
        }
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

/// Fetches towards `at` until the moment held is the one asked for (which
/// may move on meanwhile), publishing each moment reached. One task at a
/// time: a second call while it runs only moves its target. Paused, only
/// a fresh state will do; playing, a step reads the events since the
/// moment held ([`Replay::plan`]).
fn follow(tt: UseTimeTravel, events_url: Signal<String>, alert_config: Signal<AlertConfig>) {
    if tt.busy.get_value() {
        return;
    }
    tt.busy.set_value(true);
    leptos::task::spawn_local(async move {
        let api = |path: String| feed_api_url(&events_url.get_untracked(), &path);
        // Live, or the page gone (the owner disposed): stop.
        while let Some(Some(target)) = tt.at.try_get_untracked() {
            let paused = tt.speed.try_get_untracked() == Some(0);
            let plan = if paused { Replay::plan_exact } else { Replay::plan };
            let Some(step) = tt.held.try_with_value(|h| plan(h.as_ref(), target)) else { break };
            let done = match step {
                Step::Show => break,
                Step::Seek(at) => {
                    fetch::state(&api(format!("/state?at={at}"))).await.map(|store| Some(Replay::new(store, at)))
                }
                Step::Read { from, to } => read(&api, from, to)
                    .await
                    .map(|events| {
                        events.map(|events| {
                            let mut r = tt.held.try_update_value(Option::take).flatten()?;
                            r.advance(events, to - 1);
                            Some(r)
                        })
                    })
                    .map(Option::flatten),
            };
            // Live came while the answer was on its way: it shows nothing.
            if !matches!(tt.at.try_get_untracked(), Some(Some(_))) {
                let _ = tt.held.try_set_value(None);
                break;
            }
            match done {
                Ok(replay) => {
                    // `None`: too many events for one step, so the next seeks.
                    let _ = tt.held.try_set_value(replay);
                    publish(tt, alert_config);
                }
                Err(e) => {
                    tt.error.try_set(Some(e));
                    break;
                }
            }
        }
        let _ = tt.busy.try_set_value(false);
    });
}

/// The events of one [`Step::Read`], every page of `from..to` in order, or
/// `None` if there are more than one step may apply.
async fn read(api: &impl Fn(String) -> String, from: i64, to: i64) -> Result<Option<Vec<Event>>, String> {
    let (mut events, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let mut path = format!("/history?from={from}&to={to}&limit={PAGE}");
        if let Some(c) = &cursor {
            path.push_str("&cursor=");
            path.push_str(c);
        }
        let page = fetch::page(&api(path)).await?;
        events.extend(page.rows.into_iter().map(|r| r.event));
        if events.len() > READ_MAX_EVENTS {
            return Ok(None);
        }
        cursor = page.next;
        if cursor.is_none() {
            return Ok(Some(events));
        }
    }
}

/// Shows the moment held.
fn publish(tt: UseTimeTravel, alert_config: Signal<AlertConfig>) {
    let shown = tt.held.try_with_value(|h| {
        h.as_ref().map(|r| {
            let (store, now) = (r.store(), r.now());
            (store.topology(now), store.summary(), alerts_at(&alert_config.get_untracked(), store, now))
        })
    });
    if let Some(Some((topology, summary, alerts))) = shown {
        tt.topology.try_set(Some(topology));
        tt.summary.try_set(Some(summary));
        tt.alerts.try_set(Some(alerts));
        tt.error.try_set(None);
    }
}
