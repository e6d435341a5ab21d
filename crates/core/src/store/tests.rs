use super::*;
use crate::event::{Body, ClusterChange, ClusterEventType, LatencyOf, LinkChange, LinkEventType, Peer, SdkChange};
use crate::Event;

fn ev(at: i64, kind: ConnKind, src: &str, dst: &str, up: bool) -> Event {
    Event::conn(Timestamp(at), kind, src, dst, up)
}

fn sdk(at: i64, identity: &str, status: SdkStatus) -> Event {
    Event {
        at: Timestamp(at),
        via: Some("c1".into()),
        body: Body::Sdk(SdkChange { identity: identity.into(), status }),
    }
}

fn link(at: i64, id: &str, event: LinkEventType, src: Option<&str>) -> Event {
    Event {
        at: Timestamp(at),
        via: Some("c1".into()),
        body: Body::Link(LinkChange {
            link: id.into(),
            event,
            src: src.map(Into::into),
            dst: src.map(|_| "core".into()),
            protocol: None,
            cost: None,
            connections: None,
        }),
    }
}

fn cluster(at: i64, via: &str, event: ClusterEventType, peers: &[&str], leader: Option<&str>) -> Event {
    Event {
        at: Timestamp(at),
        via: Some(via.into()),
        body: Body::Cluster(ClusterChange {
            event,
            peers: peers.iter().map(|p| Peer { id: p.to_string(), addr: None, version: None }).collect(),
            leader: leader.map(Into::into),
            index: Some(at as u64),
        }),
    }
}

#[test]
fn reports_only_real_changes() {
    let mut s = Store::new();
    let up = ev(10, ConnKind::EdgeToRouter, "alice", "r1", true);
    let changes = s.apply(&up);
    assert!(matches!(changes.as_slice(), [Change::Conn { from: None, to: true, .. }]), "{changes:?}");
    assert!(s.apply(&up).is_empty(), "a duplicate is not a change");
    assert_eq!(s.stats().duplicates, 1);
    assert!(s.apply(&ev(11, ConnKind::EdgeToRouter, "alice", "r1", true)).is_empty(), "activity is not a change");
    let down = s.apply(&ev(12, ConnKind::EdgeToRouter, "alice", "r1", false));
    assert!(matches!(down.as_slice(), [Change::Conn { from: Some(true), to: false, .. }]));
    let conn = s.get(&ConnKey::new(ConnKind::EdgeToRouter, "alice", "r1")).unwrap();
    let f = conn.life.folded();
    assert_eq!((f.first_seen, f.since, f.last_seen, f.transitions), (Timestamp(10), Timestamp(12), Timestamp(12), 1));
    assert_eq!(conn.last_heartbeat, None, "a router connection's heartbeats are latency samples");
}

#[test]
fn ha_copies_apply_once() {
    let mut s = Store::new();
    let e = ev(10, ConnKind::EdgeToRouter, "alice", "r1", true);
    s.apply(&e.clone().via("c1"));
    assert!(s.apply(&e.clone().via("c2")).is_empty());
    assert_eq!((s.stats().applied, s.stats().duplicates), (1, 1));
}

#[test]
fn a_store_that_continues_another_counts_from_zero_and_remembers_what_it_is_told() {
    let mut s = Store::new();
    let up = ev(1, ConnKind::RouterToCtrl, "r1", "c1", true);
    s.apply(&up);
    s.apply(&up);
    let state = s.state();
    s.restart_stats();
    assert_eq!((s.stats().applied, s.stats().duplicates), (0, 0));
    assert!(s.state() == state, "the state stays");
    s.apply(&up);
    assert_eq!(s.stats().duplicates, 1, "its dedupe window stays too");

    let mut fresh = Store::from_state(state, StoreConfig::default());
    fresh.remember(&up);
    assert!(fresh.apply(&up).is_empty());
    assert_eq!((fresh.stats().applied, fresh.stats().duplicates), (0, 1), "remembered, so a copy");
    let later = ev(2, ConnKind::RouterToCtrl, "r1", "c1", false);
    fresh.remember(&later);
    assert!(fresh.state().connections[0].1.is_up(), "remembering applies nothing");
}

#[test]
fn late_events_do_not_overwrite_newer_state_but_join_history() {
    let mut s = Store::new();
    s.apply(&ev(20, ConnKind::RouterToCtrl, "r1", "c1", false));
    assert!(s.apply(&ev(10, ConnKind::RouterToCtrl, "r1", "c1", true)).is_empty());
    assert!(!s.is_online(EntityType::Router, "r1"));
    let conn = s.get(&ConnKey::new(ConnKind::RouterToCtrl, "r1", "c1")).unwrap();
    assert_eq!(conn.life.observations().len(), 2, "kept in history");
    assert_eq!(conn.life.folded().first_seen, Timestamp(10));
}

