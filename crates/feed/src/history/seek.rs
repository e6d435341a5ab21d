//! Rebuilding a store from the SQLite history: the writer's restore after
//! a restart, and the readers' seeks (`state_at`). A seek starts from the
//! newest checkpoint before the moment and replays the rows after it, in
//! arrival order, reading only as far as [`replay_to`] shows it must; a
//! run of seeks from one checkpoint decodes it once ([`Seeks`]).

use super::late::{LATE_NS, LATE_ROWS};
use super::sqlite::VERSION;
use rusqlite::{params, Connection, OptionalExtension};
use zitiscope_core::store::StoreState;
use zitiscope_core::{Event, Store, StoreConfig};

/// The store as the newest checkpoint left it plus every event after it:
/// the state the writer continues from after a restart. Also the newest
/// event time in it.
pub(super) fn restore(db: &Connection) -> rusqlite::Result<(Store, i64)> {
    let cp: Option<(i64, i64, String)> = db
        .query_row("SELECT event_id, max_at, state FROM checkpoints ORDER BY event_id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let (after, mut max_at, mut store) = match cp {
        Some((id, max_at, json)) => match serde_json::from_str::<StoreState>(&json) {
            Ok(state) => (id, max_at, Store::from_state(state, StoreConfig::default())),
            Err(_) => (0, i64::MIN, Store::new()),
        },
        None => (0, i64::MIN, Store::new()),
    };
    replay(db, &mut store, after, |at| max_at = max_at.max(at))?;
    Ok((store, max_at))
}

/// Applies to `store` every event after row `after`, in arrival order.
fn replay(db: &Connection, store: &mut Store, after: i64, mut seen: impl FnMut(i64)) -> rusqlite::Result<()> {
    let mut stmt = db.prepare_cached("SELECT body FROM events WHERE id > ?1 ORDER BY id")?;
    apply_rows(&mut stmt, [after], store, &mut seen)
}

/// Applies to `store` every event after row `after` up to time `until`, in
/// arrival order, reading rows in arrival order only up to the bound
/// [`read_bound`] gives, and the rows listed in `late` after it.
///
/// Why that is enough: every row after the bound that is not listed in
/// `late` happened after `until` (see `late.rs`). The rows listed after it
/// follow every row up to it in arrival order, so the two reads together
/// keep that order.
fn replay_to(db: &Connection, store: &mut Store, after: i64, until: i64) -> rusqlite::Result<()> {
    let Some(h) = read_bound(db, until)? else {
        let mut stmt = db.prepare_cached("SELECT body FROM events WHERE id > ?1 AND at <= ?2 ORDER BY id")?;
        return apply_rows(&mut stmt, params![after, until], store, &mut |_| {});
    };
    let mut stmt = db.prepare_cached("SELECT body FROM events WHERE id > ?1 AND id <= ?2 AND at <= ?3 ORDER BY id")?;
    apply_rows(&mut stmt, params![after, h, until], store, &mut |_| {})?;
    let mut stmt = db.prepare_cached(
        "SELECT e.body FROM late l JOIN events e ON e.id = l.id WHERE l.id > ?1 AND l.at <= ?2 ORDER BY l.id",
    )?;
    apply_rows(&mut stmt, params![after.max(h), until], store, &mut |_| {})
}

/// The last row a replay up to `until` reads in arrival order (the rows
/// listed in `late` aside): the nearer of the two bounds of `late.rs`, the
/// first row to happen past `until + LATE_NS` and `LATE_ROWS` rows after
/// one that happened past `until`. `None` when neither is stored yet. A
/// file whose `late` predates the row bound gets only the time bound.
pub(super) fn read_bound(db: &Connection, until: i64) -> rusqlite::Result<Option<i64>> {
    // A few of the earliest rows past a time, and the first of them to
    // arrive: the smaller the bound, the fewer rows read.
    let first_past = |t: i64| -> rusqlite::Result<Option<i64>> {
        db.query_row("SELECT MIN(id) FROM (SELECT id FROM events WHERE at > ?1 ORDER BY at, id LIMIT 64)", [t], |r| {
            r.get(0)
        })
    };
    let by_time = first_past(until.saturating_add(LATE_NS))?;
    // Per seek, not per connection: the writer upgrades a file it opens
    // while the readers may already hold it.
    let version: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let by_rows = if version >= VERSION { first_past(until)?.map(|g| g + LATE_ROWS) } else { None };
    Ok(by_time.into_iter().chain(by_rows).min())
}

