//! OpenZiti controller events (see `shared/openziti-events.md` and
//! `docs/openziti-shapes.md`), one module per namespace. Older namespace
//! names (`fabric.routers`, `fabric.links`, and `fabric.cluster` before
//! v1.3) are accepted. A namespace or event type we do not track is skipped, not
//! an error, so a stream never stops on it.

mod cluster;
mod connect;
mod entity;
mod link;
mod metrics;
mod router;
mod sdk;

use super::raw::RawEvent;
use super::seed::timestamp;
use super::{bounded, preview, ParseError, Parsed, Skip};
use crate::event::{Body, Event};

pub(super) fn normalise(namespace: &str, raw: &RawEvent) -> Result<Parsed, ParseError> {
    let body = match namespace {
        "connect" => connect::body(raw)?,
        "router" | "fabric.routers" => router::body(raw)?,
        "sdk" => sdk::body(raw)?,
        "cluster" | "fabric.cluster" => cluster::body(raw)?,
        "link" | "fabric.links" => link::body(raw)?,
        "metrics" => metrics::body(raw)?,
        "entityChange" => entity::body(raw)?,
        _ => None,
    };
    match body {
        Some(body) => Ok(Parsed::Event(Event {
            at: timestamp("timestamp", raw.timestamp.as_ref())?,
            via: optional("event_src_id", &raw.event_src_id)?,
            body,
        })),
        None => Ok(Parsed::Skipped(skip(namespace, raw))),
    }
}

/// What a skipped event was, for the counters.
fn skip(namespace: &str, raw: &RawEvent) -> Skip {
    let event_type = raw.event_type.as_deref().or(raw.metric.as_deref());
    Skip { namespace: preview(namespace).to_owned(), event_type: event_type.map(|t| preview(t).to_owned()) }
}

/// An optional string field: absent or empty is `None`; too long is an error.
fn optional(field: &'static str, value: &crate::parse::raw::Text<'_>) -> Result<Option<String>, ParseError> {
    match value.as_deref() {
        None | Some("") => Ok(None),
        Some(v) => Ok(Some(bounded(field, v)?.to_owned())),
    }
}

/// The event type, which a known namespace must have.
fn event_type<'a>(field: &'static str, raw: &'a RawEvent) -> Result<&'a str, ParseError> {
    raw.event_type.as_deref().ok_or_else(|| ParseError::missing(field))
}

/// Shorthand for the bodies: `Ok(Some(body))`.
fn some(body: Body) -> Result<Option<Body>, ParseError> {
    Ok(Some(body))
}

#[cfg(test)]
mod tests;
