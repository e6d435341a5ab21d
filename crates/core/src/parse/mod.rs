//! Parsing: every input shape → [`Parsed`], never a panic.
//!
//! One JSON object is one event. Which shape it is follows from its keys:
//! an object with a `namespace` is an OpenZiti controller event
//! ([`openziti`]); one without is the design note's `ConnectionEvent`
//! ([`seed`]). Shapes that carry nothing we track (other namespaces,
//! metrics, entity types, …) come back as [`Parsed::Skipped`], so a stream
//! never stops on them; broken input comes back as a [`ParseError`] that
//! names the field.
//!
//! Each line is parsed on its own. The one shape that spans lines,
//! `entityChange`'s change-then-commit, is paired afterwards by
//! [`Commits`].

mod commits;
mod error;
mod openziti;
mod raw;
mod seed;

pub use commits::{CommitStats, Commits, CommittedChange, COMMIT_WINDOW_NS, MAX_PENDING};
pub use error::ParseError;

use crate::Event;
use raw::RawEvent;
use serde_json::value::RawValue;

/// Longest id or address we accept. Real ids are ~10–40 bytes; anything far
/// longer is hostile or broken, and would bloat every snapshot it sits in.
pub const MAX_FIELD_LEN: usize = 1024;

/// What one input object turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// An event, normalised.
    Event(Event),
    /// A well-formed event that carries nothing we track.
    Skipped(Skip),
}

/// Why a well-formed event was skipped, for the "skipped" counters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    /// The OpenZiti namespace, or `""` for the design note's shape.
    pub namespace: String,
    /// The event type within it, when it has one.
    pub event_type: Option<String>,
}

/// Parses one JSON object (one line of a JSONL stream).
pub fn parse_line(line: &str) -> Result<Parsed, ParseError> {
    let raw: RawEvent = serde_json::from_str(line).map_err(ParseError::from_json)?;
    match raw.namespace.as_deref() {
        Some(ns) => openziti::normalise(ns, &raw),
        None => seed::normalise(&raw).map(Parsed::Event),
    }
}

/// Parses an SSE `message` payload from a third-party producer: one object
/// or a JSON array of them. Each element is judged on its own, so one bad
/// element costs only itself.
pub fn parse_payload(text: &str) -> Vec<Result<Parsed, ParseError>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        match serde_json::from_str::<Vec<&RawValue>>(trimmed) {
            Ok(items) => items.into_iter().map(|item| parse_line(item.get())).collect(),
            Err(e) => vec![Err(ParseError::from_json(e))],
        }
    } else {
        vec![parse_line(text)]
    }
}

/// Shortens a hostile value before it is quoted back in a message.
pub fn preview(text: &str) -> &str {
    match text.char_indices().nth(64) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// Checks a required string field and bounds its length.
fn required<'a>(field: &'static str, value: &'a raw::Text<'_>) -> Result<&'a str, ParseError> {
    match value.as_deref() {
        None => Err(ParseError::missing(field)),
        Some("") => Err(ParseError::new(field, "is empty")),
        Some(v) => bounded(field, v),
    }
}

/// Bounds an optional string field's length.
fn bounded<'a>(field: &'static str, value: &'a str) -> Result<&'a str, ParseError> {
    if value.len() > MAX_FIELD_LEN {
        Err(ParseError::new(field, format!("is {} bytes long; the limit is {MAX_FIELD_LEN}", value.len())))
    } else {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_array_judges_each_element() {
        let text = r#"[{"EventType":"edge-to-router","Identity":"a","Timestamp":"2025-06-12T09:00:00Z","IsConnected":true},
                       {"EventType":"nope"},
                       {"namespace":"metrics","timestamp":"2025-06-12T09:00:00Z","metric":"ctrl.rx.bytesrate"}]"#;
        let out = parse_payload(text);
        assert_eq!(out.len(), 3);
        assert!(matches!(out[0], Ok(Parsed::Event(_))));
        assert!(out[1].is_err());
        assert!(matches!(out[2], Ok(Parsed::Skipped(_))));
    }

    #[test]
    fn payload_broken_json_is_one_error() {
        let out = parse_payload("[{\"a\":");
        assert_eq!(out.len(), 1);
        assert!(out[0].is_err());
    }

    #[test]
    fn escaped_strings_are_unescaped() {
        let line = r#"{"EventType":"edge-to-router","Identity":"a\"b\u003cc","Timestamp":"2025-06-12T09:00:00Z","IsConnected":true}"#;
        let Ok(Parsed::Event(e)) = parse_line(line) else { panic!() };
        assert_eq!(e.as_conn().unwrap().src, "a\"b<c");
    }

    #[test]
    fn huge_fields_are_refused_by_name() {
        let big = "x".repeat(MAX_FIELD_LEN + 1);
        let line = format!(
            r#"{{"EventType":"edge-to-router","Identity":"{big}","Timestamp":"2025-06-12T09:00:00Z","IsConnected":true}}"#
        );
        let err = parse_line(&line).unwrap_err();
        assert_eq!(err.field, Some("Identity"));
    }
}
