use crate::event::*;
use crate::{parse_line, ConnKind, Parsed};

fn body(line: &str) -> (Event, Body) {
    match parse_line(line) {
        Ok(Parsed::Event(e)) => {
            let b = e.body.clone();
            (e, b)
        }
        other => panic!("{line}: {other:?}"),
    }
}

fn skipped(line: &str) -> crate::parse::Skip {
    match parse_line(line) {
        Ok(Parsed::Skipped(s)) => s,
        other => panic!("{line}: {other:?}"),
    }
}

fn error_field(line: &str) -> Option<&'static str> {
    parse_line(line).expect_err(line).field
}

#[test]
fn connect_all_four_kinds() {
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
        let (e, _) = body(line);
        let c = e.as_conn().unwrap();
        assert_eq!(c.kind, kind);
        assert!(c.up);
        assert_eq!(e.via.as_deref(), Some("ctrl1"));
        assert!(!c.dst.is_empty() && c.addr.is_some());
    }
    assert_eq!(
        error_field(
            r#"{"namespace":"connect","timestamp":"2025-06-12T09:00:00Z","src_type":"router","dst_type":"moon","src_id":"a","dst_id":"b"}"#
        ),
        Some("src_type")
    );
    assert_eq!(
        error_field(
            r#"{"namespace":"connect","timestamp":"2025-06-12T09:00:00Z","src_type":"router","dst_type":"ctrl","dst_id":"b"}"#
        ),
        Some("src_id")
    );
    assert_eq!(
        error_field(r#"{"namespace":"connect","src_type":"router","dst_type":"ctrl","src_id":"a","dst_id":"b"}"#),
        Some("timestamp")
    );
}

#[test]
fn router_both_names_and_unknown_types() {
    let (e, _) = body(
        r#"{"namespace":"fabric.routers","timestamp":"2025-06-12T11:12:44.902417338Z","event_src_id":"ctrl1","event_type":"router-offline","router_id":"Kx7pWq2mRa","router_online":false}"#,
    );
    let c = e.as_conn().unwrap();
    assert_eq!((c.kind, c.src.as_str(), c.dst.as_str(), c.up), (ConnKind::RouterToCtrl, "Kx7pWq2mRa", "ctrl1", false));
    let s = skipped(
        r#"{"namespace":"router","timestamp":"2025-06-12T09:00:00Z","event_src_id":"c","event_type":"router-moved","router_id":"r"}"#,
    );
    assert_eq!((s.namespace.as_str(), s.event_type.as_deref()), ("router", Some("router-moved")));
}

