use super::*;

fn ev(at: i64, kind: ConnKind, src: &str, dst: &str, up: bool) -> Event {
    Event { at: Timestamp(at), kind, src: src.into(), dst: dst.into(), up, addr: None, via: None }
}

#[test]
fn reports_only_real_changes() {
    let mut s = Store::new();
    let up = ev(10, ConnKind::EdgeToRouter, "alice", "r1", true);
    let change = s.apply(&up).expect("first sight is a change");
    assert_eq!((change.from, change.to), (None, ConnState::Connected));
    assert_eq!(s.apply(&up), None, "a duplicate is not a change");
    assert_eq!(s.apply(&ev(11, ConnKind::EdgeToRouter, "alice", "r1", true)), None, "activity is not a change");
    let down = s.apply(&ev(12, ConnKind::EdgeToRouter, "alice", "r1", false)).unwrap();
    assert_eq!((down.from, down.to), (Some(ConnState::Connected), ConnState::Disconnected));
    let key = ConnKey { kind: ConnKind::EdgeToRouter, src: "alice".into(), dst: "r1".into() };
    let conn = s.get(&key).unwrap();
    assert_eq!(
        (conn.first_seen, conn.since, conn.last_seen, conn.transitions),
        (Timestamp(10), Timestamp(12), Timestamp(12), 1)
    );
}

#[test]
fn late_events_do_not_overwrite_newer_state() {
    let mut s = Store::new();
    s.apply(&ev(20, ConnKind::RouterToCtrl, "r1", "c1", false));
    assert_eq!(s.apply(&ev(10, ConnKind::RouterToCtrl, "r1", "c1", true)), None);
    assert!(!s.is_online(EntityType::Router, "r1"));
}

#[test]
fn down_wins_a_tie_in_either_order() {
    for order in [[true, false], [false, true]] {
        let mut s = Store::new();
        for up in order {
            s.apply(&ev(5, ConnKind::RouterToCtrl, "r1", "c1", up));
        }
        assert!(!s.is_online(EntityType::Router, "r1"), "order {order:?}");
    }
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

    // r1 loses one of two controllers: still online.
    s.apply(&ev(3, ConnKind::RouterToCtrl, "r1", "c1", false));
    assert!(s.is_online(EntityType::Router, "r1"));
    s.apply(&ev(4, ConnKind::RouterToCtrl, "r1", "c2", false));
    assert!(!s.is_online(EntityType::Router, "r1"));
    // alice still holds r2.
    s.apply(&ev(5, ConnKind::EdgeToRouter, "alice", "r1", false));
    assert!(s.is_online(EntityType::Identity, "alice"));
    s.apply(&ev(6, ConnKind::EdgeToRouter, "alice", "r2", false));
    let sum = s.summary();
    assert_eq!(sum.routers, Tally { online: 1, total: 2 });
    assert_eq!(sum.identities, Tally { online: 0, total: 2 });
    assert_eq!(sum.identities.offline(), 2);
}

#[test]
fn records_round_trip_through_a_snapshot() {
    let mut s = Store::new();
    s.apply(&ev(1, ConnKind::RouterToCtrl, "r1", "c1", true));
    s.apply(&ev(2, ConnKind::EdgeToRouter, "alice", "r1", true));
    s.apply(&ev(3, ConnKind::EdgeToRouter, "bob", "r1", false));
    let restored = Store::from_records(s.records());
    assert_eq!(restored.records(), s.records());
    assert_eq!(restored.summary(), s.summary());
}
