//! The topology's tests: nodes, edges, health, roles, badges and the list rows.

use super::*;
use crate::event::{Body, ClusterChange, ClusterEventType, LinkChange, LinkEventType};
use crate::{Event, Timestamp};

fn conn(at: i64, kind: ConnKind, src: &str, dst: &str, up: bool) -> Event {
    Event::conn(Timestamp(at), kind, src, dst, up).via("c1")
}

fn network() -> Store {
    let mut s = Store::new();
    let leader = Body::Cluster(ClusterChange {
        event: ClusterEventType::LeadershipGained,
        peers: vec![],
        leader: None,
        index: Some(1),
    });
    s.apply(&Event { at: Timestamp(1), via: Some("c1".into()), body: leader });
    for (r, c) in [("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"), ("r3", "c1")] {
        s.apply(&conn(2, ConnKind::RouterToCtrl, r, c, true));
    }
    s.apply(&conn(2, ConnKind::CtrlToCtrl, "c2", "c1", true));
    for i in 0..5 {
        s.apply(&conn(3, ConnKind::EdgeToRouter, &format!("id{i}"), "r1", true));
    }
    s.apply(&conn(3, ConnKind::EdgeToCtrl, "rest-only", "c1", true));
    let link = Body::Link(LinkChange {
        link: "l1".into(),
        event: LinkEventType::New,
        src: Some("r1".into()),
        dst: Some("r2".into()),
        protocol: None,
        cost: None,
        connections: None,
    });
    s.apply(&Event { at: Timestamp(4), via: Some("c1".into()), body: link });
    s
}

#[test]
fn nodes_edges_health_roles_and_badges() {
    let mut s = network();
    // r2 loses one controller, r3 its only one; two identities leave r1.
    s.apply(&conn(5, ConnKind::RouterToCtrl, "r2", "c2", false));
    s.apply(&conn(5, ConnKind::RouterToCtrl, "r3", "c1", false));
    s.apply(&conn(5, ConnKind::EdgeToRouter, "id0", "r1", false));
    s.apply(&conn(5, ConnKind::EdgeToRouter, "id1", "r1", false));
    let t = s.topology(Timestamp(10));

    let roles: Vec<(&str, Role, Health)> = t.controllers.iter().map(|c| (c.id.as_str(), c.role, c.health)).collect();
    assert_eq!(roles, vec![("c1", Role::Leader, Health::Ok), ("c2", Role::Follower, Health::Ok)]);
    let routers: Vec<(&str, Health, u32, u32)> =
        t.routers.iter().map(|r| (r.id.as_str(), r.health, r.controllers_up, r.controllers_known)).collect();
    assert_eq!(routers, vec![("r1", Health::Ok, 2, 2), ("r2", Health::Degraded, 1, 2), ("r3", Health::Down, 0, 1)]);
    assert_eq!(t.routers[0].identities, IdentityBadge { online: 3, offline: 2, recent: 2 });
    assert_eq!(t.controllers[0].routers_up, 2, "r1 and r2 (r3 is down)");

    let count = |k: EdgeKind| t.edges.iter().filter(|e| e.kind == k).count();
    assert_eq!((count(EdgeKind::Control), count(EdgeKind::Peer), count(EdgeKind::Link)), (5, 1, 1));
    let link = t.edges.iter().find(|e| e.kind == EdgeKind::Link).unwrap();
    assert_eq!((link.a.id(), link.b.id(), link.up), ("r1", "r2", true));
    assert_eq!(t.health(&NodeId::Router("r3".into())), Some(Health::Down));
    assert!(t.routers.iter().all(|r| r.id != "rest-only"), "identities are never nodes");
}

#[test]
fn a_link_is_down_with_its_source_router() {
    let mut s = network();
    let link_up = |s: &Store| s.topology(Timestamp(10)).edges.iter().find(|e| e.kind == EdgeKind::Link).map(|e| e.up);
    assert_eq!(link_up(&s), Some(true));
    s.apply(&conn(6, ConnKind::RouterToCtrl, "r1", "c1", false));
    s.apply(&conn(6, ConnKind::RouterToCtrl, "r1", "c2", false));
    assert_eq!(link_up(&s), Some(false), "r1 holds no controller: its links are gone");
    assert_eq!(link_up(&s), Some(s.link_up("l1")), "the same rule as Store::link_up");
}

#[test]
fn survives_a_snapshot_round_trip() {
    let s = network();
    let restored = Store::from_state(s.state(), s.config().clone());
    assert_eq!(restored.topology(Timestamp(10)), s.topology(Timestamp(10)));
}

