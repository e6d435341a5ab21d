//! `TimeBar`: Live, a scrubber over the last day with the maintenance
//! windows' spans marked under it, a picker for any moment, play at
//! 1×/10×/60×, the moment shown, and the maintenance that holds then (or
//! the next to come).

use super::{now_ns, UseTimeTravel, SCRUB_SECONDS, SPEEDS};
use crate::store::LiveStore;
use crate::web::{format_clock, local_input_value};
use leptos::prelude::*;
use zitiscope_core::Timestamp;

/// The control.
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
    // Any moment the history holds (the scrubber reaches a day back), in
    // the browser's time zone.
    let on_pick = move |ev: leptos::ev::Event| {
        let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&event_target_value(&ev))).get_time();
        if ms.is_finite() {
            speed.set(0);
            at.set(Some(Timestamp::from_millis(ms).0.min(now_ns())));
        }
    };
    let picked = move || at.get().map(|t| local_input_value(t, true)).unwrap_or_default();
    let ops = use_context::<LiveStore>().map(|s| s.ops);
    // The windows' spans over the scrubber's day, as shares of it.
    let spans = move || {
        let Some(ops) = ops else { return Vec::new() };
        let to = now_ns();
        let from = to - SCRUB_SECONDS * 1_000_000_000;
        ops.with(|o| {
            o.windows
                .iter()
                .flat_map(|w| w.on_scale(from, to).into_iter().map(|s| (w.name.clone(), s)))
                .collect::<Vec<_>>()
        })
    };
    // The maintenance at the moment shown, else the next within a day.
    let note = move || {
        let ops = ops?;
        let t = at.get().unwrap_or_else(now_ns);
        ops.with(|o| {
            let (span, name) = o.near(t, SCRUB_SECONDS * 1_000_000_000)?;
            Some(if span.from <= t {
                format!("⚙ {name} until {}", format_clock(Timestamp(span.to)))
            } else {
                format!("⚙ next: {name} at {}", format_clock(Timestamp(span.from)))
            })
        })
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
            <span class="scrub">
                <input type="range" data-testid="travel-scrub" aria-label="Moment to show (seconds before now)"
                    min=-SCRUB_SECONDS max="0" step="1" prop:value=move || offset().to_string() on:change=on_scrub />
                {move || spans().into_iter().map(|(name, (left, width))| view! {
                    <span class="maint-span" data-testid="travel-maintenance-span" title=format!("maintenance: {name}")
                        style:left=format!("{:.3}%", left * 100.0) style:width=format!("{:.3}%", (width * 100.0).max(0.3))></span>
                }).collect_view()}
            </span>
            <input type="datetime-local" step="1" data-testid="travel-pick" aria-label="Moment to show (local time)"
                prop:value=picked on:change=on_pick />
            <button type="button" data-testid="travel-pause" aria-pressed=move || (speed.get() == 0).to_string()
                on:click=move |_| speed.set(0)>"❚❚"</button>
            {SPEEDS.map(|x| view! {
                <button type="button" data-testid=format!("travel-play-{x}") aria-pressed=move || (speed.get() == x).to_string() on:click=play(x)>
                    {format!("{x}×")}
                </button>
            })}
            // Read out when it settles, not four times a second while playing.
            <span class="travel-at" data-testid="travel-at" aria-live=move || if speed.get() == 0 { "polite" } else { "off" }>{label}</span>
            {move || note().map(|n| view! { <span class="travel-maintenance" data-testid="travel-maintenance">{n}</span> })}
            <span class="travel-error" data-testid="travel-error" role="status">{move || error.get()}</span>
        </div>
    }
}