#[test]
fn peer_connections_are_one_per_pair() {
    let mut s = Store::new();
    s.apply(&ev(1, ConnKind::CtrlToCtrl, "c2", "c1", true));
    s.apply(&cluster(2, "c2", ClusterEventType::PeerConnected, &["c1"], None));
    assert_eq!(s.len(), 1);
    s.apply(&cluster(3, "c1", ClusterEventType::PeerDisconnected, &["c2"], None));
    assert!(!s.is_online(EntityType::Controller, "c1"));
}

#[test]
fn roll_up_counts() {
    let mut s = Store::new();
    s.apply(&ev(1, ConnKind::CtrlToCtrl, "c2", "c1", true));
    s.apply(&ev(1, ConnKind::RouterToCtrl, "r1", "c1", true));
    s.apply(&ev(1, ConnKind::RouterToCtrl, "r1", "c2", true));
    s.apply(&ev(1, ConnKind::RouterToCtrl, "r2", "c1", true));
    s.apply(&ev(2, ConnKind::EdgeToRouter, "alice", "r1", true));
    s.apply(&ev(2, ConnKind::EdgeToRouter, "alice", "r2", true));
    s.apply(&ev(2, ConnKind::EdgeToCtrl, "admin", "c1", true));
    let sum = s.summary();
    assert_eq!(sum.controllers, Tally { online: 2, total: 2 });
    assert_eq!(sum.routers, Tally { online: 2, total: 2 });
    assert_eq!(sum.identities, Tally { online: 1, total: 2 }, "REST activity marks seen, not online");

    s.apply(&ev(3, ConnKind::RouterToCtrl, "r1", "c1", false));
    assert!(s.is_online(EntityType::Router, "r1"), "one controller left");
    s.apply(&ev(4, ConnKind::RouterToCtrl, "r1", "c2", false));
    assert!(!s.is_online(EntityType::Router, "r1"));
    s.apply(&ev(5, ConnKind::EdgeToRouter, "alice", "r1", false));
    assert!(s.is_online(EntityType::Identity, "alice"), "still on r2");
    s.apply(&ev(6, ConnKind::EdgeToRouter, "alice", "r2", false));
    let sum = s.summary();
    assert_eq!(sum.routers, Tally { online: 1, total: 2 });
    assert_eq!(sum.identities, Tally { online: 0, total: 2 });
}

#[test]
fn sdk_offline_takes_down_router_connections_in_any_order() {
    let events = [
        ev(1, ConnKind::EdgeToRouter, "alice", "r1", true),
        ev(2, ConnKind::EdgeToRouter, "alice", "r2", true),
        sdk(5, "alice", SdkStatus::Offline),
    ];
    for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
        let mut s = Store::new();
        for i in order {
            s.apply(&events[i]);
        }
        assert!(!s.is_online(EntityType::Identity, "alice"), "order {order:?}");
        assert!(!s.get(&ConnKey::new(ConnKind::EdgeToRouter, "alice", "r1")).unwrap().is_up());
    }
    let mut s = Store::new();
    s.apply(&sdk(5, "bob", SdkStatus::Online));
    assert!(s.is_online(EntityType::Identity, "bob"), "a full sync says online without connect events");
    let changes = s.apply(&sdk(6, "bob", SdkStatus::Unknown));
    assert!(matches!(changes.as_slice(), [Change::Sdk { to: SdkStatus::Unknown, .. }]));
    assert!(s.apply(&sdk(7, "bob", SdkStatus::Unknown)).is_empty(), "re-emitted unknown is a no-op");
}

#[test]
fn links_follow_their_events_and_their_source_router() {
    let mut s = Store::new();
    s.apply(&ev(1, ConnKind::RouterToCtrl, "east", "c1", true));
    let up = s.apply(&link(2, "A", LinkEventType::New, Some("east")));
    assert!(matches!(up.as_slice(), [Change::Link { to: true, .. }]));
    assert!(s.link_up("A"));
    s.apply(&ev(3, ConnKind::RouterToCtrl, "east", "c1", false));
    assert!(!s.link_up("A"), "dropped silently with its router");
    s.apply(&ev(4, ConnKind::RouterToCtrl, "east", "c1", true));
    s.apply(&link(5, "A", LinkEventType::Fault, None));
    assert!(!s.link_up("A"));
    s.apply(&link(6, "A", LinkEventType::New, Some("east")));
    assert!(s.link_up("A"), "redialled with the same id");
    assert!(s.apply(&link(7, "A", LinkEventType::DisconnectedDest, None)).is_empty());
    assert_eq!(s.summary().links, Tally { online: 1, total: 1 });
}

