//! The database layer on a real SQLite file and a real PostgreSQL (each
//! test runs on both, see [`on_both`]): checkpoints plus replay give
//! exactly the state of the events up to a moment (late ones included),
//! and retention keeps every moment after its cutoff rebuildable.

use super::{HistoryStore, Location, Order, Range};
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

/// Which backend a test runs on.
#[derive(Clone, Copy, Debug)]
pub(super) enum Backend {
    Sqlite,
    #[cfg(feature = "postgres")]
    Postgres,
}

/// Runs each of the named tests (`fn(Backend)`) on SQLite and on
/// PostgreSQL, as `sqlite::name` and `postgres::name`.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(super::Backend::Sqlite) })*
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            $(#[test] fn $name() { super::$name(super::Backend::Postgres) })*
        }
    };
}

/// A new, empty history of its own, removed when dropped: a file in a
/// folder of its own, or a schema of its own in the tests' PostgreSQL
/// (`scripts/postgres.sh`, started on first use).
pub(super) struct Fresh {
    dir: std::path::PathBuf,
    pub at: Location,
    pub conn: Box<dyn HistoryStore>,
    #[cfg(feature = "postgres")]
    _schema: Option<pg::Schema>,
}

impl Fresh {
    pub fn new(backend: Backend, name: &str) -> Fresh {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let unique = format!("{name}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        let dir = std::env::temp_dir().join(format!("zitiscope-history-{unique}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (at, _schema) = match backend {
            Backend::Sqlite => (Location::File(dir.join("h.db")), None),
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                let schema = pg::Schema::new(name);
                (Location::Postgres(schema.url.clone()), Some(schema))
            }
        };
        let conn = at.open().unwrap();
        Fresh {
            dir,
            at,
            conn,
            #[cfg(feature = "postgres")]
            _schema,
        }
    }

    /// Opens it again, as a restarted feed's writer does.
    pub fn reopen(&mut self) {
        self.conn = self.at.open().unwrap();
    }

    /// A connection of its own, as a seek reads it.
    pub fn rows(&self) -> Box<dyn super::seek::Rows> {
        match &self.at {
            Location::File(path) => Box::new(rusqlite::Connection::open(path).unwrap()),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => Box::new(::postgres::Client::connect(url, ::postgres::NoTls).unwrap()),
            #[cfg(not(feature = "postgres"))]
            Location::Postgres(_) => unreachable!("no PostgreSQL in this build"),
        }
    }

