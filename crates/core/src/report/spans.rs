//! The arithmetic of availability over time spans (see the rules in
//! `mod.rs`): pure, on nanosecond times.

use serde::{Deserialize, Serialize};

/// A half-open span of time, `from <= t < to`, in ns since the epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub from: i64,
    pub to: i64,
}

impl Span {
    pub fn new(from: i64, to: i64) -> Span {
        Span { from, to: to.max(from) }
    }

    /// Its length in ns.
    pub fn len(&self) -> i64 {
        self.to - self.from
    }

    pub fn is_empty(&self) -> bool {
        self.to <= self.from
    }

    /// The part of it inside `other` (empty when they do not meet).
    pub fn clip(&self, other: Span) -> Span {
        Span::new(self.from.max(other.from), self.to.min(other.to))
    }
}

/// Sorted, merged spans: overlapping or touching ones become one.
pub fn merged(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|s| !s.is_empty());
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.from <= last.to => last.to = last.to.max(s.to),
            _ => out.push(s),
        }
    }
    out
}

/// How long `span` spends inside the merged spans `within`.
fn overlap(span: Span, within: &[Span]) -> i64 {
    within.iter().map(|w| span.clip(*w).len()).sum()
}

/// One outage as a report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    /// Where it starts and ends inside the range.
    pub span: Span,
    /// Its length that counts: less what fell in maintenance.
    pub counted_ns: i64,
    /// It began before the range (its start is the range's).
    pub from_before: bool,
    /// It had not ended by the range's end.
    pub ongoing: bool,
}

/// A subject's availability over a range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Availability {
    /// The range less maintenance, in ns.
    pub observed_ns: i64,
    /// Maintenance inside the range, in ns (left out, and said so).
    pub maintenance_ns: i64,
    /// Down time that counts, in ns.
    pub down_ns: i64,
    /// The share of observed time it was not down, 0–100; `None` when
    /// nothing was observed (the range is all maintenance).
    pub percent: Option<f64>,
    /// The outages that count, oldest first.
    pub outages: Vec<Outage>,
    /// Mean counted length of an outage, in ns (`None` with none).
    pub mttr_ns: Option<i64>,
    /// Observed up time per outage, in ns (`None` with none).
    pub mtbf_ns: Option<i64>,
}

/// The availability over `range` of a subject that was down during `downs`
/// (spans that may start before the range or end after it; an ongoing one
/// ends at `i64::MAX`), with `maintenance` left out (see `mod.rs`).
pub fn availability(downs: &[Span], range: Span, maintenance: &[Span]) -> Availability {
    let maintenance: Vec<Span> = merged(maintenance.iter().map(|m| m.clip(range)).collect());
    let maintenance_ns: i64 = maintenance.iter().map(Span::len).sum();
    let observed_ns = range.len() - maintenance_ns;
    let mut outages = Vec::new();
    for d in merged(downs.to_vec()) {
        let span = d.clip(range);
        if span.is_empty() {
            continue;
        }
        let counted_ns = span.len() - overlap(span, &maintenance);
        // Wholly inside maintenance: planned, not an outage.
        if counted_ns == 0 {
            continue;
        }
        outages.push(Outage { span, counted_ns, from_before: d.from < range.from, ongoing: d.to > range.to });
    }
    let down_ns: i64 = outages.iter().map(|o| o.counted_ns).sum();
    let n = outages.len() as i64;
    Availability {
        observed_ns,
        maintenance_ns,
        down_ns,
        percent: (observed_ns > 0).then(|| 100.0 * (observed_ns - down_ns) as f64 / observed_ns as f64),
        mttr_ns: (n > 0).then(|| down_ns / n),
        mtbf_ns: (n > 0).then(|| (observed_ns - down_ns) / n),
        outages,
    }
}
