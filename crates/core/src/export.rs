//! Exports: events as CSV rows and JSON lines. The columns are the filter
//! language's event fields, so an export reads the way a filter is written,
//! and then the names a person reads for the entities the event names
//! (`display_name` for its subject, `src_name`, `dst_name`): real events
//! name routers and identities by opaque ids (`Kx7pWq2mRa`), so an export
//! that only had the ids would be unreadable. A JSON line carries the same
//! names in a `names` object (`{"<id>": "<name>"}`).
//!
//! Ids and names come from the network, so they are untrusted: every cell
//! is quoted when it holds a quote, a comma or a line break, control
//! characters are dropped, and a cell that a spreadsheet would run as a
//! formula (`=`, `+`, `-`, `@` first, or a tab or carriage return) gets a
//! leading `'` (the OWASP rule for CSV injection).

use crate::filter::{Subject, Value};
use crate::{EntityType, Event};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The CSV columns, in order. Columns are only ever added at the end, so
/// a reader by position keeps working.
pub const CSV_COLUMNS: [&str; 18] = [
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
    "display_name",
    "src_name",
    "dst_name",
];

/// The name columns: the names a person reads for the event's subject
/// (the `name` column's entity), its `src` and its `dst`, in [`named`]'s order.
pub const NAME_COLUMNS: [&str; 3] = ["display_name", "src_name", "dst_name"];

/// Names an entity: the name a person reads for it (its id when no name is
/// known, and for controllers, which keep readable ids).
pub type Namer<'a> = &'a dyn Fn(EntityType, &str) -> String;

/// A namer that knows no names: every entity reads as its id.
pub fn by_id(_: EntityType, id: &str) -> String {
    id.to_owned()
}

/// The header line (with its line break).
pub fn csv_header() -> String {
    let mut s = CSV_COLUMNS.join(",");
    s.push_str("\r\n");
    s
}

/// One event as a CSV line (with its line break), every entity read as its
/// id (see [`csv_row_named`]).
pub fn csv_row(id: i64, e: &Event) -> String {
    csv_row_named(id, e, &by_id)
}

/// One event as a CSV line (with its line break): its stored `id`, its time
/// in RFC 3339, then its fields, then the names `names` gives the entities
/// it names.
pub fn csv_row_named(id: i64, e: &Event, names: Namer) -> String {
    let mut line = String::new();
    let _ = write!(line, "{id},{}", e.at.to_rfc3339());
    for c in &CSV_COLUMNS[2..] {
        line.push(',');
        if let Some(text) = column_named(e, c, names) {
            cell(&mut line, &text);
        }
    }
    line.push_str("\r\n");
    line
}

/// One event as a JSON line (with its line break): the event as the feed
/// sends it, plus `names`, each entity id it names with the name `names`
/// gives it (left out when it names none).
pub fn jsonl_line(e: &Event, names: Namer) -> String {
    let mut line = serde_json::to_string(e).expect("events always serialise");
    let named: BTreeMap<&str, String> = e.entities().into_iter().flatten().map(|(t, id)| (id, names(t, id))).collect();
    if !named.is_empty() && line.ends_with('}') {
        // The event's own keys keep their order; `names` goes last.
        line.pop();
        line.push_str(",\"names\":");
        line.push_str(&serde_json::to_string(&named).expect("strings always serialise"));
        line.push('}');
    }
    line.push('\n');
    line
}

/// One of [`CSV_COLUMNS`] (after `id`) of an event, as text, every entity
/// read as its id (see [`column_named`]).
pub fn column(e: &Event, column: &str) -> Option<String> {
    column_named(e, column, &by_id)
}

/// One of [`CSV_COLUMNS`] (after `id`) of an event, as text: what a CSV
/// cell holds before it is made safe, and what the app's event log shows.
/// The name columns are what `names` says. `None` when the event has no
/// such field.
pub fn column_named(e: &Event, column: &str, names: Namer) -> Option<String> {
    if let Some(k) = NAME_COLUMNS.iter().position(|c| *c == column) {
        return e.entities()[k].map(|(t, id)| names(t, id));
    }
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
        Value::ManyOwned(ts) => ts.join(" "),
        Value::Duration(ns) => (ns as f64 / 1e6).to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
    })
}