    /// The SQLite file, opened on its own (an SQLite test's look at it).
    pub fn sqlite(&self) -> rusqlite::Connection {
        let Location::File(path) = &self.at else { panic!("an SQLite history") };
        rusqlite::Connection::open(path).unwrap()
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The tests' PostgreSQL, as the integration tests run it.
#[cfg(feature = "postgres")]
#[allow(dead_code)] // the integration tests' part of it
#[path = "../../tests/common/postgres.rs"]
mod pg;

use late::{a_dense_history_is_read_only_up_to_the_row_bound, a_seek_equals_a_plain_replay_of_what_arrived};

on_both!(
    checkpoints_replay_and_retention_agree_with_a_plain_replay,
    a_replay_read_forward_through_pages_gives_the_state_at_the_end,
    a_dense_history_is_read_only_up_to_the_row_bound,
    a_restored_store_knows_the_events_just_before_its_checkpoint,
    a_seek_equals_a_plain_replay_of_what_arrived,
);

fn checkpoints_replay_and_retention_agree_with_a_plain_replay(backend: Backend) {
    let mut db = Fresh::new(backend, "db");
    let conn = db.conn.as_mut();
    let mut arrived = Vec::new();
    let mut live = Store::new();
    let push = |conn: &mut dyn HistoryStore, e: Event, live: &mut Store, arrived: &mut Vec<Event>| {
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

fn a_replay_read_forward_through_pages_gives_the_state_at_the_end(backend: Backend) {
    use zitiscope_core::filter::Filter;
    use zitiscope_core::replay::{Replay, Step};
    let mut db = Fresh::new(backend, "replay");
    let conn = db.conn.as_mut();
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
    use super::{reference, Backend, Fresh};
    use crate::history::late::LATE_NS;
    use crate::history::HistoryStore;
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
    /// bound past the moment; an SQLite file from before the row bound, up
    /// to the end.
    pub(in crate::history) fn a_dense_history_is_read_only_up_to_the_row_bound(backend: Backend) {
        use crate::history::late::LATE_ROWS;
        use crate::history::seek::read_bound;
        let mut db = Fresh::new(backend, "dense");
        let events: Vec<Event> = (0..200)
            .map(|k| {
                Event::conn(Timestamp(T0 + k * 1_000), ConnKind::RouterToCtrl, format!("r{}", k % 4), "c1", k % 3 != 0)
            })
            .collect();
        db.conn.insert(&events).unwrap();
        // Rows are ids 1..=200; row 51 is the first past the moment of row 50.
        let until = T0 + 49 * 1_000;
        assert_eq!(read_bound(db.rows().as_mut(), until).unwrap(), Some(51 + LATE_ROWS));
        if let Backend::Sqlite = backend {
            db.sqlite().execute_batch("PRAGMA user_version = 1;").unwrap();
            assert_eq!(read_bound(db.rows().as_mut(), until).unwrap(), None);
        }
    }

    /// The late rows listed, in order.
    fn listed(db: &Fresh) -> Vec<i64> {
        let conn = db.sqlite();
        let mut stmt = conn.prepare("SELECT id FROM late ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }

    /// Arrivals in any order, with checkpoints now and then: a seek to any
    /// moment equals a plain replay of what arrived. Fewer cases on
    /// PostgreSQL, whose every case makes a schema.
    pub(in crate::history) fn a_seek_equals_a_plain_replay_of_what_arrived(backend: Backend) {
        let cases = match backend {
            Backend::Sqlite => 48,
            #[cfg(feature = "postgres")]
            Backend::Postgres => 16,
        };
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases, ..ProptestConfig::default() });
        let input = (prop::collection::vec(arrival(), 1..160), any::<bool>());
        if let Err(e) = runner.run(&input, |(arrivals, dense)| seek_case(backend, arrivals, dense)) {
            panic!("{e}");
        }
    }

    fn seek_case(backend: Backend, arrivals: Vec<(u8, bool, u8, bool)>, dense: bool) -> Result<(), TestCaseError> {
        let mut db = Fresh::new(backend, "late");
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
        let check = |db: &mut dyn HistoryStore| -> Result<(), TestCaseError> {
            for &m in &moments {
                let want = (m >= first).then(|| reference(&arrived, Timestamp(m)).state());
                prop_assert_eq!(db.state_at(m).unwrap().map(|s| s.state()), want, "at {}", m - T0);
            }
            Ok(())
        };
        check(db.conn.as_mut())?;
        if let Backend::Sqlite = backend {
            // A file from before `late` existed: opening it lists the same rows.
            let by_writer = listed(&db);
            db.sqlite().execute_batch("DROP TABLE late; PRAGMA user_version = 0;").unwrap();
            db.reopen();
            prop_assert_eq!(listed(&db), by_writer);
            check(db.conn.as_mut())?;
        }
        Ok(())
    }
}

fn a_restored_store_knows_the_events_just_before_its_checkpoint(backend: Backend) {
    let mut db = Fresh::new(backend, "remember");
    let conn = db.conn.as_mut();
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

/// PostgreSQL keeps events in a partition a day: retention drops the days
/// a checkpoint holds as whole tables, the size bound drops the oldest
/// day but never the newest, and times at the ends of the range have
/// partitions of their own.
#[cfg(feature = "postgres")]
#[test]
fn postgres_retention_drops_whole_days() {
    const DAY: i64 = 86_400 * 1_000_000_000;
    let mut db = Fresh::new(Backend::Postgres, "days");
    let Location::Postgres(url) = db.at.clone() else { unreachable!() };
    let partitions = || -> Vec<String> {
        let mut c = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let rows = c
            .query(
                "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                 WHERE i.inhparent = 'events'::regclass ORDER BY 1",
                &[],
            )
            .unwrap();
        rows.iter().map(|r| r.get(0)).collect()
    };
    // 2026-12-04 00:00 UTC, then ten events in each of four days, with a
    // checkpoint at the end of each day.
    let day0 = 1_796_342_400_000_000_000;
    let (mut live, mut arrived) = (Store::new(), Vec::new());
    for day in 0..4 {
        for k in 0..10 {
            let e = ev(day * 10 + k, Timestamp(day0 + day * DAY + k * 1_000_000_000));
            assert_eq!(db.conn.insert(std::slice::from_ref(&e)).unwrap(), 1);
            live.apply(&e);
            arrived.push(e);
        }
        db.conn.checkpoint(arrived.last().unwrap().at.0, &live.state_ref()).unwrap();
    }
    let days = ["events_20261204", "events_20261205", "events_20261206", "events_20261207"];
    assert_eq!(partitions(), days);

    // Before day 2: the checkpoint of day 1 holds days 0 and 1.
    assert_eq!(db.conn.retain(day0 + 2 * DAY).unwrap(), 20);
    assert_eq!(partitions(), days[2..]);
    assert!(db.conn.state_at(day0 + DAY).unwrap().is_none(), "dropped");
    let at = day0 + 2 * DAY + 5_000_000_000;
    assert_eq!(db.conn.state_at(at).unwrap().map(|s| s.state()), Some(reference(&arrived, Timestamp(at)).state()));

    // Far too big for a byte: the oldest day goes, never the newest.
    assert_eq!(db.conn.shrink_to(1).unwrap(), 10);
    assert_eq!(partitions(), days[3..]);
    let end = arrived.last().unwrap().at.0;
    assert_eq!(db.conn.state_at(end).unwrap().map(|s| s.state()), Some(live.state()));

    // The first and last moments there are: partitions open at the ends.
    let edges = [ev(1, Timestamp(i64::MIN + 1)), ev(2, Timestamp(i64::MAX))];
    assert_eq!(db.conn.insert(&edges).unwrap(), 2);
    assert_eq!(db.conn.insert(&edges).unwrap(), 0, "each once");
    assert_eq!(partitions().len(), 3);
    // A restart finds the partitions it made.
    db.reopen();
    assert_eq!(db.conn.insert(&[ev(3, Timestamp(i64::MAX - 1))]).unwrap(), 1);
    assert_eq!(partitions().len(), 3);
}
