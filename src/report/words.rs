//! A report's figures in words, pure (natively tested): the share, the
//! maintenance note, an outage's flags, a subject's kind, and the query a
//! range and a filter make. Durations are the core's
//! ([`zitiscope_core::timestamp::human_duration`]), as the drawer says them.

use zitiscope_core::client::with_param;
use zitiscope_core::report::spans::Outage;
use zitiscope_core::report::Subject;
use zitiscope_core::timestamp::human_duration;
use zitiscope_core::Timestamp;

/// A share of time as a person reads it: `100 %` only when it is whole,
/// otherwise cut (never rounded) to three decimals, so that a subject that
/// was down for a second in a month never reads as `100.000 %`.
pub fn percent_text(p: f64) -> String {
    if p >= 100.0 {
        return "100 %".into();
    }
    let cut = (p.max(0.0) * 1000.0).floor() / 1000.0;
    let text = format!("{cut:.3}");
    format!("{} %", text.trim_end_matches('0').trim_end_matches('.'))
}

/// How a share grades, for its colour (the word is always beside it):
/// `good` from 99.9 %, `fair` from 99 %, `poor` below, `none` unobserved.
pub fn grade(p: Option<f64>) -> &'static str {
    match p {
        None => "none",
        Some(p) if p >= 99.9 => "good",
        Some(p) if p >= 99.0 => "fair",
        Some(_) => "poor",
    }
}

/// The maintenance left out of a subject's figures, said so (`None` when
/// it had none in the range).
pub fn maintenance_note(maintenance_ns: i64) -> Option<String> {
    (maintenance_ns > 0).then(|| format!("{} in maintenance, not counted", human_duration(maintenance_ns)))
}

/// A duration, or a dash for none (MTTR and MTBF without outages).
pub fn duration_or_dash(ns: Option<i64>) -> String {
    ns.map_or_else(|| "—".into(), human_duration)
}

/// The subject's kind, as the table's column says it, and its id.
pub fn kind_and_id(s: &Subject) -> (&'static str, &str) {
    match s {
        Subject::Router(id) => ("router", id),
        Subject::Controller(id) => ("controller", id),
        Subject::Link(id) => ("link", id),
    }
}

/// An outage's length in words: what counts, and what fell in maintenance
/// when part of it did.
pub fn outage_length(o: &Outage) -> String {
    let counted = human_duration(o.counted_ns);
    let planned = o.span.len() - o.counted_ns;
    if planned > 0 {
        format!("{counted} (and {} in maintenance)", human_duration(planned))
    } else {
        counted
    }
}

/// An outage's flags in words: a cut outage is never passed off as a
/// short one.
pub fn outage_flags(o: &Outage) -> String {
    match (o.from_before, o.ongoing) {
        (true, true) => "began before the range; still going".into(),
        (true, false) => "began before the range".into(),
        (false, true) => "still going".into(),
        (false, false) => String::new(),
    }
}

/// `/report?from=…&to=…&filter=…` for a range (ns) and a filter's text,
/// the times as RFC 3339 so that the URL (and the CSV's) reads plainly.
pub fn report_path(from: i64, to: i64, filter: &str) -> String {
    let path = with_param("/report", "from", &Timestamp(from).to_rfc3339());
    let path = with_param(&path, "to", &Timestamp(to).to_rfc3339());
    if filter.trim().is_empty() {
        path
    } else {
        with_param(&path, "filter", filter.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zitiscope_core::report::Span;

    const S: i64 = 1_000_000_000;

    #[test]
    fn a_share_is_cut_not_rounded_up_to_whole() {
        assert_eq!(percent_text(100.0), "100 %");
        assert_eq!(percent_text(99.99999), "99.999 %", "a second down in a month is not 100 %");
        assert_eq!(percent_text(87.5), "87.5 %");
        assert_eq!(percent_text(0.0), "0 %");
        assert_eq!(percent_text(-1.0), "0 %");
        assert_eq!(grade(Some(99.95)), "good");
        assert_eq!(grade(Some(99.5)), "fair");
        assert_eq!(grade(Some(12.0)), "poor");
        assert_eq!(grade(None), "none");
    }

    #[test]
    fn maintenance_is_said_in_words() {
        assert_eq!(maintenance_note(0), None);
        assert_eq!(maintenance_note((2 * 3600 + 10 * 60) * S).as_deref(), Some("2h 10m in maintenance, not counted"));
        assert_eq!(duration_or_dash(None), "—");
        assert_eq!(duration_or_dash(Some(90 * S)), "1m 30s");
    }

    #[test]
    fn an_outage_says_what_was_cut_and_what_was_planned() {
        let o = Outage { span: Span::new(0, 600 * S), counted_ns: 480 * S, from_before: true, ongoing: false };
        assert_eq!(outage_length(&o), "8m 00s (and 2m 00s in maintenance)");
        assert_eq!(outage_flags(&o), "began before the range");
        let o = Outage { span: Span::new(0, 5 * S), counted_ns: 5 * S, from_before: false, ongoing: true };
        assert_eq!(outage_length(&o), "5s");
        assert_eq!(outage_flags(&o), "still going");
        let o = Outage { from_before: true, ..o };
        assert_eq!(outage_flags(&o), "began before the range; still going");
        assert_eq!(outage_flags(&Outage { from_before: false, ongoing: false, ..o }), "");
    }

    #[test]
    fn the_query_names_the_range_in_rfc_3339_and_encodes_the_filter() {
        assert_eq!(
            report_path(0, 86_400 * S, " "),
            "/report?from=1970-01-01T00%3A00%3A00Z&to=1970-01-02T00%3A00%3A00Z"
        );
        assert!(report_path(0, S, "attr=eu AND !up").ends_with("&filter=attr%3Deu%20AND%20!up"));
        assert_eq!(kind_and_id(&Subject::Link("l1".into())), ("link", "l1"));
    }
}
