//! The database layer on a real SQLite file: checkpoints plus replay give
//! exactly the state of the events up to a moment (late ones included),
//! and retention keeps every moment after its cutoff rebuildable.

use super::{HistoryStore, Order, Range, Sqlite};
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

/// A new database file in a folder of its own, removed when dropped.
struct Fresh {
    dir: std::path::PathBuf,
    conn: Sqlite,
}

impl Fresh {
    fn new(name: &str) -> Fresh {
        let dir = std::env::temp_dir().join(format!("zitiscope-history-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let conn = Sqlite::open(&dir.join("h.db")).unwrap();
        Fresh { dir, conn }
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn checkpoints_replay_and_retention_agree_with_a_plain_replay() {
    let mut db = Fresh::new("db");
    let conn = &mut db.conn;
    let mut arrived = Vec::new();
    let mut live = Store::new();
    let push = |conn: &mut Sqlite, e: Event, live: &mut Store, arrived: &mut Vec<Event>| {
        assert_eq!(conn.insert(std::slice::from_ref(&e)).unwrap(), 1);
        live.apply(&e);
        arrived.push(e);
    };
    for k in 0..60 {
        push(conn, ev(k, t(k)), &mut live, &mut arrived);
    }
    // A late event: it happened at 10 but arrives after 59.
    push(conn, ev(1, Timestamp(t(10).0 + 1)), &mut live, &mut arrived);
    assert_eq!(conn.insert(&arrived[..5]).unwrap(), 0, "inserting again adds nothing");
    conn.checkpoint(t(59).0, &live.state_ref()).unwrap();
    for k in 60..100 {
        push(conn, ev(k, t(k)), &mut live, &mut arrived);
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
}

#[test]
fn a_replay_read_forward_through_pages_gives_the_state_at_the_end() {
    use zitiscope_core::filter::Filter;
    use zitiscope_core::replay::{Replay, Step};
    let mut db = Fresh::new("replay");
    let conn = &mut db.conn;
    let mut arrived: Vec<Event> = (0..80).map(|k| ev(k, t(k))).collect();
    // Late ones: they happened early and arrive last.
    arrived.extend([ev(2, Timestamp(t(10).0 + 1)), ev(4, Timestamp(t(41).0 + 1)), ev(3, t(60))]);
    conn.insert(&arrived).unwrap();
    for (from, to) in [(0, 5), (9, 45), (45, 46), (30, 79), (-1, 100)] {
        let mut replay = match conn.state_at(t(from).0).unwrap() {
            Some(s) => Replay::new(s, t(from).0),
            None => Replay::new(Store::new(), t(from).0),
        };
        let Step::Read { from: a, to: b } = Replay::plan(Some(&replay), t(to).0) else { panic!("a read") };
        let (mut cursor, mut read) = (None, Vec::new());
        loop {
            // Small pages, so that a read takes several.
            let range = Range { from: a, to: b, order: Order::Oldest, limit: 7, cursor };
            let page = conn.page(range, &Filter::default(), &zitiscope_core::export::by_id).unwrap();
            read.extend(page.events.into_iter().map(|r| r.event));
            cursor = page.next.and_then(|c| {
                let (at, id) = c.split_once(':')?;
                Some((at.parse().ok()?, id.parse().ok()?))
            });
            if cursor.is_none() {
                break;
            }
        }
        replay.advance(read, t(to).0);
        let want = conn.state_at(t(to).0).unwrap().unwrap();
        let now = t(to);
        assert_eq!(replay.store().topology(now), want.topology(now), "{from} → {to}");
        assert_eq!(replay.store().summary(), want.summary(), "{from} → {to}");
        assert_eq!(replay.store().state(), want.state(), "{from} → {to}");
    }
}

mod late {
    //! Seeks read rows in arrival order only up to a bound past the moment
    //! (`replay_to`): rows that arrive long after they happened must still
    //! count, whether the writer listed them as late or an older file's
    //! rows were listed when it was first opened.
    use super::{reference, Fresh};
    use crate::history::late::LATE_NS;
    use crate::history::{HistoryStore, Sqlite};
    use proptest::prelude::*;
    use zitiscope_core::{ConnKind, Event, Store, Timestamp};

    const T0: i64 = 1_749_718_800_000_000_000;
    const STEP: i64 = LATE_NS / 8;

    /// One arrival: the event's router, whether it goes up, how far behind
    /// its arrival slot it happened (in steps), and whether a checkpoint
    /// follows it.
    fn arrival() -> impl Strategy<Value = (u8, bool, u8, bool)> {
        (0u8..4, any::<bool>(), prop_oneof![6 => Just(0u8), 3 => 0u8..24, 1 => 24u8..120], prop::bool::weighted(0.05))
    }

    /// In a dense history (events a microsecond apart, all within the
    /// time bound), a seek reads rows in arrival order only up to the row
    /// bound past the moment; a file from before the row bound, up to the
    /// end.
    #[test]
    fn a_dense_history_is_read_only_up_to_the_row_bound() {
        use crate::history::late::LATE_ROWS;
        use crate::history::seek::read_bound;
        let mut db = Fresh::new("dense");
        let events: Vec<Event> = (0..200)
            .map(|k| {
                Event::conn(Timestamp(T0 + k * 1_000), ConnKind::RouterToCtrl, format!("r{}", k % 4), "c1", k % 3 != 0)
            })
            .collect();
        db.conn.insert(&events).unwrap();
        // Rows are ids 1..=200; row 51 is the first past the moment of row 50.
        let until = T0 + 49 * 1_000;
        assert_eq!(read_bound(db.conn.connection(), until).unwrap(), Some(51 + LATE_ROWS));
        db.conn.connection().execute_batch("PRAGMA user_version = 1;").unwrap();
        assert_eq!(read_bound(db.conn.connection(), until).unwrap(), None);
    }

    /// The late rows listed, in order.
    fn listed(db: &Sqlite) -> Vec<i64> {
        let conn = db.connection();
        let mut stmt = conn.prepare("SELECT id FROM late ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn a_seek_equals_a_plain_replay_of_what_arrived(arrivals in prop::collection::vec(arrival(), 1..160), dense in any::<bool>()) {
            let mut db = Fresh::new("late");
            let (mut arrived, mut live, mut newest) = (Vec::new(), Store::new(), i64::MIN);
            // Dense: a thousand events in a second, so that the row bound
            // is the nearer one (see `late.rs`).
            let step = if dense { LATE_NS / 1_000 } else { STEP };
            for (k, (router, up, behind, checkpoint)) in arrivals.into_iter().enumerate() {
                let at = Timestamp(T0 + (k as i64 - behind as i64) * step + k as i64);
                let e = Event::conn(at, ConnKind::RouterToCtrl, format!("r{router}"), "c1", up);
                db.conn.insert(std::slice::from_ref(&e)).unwrap();
                live.apply(&e);
                newest = newest.max(at.0);
                arrived.push(e);
                if checkpoint {
                    db.conn.checkpoint(newest, &live.state_ref()).unwrap();
                }
            }
            let first = arrived.iter().map(|e| e.at.0).min().unwrap();
            let mut moments: Vec<i64> = arrived.iter().flat_map(|e| [e.at.0 - 1, e.at.0]).collect();
            moments.push(newest + LATE_NS);
            let check = |db: &mut Sqlite| -> Result<(), TestCaseError> {
                for &m in &moments {
                    let want = (m >= first).then(|| reference(&arrived, Timestamp(m)).state());
                    prop_assert_eq!(db.state_at(m).unwrap().map(|s| s.state()), want, "at {}", m - T0);
                }
                Ok(())
            };
            check(&mut db.conn)?;
            // A file from before `late` existed: opening it lists the same rows.
            let by_writer = listed(&db.conn);
            db.conn.connection().execute_batch("DROP TABLE late; PRAGMA user_version = 0;").unwrap();
            let path = db.dir.join("h.db");
            db.conn = Sqlite::open(&path).unwrap();
            prop_assert_eq!(listed(&db.conn), by_writer);
            check(&mut db.conn)?;
        }
    }
}

#[test]
fn a_restored_store_knows_the_events_just_before_its_checkpoint() {
    let mut db = Fresh::new("remember");
    let conn = &mut db.conn;
    let mut live = Store::new();
    let all: Vec<Event> = (0..40).map(|k| ev(k, t(k))).collect();
    conn.insert(&all).unwrap();
    all.iter().for_each(|e| drop(live.apply(e)));
    conn.checkpoint(t(39).0, &live.state_ref()).unwrap();
    let (mut restored, max_at) = conn.restore().unwrap();
    assert_eq!(max_at, t(39).0);
    assert!(restored.state() == live.state());
    // A redelivered copy of an event the checkpoint holds (a feed that died
    // between publishing it and acknowledging it): a duplicate, as it was
    // to the store that saw it first, and not applied again.
    let again = &all[36];
    assert!(live.apply(again).is_empty() && live.stats().duplicates == 1);
    assert!(restored.apply(again).is_empty());
    assert_eq!(restored.stats().duplicates, 1, "known as a duplicate");
    assert!(restored.state() == live.state());
}
