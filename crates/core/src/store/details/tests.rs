use super::*;
use crate::store::IdentityBadge;
use crate::Event;

const S: i64 = 1_000_000_000;

fn at(s: i64) -> Timestamp {
    Timestamp(s * S)
}

fn conn(s: &mut Store, t: i64, kind: ConnKind, src: &str, dst: &str, up: bool) {
    s.apply(&Event::conn(at(t), kind, src, dst, up).via("c1"));
}

/// r1 holds c1, and held c2 until 30 s; five identities joined r1 at 5 s,
/// id0 dropped at 350 s (recently, at 400 s), id1 at 50 s (long ago); r2
/// flaps; "script" only ever calls c1's REST API, id2 does too.
fn network() -> Store {
    let mut s = Store::new();
    conn(&mut s, 10, ConnKind::RouterToCtrl, "r1", "c1", true);
    conn(&mut s, 20, ConnKind::RouterToCtrl, "r1", "c2", true);
    conn(&mut s, 30, ConnKind::RouterToCtrl, "r1", "c2", false);
    conn(&mut s, 10, ConnKind::CtrlToCtrl, "c2", "c1", true);
    for i in 0..5 {
        conn(&mut s, 5, ConnKind::EdgeToRouter, &format!("id{i}"), "r1", true);
    }
    conn(&mut s, 350, ConnKind::EdgeToRouter, "id0", "r1", false);
    conn(&mut s, 50, ConnKind::EdgeToRouter, "id1", "r1", false);
    for (i, t) in [300, 310, 320, 330, 340].into_iter().enumerate() {
        conn(&mut s, t, ConnKind::RouterToCtrl, "r2", "c1", i % 2 == 0);
    }
    conn(&mut s, 100, ConnKind::EdgeToCtrl, "script", "c1", true);
    conn(&mut s, 390, ConnKind::EdgeToCtrl, "id2", "c1", true);
    s
}

fn router(id: &str) -> NodeId {
    NodeId::Router(id.into())
}

#[test]
fn a_router_s_state_uptime_history_and_identity_counts() {
    let s = network();
    let d = s.node_details(&router("r1"), at(400)).unwrap();
    assert_eq!(d.up, Some(true));
    assert_eq!(d.since, Some(at(10)), "online since its first controller came, though c2 left");
    assert_eq!(d.last_change, Some(at(30)));
    assert_eq!((d.transitions, d.flapping), (1, 0));
    let history: Vec<(i64, bool, &str)> = d.history.iter().map(|h| (h.at.0 / S, h.up, h.peer.as_str())).collect();
    assert_eq!(history, [(30, false, "c2"), (20, true, "c2"), (10, true, "c1")], "newest first");
    assert!(d.history.iter().all(|h| h.kind == ConnKind::RouterToCtrl));
    assert_eq!(d.identities, IdentityCounts { online: 3, offline: 2, recent: 1 });

    let later = s.node_details(&router("r1"), at(400 + 300)).unwrap();
    assert_eq!(later.identities.recent, 0, "a drop stops being recent after the window");
}

#[test]
fn the_badge_s_recent_drops_match_the_details() {
    let s = network();
    let t = s.topology(at(400));
    let r1 = t.router("r1").unwrap();
    assert_eq!(r1.identities, IdentityBadge { online: 3, offline: 2, recent: 1 });
    let quiet = s.topology(at(2000));
    assert_eq!(quiet.router("r1").unwrap().identities.recent, 0);
}

#[test]
fn a_router_that_is_down_counts_from_its_last_drop() {
    let mut s = network();
    conn(&mut s, 360, ConnKind::RouterToCtrl, "r1", "c1", false);
    let d = s.node_details(&router("r1"), at(400)).unwrap();
    assert_eq!((d.up, d.since, d.transitions), (Some(false), Some(at(360)), 2));
}

#[test]
fn flapping_is_counted_at_now() {
    let s = network();
    let d = s.node_details(&router("r2"), at(345)).unwrap();
    assert_eq!((d.flapping, d.transitions), (1, 4));
    assert_eq!(s.node_details(&router("r2"), at(345 + 3600)).unwrap().flapping, 0, "the window moved on");
}

#[test]
fn the_identity_list_puts_the_newest_drop_first() {
    let s = network();
    let rows = s.identities_at(&router("r1"), at(400));
    let ids: Vec<(&str, bool)> = rows.iter().map(|r| (r.id.as_str(), r.up)).collect();
    assert_eq!(ids, [("id0", false), ("id1", false), ("id2", true), ("id3", true), ("id4", true)]);
    assert_eq!((rows[0].since, rows[0].transitions), (at(350), 1));
    assert_eq!(rows[0].lifecycle, Lifecycle::Disconnected);
    assert!(s.identities_at(&router("nope"), at(400)).is_empty());
    assert_eq!(matching(&rows, " ID3 "), [3], "by id, any case, trimmed");
    assert_eq!(matching(&rows, "").len(), 5);
    assert!(matching(&rows, "zzz").is_empty());
    assert!(s.node_details(&router("nope"), at(400)).is_none());
}

#[test]
fn a_controller_s_connections_and_its_rest_only_identities() {
    let s = network();
    let c1 = NodeId::Controller("c1".into());
    let d = s.node_details(&c1, at(400)).unwrap();
    assert_eq!(d.up, Some(true));
    let peers: std::collections::BTreeSet<&str> = d.history.iter().map(|h| h.peer.as_str()).collect();
    assert_eq!(peers.into_iter().collect::<Vec<_>>(), ["c2", "r1", "r2"], "its routers and its peer");
    let rows = s.identities_at(&c1, at(400));
    assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["script"], "id2 also uses a router");
    assert_eq!(rows[0].since, at(100), "its latest REST call");
    assert_eq!(d.identities.recent, 0, "REST-only identities never drop");
    let t = s.topology(at(400));
    assert_eq!(t.controllers.iter().map(|c| (c.id.as_str(), c.rest_only)).collect::<Vec<_>>(), [("c1", 1), ("c2", 0)]);
}

#[test]
fn the_same_after_a_snapshot() {
    let s = network();
    let restored = Store::from_state(s.state(), s.config().clone());
    for node in [router("r1"), router("r2"), NodeId::Controller("c1".into())] {
        assert_eq!(restored.node_details(&node, at(400)), s.node_details(&node, at(400)), "{node:?}");
        assert_eq!(restored.identities_at(&node, at(400)), s.identities_at(&node, at(400)));
    }
    assert_eq!(restored.topology(at(400)), s.topology(at(400)));
}

#[test]
fn a_snapshot_that_names_a_connection_twice_counts_it_once() {
    let s = network();
    let mut state = s.state();
    let copies: Vec<_> = state.connections.iter().filter(|(k, _)| k.kind == ConnKind::EdgeToRouter).cloned().collect();
    state.connections.extend(copies);
    let restored = Store::from_state(state, s.config().clone());
    assert_eq!(restored.identities_at(&router("r1"), at(400)).len(), 5, "no identity listed twice");
    assert_eq!(restored.topology(at(400)), s.topology(at(400)), "no count doubled");
    assert_eq!(restored.summary(), s.summary());
}
