//! Exports: events as CSV rows (JSON lines need nothing but serde). The
//! columns are the filter language's event fields, so an export reads the
//! way a filter is written.
//!
//! Ids and names come from the network, so they are untrusted: every cell
//! is quoted when it holds a quote, a comma or a line break, control
//! characters are dropped, and a cell that a spreadsheet would run as a
//! formula (`=`, `+`, `-`, `@` first, or a tab or carriage return) gets a
//! leading `'` (the OWASP rule for CSV injection).

use crate::filter::{Subject, Value};
use crate::Event;
use std::fmt::Write;

/// The CSV columns, in order. Columns are only ever added at the end, so
/// a reader by position keeps working.
pub const CSV_COLUMNS: [&str; 15] = [
    "id",
    "at",
    "type",
    "kind",
    "name",
    "src",
    "dst",
    "state",
    "via",
    "latency_ms",
    "jitter_ms",
    "of",
    "entity",
    "op",
    "label",
];

/// The header line (with its line break).
pub fn csv_header() -> String {
    let mut s = CSV_COLUMNS.join(",");
    s.push_str("\r\n");
    s
}

/// One event as a CSV line (with its line break): its stored `id`, its time
/// in RFC 3339, then its fields.
pub fn csv_row(id: i64, e: &Event) -> String {
    let mut line = String::new();
    let _ = write!(line, "{id},{}", e.at.to_rfc3339());
    for c in &CSV_COLUMNS[2..] {
        line.push(',');
        if let Some(text) = column(e, c) {
            cell(&mut line, &text);
        }
    }
    line.push_str("\r\n");
    line
}

/// One of [`CSV_COLUMNS`] (after `id`) of an event, as text: what a CSV
/// cell holds before it is made safe, and what the app's event log shows.
/// `None` when the event has no such field.
pub fn column(e: &Event, column: &str) -> Option<String> {
    let field = match column {
        "at" => return Some(e.at.to_rfc3339()),
        "latency_ms" => "latency",
        "jitter_ms" => "jitter",
        f => f,
    };
    Some(match e.get(field)? {
        Value::Text(t) => t.to_owned(),
        Value::Owned(t) => t,
        Value::Many(ts) => ts.join(" "),
        Value::Duration(ns) => (ns as f64 / 1e6).to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
    })
}

/// Appends `text` as one safe CSV cell.
fn cell(out: &mut String, text: &str) {
    let clean: String = text.chars().filter(|c| !c.is_control() || *c == '\t').collect();
    let formula = matches!(clean.chars().next(), Some('=' | '+' | '-' | '@' | '\t'));
    let quote = formula || clean.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in clean.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConnKind, Timestamp};

    #[test]
    fn rows_have_every_column_and_hostile_text_is_defused() {
        assert_eq!(csv_header(), "id,at,type,kind,name,src,dst,state,via,latency_ms,jitter_ms,of,entity,op,label\r\n");
        let e =
            Event::conn(Timestamp(1_749_718_800_000_000_000), ConnKind::EdgeToRouter, "laptop-1", "edge-eu-1", false);
        assert_eq!(
            csv_row(7, &e),
            "7,2025-06-12T09:00:00Z,conn,edge-to-router,laptop-1,laptop-1,edge-eu-1,offline,,,,,,,\r\n"
        );
        let evil = Event::conn(Timestamp(0), ConnKind::EdgeToRouter, "=HYPERLINK(\"x\"),\n\u{7}a", "-1+1", true);
        let row = csv_row(1, &evil);
        assert!(row.contains(r#""'=HYPERLINK(""x""),a""#), "quoted, escaped, no formula, no control chars: {row}");
        assert!(row.contains(r#""'-1+1""#), "a leading minus is a formula too: {row}");
        assert_eq!(row.matches("\r\n").count(), 1, "one line, whatever the id holds");
    }

    #[test]
    fn entity_changes_export_their_name_and_a_filtered_jitter_is_empty() {
        use crate::event::{Body, EntityChange, EntityEvent, EntityOp, LatencyOf, LatencySample};
        let rename = Event {
            at: Timestamp(0),
            via: Some("ctrl1".into()),
            body: Body::Entity(EntityEvent::Staged(EntityChange {
                change: "u-1".into(),
                entity: crate::EntityType::Router,
                op: EntityOp::Updated,
                id: "Kx7pWq2mRa".into(),
                name: Some("=edge east".into()),
                attributes: None,
                identity_type: None,
            })),
        };
        assert_eq!(
            csv_row(1, &rename),
            "1,1970-01-01T00:00:00Z,entity,,Kx7pWq2mRa,,,,ctrl1,,,,router,updated,\"'=edge east\"\r\n"
        );
        let commit = Event { body: Body::Entity(EntityEvent::Committed { change: "u-1".into() }), ..rename.clone() };
        assert_eq!(csv_row(2, &commit), "2,1970-01-01T00:00:00Z,entity,,,,,,ctrl1,,,,,committed,\r\n");
        let mean_only = Event {
            at: Timestamp(0),
            via: None,
            body: Body::Latency(LatencySample {
                of: LatencyOf::Link,
                target: "L".into(),
                source: "r".into(),
                mean_ns: 2_000_000,
                p50_ns: None,
                p99_ns: None,
                std_dev_ns: None,
                unresponsive: false,
            }),
        };
        assert_eq!(csv_row(3, &mean_only), "3,1970-01-01T00:00:00Z,latency,,L,r,L,,,2,,link,,,\r\n");
    }
}
