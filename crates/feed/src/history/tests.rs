//! The database layer on a real SQLite file: checkpoints plus replay give
//! exactly the state of the events up to a moment (late ones included),
//! and retention keeps every moment after its cutoff rebuildable.

use super::{HistoryStore, Sqlite};
use zitiscope_core::{ConnKind, Event, Store, Timestamp};

fn t(k: i64) -> Timestamp {
    Timestamp(1_749_718_800_000_000_000 + k * 1_000_000)
}

/// Event `k` at time `at`: router `r{k mod 5}` goes up, or down every 3rd.
fn ev(k: i64, at: Timestamp) -> Event {
    Event::conn(at, ConnKind::RouterToCtrl, format!("r{}", k % 5), "c1", k % 3 != 0)
}

/// What the history should say at `at`: every event so far at or before it, in arrival order.
fn reference(arrived: &[Event], at: Timestamp) -> Store {
    let mut s = Store::new();
    for e in arrived.iter().filter(|e| e.at <= at) {
        s.apply(e);
    }
    s
}

#[test]
fn checkpoints_replay_and_retention_agree_with_a_plain_replay() {
    let dir = std::env::temp_dir().join(format!("zitiscope-history-db-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut conn = Sqlite::open(&dir.join("h.db")).unwrap();
    let mut arrived = Vec::new();
    let mut live = Store::new();
    let push = |conn: &mut Sqlite, e: Event, live: &mut Store, arrived: &mut Vec<Event>| {
        assert_eq!(conn.insert(std::slice::from_ref(&e)).unwrap(), 1);
        live.apply(&e);
        arrived.push(e);
    };
    for k in 0..60 {
        push(&mut conn, ev(k, t(k)), &mut live, &mut arrived);
    }
    // A late event: it happened at 10 but arrives after 59.
    push(&mut conn, ev(1, Timestamp(t(10).0 + 1)), &mut live, &mut arrived);
    assert_eq!(conn.insert(&arrived[..5]).unwrap(), 0, "inserting again adds nothing");
    conn.checkpoint(t(59).0, &live.state()).unwrap();
    for k in 60..100 {
        push(&mut conn, ev(k, t(k)), &mut live, &mut arrived);
    }
    for k in [0, 9, 10, 11, 58, 59, 60, 61, 99, 200] {
        let got = conn.state_at(t(k).0).unwrap().expect("inside the history");
        assert_eq!(got.state(), reference(&arrived, t(k)).state(), "at {k}");
    }
    assert!(conn.state_at(t(-1).0).unwrap().is_none(), "before the first event");
    let (restored, max_at) = conn.restore().unwrap();
    assert_eq!((restored.state(), max_at), (live.state(), t(99).0), "a restart continues from here");

    // Retention below 70 keeps the checkpoint at 59 and what came after it.
    let dropped = conn.retain(t(70).0).unwrap();
    assert_eq!(dropped, 61, "the rows the checkpoint holds");
    for k in [59, 60, 75, 99] {
        assert_eq!(
            conn.state_at(t(k).0).unwrap().map(|s| s.state()),
            Some(reference(&arrived, t(k)).state()),
            "at {k}"
        );
    }
    assert!(conn.state_at(t(30).0).unwrap().is_none(), "before what can be rebuilt");
    let _ = std::fs::remove_dir_all(&dir);
}
