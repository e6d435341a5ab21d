//! A ticking "now" for countdowns and ages, and time formatting.

use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::Timestamp;

/// Browser time in ms, updated every `every`. One interval per call.
pub fn use_now(every: Duration) -> ReadSignal<f64> {
    let (now, set_now) = signal(js_sys::Date::now());
    if let Ok(handle) = set_interval_with_handle(move || set_now.set(js_sys::Date::now()), every) {
        on_cleanup(move || handle.clear());
    }
    now
}

/// `HH:MM:SS` in UTC, the NOC convention.
pub fn format_clock(at: Timestamp) -> String {
    let secs = at.0.div_euclid(1_000_000_000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}