#[test]
fn cluster_leader_members_and_quorum() {
    let mut s = Store::new();
    s.apply(&cluster(1, "c1", ClusterEventType::MembersChanged, &["c1", "c2", "c3"], None));
    s.apply(&cluster(2, "c1", ClusterEventType::HasLeader, &[], Some("c1")));
    assert!(!s.quorum(), "no peer connected: c1 alone is not a majority of 3");
    s.apply(&ev(3, ConnKind::CtrlToCtrl, "c2", "c1", true));
    assert!(s.quorum());
    let changes = s.apply(&cluster(4, "c1", ClusterEventType::IsLeaderless, &[], None));
    assert!(matches!(changes.as_slice(), [Change::Leader { to: None, .. }]));
    assert!(!s.quorum());
    s.apply(&cluster(5, "c2", ClusterEventType::LeadershipGained, &["c1", "c2", "c3"], None));
    assert_eq!(s.cluster().leader_id(), Some("c2"));
    s.apply(&cluster(6, "c1", ClusterEventType::LeadershipLost, &[], None));
    assert_eq!(s.cluster().leader_id(), Some("c2"), "only the leader losing leadership clears it");
}

#[test]
fn state_round_trips() {
    let mut s = Store::new();
    s.apply(&ev(1, ConnKind::RouterToCtrl, "r1", "c1", true));
    s.apply(&ev(2, ConnKind::EdgeToRouter, "alice", "r1", true));
    s.apply(&ev(3, ConnKind::EdgeToRouter, "bob", "r1", false));
    s.apply(&sdk(4, "carol", SdkStatus::Online));
    s.apply(&link(5, "A", LinkEventType::New, Some("r1")));
    s.apply(&cluster(6, "c1", ClusterEventType::HasLeader, &[], Some("c1")));
    let json = serde_json::to_string(&s.state()).unwrap();
    let restored = Store::from_state(serde_json::from_str(&json).unwrap(), StoreConfig::default());
    assert_eq!(restored.state(), s.state());
    assert_eq!(restored.summary(), s.summary());
    assert!(restored.is_online(EntityType::Identity, "carol"));
}

#[test]
fn tick_reports_stale_and_recovery_on_a_test_clock() {
    const S: i64 = 1_000_000_000;
    let mut s = Store::new();
    s.apply(&ev(0, ConnKind::RouterToCtrl, "r1", "c1", true));
    let sample = |at: i64| ctrl_sample(at, "r1");
    s.apply(&sample(60 * S));
    assert!(s.tick(Timestamp(100 * S)).is_empty(), "the first tick only records");
    let stale = s.tick(Timestamp(181 * S));
    assert!(
        matches!(stale.as_slice(), [Change::Lifecycle { to: Lifecycle::Stale, from: Some(Lifecycle::Connected), .. }]),
        "{stale:?}"
    );
    assert!(s.tick(Timestamp(182 * S)).is_empty(), "reported once");
    s.apply(&sample(183 * S));
    let back = s.tick(Timestamp(184 * S));
    assert!(matches!(back.as_slice(), [Change::Lifecycle { to: Lifecycle::Connected, .. }]));
}

#[test]
fn tick_reports_flapping() {
    const S: i64 = 1_000_000_000;
    let mut s = Store::new();
    s.tick(Timestamp(0));
    for (i, up) in [true, false, true, false, true].into_iter().enumerate() {
        s.apply(&ev(i as i64 * 10 * S, ConnKind::EdgeToRouter, "alice", "r1", up));
        s.tick(Timestamp(i as i64 * 10 * S));
    }
    let key = ConnKey::new(ConnKind::EdgeToRouter, "alice", "r1");
    assert_eq!(s.lifecycle(&key, Timestamp(45 * S)), Some(Lifecycle::Flapping));
    assert_eq!(s.lifecycle(&key, Timestamp(1_000 * S)), Some(Lifecycle::Connected), "calm once the window passes");
    let calm = s.tick(Timestamp(1_000 * S));
    assert!(
        matches!(
            calm.as_slice(),
            [Change::Lifecycle { from: Some(Lifecycle::Flapping), to: Lifecycle::Connected, .. }]
        ),
        "{calm:?}"
    );
}

