//! The design note's `ConnectionEvent`:
//! `{EventType, Identity, Timestamp, SourceIP, IsConnected}`, in PascalCase or
//! snake_case (`event_type, identity, timestamp, source_ip, is_connected`).
//!
//! It names one end only (`Identity`), so the normalised event's `dst` is empty.

use super::raw::{RawEvent, RawTime};
use super::{bounded, preview, required, ParseError};
use crate::event::{Body, ConnChange};
use crate::{ConnKind, Event, Timestamp};

pub(super) fn normalise(raw: &RawEvent) -> Result<Event, ParseError> {
    let kind_text = required("EventType", &raw.event_type)?;
    let kind = ConnKind::from_loose(kind_text).ok_or_else(|| {
        ParseError::new(
            "EventType",
            format!(
                "is {:?}; expected router-to-ctrl, ctrl-to-ctrl, edge-to-ctrl or edge-to-router",
                preview(kind_text)
            ),
        )
    })?;
    let src = required("Identity", &raw.identity)?.to_owned();
    let at = timestamp("Timestamp", raw.timestamp.as_ref())?;
    let up = raw.is_connected.ok_or_else(|| ParseError::missing("IsConnected"))?;
    let addr = match raw.source_ip.as_deref() {
        Some(a) if !a.is_empty() => Some(bounded("SourceIP", a)?.to_owned()),
        _ => None,
    };
    Ok(Event { at, via: None, body: Body::Conn(ConnChange { kind, src, dst: String::new(), up, addr }) })
}

/// Reads a required timestamp field in either form.
pub(super) fn timestamp(field: &'static str, raw: Option<&RawTime>) -> Result<Timestamp, ParseError> {
    match raw {
        None => Err(ParseError::missing(field)),
        Some(RawTime::Text(t)) => Timestamp::parse_rfc3339(t).map_err(|e| ParseError::new(field, e)),
        Some(RawTime::Number(n)) => Timestamp::from_epoch_number(*n).map_err(|e| ParseError::new(field, e)),
    }
}

#[cfg(test)]
mod tests {
    use crate::{parse_line, ConnKind, Parsed};

    fn event(line: &str) -> crate::event::ConnChange {
        match parse_line(line).unwrap() {
            Parsed::Event(e) => e.as_conn().expect("a connection event").clone(),
            other => panic!("not an event: {other:?}"),
        }
    }

    #[test]
    fn pascal_and_snake_case_agree_for_every_kind() {
        for kind in ConnKind::ALL {
            let pascal = format!(
                r#"{{"EventType":"{kind}","Identity":"id-1","Timestamp":"2025-06-12T09:00:00.25Z","SourceIP":"10.0.0.1","IsConnected":true}}"#
            );
            let snake = format!(
                r#"{{"event_type":"{}","identity":"id-1","timestamp":"2025-06-12T09:00:00.25Z","source_ip":"10.0.0.1","is_connected":true}}"#,
                kind.as_str().replace('-', "_")
            );
            let a = event(&pascal);
            assert_eq!(a, event(&snake));
            assert_eq!(a.kind, kind);
            assert_eq!(a.src, "id-1");
            assert!(a.up);
            assert_eq!(a.addr.as_deref(), Some("10.0.0.1"));
        }
    }

    #[test]
    fn disconnect_and_numeric_time() {
        let line = r#"{"EventType":"RouterToCtrl","Identity":"r1","Timestamp":1749718864000,"IsConnected":false}"#;
        let e = event(line);
        assert!(!e.up);
        assert_eq!(e.kind, ConnKind::RouterToCtrl);
        assert_eq!(e.addr, None);
        let Ok(Parsed::Event(full)) = parse_line(line) else { panic!() };
        assert_eq!(full.at.to_rfc3339(), "2025-06-12T09:01:04Z");
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (r#"{"Identity":"a","Timestamp":"2025-06-12T09:00:00Z","IsConnected":true}"#, "EventType"),
            (
                r#"{"EventType":"edge-to-moon","Identity":"a","Timestamp":"2025-06-12T09:00:00Z","IsConnected":true}"#,
                "EventType",
            ),
            (r#"{"EventType":"edge-to-ctrl","Timestamp":"2025-06-12T09:00:00Z","IsConnected":true}"#, "Identity"),
            (
                r#"{"EventType":"edge-to-ctrl","Identity":"","Timestamp":"2025-06-12T09:00:00Z","IsConnected":true}"#,
                "Identity",
            ),
            (r#"{"EventType":"edge-to-ctrl","Identity":"a","IsConnected":true}"#, "Timestamp"),
            (r#"{"EventType":"edge-to-ctrl","Identity":"a","Timestamp":"noon","IsConnected":true}"#, "Timestamp"),
            (r#"{"EventType":"edge-to-ctrl","Identity":"a","Timestamp":"2025-06-12T09:00:00Z"}"#, "IsConnected"),
        ];
        for (line, field) in cases {
            let err = parse_line(line).unwrap_err();
            assert_eq!(err.field, Some(field), "{line}: {err}");
        }
    }
}
