//! Old shapes (before v1.3/v1.4) and the subsets a `metricFilter` leaves.

use super::{body, error_field, skipped};
use crate::event::*;
use crate::ConnKind;

#[test]
fn router_events_without_a_reporter_name_no_controller() {
    // v1.2: `controller/event/routers.go` has no EventSrcId.
    let (e, b) = body(
        r#"{"namespace":"fabric.routers","event_type":"router-offline","timestamp":"2025-06-12T09:05:10.552081937Z","router_id":"Kx7pWq2mRa","router_online":false}"#,
    );
    assert_eq!(e.via, None);
    assert_eq!(
        b,
        Body::Conn(ConnChange {
            kind: ConnKind::RouterToCtrl,
            src: "Kx7pWq2mRa".into(),
            dst: String::new(),
            up: false,
            addr: None
        })
    );
    let (e, b) = body(
        r#"{"namespace":"router","timestamp":"2025-06-12T09:00:00Z","event_src_id":"","event_type":"router-online","router_id":"r"}"#,
    );
    assert_eq!(e.via, None, "an empty reporter is no reporter");
    assert!(matches!(b, Body::Conn(ref c) if c.up && c.dst.is_empty()));
    assert!(
        matches!(body(r#"{"namespace":"router","timestamp":"2025-06-12T09:00:00Z","event_type":"router-online","router_id":"r"}"#).1, Body::Conn(ref c) if c.up && c.dst.is_empty())
    );
    let big = "c".repeat(crate::parse::MAX_FIELD_LEN + 1);
    assert_eq!(
        error_field(&format!(
            r#"{{"namespace":"router","timestamp":"2025-06-12T09:00:00Z","event_src_id":"{big}","event_type":"router-online","router_id":"r"}}"#
        )),
        Some("event_src_id")
    );
}

#[test]
fn fabric_cluster_is_cluster() {
    // v1.2: namespace `fabric.cluster`, no event_src_id, no leaderId.
    let (e, b) = body(
        r#"{"namespace":"fabric.cluster","eventType":"members.changed","timestamp":"2025-06-12T09:00:00.201446719Z","index":3,"peers":[{"id":"ctrl1","addr":"tls:ctrl1.ziti.example.com:6262","apiAddresses":null},{"id":"ctrl2","addr":"tls:ctrl2.ziti.example.com:6262","apiAddresses":null}]}"#,
    );
    assert_eq!(e.via, None);
    assert!(
        matches!(b, Body::Cluster(ClusterChange { event: ClusterEventType::MembersChanged, index: Some(3), ref peers, .. }) if peers.len() == 2)
    );
    let (_, b) = body(
        r#"{"namespace":"fabric.cluster","eventType":"leadership.gained","timestamp":"2025-06-12T09:00:00.253118204Z"}"#,
    );
    assert!(matches!(b, Body::Cluster(ClusterChange { event: ClusterEventType::LeadershipGained, .. })));
    assert_eq!(
        error_field(
            r#"{"namespace":"fabric.cluster","eventType":"peer.connected","timestamp":"2025-06-12T09:00:00Z"}"#
        ),
        Some("peers")
    );
    let s =
        skipped(r#"{"namespace":"fabric.cluster","eventType":"state.unheard_of","timestamp":"2025-06-12T09:00:00Z"}"#);
    assert_eq!(s.namespace, "fabric.cluster");
}

fn latency(metric: &str, target: &str, stats: &str) -> String {
    format!(
        r#"{{"namespace":"metrics","timestamp":"2025-06-12T09:01:00.004381Z","metric_type":"histogram","source_id":"Kx7pWq2mRa","source_entity_id":"{target}","version":3,"metric":"{metric}","metrics":{stats},"source_event_id":"x"}}"#
    )
}

fn sample(line: &str) -> LatencySample {
    match body(line).1 {
        Body::Latency(s) => s,
        other => panic!("{other:?}"),
    }
}

#[test]
fn latency_with_only_the_mean() {
    let s = sample(&latency("link.latency", "L", r#"{"mean":22076499.023}"#));
    assert_eq!((s.mean_ns, s.p50_ns, s.p99_ns, s.std_dev_ns), (22_076_499, None, None, None));
    assert!(!s.unresponsive);
    let s = sample(&latency("link.latency", "L", r#"{"mean":8888888888888}"#));
    assert!(s.unresponsive, "a mean at the sentinel: every sample is one");
}

#[test]
fn latency_with_only_the_median() {
    let s = sample(&latency("ctrl.latency", "b.Q4zN8vTe", r#"{"p50":1874231}"#));
    assert_eq!((s.of, s.mean_ns, s.p50_ns, s.std_dev_ns), (LatencyOf::Ctrl, 1_874_231, Some(1_874_231), None));
    let s = sample(&latency("ctrl.latency", "r", r#"{"p50":1000,"mean":2000,"std_dev":10}"#));
    assert_eq!((s.mean_ns, s.p50_ns, s.std_dev_ns), (2000, Some(1000), Some(10)), "the mean is preferred");
}

#[test]
fn latency_without_a_usable_statistic_is_skipped() {
    for stats in [r#"{"p99":2411907.35}"#, r#"{"count":1903}"#, r#"{"std_dev":12.5,"max":3}"#, "{}"] {
        let s = skipped(&latency("link.latency", "L", stats));
        assert_eq!((s.namespace.as_str(), s.event_type.as_deref()), ("metrics", Some("link.latency")), "{stats}");
    }
    // A peer's latency: unmapped, the peer is in the name. The README's
    // filter keeps it.
    let s = sample(
        r#"{"namespace":"metrics","timestamp":"2025-06-12T09:01:00Z","source_id":"ctrl1","metric":"peer.latency:ctrl2","metrics":{"mean":647267.547}}"#,
    );
    assert_eq!((s.of, s.target.as_str(), s.source.as_str()), (LatencyOf::Peer, "ctrl2", "ctrl1"));
}

#[test]
fn a_statistic_that_is_not_a_latency_is_refused_by_name() {
    for (stats, field) in [
        (r#"{"mean":"fast"}"#, "metrics.mean"),
        (r#"{"mean":1,"p50":true}"#, "metrics.p50"),
        (r#"{"mean":1,"p99":[1]}"#, "metrics.p99"),
        (r#"{"mean":1,"std_dev":-3}"#, "metrics.std_dev"),
        (r#"{"p50":1e300}"#, "metrics.p50"),
    ] {
        assert_eq!(error_field(&latency("link.latency", "L", stats)), Some(field), "{stats}");
    }
    let s = sample(&latency("link.latency", "L", r#"{"mean":1,"p50":null}"#));
    assert_eq!(s.p50_ns, None, "null is no value, as if filtered out");
    assert_eq!(
        error_field(
            r#"{"namespace":"metrics","timestamp":"2025-06-12T09:01:00Z","source_id":"r","metric":"link.latency","metrics":{"mean":1}}"#
        ),
        Some("source_entity_id")
    );
}

#[test]
fn stored_samples_from_before_still_read() {
    // A history row or snapshot written when every statistic was required.
    let old = r#"{"at":1,"body":{"latency":{"of":"link","target":"L","source":"r","mean_ns":5,"p50_ns":4,"p99_ns":9,"std_dev_ns":1}}}"#;
    let e: Event = serde_json::from_str(old).unwrap();
    let Body::Latency(s) = e.body else { panic!() };
    assert_eq!((s.mean_ns, s.p50_ns, s.p99_ns, s.std_dev_ns), (5, Some(4), Some(9), Some(1)));
    let narrow = serde_json::to_string(&sample(&latency("link.latency", "L", r#"{"mean":5}"#))).unwrap();
    assert!(!narrow.contains("p50_ns") && !narrow.contains("std_dev_ns"), "a missing statistic is left out: {narrow}");
}