#[test]
fn sdk_statuses() {
    for (t, status) in [
        ("sdk-online", SdkStatus::Online),
        ("sdk-offline", SdkStatus::Offline),
        ("sdk-status-unknown", SdkStatus::Unknown),
    ] {
        let line = format!(
            r#"{{"namespace":"sdk","event_src_id":"ctrl1","timestamp":"2025-06-12T10:15:51.204015195Z","event_type":"{t}","identity_id":"h7TzR0w.Ke"}}"#
        );
        let (_, b) = body(&line);
        assert_eq!(b, Body::Sdk(SdkChange { identity: "h7TzR0w.Ke".into(), status }));
    }
    assert_eq!(
        error_field(r#"{"namespace":"sdk","timestamp":"2025-06-12T10:15:51Z","event_type":"sdk-online"}"#),
        Some("identity_id")
    );
}

#[test]
fn cluster_events() {
    let (e, b) = body(
        r#"{"namespace":"cluster","event_src_id":"ctrl1","timestamp":"2025-06-12T09:00:04.38891567Z","eventType":"members.changed","index":9,"peers":[{"id":"ctrl1","addr":"tls:ctrl1.ziti.example.com:6262","apiAddresses":null},{"id":"ctrl2","addr":"tls:ctrl2.ziti.example.com:6262","apiAddresses":null},{"id":"ctrl3","addr":"tls:ctrl3.ziti.example.com:6262","apiAddresses":null}]}"#,
    );
    let Body::Cluster(c) = b else { panic!() };
    assert_eq!(e.via.as_deref(), Some("ctrl1"));
    assert_eq!((c.event, c.index, c.peers.len()), (ClusterEventType::MembersChanged, Some(9), 3));
    let (_, b) = body(
        r#"{"namespace":"cluster","event_src_id":"ctrl1","timestamp":"2025-06-12T09:20:09.604331902Z","eventType":"peer.connected","peers":[{"id":"ctrl3","addr":"tls:ctrl3.ziti.example.com:6262","version":"v1.6.21","apiAddresses":{"edge-client":[{"url":"https://ctrl3.ziti.example.com:1280/edge/client/v1","version":"v1"}]},"isPreferredLeader":false}]}"#,
    );
    let Body::Cluster(c) = b else { panic!() };
    assert_eq!(
        c.peers[0],
        Peer {
            id: "ctrl3".into(),
            addr: Some("tls:ctrl3.ziti.example.com:6262".into()),
            version: Some("v1.6.21".into())
        }
    );
    let (_, b) = body(
        r#"{"namespace":"cluster","event_src_id":"ctrl2","timestamp":"2025-06-12T09:24:30.005402118Z","eventType":"state.has_leader","leaderId":"ctrl2"}"#,
    );
    assert!(
        matches!(b, Body::Cluster(ClusterChange { event: ClusterEventType::HasLeader, leader: Some(ref l), .. }) if l == "ctrl2")
    );
    for (t, want) in [
        ("state.ro", ClusterEventType::ReadOnly),
        ("state.rw", ClusterEventType::ReadWrite),
        ("state.is_leaderless", ClusterEventType::IsLeaderless),
        ("leadership.lost", ClusterEventType::LeadershipLost),
    ] {
        let (_, b) = body(&format!(
            r#"{{"namespace":"cluster","event_src_id":"ctrl1","timestamp":"2025-06-12T09:20:09Z","eventType":"{t}"}}"#
        ));
        assert!(matches!(b, Body::Cluster(ref c) if c.event == want), "{t}");
    }
    assert_eq!(
        error_field(r#"{"namespace":"cluster","timestamp":"2025-06-12T09:20:09Z","eventType":"peer.connected"}"#),
        Some("peers")
    );
    assert_eq!(
        error_field(r#"{"namespace":"cluster","timestamp":"2025-06-12T09:20:09Z","eventType":"state.has_leader"}"#),
        Some("leaderId")
    );
    skipped(r#"{"namespace":"cluster","timestamp":"2025-06-12T09:20:09Z","eventType":"state.on_fire"}"#);
}

#[test]
fn link_events() {
    let (_, b) = body(
        r#"{"namespace":"link","event_src_id":"ctrl1","timestamp":"2025-06-12T12:00:02.690244718Z","event_type":"routerLinkNew","link_id":"4Nq8Zr2vWk1TbY7eHc3PdL","src_router_id":"Kx7pWq2mRa","dst_router_id":"Zr0L5hYc3J","protocol":"tls","dial_address":"tls:transit.ziti.example.com:10080","cost":1,"connections":[{"id":"single","local_addr":"tcp:10.20.0.11:51544","remote_addr":"tcp:192.0.2.21:10080"}]}"#,
    );
    assert_eq!(
        b,
        Body::Link(LinkChange {
            link: "4Nq8Zr2vWk1TbY7eHc3PdL".into(),
            event: LinkEventType::New,
            src: Some("Kx7pWq2mRa".into()),
            dst: Some("Zr0L5hYc3J".into()),
            protocol: Some("tls".into()),
            cost: Some(1),
            connections: Some(1),
        })
    );
    let (_, b) = body(
        r#"{"namespace":"fabric.links","event_src_id":"ctrl1","timestamp":"2025-06-12T12:10:15.877006311Z","event_type":"fault","link_id":"6slUYCqOB85YTfdiD8I5pl"}"#,
    );
    assert!(matches!(b, Body::Link(LinkChange { event: LinkEventType::Fault, src: None, .. })));
    for (t, want) in [
        ("routerLinkKnown", LinkEventType::Known),
        ("routerLinkDisconnectedDest", LinkEventType::DisconnectedDest),
        ("duplicate", LinkEventType::Duplicate),
        ("connectionsChanged", LinkEventType::ConnectionsChanged),
        ("dialed", LinkEventType::Dialed),
        ("connected", LinkEventType::Connected),
    ] {
        let (_, b) = body(&format!(
            r#"{{"namespace":"link","timestamp":"2025-06-12T12:00:00Z","event_type":"{t}","link_id":"L"}}"#
        ));
        assert!(matches!(b, Body::Link(ref l) if l.event == want), "{t}");
    }
    assert_eq!(
        error_field(r#"{"namespace":"link","timestamp":"2025-06-12T12:00:00Z","event_type":"fault"}"#),
        Some("link_id")
    );
}

#[test]
fn latency_metrics() {
    let (_, b) = body(
        r#"{"namespace":"metrics","event_src_id":"ctrl1","timestamp":"2025-06-12T13:00:21.00438122Z","metric_type":"histogram","source_id":"Kx7pWq2mRa","source_entity_id":"4Nq8Zr2vWk1TbY7eHc3PdL","version":3,"metric":"link.latency","metrics":{"count":3066,"max":26140643,"mean":22076499.023,"min":19040423,"p50":22080754,"p75":22951494.5,"p95":23936139.45,"p99":25728216.30999999,"p999":26140643,"p9999":26140643,"std_dev":1208582.994,"variance":1460672853982.8},"tags":{"sourceRouterId":"Kx7pWq2mRa","targetRouterId":"Zr0L5hYc3J"},"source_event_id":"9c1d2f7a-5b3e-4c8d-a1f6-0e7b9d2c4a18"}"#,
    );
    assert_eq!(
        b,
        Body::Latency(LatencySample {
            of: LatencyOf::Link,
            target: "4Nq8Zr2vWk1TbY7eHc3PdL".into(),
            source: "Kx7pWq2mRa".into(),
            mean_ns: 22_076_499,
            p50_ns: Some(22_080_754),
            p99_ns: Some(25_728_216),
            std_dev_ns: Some(1_208_583),
            unresponsive: false,
        })
    );
    let (_, b) = body(
        r#"{"namespace":"metrics","event_src_id":"ctrl1","timestamp":"2025-06-12T13:01:04.117246903Z","metric_type":"histogram","source_id":"ctrl1","version":3,"metric":"peer.latency:ctrl2","metrics":{"count":1903,"max":729412,"mean":647267.547,"min":558641,"p50":649661,"p75":676268.25,"p95":708100.1,"p99":726949.61,"p999":729412,"p9999":729412,"std_dev":37375.345,"variance":1396916389.5},"source_event_id":"23168779"}"#,
    );
    assert!(matches!(b, Body::Latency(LatencySample { of: LatencyOf::Peer, ref target, .. }) if target == "ctrl2"));
    let (_, b) = body(
        r#"{"namespace":"metrics","event_src_id":"ctrl1","timestamp":"2025-06-12T13:02:37.009160552Z","metric_type":"histogram","source_id":"b.Q4zN8vTe","source_entity_id":"7HsK2pLx9QmR4cTz1VbN8e","version":3,"metric":"link.latency","metrics":{"count":1,"max":8888888888888,"mean":8888888888888,"min":8888888888888,"p50":8888888888888,"p75":8888888888888,"p95":8888888888888,"p99":8888888888888,"p999":8888888888888,"p9999":8888888888888,"std_dev":0,"variance":0}}"#,
    );
    assert!(matches!(b, Body::Latency(LatencySample { unresponsive: true, .. })));
    let s = skipped(
        r#"{"namespace":"metrics","event_src_id":"ctrl1","timestamp":"2025-06-12T13:03:04.117290655Z","metric_type":"meter","source_id":"ctrl1","source_entity_id":"Kx7pWq2mRa","version":3,"metric":"ctrl.rx.bytesrate","metrics":{"count":48211904,"m15_rate":1811.4471302711}}"#,
    );
    assert_eq!(s.event_type.as_deref(), Some("ctrl.rx.bytesrate"));
    assert_eq!(
        error_field(
            r#"{"namespace":"metrics","timestamp":"2025-06-12T13:00:00Z","source_id":"r","source_entity_id":"L","metric":"link.latency","metrics":{"mean":-5,"p99":2}}"#
        ),
        Some("metrics.mean"),
        "a statistic that is there must be a latency"
    );
}

mod entity;
mod narrow;

#[test]
fn other_namespaces_are_skipped() {
    let s = skipped(
        r#"{"namespace":"circuit","event_src_id":"ctrl1","timestamp":"2025-06-12T14:02:20Z","event_type":"failed","circuit_id":"x"}"#,
    );
    assert_eq!((s.namespace.as_str(), s.event_type.as_deref()), ("circuit", Some("failed")));
}
