//! The clocks: a ticking "now" for countdowns and ages, a steady clock
//! for frame timing, and the one time format the views show.

use leptos::prelude::*;
use std::time::Duration;
use zitiscope_core::Timestamp;

/// The shared epoch clock ([`epoch_ms`]), updated every `every`: the clock
/// the worker stamps its times with (the last update, a reconnect's start).
/// One interval per call.
pub fn use_now(every: Duration) -> ReadSignal<f64> {
    let (now, set_now) = signal(epoch_ms());
    if let Ok(handle) = set_interval_with_handle(move || set_now.set(epoch_ms()), every) {
        on_cleanup(move || handle.clear());
    }
    now
}

/// A steady clock in ms (`performance.now()`): unlike `Date.now()`, it
/// never jumps when the machine's clock is set.
pub fn steady_ms() -> f64 {
    window().performance().map_or_else(js_sys::Date::now, |p| p.now())
}

/// `performance.timeOrigin + performance.now()` in ms: the epoch clock the
/// page and the worker share (`zitiscope_core::sync::ClockAnchor`), steady
/// unlike `Date.now()`.
pub fn epoch_ms() -> f64 {
    window().performance().map_or_else(js_sys::Date::now, |p| p.time_origin() + p.now())
}

/// A steady-clock time ([`steady_ms`], e.g. an animation frame's) on the
/// shared epoch clock ([`epoch_ms`]).
pub fn epoch_at(steady_ms: f64) -> f64 {
    window().performance().map_or(steady_ms, |p| p.time_origin() + steady_ms)
}

/// A performance mark for the benchmarks, now (replacing any earlier one of
/// the same name).
pub fn mark_now(name: &str) {
    if let Some(p) = window().performance() {
        p.clear_marks_with_mark_name(name);
        let _ = p.mark(name);
    }
}

/// `HH:MM:SS` in UTC, the NOC convention.
pub fn format_clock(at: Timestamp) -> String {
    let secs = at.0.div_euclid(1_000_000_000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_is_utc_and_wraps_at_midnight() {
        assert_eq!(format_clock(Timestamp(0)), "00:00:00");
        assert_eq!(format_clock(Timestamp((86_400 + 3_723) * 1_000_000_000)), "01:02:03");
        assert_eq!(format_clock(Timestamp(-1_000_000_000)), "23:59:59", "before 1970 too");
    }
}
