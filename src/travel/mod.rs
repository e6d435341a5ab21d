//! Time travel: the network as the feed's history says it was at a moment
//! (`GET /state?at=`), shown in place of the live one by the map, the list
//! and the counters. The live stream keeps being applied underneath, so
//! "Live" returns with no gap. Playing moves the moment on at 1×, 10× or
//! 60×. The moment is in the URL (`?at=2026-12-01T03:12:00Z`), so a link
//! opens the network as it was then. The alert board shows the alerts whose
//! conditions held at that moment (read only).
//!
//! `use_time_travel` owns the state and the fetching; `TimeBar` is its
//! control.

use crate::dashboard::{set_url_params, url_param};
use crate::export::feed_api_url;
use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::alerts::{alerts_at, Alert, AlertConfig};
use zitiscope_core::store::{StoreState, Summary, Topology};
use zitiscope_core::{Store, StoreConfig, Timestamp};

/// How far back the scrubber reaches, in seconds.
pub const SCRUB_SECONDS: i64 = 24 * 3600;

/// What [`use_time_travel`] returns.
#[derive(Clone, Copy)]
pub struct UseTimeTravel {
    /// The moment shown (ns), or `None` for live.
    pub at: RwSignal<Option<i64>>,
    /// Playback speed (× real time); 0 is paused.
    pub speed: RwSignal<u32>,
    /// The network at `at`, once fetched.
    pub topology: RwSignal<Option<Topology>>,
    pub summary: RwSignal<Option<Summary>>,
    /// The alerts whose conditions held at `at`.
    pub alerts: RwSignal<Option<Vec<Alert>>>,
    /// Why the moment could not be shown.
    pub error: RwSignal<Option<String>>,
}

#[derive(serde::Deserialize)]
struct StateAt {
    state: StoreState,
}

fn now_ns() -> i64 {
    Timestamp::from_millis(js_sys::Date::now()).0
}

/// Time travel over the feed at `events_url`; past alerts are judged by
/// the thresholds `alert_config` gives.
pub fn use_time_travel(events_url: Signal<String>, alert_config: Signal<AlertConfig>) -> UseTimeTravel {
    let start = url_param("at").and_then(|a| Timestamp::parse_rfc3339(&a).ok()).map(|t| t.0);
    let tt = UseTimeTravel {
        at: RwSignal::new(start),
        speed: RwSignal::new(0),
        topology: RwSignal::new(None),
        summary: RwSignal::new(None),
        alerts: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    // Answers can overtake each other while playing: only the newest counts.
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let at = tt.at.get();
        set_url_params(&[("at", at.map(|t| Timestamp(t).to_rfc3339()))]);
        let Some(at) = at else {
            tt.topology.set(None);
            tt.summary.set(None);
            tt.alerts.set(None);
            tt.error.set(None);
            return;
        };
        asked.update_value(|n| *n += 1);
        let ticket = asked.get_value();
        let url = feed_api_url(&events_url.get_untracked(), &format!("/state?at={at}"));
        leptos::task::spawn_local(async move {
            let result = fetch_state(&url).await;
            if asked.try_get_value() != Some(ticket) {
                return;
            }
            match result {
                Ok(store) => {
                    tt.topology.set(Some(store.topology(Timestamp(at))));
                    tt.summary.set(Some(store.summary()));
                    tt.alerts.set(Some(alerts_at(&alert_config.get_untracked(), &store, Timestamp(at))));
                    tt.error.set(None);
                }
                Err(e) => tt.error.set(Some(e)),
            }
        });
    });
    // Playback: every second, the moment moves on by `speed` seconds; it
    // becomes live again when it catches up with now.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let speed = tt.speed.get_untracked();
            if speed == 0 {
                return;
            }
            if let Some(at) = tt.at.get_untracked() {
                let next = at + i64::from(speed) * 1_000_000_000;
                if next >= now_ns() {
                    tt.speed.set(0);
                    tt.at.set(None);
                } else {
                    tt.at.set(Some(next));
                }
            }
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    tt
}

/// `GET /state?at=` as a store.
async fn fetch_state(url: &str) -> Result<Store, String> {
    let reply = gloo_net::http::Request::get(url).send().await.map_err(|e| format!("history: {e}"))?;
    match reply.status() {
        200 => {}
        404 => return Err("that moment is before the feed's history".into()),
        s => return Err(format!("history: HTTP {s}")),
    }
    let text = reply.text().await.map_err(|e| format!("history: {e}"))?;
    let body: StateAt = serde_json::from_str(&text).map_err(|e| format!("history: {e}"))?;
    Ok(Store::from_state(body.state, StoreConfig::default()))
}

/// The control: Live, a scrubber over the last day, play at 1×/10×/60×,
/// and the moment shown.
#[component]
pub fn TimeBar(
    /// The time-travel state.
    travel: UseTimeTravel,
) -> impl IntoView {
    let UseTimeTravel { at, speed, error, .. } = travel;
    // The scrubber is seconds before now (0 = now).
    let offset = move || at.get().map_or(0, |t| ((t - now_ns()) / 1_000_000_000).clamp(-SCRUB_SECONDS, 0));
    let on_scrub = move |ev: leptos::ev::Event| {
        let secs: i64 = event_target_value(&ev).parse().unwrap_or(0);
        speed.set(0);
        at.set((secs < 0).then(|| now_ns() + secs * 1_000_000_000));
    };
    let play = move |x: u32| {
        move |_| {
            if at.get_untracked().is_none() {
                // From live, play starts an hour back.
                at.set(Some(now_ns() - 3600 * 1_000_000_000));
            }
            speed.set(x);
        }
    };
    let label = move || match at.get() {
        None => "live".to_string(),
        Some(t) => Timestamp(t).to_rfc3339(),
    };
    view! {
        <div class="timebar" role="group" aria-label="Time travel" data-testid="timebar" class:travelling=move || at.with(Option::is_some)>
            <button type="button" data-testid="travel-live" aria-pressed=move || at.with(Option::is_none).to_string()
                on:click=move |_| { speed.set(0); at.set(None); }>
                "Live"
            </button>
            <input type="range" data-testid="travel-scrub" aria-label="Moment to show (seconds before now)"
                min=-SCRUB_SECONDS max="0" step="1" prop:value=move || offset().to_string() on:change=on_scrub />
            <button type="button" data-testid="travel-pause" aria-pressed=move || (speed.get() == 0).to_string()
                on:click=move |_| speed.set(0)>"❚❚"</button>
            <button type="button" data-testid="travel-play-1" aria-pressed=move || (speed.get() == 1).to_string() on:click=play(1)>"1×"</button>
            <button type="button" data-testid="travel-play-10" aria-pressed=move || (speed.get() == 10).to_string() on:click=play(10)>"10×"</button>
            <button type="button" data-testid="travel-play-60" aria-pressed=move || (speed.get() == 60).to_string() on:click=play(60)>"60×"</button>
            <span class="travel-at" data-testid="travel-at" aria-live="polite">{label}</span>
            <span class="travel-error" data-testid="travel-error" role="status">{move || error.get()}</span>
        </div>
    }
}