/// Appends `text` as one safe CSV cell.
pub(crate) fn cell(out: &mut String, text: &str) {
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
    use crate::event::{Body, EntityEvent};
    use crate::{ConnKind, Timestamp};

    #[test]
    fn rows_have_every_column_and_hostile_text_is_defused() {
        assert_eq!(
            csv_header(),
            "id,at,type,kind,name,src,dst,state,via,latency_ms,jitter_ms,of,entity,op,label,display_name,src_name,dst_name\r\n"
        );
        let e =
            Event::conn(Timestamp(1_749_718_800_000_000_000), ConnKind::EdgeToRouter, "laptop-1", "edge-eu-1", false);
        assert_eq!(
            csv_row(7, &e),
            "7,2025-06-12T09:00:00Z,conn,edge-to-router,laptop-1,laptop-1,edge-eu-1,offline,,,,,,,,laptop-1,laptop-1,edge-eu-1\r\n"
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
            "1,1970-01-01T00:00:00Z,entity,,Kx7pWq2mRa,,,,ctrl1,,,,router,updated,\"'=edge east\",Kx7pWq2mRa,,\r\n"
        );
        let commit = Event { body: Body::Entity(EntityEvent::Committed { change: "u-1".into() }), ..rename.clone() };
        assert_eq!(csv_row(2, &commit), "2,1970-01-01T00:00:00Z,entity,,,,,,ctrl1,,,,,committed,,,,\r\n");
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
        assert_eq!(csv_row(3, &mean_only), "3,1970-01-01T00:00:00Z,latency,,L,r,L,,,2,,link,,,,,r,\r\n");
    }

    #[test]
    fn the_name_columns_and_the_json_line_read_names() {
        let names = |t: EntityType, id: &str| match (t, id) {
            (EntityType::Router, "Kx7pWq2mRa") => "edge-eu-1".to_owned(),
            (EntityType::Identity, "D4vX.q9LmP") => "=alice".to_owned(),
            (_, id) => id.to_owned(),
        };
        let e = Event::conn(Timestamp(0), ConnKind::EdgeToRouter, "D4vX.q9LmP", "Kx7pWq2mRa", true).via("ctrl1");
        let row = csv_row_named(1, &e, &names);
        assert!(
            row.ends_with(",D4vX.q9LmP,D4vX.q9LmP,Kx7pWq2mRa,online,ctrl1,,,,,,,\"'=alice\",\"'=alice\",edge-eu-1\r\n"),
            "the ids stay in their columns, the names follow, defused: {row}"
        );
        assert_eq!(column_named(&e, "dst_name", &names).as_deref(), Some("edge-eu-1"));
        assert_eq!(column(&e, "dst_name").as_deref(), Some("Kx7pWq2mRa"), "without names: the id");
        let rc = Event::conn(Timestamp(0), ConnKind::RouterToCtrl, "Kx7pWq2mRa", "ctrl1", false);
        assert_eq!(
            rc.entities(),
            [
                Some((EntityType::Router, "Kx7pWq2mRa")),
                Some((EntityType::Router, "Kx7pWq2mRa")),
                Some((EntityType::Controller, "ctrl1"))
            ]
        );

        let line = jsonl_line(&e, &names);
        assert!(line.ends_with("}\n") && line.matches('\n').count() == 1, "{line}");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["names"], serde_json::json!({ "D4vX.q9LmP": "=alice", "Kx7pWq2mRa": "edge-eu-1" }));
        let back: Event = serde_json::from_str(&line).expect("still an event to a reader that ignores names");
        assert_eq!(back, e);
        let commit =
            Event { at: Timestamp(0), via: None, body: Body::Entity(EntityEvent::Committed { change: "u-1".into() }) };
        assert!(!jsonl_line(&commit, &names).contains("names"), "names nothing: no names");
    }
}
