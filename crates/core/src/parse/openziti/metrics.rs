//! `metrics`: latency histograms. `link.latency` (each end of a link
//! reports its own), `ctrl.latency` (a controller's view of a router's
//! control channel) and the unmapped `peer.latency:<ctrl>` (a controller's
//! view of a cluster peer: `controller/handler_peer_ctrl/bind.go`). Every
//! other metric is skipped. Values are round-trip nanoseconds.
//!
//! A `metricFilter` is matched against `<metric>.<statistic>` and only the
//! matching statistics are sent (`controller/events/dispatcher_metrics.go`
//! `filterMetric`), so any subset may arrive. The sample's latency is the
//! mean, or the median (`p50`) without one; an event with neither (say,
//! only `p99` or `count`) has no latency to show and is skipped, and the
//! counters say so. A value that is there but is no latency is an error.

use super::some;
use crate::event::{Body, LatencyOf, LatencySample};
use crate::parse::raw::{RawEvent, RawNumber};
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
    let value = |field: &'static str, v: Option<RawNumber>| -> Result<Option<i64>, ParseError> {
        match v {
            None => Ok(None),
            Some(RawNumber::Number(x)) if (0.0..1e18).contains(&x) => Ok(Some(x.round() as i64)),
            Some(RawNumber::Number(x)) => Err(ParseError::new(field, format!("{x} is not a latency in ns"))),
            Some(RawNumber::Other) => Err(ParseError::new(field, "is not a number")),
        }
    };
    let mean = value("metrics.mean", h.mean)?;
    let p50 = value("metrics.p50", h.p50)?;
    let p99 = value("metrics.p99", h.p99)?;
    let std_dev = value("metrics.std_dev", h.std_dev)?;
    let Some(typical) = mean.or(p50) else { return Ok(None) };
    some(Body::Latency(LatencySample {
        of,
        target: target.to_owned(),
        source: required("source_id", &raw.source_id)?.to_owned(),
        mean_ns: typical,
        p50_ns: p50,
        p99_ns: p99,
        std_dev_ns: std_dev,
        // Most recent heartbeats went unanswered (a lone old sentinel only
        // lifts `max`, which the reservoir keeps for minutes). Without a
        // median, a mean at the sentinel means every sample is one.
        unresponsive: p50.or(mean).unwrap_or(0) as f64 >= UNRESPONSIVE_SENTINEL_NS,
    }))
}
