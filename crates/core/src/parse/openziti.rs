//! OpenZiti controller events (see `shared/openziti-events.md`).
//!
//! This first slice reads the two namespaces that carry connection state
//! directly: `connect` (every kind, "connection made") and `router`
//! (router online/offline per controller, also under its pre-1.4 name
//! `fabric.routers`). Every other namespace is well-formed but skipped.

use super::raw::RawEvent;
use super::seed::timestamp;
use super::{bounded, preview, required, ParseError, Parsed, Skip};
use crate::{ConnKind, Event};

pub(super) fn normalise(namespace: &str, raw: &RawEvent) -> Result<Parsed, ParseError> {
    match namespace {
        "connect" => connect(raw).map(Parsed::Event),
        "router" | "fabric.routers" => router(raw).map(Parsed::Event),
        other => Ok(Parsed::Skipped(Skip {
            namespace: preview(other).to_owned(),
            event_type: raw.event_type.as_deref().map(|t| preview(t).to_owned()),
        })),
    }
}

/// `connect`: only ever "connection made". The kind follows from
/// `src_type` → `dst_type`; identity→ctrl is REST activity, which the store
/// treats as a liveness signal on an always-up connection.
fn connect(raw: &RawEvent) -> Result<Event, ParseError> {
    let src_type = required("src_type", &raw.src_type)?;
    let dst_type = required("dst_type", &raw.dst_type)?;
    let kind = match (src_type, dst_type) {
        ("router", "ctrl") => ConnKind::RouterToCtrl,
        ("peer", "ctrl") => ConnKind::CtrlToCtrl,
        ("identity", "ctrl") => ConnKind::EdgeToCtrl,
        ("identity", "router") => ConnKind::EdgeToRouter,
        (s, d) => {
            return Err(ParseError::new(
                "src_type",
                format!("{:?} → {:?} is not a known connection", preview(s), preview(d)),
            ))
        }
    };
    Ok(Event {
        at: timestamp("timestamp", raw.timestamp.as_ref())?,
        kind,
        src: required("src_id", &raw.src_id)?.to_owned(),
        dst: required("dst_id", &raw.dst_id)?.to_owned(),
        up: true,
        addr: optional("src_addr", &raw.src_addr)?,
        via: optional("event_src_id", &raw.event_src_id)?,
    })
}

/// `router`: a router's control channel to the reporting controller came up
/// or went down. The reporter is the other end, so `event_src_id` is needed.
fn router(raw: &RawEvent) -> Result<Event, ParseError> {
    let up = match raw.event_type.as_deref() {
        Some("router-online") => true,
        Some("router-offline") => false,
        Some(other) => {
            return Err(ParseError::new(
                "event_type",
                format!("is {:?}; expected router-online or router-offline", preview(other)),
            ))
        }
        None => match raw.router_online {
            Some(online) => online,
            None => return Err(ParseError::missing("event_type")),
        },
    };
    let ctrl = required("event_src_id", &raw.event_src_id)?.to_owned();
    Ok(Event {
        at: timestamp("timestamp", raw.timestamp.as_ref())?,
        kind: ConnKind::RouterToCtrl,
        src: required("router_id", &raw.router_id)?.to_owned(),
        dst: ctrl.clone(),
        up,
        addr: None,
        via: Some(ctrl),
    })
}