/// Applies the event of each row `stmt` gives (its first column) to
/// `store`; `seen` hears each event's time.
fn apply_rows(
    stmt: &mut rusqlite::Statement<'_>,
    params: impl rusqlite::Params,
    store: &mut Store,
    seen: &mut dyn FnMut(i64),
) -> rusqlite::Result<()> {
    let mut rows = stmt.query(params)?;
    while let Some(row) = rows.next()? {
        let body: String = row.get(0)?;
        if let Ok(e) = serde_json::from_str::<Event>(&body) {
            seen(e.at.0);
            store.apply(&e);
        }
    }
    Ok(())
}

/// What a reader keeps from one seek for the next: seeks come in runs from
/// one checkpoint (an operator scrubbing back through an incident), and a
/// decoded checkpoint's copy takes about a third of the time of decoding
/// it again, but copying it when no other seek follows would only add that
/// third. So the second seek in a row from one checkpoint keeps a copy,
/// and the seeks after it start from copies of that.
#[derive(Default)]
pub(super) struct Seeks {
    /// The checkpoint the last seek started from.
    last: i64,
    /// A checkpoint's store as decoded: one store's worth of memory, held
    /// while the feed runs.
    decoded: Option<(i64, Store)>,
}

/// The state of the network at `at`: the newest checkpoint whose events are
/// all at or before `at`, plus every later row at or before `at` (late
/// events included: the store puts them where they belong). With no such
/// checkpoint, every row from the first, if none was ever dropped. `None`
/// when `at` is before what the history can rebuild.
///
/// `seeks` keeps a decoded checkpoint for the seeks that follow (see
/// [`Seeks`]).
pub(super) fn state_at(db: &Connection, at: i64, seeks: &mut Seeks) -> rusqlite::Result<Option<Store>> {
    let held = seeks.decoded.as_ref().map_or(-1, |(id, _)| *id);
    // The state's text only when it is not the one held (one statement, so
    // that retention cannot drop the row between a look and a read).
    let cp: Option<(i64, Option<String>)> = db
        .query_row(
            "SELECT event_id, CASE WHEN event_id = ?2 THEN NULL ELSE state END FROM checkpoints
             WHERE max_at <= ?1 ORDER BY max_at DESC, event_id DESC LIMIT 1",
            [at, held],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let base = match cp {
        Some((id, None)) => seeks.decoded.as_ref().map(|(_, store)| (id, store.clone())),
        Some((id, Some(json))) => serde_json::from_str::<StoreState>(&json).ok().map(|state| {
            let store = Store::from_state(state, StoreConfig::default());
            if std::mem::replace(&mut seeks.last, id) == id {
                seeks.decoded = Some((id, store.clone()));
            }
            (id, store)
        }),
        None => None,
    };
    let (after, mut store) = match base {
        Some(base) => base,
        None => {
            // Row ids are never reused: a first row that is not 1 was dropped.
            let (first_id, first_at): (Option<i64>, Option<i64>) =
                db.query_row("SELECT MIN(id), MIN(at) FROM events", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
            match (first_id, first_at) {
                (Some(1), Some(first)) if at >= first => (0, Store::new()),
                _ => return Ok(None),
            }
        }
    };
    replay_to(db, &mut store, after, at)?;
    Ok(Some(store))
}
