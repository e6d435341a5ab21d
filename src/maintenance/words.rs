//! A maintenance window in words, pure (natively tested): when it holds
//! ("once: 2026-12-07 22:00 → 23:30 UTC", "weekly Sun 01:00 for 180 min,
//! Europe/Berlin"), what it covers, and its next span as the feed listed
//! it.

use crate::web::format_utc;
use zitiscope_core::report::windows::{Day, Scope, When};
use zitiscope_core::report::Span;
use zitiscope_core::Timestamp;

/// The days, in the week's order (the form's checkboxes, the words).
pub const DAYS: [Day; 7] = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];

/// A day's short name.
pub fn day_word(d: Day) -> &'static str {
    match d {
        Day::Mon => "Mon",
        Day::Tue => "Tue",
        Day::Wed => "Wed",
        Day::Thu => "Thu",
        Day::Fri => "Fri",
        Day::Sat => "Sat",
        Day::Sun => "Sun",
    }
}

/// A span in UTC, the end's date left out when it is the start's.
pub fn span_words(from: i64, to: i64) -> String {
    let (a, b) = (format_utc(Timestamp(from), false), format_utc(Timestamp(to), false));
    match (a.split_once(' '), b.split_once(' ')) {
        (Some((day_a, _)), Some((day_b, time_b))) if day_a == day_b => format!("{a} → {time_b} UTC"),
        _ => format!("{a} → {b} UTC"),
    }
}

/// When a window holds, in words.
pub fn when_words(w: &When) -> String {
    match w {
        When::Once { from, to } => format!("once: {}", span_words(*from, *to)),
        When::Weekly { days, start, minutes, zone } => {
            // In the week's order, whatever order they were given in.
            let days: Vec<&str> = DAYS.iter().filter(|d| days.contains(d)).map(|&d| day_word(d)).collect();
            format!("weekly {} {start} for {minutes} min, {zone}", days.join(", "))
        }
    }
}

/// The most names a line lists before it counts the rest.
const NAMES_SHOWN: usize = 8;

/// What a window covers, in words.
pub fn scope_words(s: &Scope) -> String {
    let names = |v: &[String]| {
        let shown: Vec<&str> = v.iter().take(NAMES_SHOWN).map(String::as_str).collect();
        match v.len().saturating_sub(NAMES_SHOWN) {
            0 => shown.join(", "),
            more => format!("{} and {more} more", shown.join(", ")),
        }
    };
    match s {
        Scope::Nodes(v) if v.len() == 1 => format!("node {}", names(v)),
        Scope::Nodes(v) => format!("nodes {}", names(v)),
        Scope::Links(v) if v.len() == 1 => format!("link {}", names(v)),
        Scope::Links(v) => format!("links {}", names(v)),
        Scope::Filter(text) => format!("the nodes that pass {text}"),
    }
}

/// Whether one of the spans holds at `now` (ns).
pub fn in_force(spans: &[Span], now: i64) -> bool {
    spans.iter().any(|s| s.from <= now && now < s.to)
}

/// The span in force or the next one, in words, from the spans the feed
/// listed (those inside the range it was asked for).
pub fn next_words(spans: &[Span], now: i64) -> String {
    match spans.iter().filter(|s| s.to > now).min_by_key(|s| s.from) {
        Some(s) if s.from <= now => format!("in force until {} UTC", format_utc(Timestamp(s.to), false)),
        Some(s) => format!("next: {}", span_words(s.from, s.to)),
        None => "not in the coming week".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        Timestamp::parse_rfc3339(text).unwrap().0
    }

    #[test]
    fn a_once_window_reads_as_its_span_in_utc() {
        let w = When::Once { from: at("2026-12-07T22:00:00Z"), to: at("2026-12-07T23:30:00Z") };
        assert_eq!(when_words(&w), "once: 2026-12-07 22:00 → 23:30 UTC");
        let w = When::Once { from: at("2026-12-07T22:00:00Z"), to: at("2026-12-08T01:00:00Z") };
        assert_eq!(when_words(&w), "once: 2026-12-07 22:00 → 2026-12-08 01:00 UTC", "past midnight: both dates");
    }

    #[test]
    fn a_weekly_window_reads_in_its_zone_with_its_days_in_order() {
        let w = When::Weekly {
            days: vec![Day::Sun, Day::Sat],
            start: "01:00".into(),
            minutes: 180,
            zone: "Europe/Berlin".into(),
        };
        assert_eq!(when_words(&w), "weekly Sat, Sun 01:00 for 180 min, Europe/Berlin");
    }

    #[test]
    fn scopes_in_words() {
        assert_eq!(scope_words(&Scope::Nodes(vec!["edge-eu-1".into()])), "node edge-eu-1");
        assert_eq!(scope_words(&Scope::Links(vec!["a".into(), "b".into()])), "links a, b");
        let many: Vec<String> = (0..10).map(|i| format!("r{i}")).collect();
        assert_eq!(scope_words(&Scope::Nodes(many)), "nodes r0, r1, r2, r3, r4, r5, r6, r7 and 2 more");
        assert_eq!(scope_words(&Scope::Filter("attr=eu".into())), "the nodes that pass attr=eu");
    }

    #[test]
    fn the_next_span_or_the_one_in_force() {
        let spans = [
            Span::new(at("2026-12-07T22:00:00Z"), at("2026-12-07T23:00:00Z")),
            Span::new(at("2026-12-14T22:00:00Z"), at("2026-12-14T23:00:00Z")),
        ];
        let during = at("2026-12-07T22:30:00Z");
        assert!(in_force(&spans, during));
        assert_eq!(next_words(&spans, during), "in force until 2026-12-07 23:00 UTC");
        let after = at("2026-12-07T23:00:00Z");
        assert!(!in_force(&spans, after), "a span ends before its `to`");
        assert_eq!(next_words(&spans, after), "next: 2026-12-14 22:00 → 23:00 UTC");
        assert_eq!(next_words(&spans, at("2026-12-15T00:00:00Z")), "not in the coming week");
    }
}