fn optional(field: &'static str, value: &Option<std::borrow::Cow<'_, str>>) -> Result<Option<String>, ParseError> {
    match value.as_deref() {
        None | Some("") => Ok(None),
        Some(v) => Ok(Some(bounded(field, v)?.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use crate::{parse_line, ConnKind, Parsed};

    #[test]
    fn connect_kinds_from_the_samples() {
        let lines = [
            (
                r#"{"namespace":"connect","event_src_id":"ctrl1","timestamp":"2025-06-12T09:00:11.871902554Z","src_type":"router","dst_type":"ctrl","src_id":"Kx7pWq2mRa","src_addr":"198.51.100.20:40377","dst_id":"ctrl1","dst_addr":"10.0.0.10:6262"}"#,
                ConnKind::RouterToCtrl,
            ),
            (
                r#"{"namespace":"connect","event_src_id":"ctrl1","timestamp":"2025-06-12T09:00:03.512207448Z","src_type":"peer","dst_type":"ctrl","src_id":"ctrl2","src_addr":"10.0.0.11:40056","dst_id":"ctrl1","dst_addr":"10.0.0.10:6262"}"#,
                ConnKind::CtrlToCtrl,
            ),
            (
                r#"{"namespace":"connect","event_src_id":"ctrl1","timestamp":"2025-06-12T09:01:02.01744239Z","src_type":"identity","dst_type":"ctrl","src_id":"D4vX.q9LmP","src_addr":"100.72.14.9:53012","dst_id":"ctrl1","dst_addr":"ctrl1.ziti.example.com:1280"}"#,
                ConnKind::EdgeToCtrl,
            ),
            (
                r#"{"namespace":"connect","event_src_id":"ctrl1","timestamp":"2025-06-12T09:01:03.5Z","src_type":"identity","dst_type":"router","src_id":"D4vX.q9LmP","src_addr":"100.72.14.9:53022","dst_id":"Kx7pWq2mRa","dst_addr":"10.20.0.11:3022"}"#,
                ConnKind::EdgeToRouter,
            ),
        ];
        for (line, kind) in lines {
            let Parsed::Event(e) = parse_line(line).unwrap() else { panic!("skipped {line}") };
            assert_eq!(e.kind, kind);
            assert!(e.up);
            assert_eq!(e.via.as_deref(), Some("ctrl1"));
            assert!(!e.dst.is_empty());
            assert!(e.addr.is_some());
        }
    }

    #[test]
    fn router_offline_and_old_namespace() {
        let line = r#"{"namespace":"fabric.routers","timestamp":"2025-06-12T11:12:44.902417338Z","event_src_id":"ctrl1","event_type":"router-offline","router_id":"Kx7pWq2mRa","router_online":false}"#;
        let Parsed::Event(e) = parse_line(line).unwrap() else { panic!() };
        assert_eq!(
            (e.kind, e.src.as_str(), e.dst.as_str(), e.up),
            (ConnKind::RouterToCtrl, "Kx7pWq2mRa", "ctrl1", false)
        );
    }

    #[test]
    fn other_namespaces_are_skipped_not_errors() {
        let line = r#"{"namespace":"sdk","event_src_id":"ctrl1","timestamp":"2025-06-12T10:15:51.204015195Z","event_type":"sdk-status-unknown","identity_id":"h7TzR0w.Ke"}"#;
        let Parsed::Skipped(skip) = parse_line(line).unwrap() else { panic!() };
        assert_eq!(skip.namespace, "sdk");
        assert_eq!(skip.event_type.as_deref(), Some("sdk-status-unknown"));
    }

    #[test]
    fn connect_errors_name_the_field() {
        let err = parse_line(r#"{"namespace":"connect","timestamp":"2025-06-12T09:00:00Z","src_type":"router","dst_type":"moon","src_id":"a","dst_id":"b"}"#).unwrap_err();
        assert_eq!(err.field, Some("src_type"));
        let err = parse_line(r#"{"namespace":"connect","timestamp":"2025-06-12T09:00:00Z","src_type":"router","dst_type":"ctrl","dst_id":"b"}"#).unwrap_err();
        assert_eq!(err.field, Some("src_id"));
        let err = parse_line(
            r#"{"namespace":"router","timestamp":"2025-06-12T09:00:00Z","event_type":"router-online","router_id":"r"}"#,
        )
        .unwrap_err();
        assert_eq!(err.field, Some("event_src_id"));
    }
}
