//! The clocks: a ticking "now" for countdowns and ages, a steady clock
//! for frame timing, the time formats the views show (UTC, the NOC
//! convention), and the browser's local time for `datetime-local` inputs.

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

/// `YYYY-MM-DD HH:MM` (or `…:SS` with `seconds`) in UTC, for dates in
/// reports and windows (the caller says "UTC" once per line).
pub fn format_utc(at: Timestamp, seconds: bool) -> String {
    let text = at.to_rfc3339();
    let Some((date, time)) = text.split_once('T') else { return text };
    // The core writes UTC ("Z"), with a fraction only when there is one.
    let time = time.trim_end_matches('Z');
    let time = time.split('.').next().unwrap_or(time);
    let time = if seconds { time } else { time.get(..5).unwrap_or(time) };
    format!("{date} {time}")
}

/// `ns` as a `datetime-local` input's value (`2026-12-01T03:12`, or with
/// `:05` seconds when `seconds`), in the browser's time zone.
pub fn local_input_value(ns: i64, seconds: bool) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ns.div_euclid(1_000_000) as f64));
    let minute = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    );
    if seconds {
        format!("{minute}:{:02}", d.get_seconds())
    } else {
        minute
    }
}

/// A `datetime-local` input's value, read in the browser's time zone (a
/// date-time without an offset is local time to `Date`), as ns since the
/// epoch; `None` when it is empty or not a time.
pub fn parse_local_input(value: &str) -> Option<i64> {
    if value.trim().is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value)).get_time();
    ms.is_finite().then(|| Timestamp::from_millis(ms).0)
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

    #[test]
    fn dates_read_in_utc_to_the_minute_or_the_second() {
        assert_eq!(format_utc(Timestamp(0), false), "1970-01-01 00:00");
        let at = Timestamp::parse_rfc3339("2026-12-07T22:00:05.25Z").unwrap();
        assert_eq!(format_utc(at, true), "2026-12-07 22:00:05", "no fraction");
        assert_eq!(format_utc(at, false), "2026-12-07 22:00");
    }
}
