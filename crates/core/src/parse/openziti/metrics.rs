//! `metrics`: latency histograms. `link.latency` (each end of a link
//! reports its own), `ctrl.latency` (a controller's view of a router's
//! control channel) and the unmapped `peer.latency:<ctrl>`. Every other
//! metric is skipped. Values are round-trip nanoseconds.

use super::some;
use crate::event::{Body, LatencyOf, LatencySample};
use crate::parse::raw::RawEvent;
use crate::parse::{bounded, required, ParseError};

/// What a router records for a link heartbeat unanswered for over 30 s.
pub const UNRESPONSIVE_SENTINEL_NS: f64 = 8_888_888_888_888.0;

pub(super) fn body(raw: &RawEvent) -> Result<Option<Body>, ParseError> {
    let Some(metric) = raw.metric.as_deref() else { return Err(ParseError::missing("metric")) };
    let (of, target) = match metric {
        "link.latency" => (LatencyOf::Link, required("source_entity_id", &raw.source_entity_id)?),
        "ctrl.latency" => (LatencyOf::Ctrl, required("source_entity_id", &raw.source_entity_id)?),
        m => match m.strip_prefix("peer.latency:") {
            Some(peer) if !peer.is_empty() => (LatencyOf::Peer, bounded("metric", peer)?),
            _ => return Ok(None),
        },
    };
    let h = raw.metrics.as_ref().ok_or_else(|| ParseError::missing("metrics"))?;
    let value = |field: &'static str, v: Option<f64>| -> Result<i64, ParseError> {
        match v {
            Some(x) if (0.0..1e18).contains(&x) => Ok(x.round() as i64),
            Some(x) => Err(ParseError::new(field, format!("{x} is not a latency in ns"))),
            None => Err(ParseError::missing(field)),
        }
    };
    let mean = value("metrics.mean", h.mean)?;
    some(Body::Latency(LatencySample {
        of,
        target: target.to_owned(),
        source: required("source_id", &raw.source_id)?.to_owned(),
        mean_ns: mean,
        p50_ns: value("metrics.p50", h.p50)?,
        p99_ns: value("metrics.p99", h.p99)?,
        std_dev_ns: value("metrics.std_dev", h.std_dev)?,
        // Most recent heartbeats went unanswered (a lone old sentinel only
        // lifts `max`, which the reservoir keeps for minutes).
        unresponsive: h.p50.unwrap_or(0.0) >= UNRESPONSIVE_SENTINEL_NS,
    }))
}
