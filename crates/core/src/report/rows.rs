//! A report's rows: each subject's availability, worst first, and the
//! same as CSV.

use super::spans::{availability, Availability, Span};
use super::timeline::Subject;
use serde::{Deserialize, Serialize};

/// One subject's line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub subject: Subject,
    /// The name a person reads (its id when it has none).
    pub name: String,
    pub availability: Availability,
}

/// A report over a range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub range: Span,
    /// Events read to make it; `complete: false` when the range held more
    /// than a report reads (the rows cover its start only).
    pub events: u64,
    pub complete: bool,
    pub rows: Vec<Row>,
}

/// Every subject's availability over `range` from when its state was
/// first known (`known_since`: the time before it is not observed), worst
/// first (lowest share, then most down time, then by name); subjects with
/// nothing observed last.
pub fn rows(
    timelines: Vec<(Subject, Vec<Span>)>,
    range: Span,
    maintenance: impl Fn(&Subject) -> Vec<Span>,
    name: impl Fn(&Subject) -> String,
    known_since: impl Fn(&Subject) -> i64,
) -> Vec<Row> {
    let mut rows: Vec<Row> = timelines
        .into_iter()
        .map(|(subject, downs)| {
            let observed = Span::new(range.from.max(known_since(&subject)), range.to);
            let availability = availability(&downs, observed, &maintenance(&subject));
            Row { name: name(&subject), subject, availability }
        })
        .collect();
    rows.sort_by(|a, b| {
        let share = |r: &Row| r.availability.percent.unwrap_or(f64::INFINITY);
        share(a)
            .total_cmp(&share(b))
            .then(b.availability.down_ns.cmp(&a.availability.down_ns))
            .then_with(|| a.name.cmp(&b.name))
    });
    rows
}

/// The CSV's header line.
pub const CSV_HEADER: &str =
    "type,id,name,availability_percent,observed_s,maintenance_s,down_s,outages,mttr_s,mtbf_s,ongoing\n";

/// The rows as CSV (one line each, cells safe against spreadsheet formulas).
pub fn csv(rows: &[Row]) -> String {
    let mut out = String::from(CSV_HEADER);
    let secs = |ns: i64| format!("{:.3}", ns as f64 / 1e9);
    for r in rows {
        let (kind, id) = match &r.subject {
            Subject::Router(id) => ("router", id),
            Subject::Controller(id) => ("controller", id),
            Subject::Link(id) => ("link", id),
        };
        let a = &r.availability;
        let cells = [
            kind.to_owned(),
            id.clone(),
            r.name.clone(),
            a.percent.map_or(String::new(), |p| format!("{p:.4}")),
            secs(a.observed_ns),
            secs(a.maintenance_ns),
            secs(a.down_ns),
            a.outages.len().to_string(),
            a.mttr_ns.map_or(String::new(), secs),
            a.mtbf_ns.map_or(String::new(), secs),
            a.outages.iter().any(|o| o.ongoing).to_string(),
        ];
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::export::cell(&mut out, c);
        }
        out.push('\n');
    }
    out
}