#[test]
fn list_rows_filter_and_sort() {
    let mut s = network();
    s.apply(&conn(5, ConnKind::RouterToCtrl, "r3", "c1", false));
    let t = s.topology(Timestamp(10));
    let ids = |rows: Vec<NodeRow>| rows.into_iter().map(|r| r.node.id().to_owned()).collect::<Vec<_>>();
    let q = |text: &str| crate::filter::Filter::parse(text, &crate::filter::NODE_SCHEMA).unwrap();
    assert_eq!(ids(t.rows(&q(""), SortBy::Name, true)), ["c1", "c2", "r1", "r2", "r3"], "controllers first");
    assert_eq!(ids(t.rows(&q(""), SortBy::Name, false)), ["r3", "r2", "r1", "c2", "c1"]);
    assert_eq!(ids(t.rows(&q(""), SortBy::Health, true))[0], "r3", "worst first");
    assert_eq!(ids(t.rows(&q(""), SortBy::Identities, true))[0], "r1", "most identities first");
    assert_eq!(ids(t.rows(&q("R2"), SortBy::Name, true)), ["r2"], "by id, any case");
    assert_eq!(ids(t.rows(&q("down"), SortBy::Name, true)), ["r3"], "by status");
    assert_eq!(ids(t.rows(&q("ROUTER"), SortBy::Name, true)).len(), 3);
    assert_eq!(ids(t.rows(&q("type=router AND !healthy"), SortBy::Name, true)), ["r3"], "the filter language");
    for row in t.rows(&q(""), SortBy::Name, true) {
        assert_eq!(t.row(&row.node), Some(row), "one node's row is its list row");
    }
    assert_eq!(t.row(&NodeId::Router("nope".into())), None);
    let r1 = &t.rows(&q("r1"), SortBy::Name, true)[0];
    assert_eq!((r1.detail.as_str(), r1.identities.online), ("2/2 controllers", 5));
    assert_eq!(t.rows(&q("c1"), SortBy::Name, true)[0].detail, "leader");
}

#[test]
fn the_list_sorts_by_the_name_a_person_reads() {
    use crate::store::{Info, Listing};
    let mut s = Store::new();
    for r in ["Zz9", "Aa1", "Mm5"] {
        s.apply(&Event::conn(Timestamp(1), ConnKind::RouterToCtrl, r, "c1", true).via("c1"));
    }
    for (id, name) in [("Zz9", "edge-eu-1"), ("Aa1", "edge-us-1"), ("Mm5", "core-1")] {
        let info = Info { name: name.into(), ..Info::default() };
        s.learn(Timestamp(2), EntityType::Router, id, Listing::Present(info));
    }
    let t = s.topology(Timestamp(3));
    let names: Vec<String> =
        t.rows(&crate::filter::Filter::default(), SortBy::Name, true).into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["c1", "core-1", "edge-eu-1", "edge-us-1"], "controllers first, then by name, not by id");
}

#[test]
fn health_orders_best_to_worst() {
    let mut hs = vec![Health::Down, Health::Ok, Health::Unknown, Health::Degraded];
    hs.sort();
    assert_eq!(hs, vec![Health::Ok, Health::Degraded, Health::Unknown, Health::Down]);
    assert_eq!(hs.iter().max(), Some(&Health::Down), "a group takes its worst");
}

#[test]
fn control_marks_say_up_down_and_unseen_of_the_cluster() {
    let mut s = Store::new();
    for c in ["c1", "c2", "c3"] {
        s.apply(&conn(10, ConnKind::RouterToCtrl, "r0", c, true));
    }
    s.apply(&conn(10, ConnKind::RouterToCtrl, "r1", "c1", true));
    s.apply(&conn(10, ConnKind::RouterToCtrl, "r1", "c2", true));
    s.apply(&conn(20, ConnKind::RouterToCtrl, "r1", "c2", false));
    let t = s.topology(Timestamp(30));
    let marks = |id: &str| t.router(id).unwrap().control_marks(t.controllers.len());
    assert_eq!(t.controllers.len(), 3);
    assert_eq!(marks("r0"), ControlMarks { up: 3, down: 0, unseen: 0 });
    assert_eq!(marks("r1"), ControlMarks { up: 1, down: 1, unseen: 1 }, "c3 never seen with r1");
    let r1 = t.router("r1").unwrap();
    assert_eq!(r1.control_marks(1), ControlMarks { up: 1, down: 1, unseen: 0 }, "a removed controller still shows");
}

#[test]
fn a_router_s_last_change_is_its_channels_newest_move_not_its_first_sight() {
    let mut s = network();
    let t = s.topology(Timestamp(10));
    assert!(t.routers.iter().all(|r| r.last_change.is_none()), "first seen up: no change yet");
    s.apply(&conn(100, ConnKind::RouterToCtrl, "r2", "c2", false));
    let min = 60 * 1_000_000_000;
    let t = s.topology(Timestamp(100 + min));
    let r2 = t.router("r2").unwrap();
    assert_eq!(r2.last_change, Some(Timestamp(100)));
    assert!(r2.changed_lately(Timestamp(100 + min)));
    assert!(!r2.changed_lately(Timestamp(100 + RECENT_CHANGE_NS)), "half an hour on, not lately");
    assert_eq!(t.router("r1").unwrap().last_change, None, "r1 did not move");
}