fn ctrl_sample(at: i64, router: &str) -> Event {
    Event {
        at: Timestamp(at),
        via: Some("c1".into()),
        body: Body::Latency(LatencySample {
            of: LatencyOf::Ctrl,
            target: router.into(),
            source: "c1".into(),
            mean_ns: 1,
            p50_ns: Some(1),
            p99_ns: Some(1),
            std_dev_ns: Some(0),
            unresponsive: false,
        }),
    }
}

#[test]
fn a_latency_sample_alone_does_not_make_a_router_down() {
    let mut s = Store::new();
    s.apply(&ctrl_sample(1, "east"));
    s.apply(&link(2, "A", LinkEventType::New, Some("east")));
    assert_eq!(s.router_health("east"), Health::Unknown, "a metrics-only stream says nothing about state");
    assert!(s.link_up("A"));
    s.apply(&ev(3, ConnKind::RouterToCtrl, "east", "c1", false));
    assert_eq!(s.router_health("east"), Health::Down);
    assert!(!s.link_up("A"));
    let restored = Store::from_state(s.state(), StoreConfig::default());
    assert_eq!(restored.router_health("east"), Health::Down, "kept across a snapshot");
}

fn link_sample(at: i64, link: &str, via: &str) -> Event {
    let mut sample = ctrl_sample(at, "east");
    sample.via = Some(via.into());
    if let Body::Latency(l) = &mut sample.body {
        l.of = LatencyOf::Link;
        l.target = link.into();
        l.source = "east".into();
    }
    sample
}

#[test]
fn a_link_is_never_stale_by_its_latency_but_its_reading_is() {
    const S: i64 = 1_000_000_000;
    let mut s = Store::new();
    s.apply(&link(0, "A", LinkEventType::New, Some("east")));
    assert_eq!(s.link_latency("A", Timestamp(S)), None, "no sample, no reading");
    s.apply(&link_sample(60 * S, "A", "c1"));
    assert_eq!(s.cluster_size(), 1, "no controller known: one");
    let reading = |t: i64| s.link_latency("A", Timestamp(t * S)).map(|r| (r.at.0 / S, r.stale));
    assert_eq!(reading(180), Some((60, false)), "exactly 2× the interval is not yet stale");
    assert_eq!(reading(181), Some((60, true)));
    let edge =
        |t: i64| s.topology(Timestamp(t * S)).edges.into_iter().find(|e| e.link.as_deref() == Some("A")).unwrap();
    assert!(!edge(180).latency_stale && edge(181).latency_stale, "the map's edge says so too");
    assert_eq!(edge(181).latency_ms, Some(1e-6), "the old reading is still shown, flagged");
    // The link itself follows its events only.
    assert_eq!(s.link_lifecycle("A", Timestamp(10_000 * S)), Some(Lifecycle::Connected));
    assert!(edge(10_000).up);
    s.apply(&link(10_001 * S, "A", LinkEventType::Fault, Some("east")));
    assert_eq!(s.link_lifecycle("A", Timestamp(10_002 * S)), Some(Lifecycle::Disconnected));
}

#[test]
fn link_latency_staleness_stretches_with_the_cluster_and_any_controller_refreshes_it() {
    const S: i64 = 1_000_000_000;
    let mut s = Store::new();
    s.apply(&link(0, "A", LinkEventType::New, Some("east")));
    // Two controllers known from the router's control channels.
    s.apply(&ev(1, ConnKind::RouterToCtrl, "east", "c1", true));
    s.apply(&ev(1, ConnKind::RouterToCtrl, "east", "c2", true));
    assert_eq!(s.cluster_size(), 2);
    s.apply(&link_sample(60 * S, "A", "c2"));
    let stale = |s: &Store, t: i64| s.link_latency("A", Timestamp(t * S)).unwrap().stale;
    assert!(!stale(&s, 300) && stale(&s, 301), "2 × 60 s × 2 controllers");
    // A membership list is the cluster's size, ahead of the controllers seen.
    s.apply(&cluster(2, "c1", ClusterEventType::MembersChanged, &["c1", "c2", "c3"], None));
    assert_eq!(s.cluster_size(), 3);
    assert!(!stale(&s, 420) && stale(&s, 421), "2 × 60 s × 3 members");
    // The next sample came through another controller: fresh again.
    s.apply(&link_sample(400 * S, "A", "c3"));
    assert!(!stale(&s, 421) && !stale(&s, 760) && stale(&s, 761));
    assert_eq!(s.link_lifecycle("A", Timestamp(10_000 * S)), Some(Lifecycle::Connected), "never stale by latency");
}
